"""What the mock answers a request with (`Answer`), made of a problem or of a scenario, and
the memo of answers to repeated bodiless GETs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from openmock.delays import Delay
from openmock.problems import MEDIA_TYPE, Problem

MEMO_ENTRIES = 2048  # repeated GETs remembered per mock state
MEMO_BYTES = 8 * 1024 * 1024  # ... holding at most this much body
MEMO_BODY_BYTES = 65_536  # larger answers are made again rather than held


@dataclass
class Answer:
    """What the mock answers one request with, and what the call log keeps of why."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    stub: str = ""
    scenario: str = ""
    reason: str = ""  # why this answer (X-Openmock-Reason): a scenario's reason, a problem's slug
    source: str | None = None  # example | generated | problem | cors
    errors: tuple[dict[str, Any], ...] = ()  # a problem's violations
    closest: tuple[str, ...] = ()  # for a path that matched nothing
    seed: int | None = None
    delay: Delay | None = None  # how long to wait before answering (None: --delay's)
    repeatable: bool = True  # the same request would get the same answer (not fresh data)
    fault: str | None = None  # how the answer fails on the wire (model.FAULTS), if it does

    def has_header(self, name: str) -> bool:
        return any(key == name for key, _ in self.headers)


class AnswerMemo:
    """Answers to repeated bodiless GETs, bounded by count and body bytes; when full it starts
    afresh (simple, and the requests that do repeat fill it again at once)."""

    def __init__(self) -> None:
        self._answers: dict[tuple[Any, ...], Answer] = {}
        self._bytes = 0

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        """A copy (the caller adds headers to it) of the answer kept for `key`."""
        found = self._answers.get(key)
        return None if found is None else replace(found, headers=list(found.headers))

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        size = len(answer.body)
        if size > MEMO_BODY_BYTES:
            return
        if len(self._answers) >= MEMO_ENTRIES or self._bytes + size > MEMO_BYTES:
            self._answers.clear()
            self._bytes = 0
        self._answers[key] = replace(answer, headers=list(answer.headers))
        self._bytes += size


def problem_answer(
    problem: Problem, stub_id: str = "", scenario_id: str = "", reason: str = ""
) -> Answer:
    """An answer made of a problem; its reason is the problem's kind unless one is given."""
    return Answer(
        problem.status,
        [("content-type", MEDIA_TYPE), *problem.headers],
        problem.body(),
        stub_id,
        scenario_id,
        reason or problem.slug,
        "problem",
        problem.errors,
        tuple(problem.extra.get("closest", ())),
    )
