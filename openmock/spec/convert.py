"""Convert Swagger 2.0 into the OpenAPI 3 shape, and normalise every schema to one dialect.

The internal form is OpenAPI 3-shaped with JSON Schema 2020-12 schemas (3.1-like):
`nullable`/`x-nullable` become `type` arrays (or an `anyOf` with null), boolean
`exclusiveMinimum`/`exclusiveMaximum` become numeric, tuple `items` become `prefixItems`,
2.0 `type: file` becomes a binary string. All later stages read only this form.
"""

from __future__ import annotations

from typing import Any

from openmock.schema.nodes import child_map
from openmock.schema.pointers import resolve_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_ANNOTATIONS = ("title", "description", "readOnly", "writeOnly", "deprecated", "example", "xml")

_PARAM_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    "uniqueItems", "multipleOf", "x-nullable",
)  # fmt: skip
_COLLECTION_STYLE = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "tsv": ("form", False),
    "multi": ("form", True),
}


def _deref(root: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 50:
        try:
            node = resolve_pointer(root, node["$ref"][1:])
        except KeyError:
            return node
        seen += 1
    return node


# --------------------------------------------------------------------------- Swagger 2.0
def swagger2_to_openapi3(doc: dict[str, Any]) -> dict[str, Any]:
    """Return an OpenAPI 3-shaped document built from a (bundled) Swagger 2.0 document."""
    produces = list(doc.get("produces") or ["application/json"])
    consumes = list(doc.get("consumes") or ["application/json"])
    definitions = doc.get("definitions") or {}
    out: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": doc.get("info") or {"title": "API", "version": "0"},
        "paths": {},
        "components": {
            "schemas": definitions,
            "securitySchemes": _security_schemes(doc.get("securityDefinitions") or {}),
        },
        # Schemas keep their `#/definitions/...` references; these keys make them resolve.
        "definitions": definitions,
    }
    for key, value in doc.items():
        if key.startswith("x-"):
            out[key] = value
    host = doc.get("host")
    base_path = doc.get("basePath") or ""
    if host:
        scheme = (doc.get("schemes") or ["https"])[0]
        out["servers"] = [{"url": f"{scheme}://{host}{base_path}"}]
    elif base_path:
        out["servers"] = [{"url": base_path}]
    if "security" in doc:
        out["security"] = doc["security"]
    if "tags" in doc:
        out["tags"] = doc["tags"]
    for path, item in (doc.get("paths") or {}).items():
        if path.startswith("x-"):
            continue
        item = _deref(doc, item)
        if not isinstance(item, dict):
            continue
        shared = [_deref(doc, p) for p in item.get("parameters") or []]
        new_item: dict[str, Any] = {}
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                new_item[method] = _convert_operation(doc, op, shared, produces, consumes)
        out["paths"][path] = new_item
    return out


def _security_schemes(defs: dict[str, Any]) -> dict[str, Any]:
    schemes: dict[str, Any] = {}
    for name, sd in defs.items():
        if not isinstance(sd, dict):
            continue
        kind = sd.get("type")
        if kind == "basic":
            schemes[name] = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            schemes[name] = {"type": "apiKey", "name": sd.get("name"), "in": sd.get("in")}
        elif kind == "oauth2":
            flow_name = {
                "implicit": "implicit",
                "password": "password",
                "application": "clientCredentials",
                "accessCode": "authorizationCode",
            }.get(sd.get("flow", ""), "implicit")
            flow = {"scopes": sd.get("scopes") or {}}
            for src, dst in (("authorizationUrl", "authorizationUrl"), ("tokenUrl", "tokenUrl")):
                if src in sd:
                    flow[dst] = sd[src]
            schemes[name] = {"type": "oauth2", "flows": {flow_name: flow}}
    return schemes


