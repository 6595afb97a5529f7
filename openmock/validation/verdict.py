"""What validation found: violations, each with where it is, and the status they add up to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["security", "media-type", "syntax", "parameter", "body"]

# The status of a request with violations of several kinds is that of the first kind here:
# without credentials nothing else matters, an unreadable body cannot be checked further.
_PRIORITY: tuple[Kind, ...] = ("security", "media-type", "syntax", "parameter", "body")
STATUS_OF_KIND: dict[Kind, int] = {
    "security": 401,
    "media-type": 415,
    "syntax": 400,
    "parameter": 400,
    "body": 422,
}
TITLES = {
    401: "Missing or unusable credentials",
    415: "Unsupported request media type",
    400: "Invalid request",
    422: "Invalid request body",
}
MAX_VIOLATIONS = 50  # a huge invalid body is summarised, not echoed in full


@dataclass(frozen=True)
class Violation:
    kind: Kind
    location: str  # body | path | query | header | cookie
    message: str
    name: str | None = None  # the parameter, header or cookie
    pointer: str | None = None  # JSON pointer into the body

    def as_error(self) -> dict[str, Any]:
        """The entry of a problem's `errors` list (docs/decisions/0006)."""
        error: dict[str, Any] = {"in": self.location}
        if self.name is not None:
            error["name"] = self.name
        if self.pointer is not None:
            error["pointer"] = self.pointer
        error["message"] = self.message
        return error

    @classmethod
    def from_error(cls, error: dict[str, Any]) -> Violation:
        """The violation an `as_error` entry (a call log's, say) was made from."""
        return cls(
            "body",
            str(error.get("in", "")),
            str(error.get("message", "")),
            name=error.get("name"),
            pointer=error.get("pointer"),
        )

    def sentence(self) -> str:
        if self.name is not None:
            return f"{self.location} '{self.name}': {self.message}"
        if self.pointer:
            return f"{self.location} at {self.pointer}: {self.message}"
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class Verdict:
    """A failed validation: every violation found, and the challenges for a 401."""

    violations: tuple[Violation, ...]
    challenges: tuple[str, ...] = ()  # WWW-Authenticate values

    @property
    def status(self) -> int:
        kinds = {v.kind for v in self.violations}
        first = next(kind for kind in _PRIORITY if kind in kinds)
        return STATUS_OF_KIND[first]

    @property
    def title(self) -> str:
        return TITLES[self.status]

    @property
    def detail(self) -> str:
        shown = [v.sentence() for v in self.violations[:5]]
        more = len(self.violations) - len(shown)
        tail = f"; and {more} more (see errors)" if more > 0 else ""
        return "The request does not match the spec: " + "; ".join(shown) + tail + "."

    def errors(self) -> tuple[dict[str, Any], ...]:
        return tuple(v.as_error() for v in self.violations)
