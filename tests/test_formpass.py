"""The one-pass form reader (validation/formpass.py) against the full reading it stands in
for (FormTyper's nesting and typing, then the schema's check): whenever the pass answers, it
must be the full reading's value, and that value must be valid."""

from __future__ import annotations

from typing import Any

from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmock.request.body import collect_fields, form_fields
from openmock.schema.index import SchemaIndex
from openmock.validation.formpass import DECLINED, FormPass
from openmock.validation.forms import FormTyper
from openmock.validation.formshape import COMPILE_AFTER

NAMES = ["a", "b", "c"]
BLANK = {"type": "string", "enum": [""]}  # Stripe's "clear this field"

leaves = st.sampled_from(
    [
        {"type": "string"},
        {"type": "string", "maxLength": 2},
        {"type": "string", "enum": ["x", "y"]},
        {"type": "string", "pattern": "^[a-z]*$"},
        {"type": "integer", "minimum": 0},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "object"},  # a field's JSON text
        {},
        {"$ref": "#/components/schemas/Leaf"},
        {"anyOf": [{"type": "integer"}, BLANK]},
    ]
)


def _object(children: dict[str, Any], extra: Any, required: list[str], sizes: Any) -> Any:
    node: dict[str, Any] = {"type": "object", "properties": children}
    if extra is not None:
        node["additionalProperties"] = extra
    if required:
        node["required"] = required
    if sizes is not None:
        node["maxProperties"] = sizes
    return node


def _array(items: Any, low: Any, unique: bool) -> Any:
    node: dict[str, Any] = {"type": "array", "items": items}
    if low is not None:
        node["minItems"] = low
    if unique:
        node["uniqueItems"] = True
    return node


def _nodes(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    objects = st.builds(
        _object,
        st.dictionaries(st.sampled_from(NAMES), inner, max_size=3),
        st.sampled_from([None, False, True, {"type": "integer"}]),
        st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
        st.sampled_from([None, 1, 3]),
    )
    arrays = st.builds(_array, inner, st.sampled_from([None, 2]), st.booleans())
    containers = objects | arrays
    return (
        containers
        | containers.map(lambda node: {"anyOf": [node, BLANK]})
        | containers.map(lambda node: {"oneOf": [BLANK, node]})
        | st.tuples(containers, containers).map(lambda two: {"anyOf": list(two)})
        | containers.map(lambda node: {**node, "description": "annotated"})
    )


schemas = st.recursive(leaves, _nodes, max_leaves=6)
segments = st.sampled_from([*NAMES, "0", "1", "2", "", "01", "x"])
names = st.builds(
    lambda head, rest: head + "".join(f"[{s}]" for s in rest),
    st.sampled_from(NAMES),
    st.lists(segments, max_size=3),
)
values = st.sampled_from(["", "1", "-3", "2.5", "x", "xyz", "true", '{"a": 1}', "[1]"])
bodies = st.lists(st.tuples(names, values), max_size=7)


def _readers(root: Any) -> tuple[FormPass, FormTyper]:
    document = {"components": {"schemas": {"Leaf": {"type": "string", "maxLength": 3}}}}
    index = SchemaIndex({**document, "x-root": root})
    typer = FormTyper(index)
    return FormPass(index, typer, compile_after=2), typer  # compiled on the second use


@settings(max_examples=examples(1500), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.builds(lambda children: _object(children, None, [], None), st.dictionaries(
    st.sampled_from(NAMES), schemas, max_size=3)), bodies)  # fmt: skip
def test_the_pass_answers_only_with_the_full_readings_valid_value(
    schema: Any, pairs: list[tuple[str, str]]
) -> None:
    passes, typer = _readers(schema)
    fields = collect_fields(pairs)
    for _ in range(2):  # the second time through the shape it kept
        read = passes.read(fields, schema)
        value, valid = typer.typed(fields, schema)
        if read is not DECLINED:
            assert valid, (schema, fields, read)
            assert read == value, (schema, fields, read, value)


STRIPE_LIKE = {
    "type": "object",
    "required": ["amount"],
    "properties": {
        "amount": {"type": "integer"},
        "capture": {"type": "boolean"},
        "expand": {"type": "array", "items": {"type": "string", "maxLength": 5000}},
        "metadata": {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "string"}},
                {"type": "string", "enum": [""]},
            ]
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"price": {"type": "string"}, "qty": {"type": "integer"}},
            },
        },
        "shipping": {"$ref": "#/components/schemas/Shipping"},
        "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
        "code": {"type": "string", "minLength": 2, "maxLength": 3},
        "status": {"type": "string", "enum": ["open", "paid", 3]},
    },
}
SHIPPING = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "address": {"type": "object", "properties": {}}},
}


def _stripe() -> tuple[FormPass, FormTyper]:
    index = SchemaIndex({"components": {"schemas": {"Shipping": SHIPPING}}, "x": STRIPE_LIKE})
    typer = FormTyper(index)
    return FormPass(index, typer, compile_after=2), typer  # compiled on the second use