def _convert_operation(
    doc: dict[str, Any],
    op: dict[str, Any],
    shared: list[Any],
    produces: list[str],
    consumes: list[str],
) -> dict[str, Any]:
    op_produces = list(op.get("produces") or produces)
    op_consumes = list(op.get("consumes") or consumes)
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for p in [*shared, *(_deref(doc, p) for p in op.get("parameters") or [])]:
        if isinstance(p, dict) and "name" in p and "in" in p:
            params[(str(p["name"]), str(p["in"]))] = p
    new: dict[str, Any] = {
        k: v
        for k, v in op.items()
        if k not in ("parameters", "responses", "produces", "consumes", "schemes")
    }
    new_params: list[dict[str, Any]] = []
    form: list[dict[str, Any]] = []
    for p in params.values():
        where = p["in"]
        if where == "body":
            media = {mt: {"schema": p.get("schema", {})} for mt in op_consumes}
            if "x-examples" in p and isinstance(p["x-examples"], dict):
                for mt, ex in p["x-examples"].items():
                    if mt in media:
                        media[mt]["example"] = ex
            new["requestBody"] = {"content": media, "required": bool(p.get("required"))}
            if "description" in p:
                new["requestBody"]["description"] = p["description"]
        elif where == "formData":
            form.append(p)
        else:
            new_params.append(_convert_parameter(p))
    if form:
        new["requestBody"] = _form_body(form, op_consumes)
    if new_params:
        new["parameters"] = new_params
    responses: dict[str, Any] = {}
    for status, resp in (op.get("responses") or {}).items():
        if str(status).startswith("x-"):
            continue
        responses[str(status)] = _convert_response(_deref(doc, resp), op_produces)
    new["responses"] = responses
    return new


def _param_schema(p: dict[str, Any]) -> dict[str, Any]:
    schema = {k: p[k] for k in _PARAM_SCHEMA_KEYS if k in p}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _param_schema(schema["items"])
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    return schema


