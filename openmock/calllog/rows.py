"""RECORD: a call as the store keeps it: a short row, stored with the rest of its batch, and
its two large parts (the request's headers, and what the mock answered) kept once each.

A mock answers the same requests with the same bodies over and over (a frontend polling a
list, a page reloaded, a test suite run again), so a call's row holds only what is its own
(id, time, method, path, URL, status, stub, duration, request body) and refers to its request
headers and its answer (scenario, reason, response headers and body, errors...) by a 64-bit
digest of their JSON; a part is stored once. An answer of fresh data (`--dynamic`) never
comes again, so it is kept in its row instead (stored as parts, one insert into call_parts a
call plus sweeping them, such answers cost the writer 28 us a call under load; kept in rows,
6: per-thread CPU, one run each). The writer
stores a batch of rows as one JSON array in one SQLite row: a SQLite row per call cost
2-3 us (binding, B-tree work, commit; timed in one process), a batch is one `orjson.dumps`. Rows are
tuples of strings and numbers: queued by the thousand, they cost the garbage collector
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import MISSING, asdict, fields
from hashlib import blake2b
from typing import Any, Final, NamedTuple
from urllib.parse import parse_qsl

import orjson

from openmock.calllog.record import ANSWER_PART, REQUEST_PART, ROW, CallRecord, kept_in
from openmock.request.body import collect_fields


class CallRow(NamedTuple):
    """A queued call: CallRecord's fields kept in the row, then the keys of its request part
    and answer part, then those parts' JSON (None for a part already stored). An answer that
    will not come again (fresh data) is kept in its row instead: its fields in place of the
    key. The stored row (a JSON array) is the fields up to `request_json`; the order is the
    layout of logs already written, so it only ever grows at the end."""

    id: str
    time: float
    method: str
    path: str
    url: str
    status: int
    stub: str | None
    duration_ms: float
    request_body: str | None
    request_size: int
    request_key: int
    answer_key: int | dict[str, Any]
    request_json: str
    answer_json: str | None


StoredRow = Sequence[Any]
Part = tuple[int, str]  # (digest, JSON text)

ROW_FIELDS = kept_in(ROW)  # CallRecord's fields a row holds itself
ANSWER_FIELDS = kept_in(ANSWER_PART)  # ... and those its answer part holds
assert set(CallRow._fields[: len(ROW_FIELDS)]) == set(ROW_FIELDS), "CallRow lost a field"
POSITION = {name: n for n, name in enumerate(CallRow._fields)}  # a stored row's fields
STORED: Final = POSITION["request_json"]  # a queued row's first STORED fields are stored
ID, TIME, METHOD, PATH = POSITION["id"], POSITION["time"], POSITION["method"], POSITION["path"]
STATUS, STUB, URL = POSITION["status"], POSITION["stub"], POSITION["url"]
REQUEST, ANSWER = POSITION["request_key"], POSITION["answer_key"]
# What a call shows for an answer field its part lacks (a log from before the field).
EMPTY: dict[str, Any] = {"reason": "", "response_headers": {}, "response_size": 0}

TABLES = (
    """CREATE TABLE IF NOT EXISTS call_batches (
        seq INTEGER PRIMARY KEY,
        first_time REAL NOT NULL,
        last_time REAL NOT NULL,
        count INTEGER NOT NULL,
        rows TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS call_parts (key INTEGER PRIMARY KEY, json TEXT NOT NULL)",
)
# For a person with the sqlite3 shell (`select * from calls`): one row per call, newest
# last (needs SQLite's JSON functions, built in since 3.38; the store itself does not use it).
CALLS_VIEW = f"""CREATE VIEW IF NOT EXISTS calls AS
SELECT id, time, method, url, status, stub, answer ->> 'scenario' AS scenario,
       answer ->> 'reason' AS reason, round(duration_ms, 3) AS duration_ms, request_headers,
       request_body, answer -> 'response_headers' AS response_headers,
       answer ->> 'response_body' AS response_body, answer -> 'errors' AS errors
FROM (
    SELECT b.seq, r.key AS position, r.value ->> {ID} AS id, r.value ->> {TIME} AS time,
           r.value ->> {METHOD} AS method, r.value ->> {URL} AS url,
           r.value ->> {STATUS} AS status, r.value ->> {STUB} AS stub,
           r.value ->> {POSITION["duration_ms"]} AS duration_ms,
           r.value ->> {POSITION["request_body"]} AS request_body,
           q.json AS request_headers, coalesce(a.json, r.value -> {ANSWER}) AS answer
    FROM call_batches b, json_each(b.rows) r
    LEFT JOIN call_parts q ON q.key = r.value ->> {REQUEST}
    LEFT JOIN call_parts a ON a.key = r.value ->> {ANSWER}
)
ORDER BY seq, position"""

