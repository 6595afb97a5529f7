"""EDIT stage: stubs and scenarios changed at runtime through the admin API, and the journal
that keeps those changes across restarts and workers."""

from __future__ import annotations

from openmock.edits.apply import Edit, Refused, apply_edit
from openmock.edits.journal import Journal
from openmock.edits.payload import (
    DEFAULT_SCHEMA,
    PATCH_SCHEMA,
    SCENARIO_SCHEMA,
    STUB_SCHEMA,
)

__all__ = [
    "DEFAULT_SCHEMA",
    "PATCH_SCHEMA",
    "SCENARIO_SCHEMA",
    "STUB_SCHEMA",
    "Edit",
    "Journal",
    "Refused",
    "apply_edit",
]
