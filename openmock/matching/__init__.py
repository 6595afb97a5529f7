"""PICK stage: scenario selection and content negotiation."""

from __future__ import annotations

from openmock.matching.negotiate import negotiate, parse_accept
from openmock.matching.select import Selection, select_scenario

__all__ = ["Selection", "negotiate", "parse_accept", "select_scenario"]
