"""Schemas of a loaded document: the index (dereferencing, validators), compiled checks,
allOf merging, JSON pointers, and typed access to loose nodes. No web framework, no spec
loading: every stage that reads schemas builds on this."""
