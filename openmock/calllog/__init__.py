"""RECORD stage: every call the mock answers, kept in SQLite and queried by the admin API."""

from __future__ import annotations

from openmock.calllog.record import CallRecord
from openmock.calllog.store import CallStore
from openmock.calllog.verify import BadPattern, Expectation, read_expectation, verify

__all__ = ["BadPattern", "CallRecord", "CallStore", "Expectation", "read_expectation", "verify"]
