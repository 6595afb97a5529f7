"""GENERATE stage: schema -> compiled generator -> schema-valid values."""

from __future__ import annotations

from openmock.generate.compile import GenerationError
from openmock.generate.engine import GenerationEngine, derive_seed

__all__ = ["GenerationEngine", "GenerationError", "derive_seed"]
