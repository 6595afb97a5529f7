"""Commands that serve: `openmock from-spec` (bad input ends with exit code 2 and a paragraph
saying what is wrong and what to do) and `openmock exec` (a CI job's mock in one line)."""

from __future__ import annotations

import gc
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

from openmock.cli.main import DEFAULT_LOG_DB, check_later, fail, load, main, parse_prefixes
from openmock.cli.summary import startup_lines
from openmock.delays import BadDelay, parse_delay
from openmock.faults import BadRateLimit, parse_rate_limit
from openmock.model import ADMIN_PREFIX, Catalog
from openmock.server.run import base_url
from openmock.spec.validate import default_cache_dir

PORT = click.IntRange(0, 65535)  # (a port past it made the socket raise a traceback)


@main.command("from-spec")
@click.argument("specs", nargs=-1, required=True, type=str)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=4010, show_default=True, type=PORT, help="Port (0: any free port).")
@click.option("--strict", is_flag=True, help="Refuse a spec with problems (exit 2).")
@click.option("--lenient", is_flag=True, hidden=True, help="The default now; kept for scripts.")
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
@click.option(
    "--proxy",
    default=None,
    metavar="URL",
    help="Forward every request to this backend; check its requests and answers against the "
    "spec (X-Openmock-Violations, /__openmock/violations).",
)
@click.option(
    "--fallback",
    is_flag=True,
    help="With --proxy: the mock answers where the backend is down, answers 501, or 404 on a "
    "documented path.",
)
@click.option(
    "--stubs",
    "stubs_dir",
    default=None,
    metavar="DIR",
    help="Add the stub files in DIR (YAML or JSON, one stub each, as POST /__openmock/stubs "
    "takes) to the spec's operations; --watch reloads them.",
)
@click.option(
    "--record",
    "record_dir",
    default=None,
    metavar="DIR",
    help="With --proxy: write what the backend answers as stub files in DIR (replay them "
    "with --stubs DIR).",
)
@click.option(
    "--chaos",
    default=0.0,
    type=click.FloatRange(0, 1),
    metavar="RATE",
    help="Answer this share of requests (0.05: 5%) with a documented 5xx or 429, or a "
    "connection reset; reproducible by --seed.",
)
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/s",
    help="Past N requests a second (or /min, /h) per session or client address: the spec's "
    "429 with Retry-After and RateLimit-* headers.",
)
def from_spec(
    specs: tuple[str, ...],
    host: str,
    port: int,
    strict: bool,
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
    proxy: str | None,
    fallback: bool,
    stubs_dir: str | None,
    record_dir: str | None,
    chaos: float,
    rate_limit: str | None,
) -> None:
    """Serve every operation of SPEC as a mock (of each SPEC, several mounted together)."""
    # Loading builds millions of objects that live as long as the server: the collector,
    # run meanwhile, finds nothing to free and costs a tenth of a large spec's start.
    gc.disable()
    from openmock.edits.files import StubFileError, apply_stub_files, read_stub_files
    from openmock.generate import GenerationEngine, UnknownLocale
    from openmock.generate.realism import Realism
    from openmock.machines import clear_machines
    from openmock.mockstate import MockOptions
    from openmock.server.app import build_app
    from openmock.server.config import ServeConfig
    from openmock.server.reload import SpecWatcher
    from openmock.server.run import CannotListen, bind, serve, serve_workers
    from openmock.server.workers import worker_environment
    from openmock.state import DataError, StateKeeper, clear_namespace

    if watch and workers > 1:
        fail("--watch reloads the spec in one process; use it without --workers.")
    if stateful and workers > 1 and (no_log or log_db == ":memory:"):
        fail("--stateful with --workers keeps the workers' shared data in the --log-db "
              "file; pass a file (the default), not :memory: or --no-log.")  # fmt: skip
    if record_dir is not None and proxy is None:
        fail("--record writes what a backend answers; add --proxy URL.")
    if record_dir is not None and workers > 1:
        fail("--record writes its stub files from one process; use it without --workers.")
    if stubs_dir is not None and not Path(stubs_dir).is_dir():
        fail(f"--stubs {stubs_dir}: no such folder; give the folder of stub files "
             "(`openmock stubs export DIR` writes one).")  # fmt: skip
    if fallback and proxy is None:
        fail("--fallback answers where the --proxy backend cannot; add --proxy URL.")
    if proxy is not None and urlsplit(proxy).scheme not in ("http", "https"):
        fail(f"--proxy {proxy}: give the backend's URL, such as http://localhost:8080.")
    if data is not None and not stateful:
        fail("--data FILE gives stateful resources their items; add --stateful.")
    started = time.perf_counter()
    prefixes = parse_prefixes(prefix)
    catalog, index = load(specs, strict, prefixes, later=True)
    if workers > 1 and log_db == ":memory:" and not no_log:
        fail("--workers with --log-db :memory: would give each worker a log of its own; "
              "pass a file (the default) or --no-log.")  # fmt: skip
    if workers > 1 and no_log:
        click.echo(
            "note: with --no-log, a stub changed through the admin API changes only the "
            "worker that received it (the workers share changes through --log-db)."
        )
    try:
        delay_range = parse_delay(delay, "--delay") if delay is not None else None
    except BadDelay as exc:
        fail(f"{exc}.")
    try:
        limit = parse_rate_limit(rate_limit) if rate_limit is not None else None
    except BadRateLimit as exc:
        fail(f"{exc}.")
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
        machines_db=log_db if workers > 1 and not no_log else None,
        chaos=chaos,
        rate_limit=limit,
    )
    config = ServeConfig(
        specs=tuple(str(Path(spec).resolve()) for spec in specs),
        prefixes=prefixes,
        lenient=not strict,
        options=options,
        log_db=None if no_log else log_db,
        admin=not no_admin,
        admin_token=admin_token,
        cache_dir=str(default_cache_dir()),
        proxy=proxy,
        fallback=fallback,
        stubs_dir=stubs_dir,
        record_dir=record_dir,
    )
    try:
        calls = config.open_calls()
    except (OSError, sqlite3.Error) as exc:
        fail(f"--log-db {log_db}: the call log cannot be opened ({exc}); pass another path, "
              ":memory:, or --no-log.")  # fmt: skip
    keeper = None
    try:
        if workers > 1:  # the workers build the app; here only the locale is checked
            Realism(locale)
            app = None
            if stubs_dir is not None:  # ... and the stub files, which each worker adds
                catalog = apply_stub_files(catalog, index, read_stub_files(stubs_dir))
            if stateful:  # ... and the data file; the state starts from the seed
                keeper = StateKeeper(catalog, index, GenerationEngine(index), data)
                clear_namespace(log_db, catalog.key())
            if not no_log:  # sequences and machines start over
                clear_machines(log_db, catalog.key())
        else:
            app = build_app(config, catalog, index, calls)
    except UnknownLocale as exc:
        fail(f"--locale: {exc}.")
    except DataError as exc:
        fail("the --data file cannot be used:\n" + "\n".join(f"  {p}" for p in exc.problems))
    except StubFileError as exc:
        shown = "\n".join(f"  {p.render()}" for p in exc.problems)
        fail(f"the --stubs files cannot be used:\n{shown}")
    # The spec, its schemas and compiled checks live as long as the server: moved out of the
    # garbage collector's way, so its collections do not rescan them while serving.
    gc.collect()
    gc.freeze()
    gc.enable()
    try:
        sock = bind(host, port)
    except CannotListen as exc:
        fail(f"{exc}.")
    url = base_url(host, sock.getsockname()[1])
    log = config.log_db
    if app is not None:
        keeper = app.state.mock.state.keeper
    resources = None if keeper is None else keeper.resources
    served, restored = catalog, 0
    if app is not None:
        served, restored = app.state.mock.state.catalog, app.state.editor.restored
    lines = startup_lines(catalog, url, log, not no_admin, resources, served, restored)
    click.echo("\n".join(lines))
    health = "" if no_admin else f"; health: {url}{ADMIN_PREFIX}/health"
    load_seconds = time.perf_counter() - started
    if app is None:
        if calls is not None:
            calls.close()  # the workers open the file themselves
        environment = worker_environment(config)
        ready = f"openmock ready: {url}  ({workers} workers)"
        serve_workers(environment, workers, sock, lambda: _ready(ready, catalog, specs))
        click.echo("openmock stopped")
        return
    watcher = None
    if watch:
        watcher = SpecWatcher(
            app.state.editor,
            list(specs),
            prefixes,
            lenient=not strict,
            cache_dir=default_cache_dir(),
            report=lambda message: click.echo(f"openmock: {message}", err=True),
            stubs_dir=stubs_dir,
        ).start()
        click.echo("watching the spec files: an edit reloads them")
    ready = (
        f"openmock ready: {url}  ({len(catalog.stubs)} operations, loaded in "
        f"{load_seconds:.2f}s{health})"
    )
    try:
        serve(app, sock, lambda: _ready(ready, catalog, specs), app.state.mock.aclose)
    finally:
        if watcher is not None:
            watcher.stop()
        if calls is not None:
            calls.close()  # what is still queued is written before the process ends
    click.echo("openmock stopped")


