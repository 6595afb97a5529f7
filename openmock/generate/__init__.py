"""GENERATE stage: schema -> compiled generator -> schema-valid values."""

from __future__ import annotations

from openmock.generate.engine import FallbackNeeded, GenerationEngine
from openmock.generate.realism import UnknownLocale
from openmock.generate.scalars import GenerationError, derive_seed

__all__ = [
    "FallbackNeeded",
    "GenerationEngine",
    "GenerationError",
    "UnknownLocale",
    "derive_seed",
]
