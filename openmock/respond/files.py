"""Bodies of media types a client parses as files or streams: a tiny valid image or document
where a binary schema is answered as `image/png`, `image/jpeg`, `image/gif` or
`application/pdf`; Server-Sent Events framed as `data:` lines; NDJSON as one JSON per line."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import orjson

PNG = base64.b64decode(  # 1x1, grey and alpha
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
JPEG = base64.b64decode(  # 1x1, baseline
    "/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIs"
    "IxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcI"
    "CQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcY"
    "GRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKj"
    "pKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APn+"
    "iiigD//Z"
)


def _pdf() -> bytes:
    """A one-page PDF with its cross-reference table (offsets counted, so readers accept it)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


FILES: dict[str, bytes] = {
    "image/png": PNG,
    "image/gif": GIF,
    "image/jpeg": JPEG,
    "image/jpg": JPEG,
    "application/pdf": _pdf(),
}


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(value)


def event_stream(value: Any) -> bytes:
    """`text/event-stream`: each item of a list an event, else the value one event."""
    events = value if isinstance(value, list) else [value]
    frames = []
    for event in events:
        text = event if isinstance(event, str) else _json(event)
        frames.append("".join(f"data: {line}\n" for line in text.splitlines() or [""]) + "\n")
    return "".join(frames).encode()


def json_lines(value: Any) -> bytes:
    """NDJSON / JSON Lines: each item of a list on a line of its own."""
    items = value if isinstance(value, list) else [value]
    return "".join(_json(item) + "\n" for item in items).encode()


STREAMS: dict[str, Callable[[Any], bytes]] = {
    "text/event-stream": event_stream,
    "application/x-ndjson": json_lines,
    "application/ndjson": json_lines,
    "application/jsonl": json_lines,
    "application/x-jsonlines": json_lines,
}
