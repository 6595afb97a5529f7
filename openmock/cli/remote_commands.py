"""Commands that drive a running mock: `openmock stubs export`, `openmock verify` and
`openmock webhook` (its admin API, at --url)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from openmock.cli.execute import describe_verdict
from openmock.cli.main import main
from openmock.cli.remote import Unreachable, admin_call
from openmock.edits.record import slug

URL = click.option(
    "--url", default="http://127.0.0.1:4010", show_default=True, help="The running mock's URL."
)
TOKEN = click.option("--admin-token", default=None, envvar="OPENMOCK_ADMIN_TOKEN", help="If set.")


def _unreachable(exc: Unreachable) -> None:
    click.echo(f"openmock: error: {str(exc).rstrip('.')}.", err=True)
    sys.exit(2)


@main.group("stubs")
def stubs_group() -> None:
    """Stub files: what a running mock was given at runtime, kept in files to commit."""


@stubs_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@URL
@TOKEN
def export_command(folder: str, url: str, admin_token: str | None) -> None:
    """Write the running mock's runtime stubs and scenarios into FOLDER, one YAML file per
    stub (serve them again with `from-spec SPEC --stubs FOLDER`)."""
    try:
        payloads = admin_call(url, "/stubs?format=payload", admin_token)
    except Unreachable as exc:
        _unreachable(exc)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for payload in payloads:
            name = payload.get("name") or f"{payload['method']}-{payload['path']}"
            path = target / f"{slug(name)}.yaml"
            path.write_text(yaml.safe_dump(payload, sort_keys=False, allow_unicode=True))
            click.echo(f"wrote {path} ({len(payload.get('scenarios', []))} scenarios)")
    except OSError as exc:
        click.echo(
            f"openmock: error: cannot write stub files into {folder} ({exc.strerror or exc}); "
            "give a folder you can write to.",
            err=True,
        )
        sys.exit(2)
    if not payloads:
        click.echo("nothing to export: no stub or scenario was added at runtime")


@main.command("verify")
@click.argument("patterns", nargs=-1)
@URL
@TOKEN
@click.option(
    "--no-violations",
    is_flag=True,
    help="Fail when a proxied exchange broke the spec (GET /__openmock/violations).",
)
def verify_command(
    patterns: tuple[str, ...], url: str, admin_token: str | None, no_violations: bool
) -> None:
    """Check a running mock's call log: exit 0 when every PATTERN (a JSON or YAML file of
    verification patterns, or one pattern as JSON) is met and, with --no-violations, no
    proxied exchange broke the spec; else 1, saying what differed."""
    if not patterns and not no_violations:
        raise click.UsageError("give a PATTERN (a file or JSON) or --no-violations")
    failed = 0
    try:
        for pattern in (p for given in patterns for p in _patterns(given)):
            verdict = admin_call(url, "/calls/verify", admin_token, pattern, "POST")
            if verdict["met"]:
                click.echo(f"ok: {verdict['expected']} call(s) like {json.dumps(pattern)}")
            else:
                failed += 1
                click.echo(describe_verdict(verdict))
        if no_violations:
            summary = admin_call(url, "/violations", admin_token)
            if summary["violations"]:
                failed += 1
                click.echo(f"contract violations: {summary['violations']} in "
                           f"{summary['calls']} proxied calls")  # fmt: skip
                for operation in summary["operations"]:
                    for message, count in operation["messages"].items():
                        click.echo(f"  {operation['operation']}: {message} ({count}x)")
            else:
                click.echo(f"ok: no contract violations in {summary['calls']} proxied calls")
    except Unreachable as exc:
        _unreachable(exc)
    sys.exit(1 if failed else 0)


def _patterns(given: str) -> list[Any]:
    """The patterns of an argument: a file (JSON or YAML, one pattern or a list) or JSON."""
    path = Path(given)
    try:
        if path.is_file():
            text = path.read_text("utf-8")
            found = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        else:
            found = json.loads(given)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise click.BadParameter(
            f"{given!r} is neither a readable pattern file nor JSON ({exc})", param_hint="PATTERN"
        ) from None
    return found if isinstance(found, list) else [found]


@main.command("webhook")
@click.argument("name")
@click.option("--to", "target", required=True, metavar="URL", help="Where to send it.")
@click.option("--body", default=None, metavar="JSON", help="Send this instead of the spec's.")
@URL
@TOKEN
def webhook_command(
    name: str, target: str, body: str | None, url: str, admin_token: str | None
) -> None:
    """Fire the running mock's webhook (or callback, as OPERATION.CALLBACK) NAME at URL; exit 1
    when it could not be delivered or the receiver answered an error."""
    payload: dict[str, Any] = {"url": target}
    if body is not None:
        try:
            payload["body"] = json.loads(body)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON ({exc})", param_hint="--body") from None
    try:
        fired = admin_call(url, f"/webhooks/{name}", admin_token, payload, "POST")
    except Unreachable as exc:
        click.echo(f"openmock: error: {str(exc).rstrip('.')}.", err=True)
        sys.exit(1)
    click.echo(f"{fired['method']} {fired['url']} -> {fired['status']}")
    sys.exit(0 if 200 <= fired["status"] < 400 else 1)
