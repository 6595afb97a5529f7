"""VALIDATE: a generated error body that tells the truth about the request it answers.

When the spec's own error response (422, 400, 401, or `default` asked for with
`Prefer: code=404`) is served from its schema, a generated body would say
`"status": 500, "title": "lorem"` under a 422 status line. The problem-details fields the
schema has (status, title, detail, an errors list; at the top level or in an `error`
envelope) are filled with the real outcome (the status and its reason phrase; for a failed
validation its title, detail and violations), one field at a time, each kept only when the
whole body still validates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from openmock.validation.verdict import Verdict

_STATUS = ("status", "code", "statusCode", "status_code", "httpStatus", "http_status")
_TITLE = ("title", "error", "reason", "summary")
_DETAIL = ("detail", "message", "description", "error_description", "errorMessage", "msg")
_LIST = (
    "errors", "violations", "invalid_params", "invalidParams", "validation",
    "validationErrors", "fieldErrors", "issues", "details",
)  # fmt: skip
_ITEM_MESSAGE = ("message", "detail", "description", "reason", "msg", "title", "error")
_ITEM_NAME = ("field", "name", "param", "parameter", "property", "pointer", "path")
_ENVELOPES = ("error", "problem")

Valid = Callable[[Any], bool]


def fill_problem(value: Any, verdict: Verdict | None, status: int, valid: Valid) -> Any:
    """`value` with its problem-details fields set from `status` (the status line served)
    and `verdict` (when validation failed), as far as `valid` (the response schema's
    validator) allows."""
    if not isinstance(value, dict):
        return value
    document = copy.deepcopy(value)
    targets = [document]
    targets.extend(inner for key in _ENVELOPES if isinstance(inner := document.get(key), dict))
    for target in targets:
        _fill_object(document, target, verdict, status, valid)
    return document


def _try(
    document: dict[str, Any], target: dict[str, Any], key: str, new: Any, valid: Valid
) -> None:
    old = target[key]
    if old == new:
        return
    target[key] = new
    if not valid(document):
        target[key] = old


def _fill_object(
    document: dict[str, Any],
    target: dict[str, Any],
    verdict: Verdict | None,
    status: int,
    valid: Valid,
) -> None:
    for key in _STATUS:
        current = target.get(key)
        if isinstance(current, int) and not isinstance(current, bool):
            _try(document, target, key, status, valid)
        elif isinstance(current, str) and key != "code":  # a string `code` is an error code
            _try(document, target, key, str(status), valid)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"Status {status}"
    title = verdict.title if verdict is not None else phrase
    for key in _TITLE:
        if isinstance(target.get(key), str):
            _try(document, target, key, title, valid)
    looks_like_a_problem = any(key in target for key in (*_STATUS, *_TITLE))
    if looks_like_a_problem and isinstance(target.get("type"), str):
        _try(document, target, "type", "about:blank", valid)  # RFC 9457's "no more to say"
    detail = verdict.detail if verdict is not None else f"{status} {phrase}"
    for key in _DETAIL:
        if isinstance(target.get(key), str):
            _try(document, target, key, detail, valid)
    if verdict is None:
        return
    for key in _LIST:
        current = target.get(key)
        if isinstance(current, list):
            for items in _list_candidates(current, verdict):
                target[key] = items
                if valid(document):
                    break
                target[key] = current


def _list_candidates(current: list[Any], verdict: Verdict) -> list[list[Any]]:
    """Ways to say the violations in a list shaped like `current`: objects like its first
    item, with message and name fields set; or plain sentences."""
    candidates: list[list[Any]] = []
    template = current[0] if current and isinstance(current[0], dict) else None
    if template is not None:
        items = []
        for violation in verdict.violations:
            item = dict(template)
            for key in _ITEM_MESSAGE:
                if isinstance(item.get(key), str):
                    item[key] = violation.message
            where = violation.name if violation.name is not None else violation.pointer
            for key in _ITEM_NAME:
                if isinstance(item.get(key), str) and where is not None:
                    item[key] = where
            if isinstance(item.get("in"), str):
                item["in"] = violation.location
            items.append(item)
        candidates.append(items)
    candidates.append([v.sentence() for v in verdict.violations])
    candidates.append([v.as_error() for v in verdict.violations])
    return candidates
