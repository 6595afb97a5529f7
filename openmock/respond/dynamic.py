"""Values of Postman's dynamic variables (template/variables.py names them): Faker methods
from the engine's seeded pools, and the `special:` ones made here. Every value comes from the
request's own random, so the same request and seed give the same values; only `$timestamp`
and `$isoTimestamp` read the clock (they mean "now")."""

from __future__ import annotations

import base64
import random
import string
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from openmock.generate.realism import Realism

_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_GIF = (  # a 1x1 transparent GIF
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
_PIXEL = base64.b64encode(bytes.fromhex(_GIF)).decode()

_WORDS: dict[str, tuple[str, ...]] = {
    "abbreviation": ("SQL", "PCI", "JSON", "HTTP", "SMTP", "XML", "RAM", "CSS", "TCP", "SSL"),
    "protocol": ("http", "https"),
    "job_area": ("Marketing", "Security", "Operations", "Research", "Accounts", "Quality"),
    "job_descriptor": ("Senior", "Lead", "Principal", "Regional", "Global", "Dynamic"),
    "job_type": ("Engineer", "Designer", "Manager", "Analyst", "Consultant", "Architect"),
    "transaction": ("deposit", "withdrawal", "payment", "invoice"),
    "bs_adjective": ("scalable", "real-time", "seamless", "frictionless", "holistic"),
    "bs_buzz": ("leverage", "synergize", "streamline", "empower", "orchestrate"),
    "bs_noun": ("platforms", "paradigms", "synergies", "markets", "solutions"),
    "adjective": ("Ergonomic", "Handcrafted", "Rustic", "Sleek", "Practical", "Gorgeous"),
    "noun": ("Chair", "Table", "Keyboard", "Shoes", "Bike", "Lamp", "Towels", "Gloves"),
    "material": ("Steel", "Wooden", "Cotton", "Granite", "Rubber", "Plastic", "Fresh"),
    "department": ("Books", "Garden", "Toys", "Sports", "Electronics", "Kitchen", "Music"),
    "verb": ("parse", "index", "compress", "navigate", "generate", "transmit", "bypass"),
    "ingverb": ("parsing", "indexing", "compressing", "navigating", "generating"),
    "db_column": ("id", "title", "name", "email", "createdAt", "updatedAt", "status"),
    "db_type": ("int", "varchar", "text", "date", "boolean", "decimal", "timestamp"),
    "db_collation": ("utf8_unicode_ci", "utf8_general_ci", "ascii_bin", "cp1250_bin"),
    "db_engine": ("InnoDB", "MyISAM", "MEMORY", "ARCHIVE", "CSV"),
    "file_type": ("application", "audio", "image", "text", "video"),
    "directory": ("/usr/local/bin", "/var/log", "/home/user/docs", "/opt/app", "/etc"),
}


def _time_from(rng: random.Random, low_days: int, high_days: int) -> str:
    moment = _EPOCH + timedelta(days=rng.uniform(low_days, high_days))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


_SPECIAL: dict[str, Callable[[random.Random, Realism], Any]] = {
    "uuid": lambda rng, _: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "timestamp": lambda rng, _: int(time.time()),
    "iso": lambda rng, _: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
    "alphanumeric": lambda rng, _: rng.choice(string.ascii_lowercase + string.digits),
    "boolean": lambda rng, _: rng.random() < 0.5,
    "int": lambda rng, _: rng.randint(0, 1000),
    "semver": lambda rng, _: f"{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
    "example_email": lambda rng, r: f"{r.picker('user_name')(rng)}@example.com",
    "latitude": lambda rng, _: round(rng.uniform(-90, 90), 4),
    "longitude": lambda rng, _: round(rng.uniform(-180, 180), 4),
    "data_uri": lambda rng, _: f"data:image/gif;base64,{_PIXEL}",
    "account_name": lambda rng, r: f"{r.picker('word')(rng).title()} Account",
    "card_mask": lambda rng, _: f"{rng.randint(0, 9999):04d}",
    "bitcoin": lambda rng, _: (
        "1" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(30))
    ),
    "price": lambda rng, _: f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
    "date_future": lambda rng, _: _time_from(rng, 1100, 1500),
    "date_past": lambda rng, _: _time_from(rng, 0, 700),
    "date_recent": lambda rng, _: _time_from(rng, 700, 730),
    "product_name": lambda rng, _: " ".join(
        rng.choice(_WORDS[k]) for k in ("adjective", "material", "noun")
    ),
    "words": lambda rng, r: " ".join(r.picker("word")(rng) for _ in range(rng.randint(2, 4))),
    "sentences": lambda rng, r: " ".join(
        r.picker("sentence")(rng) for _ in range(rng.randint(2, 4))
    ),
    "paragraphs": lambda rng, r: "\n\n".join(r.picker("paragraph")(rng) for _ in range(3)),
    "lines": lambda rng, r: "\n".join(r.picker("sentence")(rng) for _ in range(rng.randint(1, 5))),
}


def dynamic_value(method: str, rng: random.Random, realism: Realism) -> Any:
    """The value of a dynamic variable that `method` makes (DYNAMIC_VARIABLES' values)."""
    if method.startswith("special:"):
        name = method.removeprefix("special:")
        if name in _WORDS:
            return rng.choice(_WORDS[name])
        return _SPECIAL[name](rng, realism)
    return realism.picker(method)(rng)