INSERT_BATCH = "INSERT INTO call_batches (first_time, last_time, count, rows) VALUES (?, ?, ?, ?)"
INSERT_PART = "INSERT OR IGNORE INTO call_parts (key, json) VALUES (?, ?)"


def part(value: Any) -> Part:
    """`value` as JSON with its digest (the same content gets the same key in every process)."""
    data = orjson.dumps(value)
    digest = blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True), data.decode()


def answer_part(fields: dict[str, Any]) -> Part:
    return part({name: fields.get(name) for name in ANSWER_FIELDS})


def row_of(record: CallRecord) -> CallRow:
    """The row (with its parts) of a record built whole (tests, the embedded API)."""
    return row_of_dict(asdict(record))


def row_of_dict(call: dict[str, Any]) -> CallRow:
    request_key, request_json = part(call.get("request_headers") or {})
    answer_key, answer_json = answer_part(call)
    return CallRow(
        call["id"], call["time"], call["method"], call["path"], call.get("url") or call["path"],
        call["status"], call.get("stub"), call.get("duration_ms", 0.0), call.get("request_body"),
        call.get("request_size", 0), request_key, answer_key, request_json, answer_json,
    )  # fmt: skip


def batch_values(batch: Sequence[CallRow]) -> tuple[float, float, int, str]:
    """The values of INSERT_BATCH for these rows (the parts' JSON left out)."""
    stored = orjson.dumps([row[:STORED] for row in batch]).decode()
    times = [row.time for row in batch]
    return min(times), max(times), len(batch), stored


def parts_of(batch: Iterable[CallRow]) -> list[Part]:
    """The distinct parts a batch of queued rows refers to."""
    found: dict[int, str] = {}
    for row in batch:
        found[row.request_key] = row.request_json
        answer, answer_json = row.answer_key, row.answer_json
        if answer_json is not None and isinstance(answer, int):  # else: kept in the row
            found[answer] = answer_json
    return list(found.items())


def keys_of(row: StoredRow) -> tuple[int, ...]:
    """The parts a stored row refers to (an answer kept in the row is none)."""
    answer = row[ANSWER]
    return (row[REQUEST], answer) if isinstance(answer, int) else (row[REQUEST],)


def query_of(url: str) -> dict[str, Any]:
    _, _, query = url.partition("?")
    return collect_fields(parse_qsl(query, keep_blank_values=True)) if query else {}


def record_of(row: StoredRow, parts: dict[int, str]) -> dict[str, Any]:
    """A call as the admin API shows it: CallRecord's fields, in order, each from where the
    call keeps it."""
    request = parts.get(row[REQUEST])
    answered: dict[str, Any]
    if isinstance(row[ANSWER], dict):  # kept in the row
        answered = row[ANSWER]
    else:
        answer = parts.get(row[ANSWER])
        answered = orjson.loads(answer) if answer else {}
    call: dict[str, Any] = {}
    for item in fields(CallRecord):
        name, kept = item.name, item.metadata["kept"]
        if kept == ROW:
            call[name] = row[POSITION[name]]
        elif kept == ANSWER_PART:
            value = answered.get(name)
            call[name] = value if value is not None else _empty(item)
        elif kept == REQUEST_PART:
            call[name] = orjson.loads(request) if request else {}
        else:  # DERIVED: the query, from the URL
            call[name] = query_of(row[URL])
    call["duration_ms"] = round(call["duration_ms"], 3)
    return call


def _empty(item: Any) -> Any:
    if item.default_factory is not MISSING:
        return item.default_factory()
    return EMPTY.get(item.name, None if item.default is MISSING else item.default)
