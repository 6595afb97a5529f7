"""RESPOND stage: a scenario (or stored data) made into status, headers and bytes.

responder.py picks the representation (negotiate.py), serves examples as written and generated
bodies from their schema (error bodies filled to agree with their status: fill.py), and
serialises them (serialise.py)."""

from __future__ import annotations

from openmock.respond.responder import Generation, MockResponse, Responder
from openmock.respond.serialise import header_text, serialise

__all__ = ["Generation", "MockResponse", "Responder", "header_text", "serialise"]