def _ready(line: str, catalog: Catalog, specs: tuple[str, ...]) -> None:
    """Serving: say so, then check the spec if that was left for now."""
    click.echo(line)
    check_later(catalog, specs)


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command("exec")
@click.argument("words", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--port", default=0, show_default=True, type=PORT, help="Port (0: any free port).")
@click.option("--seed", default=0, type=int, show_default=True, help="Seed for generated data.")
@click.option("--strict", is_flag=True, help="Refuse a spec with problems (exit 2).")
@click.option("--lenient", is_flag=True, hidden=True, help="The default now; kept for scripts.")
@click.option("--stateful", is_flag=True, help="Collections keep what is created.")
@click.option(
    "--data", default=None, metavar="FILE", help="With --stateful: the items to start from."
)
@click.option(
    "--verify",
    "verify_file",
    default=None,
    metavar="FILE",
    help="JSON or YAML verification patterns the calls must meet (as /__openmock/calls/verify).",
)
def exec_command(
    words: tuple[str, ...],
    port: int,
    seed: int,
    strict: bool,
    lenient: bool,
    stateful: bool,
    data: str | None,
    verify_file: str | None,
) -> None:
    """Serve SPEC, run COMMAND with OPENMOCK_URL set, verify its calls, stop:
    `openmock exec api.yaml --verify calls.yaml -- npm test`."""
    from openmock.cli.execute import (
        BadVerifyFile,
        describe,
        failures,
        read_verify_file,
        run_command,
    )
    from openmock.embed import serve_app
    from openmock.mockstate import MockOptions
    from openmock.server.app import build_app
    from openmock.server.config import ServeConfig
    from openmock.state import DataError

    argv = sys.argv
    command = argv[len(argv) - argv[::-1].index("--") :] if "--" in argv else []
    specs = words[: len(words) - len(command)]
    if not command or not specs:
        fail(
            "write the spec(s), then -- and the command to run: openmock exec api.yaml -- npm test"
        )
    if data is not None and not stateful:
        fail("--data FILE gives stateful resources their items; add --stateful.")
    try:
        expectations = read_verify_file(verify_file) if verify_file is not None else []
    except BadVerifyFile as exc:
        fail(str(exc))
    catalog, index = load(specs, strict)
    options = MockOptions(seed=seed, stateful=stateful, data=data)
    config = ServeConfig(tuple(specs), lenient=not strict, options=options)
    calls = config.open_calls()
    try:
        app = build_app(config, catalog, index, calls)
    except DataError as exc:
        fail("the --data file cannot be used:\n" + "\n".join(f"  {p}" for p in exc.problems))
    try:
        with serve_app(app, port=port) as url:
            click.echo(
                f"openmock exec: the mock answers at {url}; running {' '.join(command)}", err=True
            )
            status = run_command(list(command), url)
            recorded = calls.calls(limit=calls.keep) if calls is not None else []
    except OSError as exc:
        fail(f"cannot listen on port {port} ({exc.strerror}); pass --port 0 for any free port.")
    finally:
        if calls is not None:
            calls.close()
    failed = failures(expectations, recorded, catalog.base_paths)
    for failure in failed:
        click.echo(f"openmock exec: {describe(failure)}", err=True)
    if status == 0 and expectations and not failed:
        click.echo(f"openmock exec: {len(expectations)} verification(s) met", err=True)
    sys.exit(status if status != 0 else (1 if failed else 0))
