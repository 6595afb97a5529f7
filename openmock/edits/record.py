"""`--record DIR` (with `--proxy`): what the upstream answered, written as stub files (the shape
of `files.py`), one scenario per distinct request, so `from-spec SPEC --stubs DIR` replays them
offline.

A scenario is named from the method, the path, the status and a digest of the request (method,
path, query, body), and matches that request (its path and query values, its JSON body); the
same exchange recorded again replaces its scenario rather than adding one. A file holding an
answer that broke the contract says `force: true`, so it is replayed as the backend gave it.
Secrets are left out as the call log leaves them out: the credentials the operation's security
names (query parameters), cookies set by the upstream, and headers that only describe the
transfer.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import yaml

from openmock.describe import body_field
from openmock.mediatypes import base_type, is_json

# Answer headers not worth keeping: the transfer's, the server's own, cookies (secrets).
LEFT_OUT = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
     "content-type", "date", "server", "set-cookie", "te", "trailer", "upgrade"}
)  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # binary, though it decodes


def slug(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("-", text).strip("-")[:limit] or "root"


class StubRecorder:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def record(
        self,
        method: str,
        template: str,
        path_values: Mapping[str, str],
        query: list[tuple[str, str]],
        request_body: Any,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        secret_query: frozenset[str] = frozenset(),
        breaks_contract: bool = False,
    ) -> Path:
        """Write one exchange into the stub file of its operation (`template`: the spec's path,
        or the literal path the spec does not have); the file's path."""
        kept_query = {k: v for k, v in query if k not in secret_query}
        digest = hashlib.sha256(
            orjson.dumps([method, dict(path_values), sorted(kept_query.items()), request_body],
                         option=orjson.OPT_SORT_KEYS, default=str)
        ).hexdigest()[:8]  # fmt: skip
        concrete = template
        for name, value in path_values.items():
            concrete = concrete.replace("{" + name + "}", value)
        name = f"{method.lower()}-{slug(concrete)}-{status}-{digest}"
        scenario: dict[str, Any] = {"name": name, "status": status}
        kept_headers = {k: v for k, v in headers.items() if k.lower() not in LEFT_OUT}
        kept_headers = {
            k: v for k, v in kept_headers.items() if not k.lower().startswith("x-openmock-")
        }
        if kept_headers:
            scenario["headers"] = kept_headers
        content_type = headers.get("content-type", "")
        if body:
            scenario["media_type"] = base_type(content_type) or "application/octet-stream"
            scenario.update(body_field(_value(body, content_type)))
        match: dict[str, Any] = {}
        if path_values:
            match["path"] = dict(path_values)
        if kept_query:
            match["query"] = kept_query
        if request_body is not None:
            match["body"] = request_body
        if match:
            scenario["match"] = match
        else:  # a request with nothing to tell it apart (GET /pets): the operation's answer
            scenario["default"] = True
        target = self.folder / f"{slug(method + '-' + template)}.yaml"
        with self._lock:
            stub = self._read(target) or {"method": method, "path": template, "scenarios": []}
            others = [s for s in stub.get("scenarios", []) if s.get("name") != name]
            stub["scenarios"] = [*others, scenario]
            if breaks_contract:  # replayed as recorded, not refused for breaking the schema
                stub["force"] = True
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".yaml.tmp")
            partial.write_text(yaml.safe_dump(stub, sort_keys=False, allow_unicode=True))
            partial.replace(target)
        return target

    @staticmethod
    def _read(target: Path) -> dict[str, Any] | None:
        try:
            found = yaml.safe_load(target.read_text("utf-8"))
        except (OSError, yaml.YAMLError):
            return None
        return found if isinstance(found, dict) else None


def _value(body: bytes, content_type: str) -> Any:
    """A body as a stub file keeps it: JSON as its value, text as text, anything else (an
    image, a PDF, text that is not UTF-8) as its bytes, never changed."""
    if is_json(content_type):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    return body if _CONTROL.search(text) else text
