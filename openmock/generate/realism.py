"""Realistic values: Faker, behind this one module.

Calling Faker costs about 0.05-0.08 ms per value, too slow for a GitHub-sized object of a
hundred fields. So each Faker method used is called once per locale to fill a pool of a few
hundred values (seeded from the locale and the method's name, the same on every machine with
the pinned Faker), and a request only picks from a pool with its own seeded random: O(1), and
reproducible. `x-faker` hints with arguments call Faker directly with the request's random.

What a value is chosen from: the `x-faker` extension first (Prism's faker.js names such as
`internet.email`, or Faker's own method names), then the property's name when the schema
allows any string or number (`email`, `firstName`, `createdAt`, `price`, `latitude`...).
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import re
from collections.abc import Callable
from typing import Any

from faker import Faker

from openmock.generate.formats import FORMATS
from openmock.generate.scalars import derive_seed

POOL_SIZE = 256
Maker = Callable[[random.Random], Any]


class UnknownLocale(ValueError):
    """Faker has no such locale."""


class XFakerError(ValueError):
    """An `x-faker` value names no Faker method or its arguments do not fit."""


# String properties, by normalised name (lower case, no `_`/`-`), to a Faker method or to one
# of our format generators ("format:date-time").
_STRING_NAMES: dict[str, str] = {
    "email": "email", "emailaddress": "email", "mail": "email",
    "firstname": "first_name", "givenname": "first_name", "forename": "first_name",
    "lastname": "last_name", "surname": "last_name", "familyname": "last_name",
    "name": "name", "fullname": "name", "displayname": "name", "contactname": "name",
    "customername": "name", "author": "name", "owner": "name",
    "username": "user_name", "login": "user_name", "nickname": "user_name", "handle": "user_name",
    "phone": "phone_number", "phonenumber": "phone_number", "mobile": "phone_number",
    "telephone": "phone_number", "tel": "phone_number", "fax": "phone_number",
    "city": "city", "town": "city", "country": "country", "countryname": "country",
    "countrycode": "country_code", "street": "street_address", "streetaddress": "street_address",
    "address": "street_address", "address1": "street_address", "addressline1": "street_address",
    "line1": "street_address", "zip": "postcode", "zipcode": "postcode", "postcode": "postcode",
    "postalcode": "postcode", "province": "state", "company": "company",
    "companyname": "company", "organization": "company", "organisation": "company",
    "employer": "company", "url": "url", "website": "url", "homepage": "url", "link": "url",
    "href": "url", "avatar": "image_url", "avatarurl": "image_url", "image": "image_url",
    "imageurl": "image_url", "photo": "image_url", "photourl": "image_url", "picture": "image_url",
    "thumbnail": "image_url", "logo": "image_url", "icon": "image_url",
    "description": "sentence", "summary": "sentence", "bio": "sentence", "about": "sentence",
    "comment": "sentence", "note": "sentence", "notes": "sentence", "message": "sentence",
    "text": "sentence", "content": "sentence", "body": "sentence",
    "title": "title", "subject": "title", "headline": "title", "label": "title",
    "currency": "currency_code", "currencycode": "currency_code", "color": "color_name",
    "colour": "color_name", "hexcolor": "hex_color", "job": "job", "jobtitle": "job",
    "language": "language_code", "languagecode": "language_code", "locale": "locale",
    "timezone": "timezone", "tz": "timezone", "slug": "slug", "domain": "domain_name",
    "hostname": "domain_name", "ip": "ipv4", "ipaddress": "ipv4", "filename": "file_name",
    "mimetype": "mime_type", "contenttype": "mime_type", "useragent": "user_agent",
    "uuid": "uuid4", "guid": "uuid4", "id": "uuid4", "iban": "iban", "isbn": "isbn13",
    "createdat": "format:date-time", "updatedat": "format:date-time",
    "deletedat": "format:date-time", "timestamp": "format:date-time",
    "created": "format:date-time", "updated": "format:date-time",
    "modified": "format:date-time", "date": "format:date", "birthday": "format:date",
    "birthdate": "format:date", "dateofbirth": "format:date", "dob": "format:date",
    "version": "version", "day": "day_of_week", "weekday": "day_of_week",
    "dayofweek": "day_of_week", "dayname": "day_of_week", "month": "month_name",
    "monthname": "month_name", "year": "year", "time": "format:time",
    "currencysymbol": "currency_symbol",
}  # fmt: skip

# `name` by what it names: the object's title or component name (`Pet`, `NewPet`, `Product`),
# matched by its ending; anything else keeps a person's full name.
_NAME_BY_OWNER: tuple[tuple[str, str], ...] = (
    ("pet", "pet_name"), ("dog", "pet_name"), ("cat", "pet_name"), ("animal", "pet_name"),
    ("product", "product_name"), ("item", "product_name"), ("sku", "product_name"),
    ("category", "category_name"), ("tag", "word"), ("label", "word"),
    ("company", "company"), ("organization", "company"), ("organisation", "company"),
    ("org", "company"), ("team", "company"), ("city", "city"), ("country", "country"),
    ("file", "file_name"), ("attachment", "file_name"), ("repository", "slug"),
    ("repo", "slug"), ("project", "catch_phrase"), ("event", "catch_phrase"),
)  # fmt: skip
OWNER_MARK = "@"  # "name@Pet": the property `name` of a Pet
_PET_NAMES = (
    "Rex", "Bella", "Luna", "Max", "Charlie", "Milo", "Daisy", "Rocky", "Coco", "Buddy",
    "Lola", "Oscar", "Tiger", "Simba", "Nala", "Bailey", "Toby", "Ruby", "Zorro", "Felix",
    "Tom", "Ginger", "Pepper", "Shadow", "Loki", "Oreo", "Biscuit", "Mango", "Ziggy", "Hazel",
)  # fmt: skip
_PRODUCT_NOUNS = (
    "Chair", "Lamp", "Backpack", "Mug", "Keyboard", "Jacket", "Sneakers", "Watch", "Speaker",
    "Notebook", "Bottle", "Blender", "Headphones", "Desk", "Umbrella", "Wallet",
)  # fmt: skip
_PRODUCT_ADJECTIVES = (
    "Ergonomic", "Compact", "Classic", "Wireless", "Rustic", "Sleek", "Durable", "Premium",
    "Handmade", "Lightweight", "Smart", "Vintage",
)  # fmt: skip
_CATEGORIES = (
    "Dogs", "Cats", "Birds", "Books", "Electronics", "Garden", "Toys", "Clothing", "Sports",
    "Kitchen", "Music", "Travel", "Health", "Office",
)  # fmt: skip

# Numeric properties, by normalised name, to a sensible (low, high, decimals) when unbounded.
_NUMBER_NAMES: dict[str, tuple[float, float, int]] = {
    "id": (1, 100_000, 0), "age": (18, 90, 0), "count": (0, 50, 0), "total": (0, 500, 0),
    "quantity": (1, 20, 0), "qty": (1, 20, 0), "size": (1, 100, 0), "limit": (10, 100, 0),
    "offset": (0, 100, 0), "page": (1, 10, 0), "pages": (1, 20, 0), "perpage": (10, 50, 0),
    "year": (1990, 2026, 0), "month": (1, 12, 0), "day": (1, 28, 0), "hour": (0, 23, 0),
    "minute": (0, 59, 0), "second": (0, 59, 0), "rating": (1, 5, 0), "stars": (0, 500, 0),
    "score": (0, 100, 0), "percent": (0, 100, 0), "percentage": (0, 100, 0),
    "price": (1, 500, 2), "amount": (1, 1000, 2), "cost": (1, 500, 2), "balance": (0, 5000, 2),
    "latitude": (-90, 90, 6), "lat": (-90, 90, 6), "longitude": (-180, 180, 6),
    "lng": (-180, 180, 6), "lon": (-180, 180, 6), "port": (1024, 65535, 0),
    "weight": (1, 100, 1), "height": (1, 250, 0), "width": (1, 1920, 0),
    "duration": (1, 3600, 0), "timeout": (1, 300, 0), "priority": (1, 5, 0),
    "version": (1, 20, 0), "index": (0, 50, 0), "position": (0, 50, 0), "order": (0, 50, 0),
}  # fmt: skip

# Prism writes faker.js names (`name.firstName`); where Faker's Python name differs.
_FAKERJS: dict[str, str] = {
    "findname": "name", "fullname": "name", "firstname": "first_name", "lastname": "last_name",
    "username": "user_name", "exampleemail": "email", "phonenumber": "phone_number",
    "number": "pyint", "int": "pyint", "integer": "pyint", "float": "pyfloat",
    "boolean": "pybool", "uuid": "uuid4", "zipcode": "postcode", "streetname": "street_name",
    "streetaddress": "street_address", "cityname": "city", "countrycode": "country_code",
    "companyname": "company", "avatar": "image_url", "imageurl": "image_url",
    "past": "date_time", "recent": "date_time", "future": "future_datetime",
    "birthdate": "date_of_birth", "jobtitle": "job", "domainname": "domain_name",
    "hexcolor": "hex_color", "color": "color_name", "alphanumeric": "pystr",
    "productname": "catch_phrase", "price": "pricetag", "ip": "ipv4", "state": "state",
    "words": "words", "lines": "paragraph", "text": "text", "slug": "slug",
    "currencycode": "currency_code", "amount": "pydecimal", "mimetype": "mime_type",
}  # fmt: skip
_FAKERJS_KWARGS = {"min": "min_value", "max": "max_value", "precision": "right_digits"}


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _plain(value: Any) -> Any:
    """Faker's return values as JSON values (dates as ISO text, decimals as numbers)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, tuple | set):
        return [_plain(v) for v in value]
    return value


