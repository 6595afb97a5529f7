"""Realistic generated values: by property name, by format, x-faker, locale, schema hints."""

from __future__ import annotations

import calendar
import re
from typing import Any

import pytest

from openmock.generate import GenerationEngine, UnknownLocale
from openmock.schema.index import SchemaIndex

PERSON = {
    "type": "object",
    "required": ["id", "email", "firstName", "last_name", "createdAt", "price", "latitude"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "firstName": {"type": "string"},
        "last_name": {"type": "string"},
        "createdAt": {"type": "string"},
        "price": {"type": "number"},
        "latitude": {"type": "number"},
        "age": {"type": "integer"},
        "website": {"type": "string", "format": "uri"},
        "emails": {"type": "array", "items": {"type": "string"}},
        "city": {"type": "string", "maxLength": 3},
    },
}


def values(schema: Any, n: int = 30, **options: Any) -> list[Any]:
    engine = GenerationEngine(SchemaIndex({}), **options)
    return [engine.value(schema, str(i)) for i in range(n)]


def test_property_names_pick_realistic_values() -> None:
    people = values(PERSON)
    for person in people:
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", person["email"]), person
        assert person["firstName"].isalpha() and person["firstName"][0].isupper()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", person["createdAt"])
        assert person["id"] > 0
        assert -90 <= person["latitude"] <= 90
        assert 0 < person["price"] <= 500 and round(person["price"], 2) == person["price"]
        assert 0 <= person.get("age", 30) <= 120
        assert len(person.get("city", "")) <= 3  # the bound wins over the realistic choice
        for email in person.get("emails", []):
            assert "@" in email  # items of `emails` are emails
    assert len({p["firstName"] for p in people}) > 10  # varied, not one constant


def test_arrays_have_one_to_five_items_and_optional_properties_are_mostly_present() -> None:
    schema = {"type": "array", "items": PERSON}
    lists = values(schema, 40)
    sizes = {len(v) for v in lists}
    assert sizes <= {1, 2, 3, 4, 5} and len(sizes) >= 3
    people = [p for v in lists for p in v]
    assert sum("age" in p for p in people) / len(people) > 0.75


def test_bounds_win_over_name_ranges() -> None:
    age = {"type": "integer", "minimum": 200, "maximum": 210}
    schema = {"type": "object", "required": ["age"], "properties": {"age": age}}
    assert all(200 <= v["age"] <= 210 for v in values(schema))


@pytest.mark.parametrize(
    ("x_faker", "check"),
    [
        ("internet.email", lambda v: "@" in v),
        ("name.firstName", lambda v: v.isalpha()),
        ("email", lambda v: "@" in v),  # Faker's own name
        ("address.zipCode", lambda v: any(c.isdigit() for c in v)),
        ({"random.number": {"min": 5, "max": 9}}, lambda v: v in "56789"),
    ],
)
def test_x_faker_in_prism_and_faker_names(x_faker: Any, check: Any) -> None:
    schema = {"type": "string", "x-faker": x_faker}
    for value in values(schema, 10):
        assert isinstance(value, str) and check(value), value


def test_x_faker_number_with_arguments_keeps_the_type() -> None:
    schema = {"type": "integer", "x-faker": {"random.number": {"min": 5, "max": 9}}}
    assert all(isinstance(v, int) and 5 <= v <= 9 for v in values(schema, 10))


def test_unknown_x_faker_and_invalid_hints_are_reported_and_replaced() -> None:
    document = {
        "components": {
            "schemas": {
                "Stamp": {"type": "integer", "example": "1644009612"},
                "Odd": {"type": "string", "x-faker": "no.suchMethod"},
            }
        }
    }
    engine = GenerationEngine(SchemaIndex(document))
    for name in ("Stamp", "Odd"):
        schema = {"$ref": f"#/components/schemas/{name}"}
        assert all(engine.value(schema, str(i)) is not None for i in range(5))
    assert all(isinstance(engine.value({"$ref": "#/components/schemas/Stamp"}, str(i)), int)
               for i in range(10))  # fmt: skip
    problems = "\n".join(engine.problems)
    assert "#/components/schemas/Stamp: `example` '1644009612' is not valid" in problems
    assert "#/components/schemas/Odd: x-faker 'no.suchMethod' names no Faker method" in problems


def test_valid_schema_hints_are_used_at_any_depth() -> None:
    schema = {
        "type": "object",
        "required": ["status", "nested"],
        "properties": {
            "status": {"type": "string", "example": "shipped"},
            "nested": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string", "default": "XK-1"}},
            },
        },
    }
    got = values(schema, 30)
    assert any(v["status"] == "shipped" for v in got)
    assert any(v["status"] != "shipped" for v in got)  # a hint, not a constant
    assert any(v["nested"]["code"] == "XK-1" for v in got)


def test_locale_changes_the_values() -> None:
    schema = {"type": "string", "x-faker": "address.city"}
    english = set(values(schema, 20))
    german = set(values(schema, 20, locale="de_DE"))
    assert english != german
    with pytest.raises(UnknownLocale, match="xx_YY"):
        GenerationEngine(SchemaIndex({}), locale="xx_YY")


def test_same_seed_same_realistic_values_other_seed_other_values() -> None:
    assert values(PERSON, 5, seed=3) == values(PERSON, 5, seed=3)
    assert values(PERSON, 5, seed=3) != values(PERSON, 5, seed=4)


def test_object_hint_loses_write_only_properties_even_behind_a_ref() -> None:
    document = {"components": {"schemas": {"Secret": {"type": "string", "writeOnly": True}}}}
    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "password": {"$ref": "#/components/schemas/Secret"},
        },
        "example": {"name": "Ann", "password": "hunter2"},
    }
    engine = GenerationEngine(SchemaIndex(document))
    got = [engine.value(schema, str(i)) for i in range(30)]
    assert any(v == {"name": "Ann"} for v in got)  # the hint, without the writeOnly field
    assert not any("password" in v for v in got)


def test_calendar_and_money_strings_look_like_what_they_name() -> None:
    """Issue 17, item 8: `day`, `month`, `year`, `time`, `currency`... were random words."""
    names = ["day", "month", "year", "time", "currency", "locale", "weekday"]
    schema = {"type": "object", "required": names,
              "properties": {n: {"type": "string"} for n in names}}  # fmt: skip
    engine = GenerationEngine(SchemaIndex({}))
    days = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
    for seed in range(10):
        value = engine.value(schema, str(seed))
        assert value["day"] in days and value["weekday"] in days
        assert value["month"] in calendar.month_name[1:]
        assert value["year"].isdigit() and len(value["year"]) == 4
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}Z", value["time"])
        assert re.fullmatch(r"[A-Z]{3}", value["currency"])


def test_a_pets_name_is_a_pets_and_a_persons_a_persons() -> None:
    """`name` by what it names: the component (also through allOf) or the title."""
    named = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    document = {
        "components": {
            "schemas": {
                "NewPet": named,
                "Pet": {"allOf": [{"$ref": "#/components/schemas/NewPet"}]},
                "Customer": named | {"title": "Customer"},
                "Product": dict(named),
            }
        }
    }
    engine = GenerationEngine(SchemaIndex(document))

    def names(component: str) -> list[str]:
        ref = {"$ref": f"#/components/schemas/{component}"}
        return [engine.value(ref, str(seed))["name"] for seed in range(8)]

    pets = names("Pet") + names("NewPet")
    assert all(" " not in n and n[0].isupper() for n in pets), pets
    assert all(" " in n for n in names("Customer"))  # a person's full name
    assert all(len(n.split()) == 2 for n in names("Product"))  # "Ergonomic Chair"
