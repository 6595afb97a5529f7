"""Swagger 2.0 -> OpenAPI 3 conversion and schema normalisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import SpecMaker

from openmock.spec import load_spec

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "inv", "version": "1"},
    "host": "api.example.com",
    "basePath": "/api",
    "produces": ["application/json"],
    "consumes": ["application/json"],
    "paths": {
        "/items": {
            "get": {
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "string"},
                        "collectionFormat": "multi",
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "integer"},
                        "collectionFormat": "pipes",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
                        "examples": {"application/json": [{"sku": "A1", "price": 3}]},
                    }
                },
            },
            "post": {
                "parameters": [
                    {
                        "name": "item",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Item"},
                    }
                ],
                "responses": {
                    "201": {"description": "made", "schema": {"$ref": "#/definitions/Item"}}
                },
            },
        },
        "/items/{sku}/image": {
            "post": {
                "consumes": ["multipart/form-data"],
                "produces": ["text/plain"],
                "parameters": [
                    {"name": "sku", "in": "path", "required": True, "type": "string"},
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "caption", "in": "formData", "type": "string"},
                ],
                "responses": {"200": {"description": "ok", "schema": {"type": "string"}}},
            }
        },
    },
    "definitions": {
        "Item": {
            "type": "object",
            "required": ["sku"],
            "properties": {
                "sku": {"type": "string"},
                "price": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                "note": {"type": "string", "x-nullable": True},
            },
        }
    },
}


def load(make_spec: SpecMaker, cache_dir: Path, doc: dict[str, Any]) -> dict[str, Any]:
    return load_spec(make_spec(doc, name="swagger.json"), cache_dir=cache_dir).document


def test_servers_from_host_and_base_path(make_spec: SpecMaker, cache_dir: Path) -> None:
    doc = load(make_spec, cache_dir, SWAGGER)
    assert doc["openapi"].startswith("3.")
    assert doc["servers"][0]["url"].endswith("api.example.com/api")


def test_body_parameter_becomes_request_body(make_spec: SpecMaker, cache_dir: Path) -> None:
    post = load(make_spec, cache_dir, SWAGGER)["paths"]["/items"]["post"]
    assert post["requestBody"]["required"] is True
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/definitions/Item"
    }
    assert not post.get("parameters")


def test_form_data_becomes_multipart_body(make_spec: SpecMaker, cache_dir: Path) -> None:
    post = load(make_spec, cache_dir, SWAGGER)["paths"]["/items/{sku}/image"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["required"] == ["file"]
    assert [p["name"] for p in post["parameters"]] == ["sku"]


def test_produces_and_examples_become_content(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = load(make_spec, cache_dir, SWAGGER)["paths"]
    media = paths["/items"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["example"] == [{"sku": "A1", "price": 3}]
    image = paths["/items/{sku}/image"]["post"]["responses"]["200"]["content"]
    assert list(image) == ["text/plain"]


def test_collection_formats_become_styles(make_spec: SpecMaker, cache_dir: Path) -> None:
    params = load(make_spec, cache_dir, SWAGGER)["paths"]["/items"]["get"]["parameters"]
    tags, ids = params
    assert (tags["style"], tags["explode"]) == ("form", True)
    assert (ids["style"], ids["explode"]) == ("pipeDelimited", False)
    assert ids["schema"] == {"type": "array", "items": {"type": "integer"}}


def test_schema_keywords_are_normalised(make_spec: SpecMaker, cache_dir: Path) -> None:
    item = load(make_spec, cache_dir, SWAGGER)["definitions"]["Item"]
    assert item["properties"]["price"] == {"type": "number", "exclusiveMinimum": 0}
    assert item["properties"]["note"]["type"] == ["string", "null"]


def test_nullable_in_3_0_needs_a_type(make_spec: SpecMaker, cache_dir: Path) -> None:
    schemas = {
        "Typed": {"type": "string", "nullable": True},
        "Untyped": {"nullable": True, "oneOf": [{"type": "string"}, {"type": "integer"}]},
    }
    doc = load_spec(make_spec(components={"schemas": schemas}), cache_dir=cache_dir).document
    assert doc["components"]["schemas"]["Typed"]["type"] == ["string", "null"]
    assert "anyOf" not in doc["components"]["schemas"]["Untyped"]


def test_nullable_is_no_keyword_in_3_1(make_spec: SpecMaker, cache_dir: Path) -> None:
    schemas = {"Typed": {"type": "string", "nullable": True}}
    doc = load_spec(
        make_spec(version="3.1.0", components={"schemas": schemas}), cache_dir=cache_dir
    ).document
    assert doc["components"]["schemas"]["Typed"]["type"] == "string"
