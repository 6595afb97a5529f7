"""Problems as the admin API sends them: `application/problem+json` with the problem's status
and headers (one place for every admin module)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from openmock.problems import MEDIA_TYPE, Problem


def problem_response(problem: Problem) -> Response:
    return Response(
        problem.body(),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=dict(problem.headers),
    )


def problem_reply(status: int, title: str, detail: str, slug: str, errors: Any = ()) -> Response:
    """A problem made and sent in one go."""
    return problem_response(Problem(status, title, detail, slug, tuple(errors)))
