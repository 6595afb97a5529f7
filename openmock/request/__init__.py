"""What a request is: its parameters read per style and explode (params.py), its body read per
media type (body.py: JSON, forms, text; multipart.py). Used by validation, pairing, the state
step and the call log alike; no schema checks here (validation/ does those)."""

from __future__ import annotations

from openmock.request.params import ParsedParameters, RequestParts, cookies_of, parse_parameters

__all__ = ["ParsedParameters", "RequestParts", "cookies_of", "parse_parameters"]
