"""XML as the XML Object says, both ways: what openmock writes for a schema it reads back as
the same value (request bodies are checked by reading them so)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from openmock.generate import GenerationEngine
from openmock.request.xml import xml_value
from openmock.respond.xml import to_xml
from openmock.schema.index import SchemaIndex
from openmock.spec import load_spec

SPECS = Path(__file__).parent.parent / "specs"
ENGINE = GenerationEngine(SchemaIndex({}))

SCALARS = st.sampled_from(
    [{"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}]
)
# Prefixes with and without a namespace (one no element binds is left out when written).
XML_OPTIONS = st.fixed_dictionaries(
    {}, optional={"prefix": st.just("p"), "namespace": st.just("urn:example")}
)


def _with_xml(schema: dict[str, Any], xml: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "xml": xml} if xml else schema


@st.composite
def object_schemas(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["id", "name", "tags", "size", "owner"]),
                          min_size=1, max_size=4, unique=True))  # fmt: skip
    properties: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(["scalar", "attribute", "array", "wrapped", "object"]))
        if kind == "object" and depth < 2:
            properties[name] = draw(object_schemas(depth + 1))
        elif kind in ("array", "wrapped"):
            items = _with_xml(draw(SCALARS), {"name": f"{name}-item", **draw(XML_OPTIONS)})
            xml = {"wrapped": True} if kind == "wrapped" else {}
            properties[name] = {"type": "array", "items": items, "minItems": 1, "xml": xml}
        elif kind == "attribute":
            properties[name] = {**draw(SCALARS), "xml": {"attribute": True}}
        else:
            renamed = draw(st.sampled_from([{}, {"name": f"{name}-el"}]))
            properties[name] = _with_xml(draw(SCALARS), {**renamed, **draw(XML_OPTIONS)})
    return _with_xml(
        {"type": "object", "properties": properties, "required": names}, draw(XML_OPTIONS)
    )


def _round_trip(index: SchemaIndex, schema: Any, value: Any) -> Any:
    written = to_xml(value, schema, index.deref)
    return xml_value(ElementTree.fromstring(written.encode()), schema, index.deref)


@settings(max_examples=examples(300), deadline=None)
@given(object_schemas(), st.integers(0, 10**6))
def test_what_is_written_reads_back_the_same(schema: dict[str, Any], seed: int) -> None:
    value = ENGINE.value(schema, "v", seed=seed)  # one engine: making one costs 0.1 s
    assert _round_trip(ENGINE.index, schema, value) == value


def test_the_bundled_petstore_reads_back_its_own_xml() -> None:
    spec = load_spec(SPECS / "petstore.yaml", cache_dir=None)
    index = SchemaIndex(spec.document)
    engine = GenerationEngine(index)
    for name in spec.document["components"]["schemas"]:
        ref = {"$ref": f"#/components/schemas/{name}"}
        for seed in range(20):
            value = engine.value(ref, str(seed))
            assert _round_trip(index, ref, value) == value, name


def test_text_is_typed_by_the_schema_and_unknown_elements_are_kept() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "xml": {"attribute": True}},
            "price": {"type": ["number", "null"]},
            "ok": {"type": "boolean"},
            "code": {"type": "string"},
        },
    }
    root = ElementTree.fromstring(
        b"<p:x xmlns:p='urn:a' id='7'><price/><ok>true</ok><code>007</code><extra>1</extra></p:x>"
    )
    value = xml_value(root, schema, SchemaIndex({}).deref)
    assert value == {"id": 7, "price": None, "ok": True, "code": "007", "extra": "1"}
