"""The `openmock` command group and what its commands share: failing with a clear message
(exit code 2, never a traceback), loading specs with their warnings, reading `--prefix`."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from openmock import __version__
from openmock.cli.progress import StatusLine
from openmock.importer.mounts import load_catalog
from openmock.model import Catalog
from openmock.schema.index import SchemaIndex
from openmock.spec import SpecError, SpecProblem
from openmock.spec.background import BackgroundCheck
from openmock.spec.errors import PROBLEMS_SHOWN, problems_summary
from openmock.spec.validate import default_cache_dir

EXIT_BAD_SPEC = 2
DEFAULT_LOG_DB = ".openmock/calls.db"  # under the directory the mock is started in


def fail(message: str) -> NoReturn:
    click.echo(f"openmock: error: {message}", err=True)
    sys.exit(EXIT_BAD_SPEC)


def load(
    paths: tuple[str, ...],
    strict: bool,
    prefixes: dict[str, str] | None = None,
    later: bool = False,
) -> tuple[Catalog, SchemaIndex]:
    """The catalog of SPEC(s). An invalid spec is served as far as it can be, with a short
    summary of its problems, unless `strict`; refused (exit 2) is only what cannot be served
    at all: not YAML or JSON, not OpenAPI, no usable operation. With `later`, an uncached
    check against the OpenAPI schema is left for `check_later` once serving."""
    try:
        with StatusLine(sys.stderr) as status:  # long first loads show what they are doing
            catalog, index = load_catalog(
                paths, prefixes, lenient=not strict, later=later and not strict,
                cache_dir=default_cache_dir(), progress=status.stage,
            )  # fmt: skip
    except SpecError as exc:
        count = len(exc.problems)
        lead = "the spec cannot be used" + (f" ({count} problems)" if count > 1 else "")
        fail(f"{lead}:\n{exc.render()}")
    problems = catalog.served_problems()
    usable = [stub for stub in catalog.stubs if stub.import_error is None]
    if problems and not usable:
        shown = "\n".join(f"  {p.render()}" for p in problems[:PROBLEMS_SHOWN])
        fail(f"the spec cannot be served: none of its operations can be imported.\n{shown}")
    warn(problems, paths)
    return catalog, index


def parse_prefixes(raw: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in raw:
        name, sep, path = item.partition("=")
        if not sep or not name or not path.startswith("/"):
            fail(f"--prefix {item}: write NAME=/path, NAME being a spec's file name without "
                  "its extension (--prefix billing=/billing).")  # fmt: skip
        found[name] = path
    return found


def warn(problems: list[SpecProblem], paths: tuple[str, ...] = ()) -> None:
    """A short summary of what is wrong with a spec that is served anyway."""
    if problems:
        click.echo(f"openmock: warning: {problems_summary(problems, ' '.join(paths) or 'SPEC')}",
                   err=True)  # fmt: skip


def check_later(catalog: Catalog, paths: tuple[str, ...]) -> None:
    """Start the spec's OpenAPI check left for after start-up, if any; its summary is printed
    when it is done (as `warn` does at start-up)."""
    background = catalog.spec.background
    if background is None:
        return
    click.echo("openmock: checking the spec against the OpenAPI schema in the background "
               "(this first time only; the result is cached)", err=True)  # fmt: skip

    def done(check: BackgroundCheck) -> None:
        _, problems = check.status()
        if problems:
            warn(list(problems), paths)
        else:
            click.echo(f"openmock: the spec follows the OpenAPI schema (checked in "
                       f"{check.seconds:.1f}s)", err=True)  # fmt: skip

    background.start(done)


@click.group()
@click.version_option(__version__, prog_name="openmock")
def main() -> None:
    """Turn an OpenAPI document into a working mock server."""
