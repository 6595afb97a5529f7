"""The independent oracle: is a mock's response valid for the spec it came from?

OpenAPI 3.0/3.1 responses are checked by openapi-core, which reads the spec files itself.
Swagger 2.0 and 3.2 responses are checked with plain jsonschema against the *bundled* source
document (before openmock converts or normalises anything), so the checks share no code
with the mock beyond the bundler's reference rewriting.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from jsonschema_path.handlers import all_urls_handler
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import ServerNotFound
from openapi_core.testing import MockRequest, MockResponse

from openmock.spec import Spec
from openmock.spec.bundle import bundle

_JSON = re.compile(r"^application/(.+\+)?json$|^\*/\*$")


def documented(responses: dict[str, Any], status: int) -> bool:
    keys = {str(k).upper() for k in responses}
    return str(status) in keys or f"{str(status)[0]}XX" in keys or "DEFAULT" in keys


def _nullable(node: Any, kind: str) -> Any:
    """Plain JSON Schema for 2.0's `x-nullable` (a vendor extension every 2.0 tool knows) and
    3.0's `nullable` (null joins an explicit `type`)."""
    if isinstance(node, list):
        return [_nullable(v, kind) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v, kind) for k, v in node.items()}
    if kind == "2.0" and out.pop("x-nullable", False) is True:
        return {"anyOf": [out, {"type": "null"}]}
    if kind == "3.0" and out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


