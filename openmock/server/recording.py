"""What the call log keeps of one request and its answer (see openmock/calllog/)."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from openmock.calllog import CallStore
from openmock.calllog.record import Secrets, redact_headers, redact_query, truncate_body
from openmock.calllog.rows import CallRow, Part, part

if TYPE_CHECKING:
    from openmock.answer import Answer


HEADER_SETS_KEPT = 512  # distinct request header sets whose part is remembered
ANSWERS_KEPT = 2048  # ... and answers


def _same_answer(kept: Answer, answer: Answer) -> bool:
    return (
        kept.status == answer.status
        and kept.stub == answer.stub
        and kept.scenario == answer.scenario
        and kept.reason == answer.reason
        and kept.source == answer.source
        and kept.seed == answer.seed
        and kept.errors == answer.errors
        and kept.closest == answer.closest
        and kept.headers == answer.headers
    )


def _answer_fields(answer: Answer) -> dict[str, Any]:
    """What the log keeps of an answer besides its status and stub: CallRecord's answer-part
    fields (rows.ANSWER_FIELDS), each made from the Answer."""
    return {
        "scenario": answer.scenario or None,
        "reason": answer.reason,
        "response_headers": dict(answer.headers),  # the mock's own: no secrets in them
        "response_body": truncate_body(answer.body),
        "response_size": len(answer.body),
        "errors": list(answer.errors),
        "source": answer.source,
        "seed": answer.seed,
        "closest": list(answer.closest),
    }


class Recorder:
    """Makes each call's row for the call log on the event loop, right after the answer is
    sent, and queues it. A row is a tuple of strings and numbers (nothing for the garbage
    collector to follow, nothing of the request kept alive); its two large parts, the request
    headers and the answer, are made into JSON once: a client sends the same headers again and
    again, and a repeated GET gets a copy of the same answer (same body object), so both are
    remembered (by header tuple; by body identity, checked field by field)."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self._header_parts: dict[tuple[frozenset[str], tuple[Any, ...]], Part] = {}
        self._answer_parts: dict[int, tuple[Answer, Part]] = {}

    def record(
        self,
        call_id: str,
        scope: MutableMapping[str, Any],
        request_body: bytes | None,
        answer: Answer,
        secrets: Secrets,
        duration_ms: float,
    ) -> None:
        secret_headers, secret_query = secrets
        path: str = scope["path"]
        raw_query: bytes = scope.get("query_string", b"")
        url = path
        if raw_query:
            query = raw_query.decode("latin-1")
            url = f"{path}?{redact_query(query, secret_query) if secret_query else query}"
        request_key, request_json = self._request_part(scope["headers"], secret_headers)
        answer_key: int | dict[str, Any]
        answer_json: str | None
        if answer.repeatable:
            answer_key, answer_json = self._answer_part(answer)
        else:  # fresh data: stored in its row, never looked for again
            answer_key, answer_json = _answer_fields(answer), None
        body: str | None = None
        size = 0
        if request_body:
            body, size = truncate_body(request_body), len(request_body)
        elif request_body is None:  # refused unread: larger than the limit
            body, size = "[too large]", -1
        row = CallRow(
            call_id, time.time(), scope["method"], path, url, answer.status,
            answer.stub or None, duration_ms, body, size,
            request_key, answer_key, request_json, answer_json,
        )  # fmt: skip
        self.store.add_row(row)

    def _request_part(self, raw: list[tuple[bytes, bytes]], secret: frozenset[str]) -> Part:
        key = (secret, tuple(raw))
        try:
            found = self._header_parts.get(key)
        except TypeError:  # a server giving headers as lists: nothing to remember them by
            return self._headers_part(raw, secret)
        if found is None:
            found = self._headers_part(raw, secret)
            if len(self._header_parts) >= HEADER_SETS_KEPT:
                self._header_parts.clear()
            self._header_parts[key] = found
        return found

    @staticmethod
    def _headers_part(raw: list[tuple[bytes, bytes]], secret: frozenset[str]) -> Part:
        headers = ((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
        return part(redact_headers(headers, secret))

    def _answer_part(self, answer: Answer) -> Part:
        kept = self._answer_parts.get(id(answer.body))  # the entry holds the body: id stays
        if kept is not None and kept[0].body is answer.body and _same_answer(kept[0], answer):
            return kept[1]
        made = part(_answer_fields(answer))
        if len(self._answer_parts) >= ANSWERS_KEPT:
            self._answer_parts.clear()
        self._answer_parts[id(answer.body)] = (answer, made)
        return made
