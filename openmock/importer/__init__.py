"""IMPORT stage: a loaded spec becomes stubs with scenarios."""

from __future__ import annotations

from openmock.importer.operations import build_catalog

__all__ = ["build_catalog"]
