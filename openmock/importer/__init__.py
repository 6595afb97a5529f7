"""IMPORT stage: a loaded spec becomes stubs with scenarios."""

from __future__ import annotations

from openmock.importer.operations import ADMIN_PREFIX, build_catalog

__all__ = ["ADMIN_PREFIX", "build_catalog"]