def _convert_parameter(p: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {
        "name": p["name"],
        "in": p["in"],
        "required": bool(p.get("required")) or p["in"] == "path",
        "schema": _param_schema(p),
    }
    for key in ("description", "deprecated", "allowEmptyValue"):
        if key in p:
            new[key] = p[key]
    if p["in"] == "query":
        # Swagger 2 refuses an empty value unless the parameter allows it; OpenAPI 3 keeps
        # the keyword for query parameters only, so the default is written out.
        new["allowEmptyValue"] = p.get("allowEmptyValue") is True
    for key, value in p.items():
        if key.startswith("x-"):
            new[key] = value
    if p.get("type") == "array":
        style, explode = _COLLECTION_STYLE.get(p.get("collectionFormat", "csv"), ("form", False))
        if p["in"] in ("path", "header"):
            style = "simple"
        new["style"] = style
        new["explode"] = explode
    return new


def _form_body(form: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    required = []
    has_file = False
    for p in form:
        field = _param_schema(p)
        if field.get("type") == "string" and field.get("format") != "binary" \
                and p.get("allowEmptyValue") is not True:  # fmt: skip
            # Swagger 2's allowEmptyValue (false unless said): an empty form field is refused.
            field.setdefault("minLength", 1)
        schema["properties"][p["name"]] = field
        if p.get("type") == "file":
            has_file = True
        if p.get("required"):
            required.append(p["name"])
    if required:
        schema["required"] = required
    media = [
        mt for mt in consumes if mt in ("application/x-www-form-urlencoded", "multipart/form-data")
    ]
    if not media:
        media = ["multipart/form-data" if has_file else "application/x-www-form-urlencoded"]
    return {"content": {mt: {"schema": schema} for mt in media}, "required": bool(required)}


def _convert_response(resp: Any, produces: list[str]) -> dict[str, Any]:
    if not isinstance(resp, dict):
        return {"description": ""}
    new: dict[str, Any] = {"description": resp.get("description", "")}
    examples = child_map(resp, "examples")
    if "schema" in resp:
        new["content"] = {}
        for mt in produces:
            media: dict[str, Any] = {"schema": resp["schema"]}
            if mt in examples:
                media["example"] = examples[mt]
            new["content"][mt] = media
    elif examples:
        new["content"] = {mt: {"example": ex} for mt, ex in examples.items()}
    if isinstance(resp.get("headers"), dict):
        new["headers"] = {
            name: {"schema": _param_schema(h), "description": h.get("description", "")}
            for name, h in resp["headers"].items()
            if isinstance(h, dict)
        }
    return new


# ------------------------------------------------------------------ schema normalisation
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SUBSCHEMA_ONE = (
    "additionalProperties", "items", "not", "contains", "propertyNames", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
)  # fmt: skip
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


class _Normaliser:
    def __init__(self, root: dict[str, Any], nullable_keyword: bool) -> None:
        self.root = root
        self.nullable_keyword = nullable_keyword
        self.seen: set[int] = set()

    def follow(self, node: Any) -> Any:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref.startswith("#"):
                try:
                    return resolve_pointer(self.root, ref[1:])
                except KeyError:
                    return None
        return node

    # OpenAPI structure -----------------------------------------------------------
    def document(self) -> None:
        components = self.root.get("components") or {}
        self.each(components.get("schemas"), self.schema)
        self.each(components.get("parameters"), self.parameter)
        self.each(components.get("headers"), self.parameter)
        self.each(components.get("responses"), self.response)
        self.each(components.get("requestBodies"), self.response)
        self.each(components.get("pathItems"), self.path_item)
        self.each(self.root.get("paths"), self.path_item)
        self.each(self.root.get("webhooks"), self.path_item)

    def each(self, mapping: Any, fn: Any) -> None:
        if isinstance(mapping, dict):
            for value in mapping.values():
                fn(value)

    def path_item(self, item: Any) -> None:
        item = self.follow(item)
        if not isinstance(item, dict):
            return
        for p in item.get("parameters") or []:
            self.parameter(p)
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                for p in op.get("parameters") or []:
                    self.parameter(p)
                self.response(op.get("requestBody"))
                self.each(op.get("responses"), self.response)
                for callback in (op.get("callbacks") or {}).values():
                    self.each(self.follow(callback), self.path_item)

    def parameter(self, p: Any) -> None:
        p = self.follow(p)
        if isinstance(p, dict):
            self.schema(p.get("schema"))
            self.content(p.get("content"))

    def response(self, r: Any) -> None:
        r = self.follow(r)
        if isinstance(r, dict):
            self.content(r.get("content"))
            self.each(r.get("headers"), self.parameter)

    def content(self, content: Any) -> None:
        if isinstance(content, dict):
            for media in content.values():
                if isinstance(media, dict):
                    self.schema(media.get("schema"))

    # Schemas ----------------------------------------------------------------------
    def schema(self, s: Any) -> None:
        stack = [s]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict) or id(node) in self.seen:
                continue
            self.seen.add(id(node))
            if "$ref" in node:
                target = self.follow(node)
                if isinstance(target, dict):
                    stack.append(target)
            normalise_schema_keywords(node, self.nullable_keyword)
            for key in _SUBSCHEMA_MAPS:
                sub = node.get(key)
                if isinstance(sub, dict):
                    stack.extend(sub.values())
            for key in _SUBSCHEMA_ONE:
                stack.append(node.get(key))
            for key in _SUBSCHEMA_LISTS:
                sub = node.get(key)
                if isinstance(sub, list):
                    stack.extend(sub)


def normalise_schema_keywords(node: dict[str, Any], nullable_keyword: bool = True) -> None:
    """Rewrite one schema object's 2.0/3.0 keywords into their 2020-12 equivalents.

    `nullable_keyword` is False for 3.1+, where `nullable` is no keyword: validators ignore
    it, so null would be an invalid answer however the author meant it."""
    if node.get("type") == "file":
        node["type"] = "string"
        node.setdefault("format", "binary")
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = node.get(exclusive)
        if isinstance(flag, bool):
            del node[exclusive]
            if flag and bound in node:
                node[exclusive] = node.pop(bound)
    if isinstance(node.get("items"), list):
        node["prefixItems"] = node.pop("items")
        if "additionalItems" in node:
            node["items"] = node.pop("additionalItems")
    if isinstance(node.get("discriminator"), str):
        node["discriminator"] = {"propertyName": node["discriminator"]}
    nullable = node.pop("nullable", None)
    x_nullable = node.pop("x-nullable", None)
    if x_nullable is True:
        _make_nullable(node)
    elif nullable is True and nullable_keyword:
        # OpenAPI 3.0.3: `nullable` "adds null to the allowed types ... only if type is
        # explicitly defined within the same Schema Object"; an enum must list null itself.
        _add_null_type(node)


def _add_null_type(node: dict[str, Any]) -> None:
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        kind.append("null")


def _make_nullable(node: dict[str, Any]) -> None:
    """Swagger's `x-nullable`: null is allowed whatever else the schema says."""
    kind = node.get("type")
    _add_null_type(node)
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        enum.append(None)
    composite = any(k in node for k in ("$ref", "allOf", "oneOf", "anyOf", "const", "not"))
    if kind is None and enum is None and composite:
        inner = {k: node.pop(k) for k in list(node) if k not in _ANNOTATIONS}
        node["anyOf"] = [inner, {"type": "null"}]


def normalise_document(root: dict[str, Any], kind: str = "3.0") -> None:
    """Normalise, in place, every schema reachable from the document's structure."""
    _Normaliser(root, nullable_keyword=kind in ("2.0", "3.0")).document()