class Realism:
    """Faker for one locale and the pools of values drawn from it. Owned by an engine."""

    def __init__(self, locale: str = "en_US") -> None:
        try:
            self.faker = Faker(locale)
        except AttributeError:
            raise UnknownLocale(
                f"unknown locale {locale!r}: use one Faker knows, such as en_US, de_DE, fr_FR, "
                "ja_JP or pt_BR"
            ) from None
        self.locale = locale
        self._pools: dict[str, list[Any]] = {}
        self._pickers: dict[str, Maker] = {}
        self.words: list[str] = list(self.pool("word"))

    # ------------------------------------------------------------------ pools
    def pool(self, method: str) -> list[Any]:
        found = self._pools.get(method)
        if found is None:
            self.faker.seed_instance(derive_seed(self.locale, method))
            produce = self._producer(method)
            found = [_plain(produce()) for _ in range(POOL_SIZE)]
            self._pools[method] = found
        return found

    def _producer(self, method: str) -> Callable[[], Any]:
        if method == "title":
            return lambda: self.faker.sentence(nb_words=4).rstrip(".")
        rnd = self.faker.random
        if method == "version":
            return lambda: f"{rnd.randint(0, 9)}.{rnd.randint(0, 20)}.{rnd.randint(0, 30)}"
        if method == "pet_name":
            return lambda: rnd.choice(_PET_NAMES)
        if method == "product_name":
            return lambda: f"{rnd.choice(_PRODUCT_ADJECTIVES)} {rnd.choice(_PRODUCT_NOUNS)}"
        if method == "category_name":
            return lambda: rnd.choice(_CATEGORIES)
        produce: Callable[[], Any] = getattr(self.faker, method)
        return produce

    def picker(self, method: str) -> Maker:
        found = self._pickers.get(method)
        if found is None:
            if method.startswith("format:"):
                found = FORMATS[method.removeprefix("format:")]
            else:
                values = self.pool(method)

                def found(rng: random.Random) -> Any:
                    return rng.choice(values)

            self._pickers[method] = found
        return found

    def word(self, rng: random.Random) -> str:
        return rng.choice(self.words)

    def text(self, rng: random.Random, length: int) -> str:
        """Words joined by spaces, at least `length` characters."""
        out = rng.choice(self.words)
        while len(out) < length:
            out += " " + rng.choice(self.words)
        return out

    # ------------------------------------------------------------------ by name
    def string_for(self, name: str | None, fmt: Any = None) -> Maker | None:
        """A maker of realistic strings for a property called `name` with format `fmt`, if
        we know one that fits the format (other formats use formats.py)."""
        method = _string_method(name)
        if fmt in ("email", "idn-email"):
            method = "email"
        elif fmt in ("uri", "url", "iri"):
            method = "image_url" if method == "image_url" else "url"
        elif fmt in ("hostname", "idn-hostname"):
            method = "domain_name"
        elif fmt is not None:
            return None
        return self.picker(method) if method else None

    @staticmethod
    def number_range(name: str | None) -> tuple[float, float, int] | None:
        """A sensible (low, high, decimals) for an unbounded number called `name`."""
        if not name:
            return None
        name = name.partition(OWNER_MARK)[0]
        key = normalise_name(name)
        found = _NUMBER_NAMES.get(key)
        if found is None and re.search(r"(_id|Id|ID)$", name):
            found = _NUMBER_NAMES["id"]
        if found is None and key.endswith(("count", "total")):
            found = _NUMBER_NAMES["count"]
        if found is None and key.endswith(("price", "amount", "cost")):
            found = _NUMBER_NAMES["price"]
        return found

    # ------------------------------------------------------------------ x-faker
    def x_faker(self, spec: Any) -> Maker:
        """A maker for an `x-faker` value: "internet.email", "email", {"random.number":
        {"min": 1, "max": 9}} or {"finance.amount": [1, 100, 2]}. Raises XFakerError."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        name: Any = spec
        if isinstance(spec, dict) and len(spec) == 1:
            ((name, given),) = spec.items()
            if isinstance(given, dict):
                kwargs = {_FAKERJS_KWARGS.get(str(k), str(k)): v for k, v in given.items()}
            elif isinstance(given, list):
                args = list(given)
            elif given is not None:
                args = [given]
        if not isinstance(name, str) or not name.strip():
            raise XFakerError(f"x-faker must name a Faker method, got {spec!r}")
        method = self._method(name)
        if not args and not kwargs:
            try:
                return self.picker(method)
            except (AttributeError, TypeError) as exc:
                raise XFakerError(f"x-faker {name!r}: {exc}") from None
        produce = getattr(self.faker, method)
        faker = self.faker
        try:  # one trial call, so a wrong argument is reported at compile time
            faker.seed_instance(0)
            produce(*args, **kwargs)
        except Exception as exc:
            raise XFakerError(f"x-faker {name!r} with {args or kwargs}: {exc}") from None

        def call(rng: random.Random) -> Any:
            faker.seed_instance(rng.getrandbits(63))
            return _plain(produce(*args, **kwargs))

        return call

    def _method(self, spec: str) -> str:
        last = spec.strip().rsplit(".", 1)[-1]
        for candidate in (
            _FAKERJS.get(normalise_name(last)),
            last,
            _snake(last),
            spec.strip().replace(".", "_"),
        ):
            if candidate and not candidate.startswith("_") and hasattr(self.faker, candidate):
                return candidate
        raise XFakerError(
            f"x-faker {spec!r} names no Faker method: use faker.js names such as "
            "'internet.email' or Faker's own, such as 'email' or 'first_name'"
        )


def owned_name(name: str, owner: str | None) -> str:
    """The name a generator looks values up by: `name` of a Pet is "name@Pet" (a pet's name,
    not a person's); every other property keeps its own name."""
    if owner and normalise_name(name) in ("name", "title", "displayname"):
        return f"{name}{OWNER_MARK}{owner}"
    return name


def _string_method(name: str | None) -> str | None:
    """The Faker method (or "format:...") for a string property called `name`, if any."""
    if not name:
        return None
    name, _, owner = name.partition(OWNER_MARK)
    if owner:
        owner_key = normalise_name(owner)
        for ending, method in _NAME_BY_OWNER:
            if owner_key.endswith(ending):
                return method
    key = normalise_name(name)
    return _STRING_NAMES.get(key) or _by_suffix(name, key)


def _by_suffix(name: str, key: str) -> str | None:
    """A Faker method for a property name by its ending (`billingEmail`, `avatarUrl`)."""
    if key.endswith(("email", "emailaddress")):
        return "email"
    if key.endswith(("url", "uri", "link", "href")):
        picture = ("avatar", "image", "photo", "picture", "logo", "icon", "thumbnail")
        return "image_url" if any(p in key for p in picture) else "url"
    if re.search(r"(_at|At)$", name) or key.endswith(("timestamp", "datetime")):
        return "format:date-time"
    if key.endswith("date"):
        return "format:date"
    if key.endswith(("firstname", "givenname")):
        return "first_name"
    if key.endswith(("lastname", "surname", "familyname")):
        return "last_name"
    if key.endswith("username"):
        return "user_name"
    if key.endswith("phone") or key.endswith("phonenumber"):
        return "phone_number"
    if key.endswith("description"):
        return "sentence"
    for suffix in ("city", "country", "company"):
        if key.endswith(suffix):
            return suffix
    if re.search(r"(_id|Id|ID)$", name):
        return "uuid4"
    return None
