"""The two YAML readers (spec/yamlfast.py and PyYAML in spec/reader.py) build the same tree:
random scalars and documents, the constructs the fast one leaves to PyYAML, every YAML file
of the corpus."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from budget import examples
from conftest import CORPUS, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmock.spec import SpecError
from openmock.spec.reader import _Loader, parse_text
from openmock.spec.yamlfast import NotRead, read_yaml


def by_pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("18:00", "18:00"),  # YAML 1.1 read this as 1080 minutes
        ("1:30:00", "1:30:00"),
        ("2024-01-02", "2024-01-02"),
        ("yes", "yes"),
        ("True", True),
        ("1e5", 100000.0),
        ("3e-05", 3e-05),
        (".5", 0.5),
        ("017", 17),
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", 1000),
        ("-.inf", -math.inf),
        ("9223372036854775808", 9223372036854775808),
        ("'1e5'", "1e5"),
        ("1.0.0", "1.0.0"),
    ],
)
def test_yaml_1_2_core_scalars_by_both_readers(text: str, value: object) -> None:
    document = f"a: {text}\n"
    assert same(read_yaml(document)["a"], value)
    assert same(by_pyyaml(document)["a"], value)


@given(st.text("0123456789_.eE+-xobX:", min_size=1, max_size=8))
@settings(max_examples=examples(3000), deadline=None, suppress_health_check=list(HealthCheck))
def test_any_number_like_scalar_reads_the_same(token: str) -> None:
    document = f"a: {token}\nb: [{token}, x]\n"
    try:
        fast = read_yaml(document)
    except NotRead:
        return
    try:
        slow = by_pyyaml(document)
    except yaml.YAMLError:
        return  # `[:0, x]`: the fast reader reads what PyYAML refuses, never the reverse
    assert same(fast, slow), token


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_like, st.sampled_from([None, True, False]))
@settings(max_examples=examples(1000), deadline=None, suppress_health_check=list(HealthCheck))
def test_any_document_reads_the_same(data: Any, flow: bool | None) -> None:
    document = yaml.safe_dump({"doc": data}, default_flow_style=flow, allow_unicode=True)
    try:
        fast = read_yaml(document)
    except NotRead:
        return
    assert same(fast, by_pyyaml(document))


@pytest.mark.parametrize(
    ("name", "document", "expected"),
    [
        ("merge key", "b: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", {"x": 1, "y": 3}),
        ("tag", "d: !!binary aGVsbG8=\n", b"hello"),
        ("anchor", "a: &a [1]\nd: *a\n", [1]),
        ("no last line break", "d: |\n  one\n  two", "one\ntwo"),
    ],
)
def test_what_the_fast_reader_reads_differently_is_left_to_pyyaml(
    name: str, document: str, expected: object
) -> None:
    with pytest.raises(NotRead):
        read_yaml(document)
    assert parse_text(document, "x.yaml")["d"] == expected, name


def test_a_tag_on_a_value_it_cannot_hold_is_a_located_error() -> None:
    for document in ("a: 1\nb: !!int 1:30\n", "a: 1\nb: !!float many\n"):
        with pytest.raises(SpecError) as caught:
            parse_text(document, "x.yaml")
        assert str(caught.value).startswith("x.yaml:2: not valid YAML"), str(caught.value)


def test_what_the_fast_reader_refuses_keeps_pyyamls_reading_and_messages() -> None:
    with pytest.raises(NotRead):
        read_yaml("a:\t1\n")  # PyYAML reads a tab before a value
    assert parse_text("a:\t1\n", "x.yaml") == {"a": 1}
    for document in ("? [a, b]\n: c\n", "a: 1\n---\nb: 2\n", "d: !custom x\n"):
        with pytest.raises(NotRead):
            read_yaml(document)


@pytest.mark.slow
def test_every_yaml_file_of_the_corpus_reads_the_same() -> None:
    files = sorted(
        p
        for base in (CORPUS, ROOT / "specs")
        for p in base.rglob("*")
        if p.suffix in (".yaml", ".yml")
    )
    assert len(files) > 1000
    fast = 0
    read_yaml((CORPUS / "stripe" / "spec3.yaml").read_text())  # no false alarm: read fast
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        try:
            data = read_yaml(text)
        except NotRead:
            continue
        fast += 1
        assert same(data, by_pyyaml(text)), path
    assert fast > len(files) // 2
