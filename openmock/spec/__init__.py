"""LOAD stage: read, bundle, validate and convert specs into the internal form."""

from __future__ import annotations

from openmock.spec.errors import SpecError, SpecProblem
from openmock.spec.loader import Spec, load_spec

__all__ = ["Spec", "SpecError", "SpecProblem", "load_spec"]