class Oracle:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.kind = spec.kind
        # Bundled afresh: the loader converts and normalises its own copy in place.
        self.source: dict[str, Any] = bundle(spec.path, lenient=True).root
        self._openapi: OpenAPI | None = None
        self.fallbacks = 0  # calls judged by the jsonschema path because openapi-core crashed
        if self.kind in ("3.0", "3.1"):
            # openapi-core reads the files with its own reader. The document's servers are
            # dropped so it matches calls by path (the mock serves with or without base paths).
            uri = spec.path.resolve().as_uri()
            data = dict(all_urls_handler(uri))
            _drop_servers(data)
            config = Config(
                spec_validator_cls=None,
                extra_media_type_deserializers=_text_deserializers(self.source),
            )
            self._openapi = OpenAPI.from_dict(data, base_uri=uri, config=config)
        draft = (
            referencing.jsonschema.DRAFT4
            if self.kind == "2.0"
            else referencing.jsonschema.DRAFT202012
        )
        root = _nullable(self.source, self.kind)
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            "urn:oracle", draft.create_resource(root)
        )
        self._validator_cls = (
            jsonschema.Draft4Validator if self.kind == "2.0" else jsonschema.Draft202012Validator
        )

    def operation(self, method: str, template: str) -> dict[str, Any]:
        return self._deref(self._deref(self.source["paths"][template])[method.lower()])

    def check(
        self,
        method: str,
        template: str,
        path: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
    ) -> str | None:
        """None when valid, else what is wrong."""
        operation = self.operation(method, template)
        if not documented(operation.get("responses") or {}, status):
            return f"status {status} is not documented"
        content_type = headers.get("content-type", "").split(";")[0].strip()
        if method.upper() == "HEAD":
            # A HEAD answer has the GET's headers and no body.
            return "a HEAD answer with a body" if body else None
        if self._openapi is not None and _binary(content_type):
            # openapi-core unmarshals binary bodies to bytes and then rejects them for not
            # being `type: string`; check only that the media type is documented.
            return self._documented_media(operation, status, content_type)
        if self._openapi is not None:
            response = MockResponse(
                body, status_code=status, headers=headers, content_type=content_type or None
            )
            try:
                try:
                    request = MockRequest("http://localhost", method, path, path_pattern=template)
                    self._openapi.validate_response(request, response)
                except ServerNotFound:  # servers kept in a path item of another file
                    host, prefix = self._server(template, operation)
                    request = MockRequest(
                        host, method, prefix + path, path_pattern=prefix + template
                    )
                    self._openapi.validate_response(request, response)
            except ServerNotFound:  # e.g. a server URL that is one variable: judge by schema
                self.fallbacks += 1
                return self._check_schema(operation, status, content_type, body)
            except OpenAPIError as exc:  # one error naming every problem
                return _explain(exc)
            except Exception:  # openapi-core itself crashed (seen: referencing on DO's files)
                self.fallbacks += 1
                return self._check_schema(operation, status, content_type, body)
            return None
        return self._check_schema(operation, status, content_type, body)

    def _server(self, template: str, operation: dict[str, Any]) -> tuple[str, str]:
        """Where openapi-core looks for this operation: its own or its path's first server
        (the document's servers are dropped, so otherwise any host and no prefix)."""
        path_item = self._deref(self.source["paths"][template])
        servers = operation.get("servers") or path_item.get("servers")
        if not servers:
            return "http://localhost", ""
        url = servers[0].get("url", "/")
        for name, var in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(var.get("default", "")))
        parts = urllib.parse.urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://localhost"
        return host, parts.path.rstrip("/")

    def _documented_media(
        self, operation: dict[str, Any], status: int, content_type: str
    ) -> str | None:
        responses = operation.get("responses") or {}
        response = self._deref(
            responses.get(str(status))
            or responses.get(f"{str(status)[0]}XX")
            or responses.get("default")
        )
        content = response.get("content") or {}
        if content_type in content or "*/*" in content:
            return None
        if f"{content_type.split('/')[0]}/*" in content:
            return None
        return f"media type {content_type} is not documented ({sorted(content)})"

    def _check_schema(
        self, operation: dict[str, Any], status: int, content_type: str, body: bytes
    ) -> str | None:
        responses = operation.get("responses") or {}
        response = responses.get(str(status), responses.get(status)) or responses.get("default")
        response = self._deref(response)
        if self.kind == "2.0":
            schema = response.get("schema")
        else:
            media = (response.get("content") or {}).get(content_type) or {}
            schema = media.get("schema")
        if schema is None:
            return None if not body or content_type else "a body where none is documented"
        if self._deref(schema).get("type") == "file":
            return None  # Swagger 2.0: "the response consists of a file", any bytes
        if not _JSON.match(content_type):
            return None  # only JSON bodies are checked against schemas here
        try:
            value = json.loads(body)
        except ValueError as exc:
            return f"body is not JSON: {exc}"
        validator = self._validator_cls(
            schema,
            registry=self._registry,
            _resolver=self._registry.resolver(base_uri="urn:oracle"),
        )
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        except jsonschema.exceptions.SchemaError as exc:
            return f"the schema itself is broken: {exc.message}"
        except Exception as exc:  # e.g. UnknownType: no body can be valid
            return f"the schema cannot be checked: {type(exc).__name__}: {str(exc)[:200]}"
        return None if error is None else f"{_clip(error.message)} at {list(error.absolute_path)}"

    def _deref(self, node: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 50:
            ref = node["$ref"]
            node = self._registry.resolver(base_uri="urn:oracle").lookup(ref).contents
            seen += 1
        return node if isinstance(node, dict) else {}


def _media_types(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            content = item.get("content")
            if isinstance(content, dict):
                found.update(k for k in content if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _text_deserializers(document: dict[str, Any]) -> dict[str, Any]:
    """openapi-core decodes only a few media types and hands the rest over as bytes, which no
    `type: string` accepts. Teach it every JSON-like and text/* type the spec uses."""
    out: dict[str, Any] = {}
    for media in _media_types(document.get("paths")) | _media_types(document.get("components")):
        base = media.split(";")[0].strip().lower()
        if "json" in base:
            out[media] = out[base] = lambda raw, **_: json.loads(raw)
        elif base.endswith("/*"):  # a range, answered in a concrete type: JSON, else text
            out[media] = out[base] = _json_or_text
        elif base.startswith("text/"):
            out[media] = out[base] = lambda raw, **_: (
                raw.decode() if isinstance(raw, bytes) else raw
            )
    return out


def _json_or_text(raw: Any, **_: Any) -> Any:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        return text


def _binary(content_type: str) -> bool:
    base = content_type.lower()
    textual = base.startswith("text/") or "json" in base or "xml" in base or "form" in base
    return bool(base) and not textual


def _drop_servers(document: dict[str, Any]) -> None:
    """Servers written in this file; those of path items in other files stay (see _server)."""
    document.pop("servers", None)
    for item in (document.get("paths") or {}).values():
        if isinstance(item, dict):
            item.pop("servers", None)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("servers", None)


def _clip(message: str, keep: int = 150) -> str:
    """Long messages quote the whole value first; keep its start and the verdict at the end."""
    return message if len(message) <= 2 * keep else f"{message[:keep]} ... {message[-keep:]}"


def _explain(exc: BaseException) -> str:
    """openapi-core's error, with the schema errors that caused it (message and where)."""
    chain: BaseException | None = exc
    while chain is not None:
        errors = getattr(chain, "schema_errors", None)
        if errors:
            shown = "; ".join(
                f"{_clip(e.message)} at /{'/'.join(str(p) for p in e.absolute_path)}"
                for e in list(errors)[:3]
            )
            return f"{type(exc).__name__}: {shown}"
        chain = chain.__cause__ or chain.__context__
    return f"{type(exc).__name__}: {str(exc)[:300]}"
