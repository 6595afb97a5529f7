"""GENERATE stage: schema -> compiled generator -> schema-valid values."""

from __future__ import annotations

from openmock.generate.engine import GenerationEngine, derive_seed
from openmock.generate.scalars import GenerationError

__all__ = ["GenerationEngine", "GenerationError", "derive_seed"]
