"""PICK stage: scenario selection and content negotiation."""

from __future__ import annotations

from openmock.matching.controls import Controls, read_controls
from openmock.matching.pairing import Candidate, PairedRequest, candidates_of
from openmock.matching.select import Selection, error_scenario, select_scenario

__all__ = [
    "Candidate",
    "Controls",
    "PairedRequest",
    "Selection",
    "candidates_of",
    "error_scenario",
    "read_controls",
    "select_scenario",
]
