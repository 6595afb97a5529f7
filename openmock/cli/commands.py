"""Commands that read: `openmock check`, `logs` and `import`."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from openmock.cli.main import load, main
from openmock.cli.summary import catalog_json, resource_lines, resources_json, table
from openmock.spec.validate import default_cache_dir

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
    from openmock.cli.logview import fetch_calls, format_call
    from openmock.cli.remote import Unreachable

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
    except Unreachable as exc:
        click.echo(f"openmock: error: {exc}.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


@main.command("import")
@click.argument("spec", type=str)
@click.option("--json", "as_json", is_flag=True, help="Print stubs and scenarios as JSON.")
@click.option("--strict", is_flag=True, help="Refuse a spec with problems (exit 2).")
@click.option("--lenient", is_flag=True, hidden=True, help="The default now; kept for scripts.")
def import_command(spec: str, as_json: bool, strict: bool, lenient: bool) -> None:
    """Print the stubs and scenarios SPEC imports into."""
    from openmock.state.resources import infer_resources

    catalog, index = load((spec,), strict)
    resources = infer_resources(catalog, index)
    if as_json:
        payload = catalog_json(catalog) | {"stateful": resources_json(resources)}
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(table(catalog, None))
        click.echo("with --stateful:")
        for line in resource_lines(resources):
            click.echo(f"  {line}")
        for stub_id, why in resources.skipped.items():
            click.echo(f"  stateless: {stub_id}: {why}")
