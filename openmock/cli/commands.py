"""Command line: `openmock from-spec`, `import`, `check` and `logs` (what is printed about a
catalog is in summary.py; the running of servers in server/run.py).

Bad input ends with exit code 2 and a paragraph saying what is wrong, where, and what to do;
never a traceback.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from openmock import __version__
from openmock.cli.progress import StatusLine
from openmock.cli.summary import (
    catalog_json,
    resource_lines,
    resources_json,
    startup_lines,
    table,
)
from openmock.delays import BadDelay, parse_delay
from openmock.importer.mounts import load_catalog
from openmock.model import ADMIN_PREFIX, Catalog
from openmock.schema.index import SchemaIndex
from openmock.server.run import base_url
from openmock.spec import SpecError, SpecProblem
from openmock.spec.validate import default_cache_dir

EXIT_BAD_SPEC = 2
DEFAULT_LOG_DB = ".openmock/calls.db"  # under the directory the mock is started in
WARNINGS_SHOWN = 10


def _fail(message: str) -> NoReturn:
    click.echo(f"openmock: error: {message}", err=True)
    sys.exit(EXIT_BAD_SPEC)


def _load(
    paths: tuple[str, ...], lenient: bool, prefixes: dict[str, str] | None = None
) -> tuple[Catalog, SchemaIndex]:
    try:
        with StatusLine(sys.stderr) as status:  # long first loads show what they are doing
            catalog, index = load_catalog(
                paths, prefixes, lenient=lenient, cache_dir=default_cache_dir(),
                progress=status.stage,
            )  # fmt: skip
    except SpecError as exc:
        count = len(exc.problems)
        lead = "the spec cannot be used" + (f" ({count} problems)" if count > 1 else "")
        _fail(f"{lead}:\n{exc.render()}")
    problems = list(catalog.problems)
    if not catalog.mounts:  # mounted catalogs carry every spec's warnings as problems
        problems = list(catalog.spec.warnings) + problems
    _warn(problems)
    return catalog, index


def _prefixes(raw: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in raw:
        name, sep, path = item.partition("=")
        if not sep or not name or not path.startswith("/"):
            _fail(f"--prefix {item}: write NAME=/path, NAME being a spec's file name without "
                  "its extension (--prefix billing=/billing).")  # fmt: skip
        found[name] = path
    return found


def _warn(problems: list[SpecProblem]) -> None:
    for problem in problems[:WARNINGS_SHOWN]:
        click.echo(f"openmock: warning: {problem.render()}", err=True)
    if len(problems) > WARNINGS_SHOWN:
        click.echo(
            f"openmock: warning: ... and {len(problems) - WARNINGS_SHOWN} more; "
            "`openmock import --json` lists them all.",
            err=True,
        )


@click.group()
@click.version_option(__version__, prog_name="openmock")
def main() -> None:
    """Turn an OpenAPI document into a working mock server."""


_KIND_TITLES = {
    "spec": "The spec",
    "spec-warning": "The spec",
    "import": "Operations that cannot be imported",
    "example": "Examples that break their own schema",
    "schema": "Schemas no value satisfies",
}


@main.command("check")
@click.argument("specs", nargs=-1, required=True, type=str)
@click.option("--json", "as_json", is_flag=True, help="One JSON report per spec.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
def check_command(specs: tuple[str, ...], as_json: bool, strict: bool) -> None:
    """Report every problem in SPEC that a user can fix; exit 1 on errors."""
    from openmock.cli.check import check_spec

    reports = [check_spec(spec, cache_dir=default_cache_dir()) for spec in specs]
    if as_json:
        payload = [r.as_json() for r in reports]
        click.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    else:
        for report in reports:
            _print_check(report)
    failed = any(r.errors or (strict and r.warnings) for r in reports)
    sys.exit(1 if failed else 0)


def _print_check(report: Any) -> None:
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = click.style("ok", fg="green") if not errors else click.style("errors", fg="red")
    click.echo(
        f"{report.spec}: {report.operations} operations, {errors} error(s), "
        f"{warnings} warning(s): {verdict}"
    )
    for severity, colour in (("error", "red"), ("warning", "yellow")):
        found = [f for f in report.findings if f.severity == severity]
        for title in dict.fromkeys(_KIND_TITLES[f.kind] for f in found):
            group = [f for f in found if _KIND_TITLES[f.kind] == title]
            click.echo(click.style(f"  {severity}s: {title}", fg=colour, bold=True))
            hints = {f.hint for f in group}
            shared = len(group) > 1 and len(hints) == 1
            for finding in group:
                click.echo(f"    {finding.render(hint=not shared)}")
            if shared and group[0].hint:
                click.echo(f"    ({group[0].hint})")


@main.command("logs")
@click.option("--url", default="http://127.0.0.1:4010", show_default=True, help="The mock's URL.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new calls as they come.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per call.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--admin-token", default=None, envvar="OPENMOCK_ADMIN_TOKEN", help="If set.")
def logs_command(
    url: str, follow: bool, as_json: bool, limit: int, admin_token: str | None
) -> None:
    """Print the calls a running mock recorded, oldest first."""
    from openmock.cli.logview import LogsUnavailable, fetch_calls, format_call

    def show(calls: list[dict[str, Any]]) -> None:
        for call in reversed(calls):  # the API answers newest first
            click.echo(json.dumps(call) if as_json else format_call(call))

    try:
        calls = fetch_calls(url, admin_token, limit=limit)
        show(calls)
        since = max((c["time"] for c in calls), default=time.time())
        seen = {c["id"] for c in calls if c["time"] == since}  # `since` includes these again
        while follow:
            time.sleep(0.5)
            fresh = [c for c in fetch_calls(url, admin_token, since=since, limit=1000)
                     if c["id"] not in seen]  # fmt: skip
            show(fresh)
            if fresh:
                newest = max(c["time"] for c in fresh)
                seen = (seen if newest == since else set()) | {
                    c["id"] for c in fresh if c["time"] == newest
                }
                since = newest
    except LogsUnavailable as exc:
        click.echo(f"openmock: error: {exc}.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


@main.command("import")
@click.argument("spec", type=str)
@click.option("--json", "as_json", is_flag=True, help="Print stubs and scenarios as JSON.")
@click.option("--lenient", is_flag=True, help="Import what can be imported from an invalid spec.")
def import_command(spec: str, as_json: bool, lenient: bool) -> None:
    """Print the stubs and scenarios SPEC imports into."""
    from openmock.state.resources import infer_resources

    catalog, index = _load((spec,), lenient)
    resources = infer_resources(catalog, index)
    if as_json:
        payload = catalog_json(catalog) | {"stateful": resources_json(resources)}
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(table(catalog, None))
        for note in catalog.ignored:
            click.echo(f"not served: {note}")
        click.echo("with --stateful:")
        for line in resource_lines(resources):
            click.echo(f"  {line}")
        for stub_id, why in resources.skipped.items():
            click.echo(f"  stateless: {stub_id}: {why}")


@main.command("from-spec")
@click.argument("specs", nargs=-1, required=True, type=str)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=4010, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--lenient", is_flag=True, help="Serve what can be served from an invalid spec.")
@click.option("--seed", default=0, type=int, show_default=True, help="Seed for generated data.")
@click.option("--dynamic", is_flag=True, help="Fresh generated data on every request.")
@click.option(
    "--locale", default="en_US", show_default=True, help="Faker locale for realistic values."
)
@click.option(
    "--match-body", is_flag=True, help="A request body must match a paired example to pair."
)
@click.option(
    "--no-validate", is_flag=True, help="Do not check requests against the spec (no 400/422)."
)
@click.option(
    "--log-db",
    default=DEFAULT_LOG_DB,
    show_default=True,
    help="SQLite file for the call log (:memory: keeps it in memory).",
)
@click.option("--no-log", is_flag=True, help="Record no calls.")
@click.option("--no-cors", is_flag=True, help="No CORS headers; preflights get no special answer.")
@click.option(
    "--delay",
    default=None,
    metavar="MS|MIN-MAX",
    help="Wait this many milliseconds (or a random time in the range) before every answer.",
)
@click.option("--no-admin", is_flag=True, help="No admin API under /__openmock (no health).")
@click.option(
    "--admin-token",
    default=None,
    envvar="OPENMOCK_ADMIN_TOKEN",
    help="Require `Authorization: Bearer TOKEN` on the admin API (health stays open).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (they share the call log file).",
)
@click.option(
    "--prefix",
    "prefix",
    multiple=True,
    metavar="NAME=PATH",
    help="Serve the spec NAME (its file name without extension) under PATH; repeatable.",
)
@click.option("--watch", is_flag=True, help="Reload when the spec (or a file it $refs) is edited.")
@click.option(
    "--stateful",
    is_flag=True,
    help="Collections keep what is created: POST, then GET it back, list, change, delete.",
)
@click.option(
    "--data",
    default=None,
    metavar="FILE",
    help="With --stateful: JSON or YAML of resource name -> items, replacing their seed.",
)
def from_spec(
    specs: tuple[str, ...],
    host: str,
    port: int,
    lenient: bool,
    seed: int,
    dynamic: bool,
    locale: str,
    match_body: bool,
    no_validate: bool,
    log_db: str,
    no_log: bool,
    no_cors: bool,
    delay: str | None,
    no_admin: bool,
    admin_token: str | None,
    workers: int,
    prefix: tuple[str, ...],
    watch: bool,
    stateful: bool,
    data: str | None,
) -> None:
    """Serve every operation of SPEC as a mock (of each SPEC, several mounted together)."""
    from openmock.generate import GenerationEngine, UnknownLocale
    from openmock.generate.realism import Realism
    from openmock.pipeline import MockOptions
    from openmock.server.app import build_app
    from openmock.server.config import ServeConfig
    from openmock.server.reload import SpecWatcher
    from openmock.server.run import CannotListen, bind, serve, serve_workers
    from openmock.server.workers import worker_environment
    from openmock.state import DataError, StateKeeper, clear_namespace

    if watch and workers > 1:
        _fail("--watch reloads the spec in one process; use it without --workers.")
    if stateful and workers > 1 and (no_log or log_db == ":memory:"):
        _fail("--stateful with --workers keeps the workers' shared data in the --log-db "
              "file; pass a file (the default), not :memory: or --no-log.")  # fmt: skip
    if data is not None and not stateful:
        _fail("--data FILE gives stateful resources their items; add --stateful.")
    started = time.perf_counter()
    prefixes = _prefixes(prefix)
    catalog, index = _load(specs, lenient, prefixes)
    if workers > 1 and log_db == ":memory:" and not no_log:
        _fail("--workers with --log-db :memory: would give each worker a log of its own; "
              "pass a file (the default) or --no-log.")  # fmt: skip
    if workers > 1 and no_log:
        click.echo(
            "note: with --no-log, a stub changed through the admin API changes only the "
            "worker that received it (the workers share changes through --log-db)."
        )
    try:
        delay_range = parse_delay(delay, "--delay") if delay is not None else None
    except BadDelay as exc:
        _fail(f"{exc}.")
    options = MockOptions(
        seed=seed,
        dynamic=dynamic,
        locale=locale,
        match_body=match_body,
        validate=not no_validate,
        cors=not no_cors,
        delay=delay_range,
        stateful=stateful,
        data=data,
        state_db=log_db if stateful and workers > 1 else None,
    )
    config = ServeConfig(
        specs=tuple(str(Path(spec).resolve()) for spec in specs),
        prefixes=prefixes,
        lenient=lenient,
        options=options,
        log_db=None if no_log else log_db,
        admin=not no_admin,
        admin_token=admin_token,
        cache_dir=str(default_cache_dir()),
    )
    try:
        calls = config.open_calls()
    except (OSError, sqlite3.Error) as exc:
        _fail(f"--log-db {log_db}: the call log cannot be opened ({exc}); pass another path, "
              ":memory:, or --no-log.")  # fmt: skip
    keeper = None
    try:
        if workers > 1:  # the workers build the app; here only the locale is checked
            Realism(locale)
            app = None
            if stateful:  # ... and the data file; the state starts from the seed
                keeper = StateKeeper(catalog, index, GenerationEngine(index), data)
                clear_namespace(log_db, catalog.key())
        else:
            app = build_app(config, catalog, index, calls)
    except UnknownLocale as exc:
        _fail(f"--locale: {exc}.")
    except DataError as exc:
        _fail("the --data file cannot be used:\n" + "\n".join(f"  {p}" for p in exc.problems))
    # The spec, its schemas and compiled checks live as long as the server: moved out of the
    # garbage collector's way, so its collections do not rescan them while serving.
    gc.collect()
    gc.freeze()
    try:
        sock = bind(host, port)
    except CannotListen as exc:
        _fail(f"{exc}.")
    url = base_url(host, sock.getsockname()[1])
    log = config.log_db
    if app is not None:
        keeper = app.state.mock.state.keeper
    resources = None if keeper is None else keeper.resources
    click.echo("\n".join(startup_lines(catalog, url, log, not no_admin, resources)))
    health = "" if no_admin else f"; health: {url}{ADMIN_PREFIX}/health"
    load_seconds = time.perf_counter() - started
    if app is None:
        if calls is not None:
            calls.close()  # the workers open the file themselves
        environment = worker_environment(config)
        ready = f"openmock ready: {url}  ({workers} workers)"
        serve_workers(environment, workers, sock, lambda: click.echo(ready))
        click.echo("openmock stopped")
        return
    watcher = None
    if watch:
        watcher = SpecWatcher(
            app.state.editor,
            list(specs),
            prefixes,
            lenient=lenient,
            cache_dir=default_cache_dir(),
            report=lambda message: click.echo(f"openmock: {message}", err=True),
        ).start()
        click.echo("watching the spec files: an edit reloads them")
    ready = (
        f"openmock ready: {url}  ({len(catalog.stubs)} operations, loaded in "
        f"{load_seconds:.2f}s{health})"
    )
    try:
        serve(app, sock, lambda: click.echo(ready))
    finally:
        if watcher is not None:
            watcher.stop()
        if calls is not None:
            calls.close()  # what is still queued is written before the process ends
    click.echo("openmock stopped")


if __name__ == "__main__":  # pragma: no cover
    main()
