"""VALIDATE: whether a request carries the credentials its operation's security asks for.

A mock cannot know which keys or tokens are real, so a credential is accepted when it is
present and well-formed: an API key in its header, query parameter or cookie; an
`Authorization` header of the right scheme with something after it.
"""

from __future__ import annotations

from collections.abc import Container, Mapping

from openmock.model import Security, SecurityScheme
from openmock.validation.verdict import Violation

REALM = "openmock"


def _has_key(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
) -> bool:
    source = {"header": headers, "query": query, "cookie": cookies}[scheme.location]
    key = scheme.parameter.lower() if scheme.location == "header" else scheme.parameter
    return bool(source.get(key, "").strip())


def _missing(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Violation | None:
    if scheme.kind == "apiKey":
        if _has_key(scheme, headers, query, cookies):
            return None
        return Violation(
            "security",
            scheme.location,
            f"the API key '{scheme.name}' is missing (send it as {scheme.location} "
            f"'{scheme.parameter}')",
            name=scheme.parameter,
        )
    sent = headers.get("authorization", "").strip()
    kind, _, credentials = sent.partition(" ")
    wanted = scheme.scheme
    if kind.lower() == wanted and credentials.strip():
        return None
    if not sent:
        message = f"no Authorization header; '{scheme.name}' needs '{wanted.title()} ...'"
    else:
        message = f"the Authorization header is not a {wanted.title()} credential ('{scheme.name}')"
    return Violation("security", "header", message, name="Authorization")


def _alternative_missing(
    alternative: tuple[SecurityScheme, ...],
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
) -> tuple[Violation, ...]:
    """What one alternative lacks. A request has one Authorization header: when an
    alternative asks for several schemes that all live there (basic AND oauth2), any one
    of them is taken as meeting all."""
    keys = [s for s in alternative if s.kind == "apiKey"]
    authorization = [s for s in alternative if s.kind != "apiKey"]
    missing = [v for s in keys if (v := _missing(s, headers, query, cookies)) is not None]
    if authorization:
        found = [_missing(s, headers, query, cookies) for s in authorization]
        if all(v is not None for v in found) and found[0] is not None:
            missing.append(found[0])
    return tuple(missing)


def _met(
    alternative: tuple[SecurityScheme, ...],
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
) -> bool:
    """Whether one alternative is satisfied (`_alternative_missing` finds nothing): the
    usual answer, without building the violations it would report."""
    schemes = []
    for scheme in alternative:
        if scheme.kind != "apiKey":
            schemes.append(scheme.scheme)
        elif not _has_key(scheme, headers, query, cookies):
            return False
    return not schemes or authorized(schemes, headers)


def authorized(kinds: Container[str], headers: Mapping[str, str]) -> bool:
    """Whether the Authorization header is one of `kinds` with a credential after it."""
    kind, _, credentials = headers.get("authorization", "").strip().partition(" ")
    return kind.lower() in kinds and bool(credentials.strip())


class CredentialsCheck:
    """One operation's security, worked out once: the Authorization schemes that satisfy it
    on their own (those of its alternatives that ask for nothing else), so the usual request
    (`Authorization: Bearer ...`) is let in by one lookup; any other goes to
    `check_credentials`."""

    def __init__(self, security: Security) -> None:
        self.security = security
        self.alone = frozenset(
            scheme.scheme
            for alternative in security
            if all(s.kind != "apiKey" for s in alternative)
            for scheme in alternative
        )

    def __call__(
        self,
        headers: Mapping[str, str],
        query: list[tuple[str, str]],
        cookies: Mapping[str, str],
    ) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
        """As check_credentials, with the query's pairs (made a dict only when needed)."""
        if not self.security or (self.alone and authorized(self.alone, headers)):
            return (), ()
        return check_credentials(self.security, headers, dict(query), cookies)


def challenge(scheme: SecurityScheme) -> str:
    """The WWW-Authenticate value that tells a client what to send."""
    if scheme.kind == "apiKey":
        return f'ApiKey realm="{REALM}", in="{scheme.location}", name="{scheme.parameter}"'
    return f'{scheme.scheme.title()} realm="{REALM}"'


def check_credentials(
    security: Security,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    cookies: Mapping[str, str],
) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
    """No violations when any alternative is satisfied; otherwise what the closest
    alternative (fewest missing credentials) lacks, and a challenge per scheme asked for."""
    if not security:
        return (), ()
    if any(_met(alternative, headers, query, cookies) for alternative in security):
        return (), ()
    best: tuple[Violation, ...] | None = None
    for alternative in security:
        missing = _alternative_missing(alternative, headers, query, cookies)
        if not missing:
            return (), ()
        if best is None or len(missing) < len(best):
            best = missing
    challenges = tuple(dict.fromkeys(challenge(s) for alt in security for s in alt))
    return best or (), challenges
