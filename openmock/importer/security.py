"""IMPORT: an operation's security requirements, resolved against `components.securitySchemes`.

OpenAPI's `security` is a list of alternatives; each alternative names schemes that must all
be present. An operation's own `security` replaces the document's; an empty alternative `{}`
makes credentials optional. What a mock cannot check (mutualTLS, a scheme the document does
not define) is left out with a warning rather than refusing every request.
"""

from __future__ import annotations

from typing import Any

from openmock.model import Location, Security, SecurityScheme
from openmock.schema.nodes import child_map
from openmock.spec import SpecProblem

_API_KEY_PLACES: tuple[Location, ...] = ("header", "query", "cookie")


def scheme_of(name: str, raw: Any) -> SecurityScheme | None:
    """The checkable form of one security scheme definition; None when it cannot be checked."""
    if not isinstance(raw, dict):
        return None
    kind = raw.get("type")
    if kind == "apiKey":
        where = raw.get("in")
        param = raw.get("name")
        if where not in _API_KEY_PLACES or not isinstance(param, str) or not param:
            return None
        location: Location = "header" if where == "header" else where
        return SecurityScheme(name, "apiKey", location, param)
    if kind == "http":
        scheme = str(raw.get("scheme") or "").strip().lower()
        return SecurityScheme(name, "http", "header", "Authorization", scheme or "bearer")
    if kind in ("oauth2", "openIdConnect"):
        return SecurityScheme(name, str(kind), "header", "Authorization", "bearer")
    return None  # mutualTLS happens below HTTP; unknown types cannot be checked


def operation_security(
    document: dict[str, Any], op: dict[str, Any], file: str, pointer: str
) -> tuple[Security, list[SpecProblem]]:
    """The alternatives an operation accepts, and warnings for what cannot be checked."""
    requirements = op.get("security", document.get("security"))
    where = pointer + "/security" if "security" in op else "/security"
    if not isinstance(requirements, list):
        return (), []
    defined = child_map(child_map(document, "components"), "securitySchemes")
    problems: list[SpecProblem] = []
    alternatives: list[tuple[SecurityScheme, ...]] = []
    for i, requirement in enumerate(requirements):
        if not isinstance(requirement, dict):
            continue
        if not requirement:
            return (), problems  # `{}`: anonymous requests are allowed
        schemes: list[SecurityScheme] = []
        checkable = True
        for name in requirement:
            scheme = scheme_of(str(name), defined.get(name))
            if scheme is None:
                checkable = False
                problems.append(
                    SpecProblem(
                        f"security scheme '{name}' is not defined in components.securitySchemes "
                        "or cannot be checked by a mock; requests are not refused for lacking it",
                        file,
                        f"{where}/{i}",
                        None,
                        "Define the scheme (apiKey, http, oauth2 or openIdConnect).",
                    )
                )
                break
            schemes.append(scheme)
        if not checkable:
            return (), problems  # one alternative nobody can satisfy here: let requests in
        alternatives.append(tuple(schemes))
    return tuple(alternatives), problems