def _fields(body: str) -> dict[str, Any]:
    return form_fields(body)


def test_a_stripe_style_body_is_read_in_one_pass() -> None:
    passes, typer = _stripe()
    body = (
        "amount=2000&capture=true&expand=customer&expand=invoice&metadata%5Border%5D=6735"
        "&items%5B1%5D%5Bprice%5D=p2&items%5B0%5D%5Bprice%5D=p1&items%5B0%5D%5Bqty%5D=3"
        "&shipping%5Bname%5D=Jenny+Rosen&shipping%5Baddress%5D%5Bline1%5D=1+Main+St"
    )
    read = passes.read(_fields(body), STRIPE_LIKE)
    assert read == {
        "amount": 2000,
        "capture": True,
        "expand": ["customer", "invoice"],
        "metadata": {"order": "6735"},
        "items": [{"price": "p1", "qty": 3}, {"price": "p2"}],
        "shipping": {"name": "Jenny Rosen", "address": {"line1": "1 Main St"}},
    }
    assert typer.typed(_fields(body), STRIPE_LIKE) == (read, True)


def test_the_same_names_are_typed_and_checked_anew_each_time() -> None:
    passes, _ = _stripe()
    assert passes.read(_fields("amount=1&items[0][qty]=2"), STRIPE_LIKE) == {
        "amount": 1,
        "items": [{"qty": 2}],
    }
    assert passes.read(_fields("amount=7&items[0][qty]=9"), STRIPE_LIKE) == {
        "amount": 7,
        "items": [{"qty": 9}],
    }
    assert passes.read(_fields("amount=1&items[0][qty]=many"), STRIPE_LIKE) is DECLINED
    assert passes.read(_fields("amount=1&tags[0]=a&tags[1]=b"), STRIPE_LIKE) == {
        "amount": 1,
        "tags": ["a", "b"],
    }
    assert passes.read(_fields("amount=1&tags[0]=a&tags[1]=a"), STRIPE_LIKE) is DECLINED
    for status, code, valid in [
        ("open", "ab", True),
        ("paid", "abc", True),
        ("void", "ab", False),
        ("3", "ab", False),
        ("open", "a", False),
        ("open", "abcd", False),
        ("paid", "xyz", True),
    ]:  # the same shape, compiled after its second use: checks made inline there
        read = passes.read(_fields(f"amount=1&status={status}&code={code}"), STRIPE_LIKE)
        assert (read is not DECLINED) is valid, (status, code)
    one = "amount=1&expand=customer&items[10][qty]=1&items[9][qty]=2"  # one text for a list
    assert passes.read(_fields(one), STRIPE_LIKE) == {
        "amount": 1,
        "expand": ["customer"],
        "items": [{"qty": 2}, {"qty": 1}],
    }


def test_what_the_pass_leaves_to_the_full_reading() -> None:
    passes, typer = _stripe()
    declined = {
        "amount=1&items[0][colour]=red": False,  # a closed object's stranger
        "capture=true": False,  # amount is required
        "amount=x": False,  # not an integer
        "amount=1&shipping[address][line1]=x": False,  # shipping's name is required
        "amount=1&metadata=&metadata[a]=b": True,  # a field and its parts: the field wins
        "amount=1&expand[]=a": True,  # `[]`: the nesting rules' own reading
        "amount=1&tags[0]=a&tags[1]=a": False,  # uniqueItems, which needs the values
        "amount=1&metadata[0]=a": False,  # nested under an index: a list, not an object
    }
    for body, valid in declined.items():
        assert passes.read(_fields(body), STRIPE_LIKE) is DECLINED, body
        assert typer.typed(_fields(body), STRIPE_LIKE)[1] is valid, body


def test_a_shape_is_compiled_once_it_has_been_met_often() -> None:
    index = SchemaIndex({"components": {"schemas": {"Shipping": SHIPPING}}, "x": STRIPE_LIKE})
    passes = FormPass(index, FormTyper(index))  # the default point: COMPILE_AFTER uses
    fields = _fields("amount=5&status=open&code=ab&items[0][qty]=2")
    shape = None
    for use in range(1, COMPILE_AFTER + 2):
        assert passes.read(fields, STRIPE_LIKE) == {
            "amount": 5,
            "status": "open",
            "code": "ab",
            "items": [{"qty": 2}],
        }
        (shape,) = passes._plan(STRIPE_LIKE).shapes.values()
        assert shape is not None
        # interpreted until the COMPILE_AFTER-th use, which compiles it
        assert (shape.run == shape.fill) is (use < COMPILE_AFTER), use
    bad = _fields("amount=5&status=void&code=ab&items[0][qty]=2")  # the same names
    assert passes.read(bad, STRIPE_LIKE) is DECLINED  # through the compiled function
    never = FormPass(index, FormTyper(index), compile_after=0)
    for _ in range(COMPILE_AFTER + 1):
        never.read(fields, STRIPE_LIKE)
    (kept,) = never._plan(STRIPE_LIKE).shapes.values()
    assert kept is not None and kept.run == kept.fill
