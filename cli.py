"""The ``ledger`` command line: parsing, formatting and error translation only.

Writes go CLI -> commands.execute -> ledger decide -> store append.
Reads go CLI -> projections -> rows -> ``emit``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from pydantic import BaseModel

from commands import handlers
from commands.models import Command
from ledger import clock
from ledger.errors import BadInput, LedgerError
from ledger.store import LedgerApp, open_store
from projections import arrears as arrears_view, emergencies as emergencies_view, history as history_view
from projections import inspections as inspections_view, status as status_view, tasks as tasks_view
from projections.rows import flatten
from projections.window import Window

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

def lang_of(ctx: click.Context) -> str:
    return ctx.find_root().obj.get("lang", "en")


def fail(err: LedgerError, lang: str, as_json: bool = False) -> typing.NoReturn:
    """Translate a ledger error to output and an exit code (the one place this happens)."""
    if as_json:
        click.echo(json.dumps({"ok": False, "error": err.as_dict(lang)}, ensure_ascii=False))
    else:
        click.echo(f"error[{err.code}]: {err.message(lang)}", err=True)
    sys.exit(err.exit_code)


def open_app(ctx: click.Context, create: bool = False) -> LedgerApp:
    return open_store(ctx.find_root().obj.get("db"), create=create)


def write_context(ctx: click.Context) -> handlers.Context:
    return handlers.Context(now=clock.now(), actor=ctx.find_root().obj.get("actor") or "", clock=clock.now)


# --- output -----------------------------------------------------------------------


def emit(rows: list[dict] | dict, fmt: str, columns: list[str] | None = None) -> None:
    """Print rows as a human table (default), JSON or CSV."""
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if isinstance(rows, dict):
        for k, v in flatten(rows).items():
            click.echo(f"{k:<28} {v}")
        return
    flat = [flatten(r) for r in rows]
    cols = columns or (list(flat[0].keys()) if flat else [])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(flat)
        click.echo(buf.getvalue(), nl=False)
        return
    if not flat:
        click.echo("(none)")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in flat)) for c in cols}
    click.echo("  ".join(c.ljust(widths[c]) for c in cols).rstrip())
    for r in flat:
        click.echo("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols).rstrip())


def read_options(lists: bool = False) -> Callable:
    """The options every query takes: the two times and the output format."""

    def deco(fn: Callable) -> Callable:
        fn = click.option("--known-at", metavar="TIMESTAMP", help="What the ledger knew at this moment (default: now).")(fn)
        fn = click.option("--as-of", metavar="DATE|TIMESTAMP", help="The day (or instant) the view is for (default: now).")(fn)
        fn = click.option("--json", "fmt", flag_value="json", help="Machine-readable JSON.")(fn)
        if lists:
            fn = click.option("--csv", "fmt", flag_value="csv", help="CSV with a header row.")(fn)
        return fn

    return deco


def window(as_of: str | None, known_at: str | None) -> Window:
    return Window.parse(as_of, known_at, clock.now())


# --- the root -------------------------------------------------------------------------


@click.group(context_settings=CONTEXT)
@click.option("--db", envvar="LEDGER_DB", metavar="PATH|URL",
              help="Store: a SQLite file (default ledger.db) or postgresql://… [env LEDGER_DB].")
@click.option("--actor", envvar="LEDGER_ACTOR", help="The staff member making writes [env LEDGER_ACTOR].")
@click.option("--lang", type=click.Choice(["en", "ja"]), default=None, help="Message language (default from LANG).")
@click.pass_context
def main(ctx: click.Context, db: str | None, actor: str | None, lang: str | None) -> None:
    """The Ie-Sapo and presence-check membership ledger.

    Every fact has two times: when it was true (--on/--at) and when the ledger
    learned it (the ledger clock, LEDGER_CLOCK in tests). Reads take --as-of and
    --known-at.

    \b
    Example:
      ledger init && ledger demo
    """
    env_lang = os.environ.get("LANG", "")
    ctx.obj = {"db": db, "actor": actor, "lang": lang or ("ja" if env_lang.startswith("ja") else "en")}


@main.command(context_settings=CONTEXT)
@click.option("--roles", is_flag=True, help="PostgreSQL: also create a writer role (INSERT/SELECT only) and a read-only auditor role.")
@click.option("--writer-role", default="ledger_writer", show_default=True, help="Name of the writer role (with --roles).")
@click.option("--auditor-role", default="ledger_auditor", show_default=True, help="Name of the auditor role (with --roles).")
@click.pass_context
def init(ctx: click.Context, roles: bool, writer_role: str, auditor_role: str) -> None:
    """Create or upgrade the store's schema (safe to run twice).

    Creates the events table, the hash chain, the key table for personal data
    and the triggers that refuse UPDATE and DELETE of facts. A SQLite store
    gets its master key file (<db>.key) unless LEDGER_MASTER_KEY or
    LEDGER_MASTER_KEY_FILE is set; a PostgreSQL store needs one of them.

    \b
    Examples:
      ledger --db ledger.db init
      LEDGER_MASTER_KEY_FILE=/etc/ledger/master.key \\
        ledger --db 'postgresql://postgres@127.0.0.1:5432/ledger' init --roles
    """
    from ledger.store import init_store

    try:
        lines = init_store(open_app(ctx, create=True), roles=roles, writer=writer_role, auditor=auditor_role)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    for line in lines:
        click.echo(line)


# --- writes: one subcommand per command, and JSON Lines ----------------------------------


def run_one(ctx: click.Context, raw: dict, as_json: bool) -> None:
    lang = lang_of(ctx)
    try:
        app = open_app(ctx)
        result = handlers.execute(app, raw, write_context(ctx))
    except LedgerError as e:
        fail(e, lang, as_json)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    elif result.duplicate:
        click.echo(f"duplicate: command {result.command_id} was already applied; nothing written")
    elif not result.events:
        click.echo(f"ok: {result.command}: nothing to record")
    else:
        for e in result.events:
            click.echo(f"recorded {e.event_id} {e.TYPE} [{', '.join(e.rules)}]")


def field_options(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, Any]]:
    """(option name, python path, annotation) for every input field, nested models flattened."""
    out = []
    for name, f in model.model_fields.items():
        if name == "command":
            continue
        ann = f.annotation
        nested = next((a for a in typing.get_args(ann) or (ann,) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nested is not None:
            out.extend(field_options(nested, f"{prefix}{name}."))
        else:
            out.append((f"{prefix}{name}".replace(".", "-").replace("_", "-"), f"{prefix}{name}", f))
    return out


FIELD_HELP = {
    "on": "Effective date (YYYY-MM-DD, Japan time); default today.",
    "at": "Effective timestamp (ISO; naive means Japan time); default now.",
    "command_id": "Idempotency key: a command whose id is already recorded is not applied again.",
    "member_id": "The member's id, e.g. M-0042.",
    "property_id": "The property's id, e.g. P-1001.",
    "enrolment_id": "The presence-check enrolment's id.",
    "rule": "The rule id of the ground (TERMS.md), e.g. IE-14.3.3.",
    "reason": "Why (recorded; required for a judged ground).",
    "override_reason": "Why staff act although the ledger sees no ground or the deadline passed (recorded).",
    "amount": "Yen, tax included.",
    "event_id": "The fact to retract, e.g. member:M-0042#5 (see ledger history).",
}


def is_bool(f: Any) -> bool:
    ann = f.annotation
    return ann is bool or "Strict" in str(ann) and "bool" in str(ann)


def make_command(model: type[Command]) -> click.Command:
    summary, example = model.summary(), model.EXAMPLE
    params: list[click.Parameter] = []
    paths = []
    for opt, path, f in field_options(model):
        choices = typing.get_args(f.annotation)
        hint = ""
        if choices and all(isinstance(c, str) for c in choices):
            hint = " One of: " + ", ".join(choices) + "."
        elif any(typing.get_origin(c) is typing.Literal for c in choices):
            lit = next(c for c in choices if typing.get_origin(c) is typing.Literal)
            hint = " One of: " + ", ".join(typing.get_args(lit)) + "."
        required = f.is_required() and "." not in path
        text = FIELD_HELP.get(path, f.description or path.replace("_", " ").replace(".", " ") + ".")
        if is_bool(f):
            params.append(click.Option([f"--{opt}/--no-{opt}"], default=None, help=text))
        else:
            params.append(click.Option([f"--{opt}"], required=required, help=f"{text}{hint}"))
        paths.append((opt.replace("-", "_"), path))
    params.append(click.Option(["--json", "as_json"], is_flag=True, help="Print the result as JSON."))

    def callback(as_json: bool, **values: Any) -> None:
        raw: dict[str, Any] = {"command": model.NAME}
        for key, path in paths:
            v = values.get(key)
            if v is None:
                continue
            node = raw
            *parents, leaf = path.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = v
        run_one(click.get_current_context(), raw, as_json)

    doc = f"{summary}\n\n\b\nExample:\n  {example}\n\nThe same as the JSON Lines command \"{model.NAME}\"."
    return click.Command(model.VERB, params=params, callback=callback, help=doc, short_help=summary,
                         context_settings=CONTEXT)


GROUP_HELP = {
    "property": "Houses in the register.",
    "fee": "The annual fee schedule.",
    "member": "Ie-Sapo memberships: application, consent, cards, payments, lifecycle.",
    "fact": "Corrections: retract a fact recorded by mistake.",
    "inspection": "Ie-Sapo inspections of a property.",
    "emergency": "The 24-hour emergency service.",
    "presence": "The presence-check support programme.",
    "renewals": "The renewal run.",
    "benefit": "Member benefits: points and the extended warranty.",
}


def build_groups() -> None:
    groups: dict[str, click.Group] = {}
    for model, _ in handlers.REGISTRY.values():
        g = groups.get(model.GROUP)
        if g is None:
            g = click.Group(model.GROUP, help=GROUP_HELP.get(model.GROUP, model.GROUP), context_settings=CONTEXT)
            groups[model.GROUP] = g
            main.add_command(g)
        g.add_command(make_command(model))


MAX_DEPTH = 16  # a command nests three levels at most; anything deeper is not one


def nesting(line: str) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped (checked before
    parsing, so a hostile line never drives the parser into deep recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in line:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_line(n: int, data: bytes) -> Any:
    """One JSON Lines line: UTF-8, valid JSON, not absurdly nested."""
    try:
        line = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"Line {n} is not UTF-8 text (byte {e.start + 1}).",
                       f"{n} 行目は UTF-8 の文字列ではありません（{e.start + 1} バイト目）。", field="line") from None
    if nesting(line) > MAX_DEPTH:
        raise BadInput(f"Line {n} is nested too deeply to be a command.",
                       f"{n} 行目は入れ子が深すぎてコマンドとして読めません。", field="line")
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise BadInput(f"Line {n} is not valid JSON: {e.msg} at column {e.colno}.",
                       f"{n} 行目は正しい JSON ではありません: {e.msg}（{e.colno} 列目）。", field="line") from None


@main.command("apply", context_settings=CONTEXT)
@click.argument("file", type=click.File("rb"))
@click.option("--stop-on-error", is_flag=True, help="Stop at the first refused or malformed line.")
@click.option("--batch", "batch_size", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Commands committed per transaction (1: one transaction per command).")
@click.pass_context
def apply_file(ctx: click.Context, file: io.BufferedIOBase, stop_on_error: bool, batch_size: int) -> None:
    """Apply a JSON Lines file of commands (- for stdin), one result line each.

    Each line is applied whole or not at all; a refused line writes nothing and
    the run goes on with the next (unless --stop-on-error). Up to --batch
    commands share one transaction, each decided on the facts before it; a
    line's result is printed once its facts are committed. Exit 0 only if every
    line was applied or was a duplicate.

    \b
    Example:
      ledger apply commands.jsonl
      echo '{"command":"announce_fee","amount":5500,"on":"2025-01-01"}' | ledger apply -
    """
    from commands import batch

    lang = lang_of(ctx)
    try:
        app = open_app(ctx)
    except LedgerError as e:
        fail(e, lang, as_json=True)

    def lines():
        for n, data in enumerate(file, start=1):
            if not data.strip():
                continue
            try:
                raw = parse_line(n, data)
            except LedgerError as e:
                raw = e
            yield n, raw, write_context(ctx)

    def emit_line(line) -> None:
        if line.error is not None:
            out = {"line": line.n, "ok": False, "error": line.error.as_dict(lang)}
        else:
            out = {"line": line.n, **line.result.as_dict()}
        click.echo(json.dumps(out, ensure_ascii=False))

    sys.exit(batch.run(app, lines(), batch_size, emit_line, stop_on_error))


# --- reads ---------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@read_options()
@click.pass_context
def status(ctx: click.Context, ident: str, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """One member's (or enrolment's) status on a day, as known at a moment.

    \b
    Examples:
      ledger status M-0042
      ledger status M-0042 --as-of 2026-05-01 --known-at 2026-05-01T18:00+09:00 --json
    """
    try:
        row = status_view.status(open_app(ctx), ident, window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    emit(row, fmt or "table")


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@read_options(lists=True)
@click.pass_context
def history(ctx: click.Context, ident: str, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """The facts of a member, property or enrolment in recorded order.

    \b
    Example:
      ledger history M-0042 --known-at 2026-01-31
    """
    try:
        app = open_app(ctx)
        rows = history_view.rows(status_view.stream_for(app, ident), window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    if fmt == "json":
        emit(rows, "json")
    else:
        emit(rows, fmt or "table", ["event_id", "type", "effective", "recorded", "actor", "rules", "retracted_by"])


@main.command(context_settings=CONTEXT)
@read_options(lists=True)
@click.pass_context
def arrears(ctx: click.Context, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """Every member owing an overdue fee, with the grounds in force.

    \b
    Example:
      ledger arrears --as-of 2026-05-01 --csv
    """
    try:
        rows = arrears_view.rows(open_app(ctx), window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    emit(rows, fmt or "table", None if fmt == "json" else ["member_id", "amount", "oldest_due_on", "days_overdue", "grounds"])


@main.command(context_settings=CONTEXT)
@read_options(lists=True)
@click.pass_context
def tasks(ctx: click.Context, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """The staff work list for a day: what is due or overdue, overdue first.

    \b
    Example:
      ledger tasks --as-of 2026-04-01
    """
    try:
        rows = tasks_view.rows(open_app(ctx), window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    emit(rows, fmt or "table", None if fmt == "json" else ["due_on", "overdue", "kind", "id", "rule", "action"])


@main.command(context_settings=CONTEXT)
@click.argument("property_id", metavar="PROPERTY_ID")
@read_options(lists=True)
@click.pass_context
def inspections(ctx: click.Context, property_id: str, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """A house's inspections (years 5-30): schedule, state, reports and who they are owed to.

    \b
    Examples:
      ledger inspections P-1000
      ledger inspections P-1000 --as-of 2026-01-01 --known-at 2026-01-01 --json
    """
    try:
        rows = inspections_view.rows(open_app(ctx), property_id, window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    emit(rows, fmt or "table", None if fmt == "json" else inspections_view.COLUMNS)


@main.command(context_settings=CONTEXT)
@click.argument("member_id", metavar="MEMBER_ID")
@read_options(lists=True)
@click.pass_context
def emergencies(ctx: click.Context, member_id: str, as_of: str | None, known_at: str | None, fmt: str | None) -> None:
    """A member's 24-hour emergency requests: the decision recorded, and the rules' answer as known at --known-at.

    \b
    Examples:
      ledger emergencies M-0001
      ledger emergencies M-0001 --known-at 2026-06-13T23:59+09:00 --json
    """
    try:
        rows = emergencies_view.rows(open_app(ctx), member_id, window(as_of, known_at))
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    emit(rows, fmt or "table", None if fmt == "json" else emergencies_view.COLUMNS)


@main.command(context_settings=CONTEXT)
@click.option("--anchor", metavar="POSITION:HASH",
              help="A chain head printed by an earlier verify: also prove nothing up to it was rewritten or cut off.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON.")
@click.pass_context
def verify(ctx: click.Context, anchor: str | None, as_json: bool) -> None:
    """Check the store is intact: exit 0 only if it is.

    Recomputes the hash chain over every stored fact and reports the first
    broken, missing, inserted, altered or reordered fact with its position;
    checks each fact's envelope against its row and that it still decodes;
    then rebuilds every projection from the log and compares it with the read
    path. Works with a read-only (auditor) connection.

    \b
    Examples:
      ledger verify
      ledger verify --anchor 4210:9f3c1ad2e07b55c1
    """
    from ledger.integrity import parse_anchor
    from projections import integrity

    lang = lang_of(ctx)
    try:
        pin = parse_anchor(anchor) if anchor else None
        report = integrity.verify(open_app(ctx), window(None, None), pin)
    except LedgerError as e:
        fail(e, lang, as_json)
    if as_json:
        click.echo(json.dumps({
            "intact": report.intact, "facts": report.facts, "streams": report.streams,
            "head": {"position": report.head_position, "hash": report.head_hash},
            "erased_subjects": report.erased_subjects, "checked": report.checked,
            "problem": report.problem.as_dict(lang) if report.problem else None,
        }, ensure_ascii=False, indent=2))
    else:
        if report.problem is None:
            click.echo("intact")
            erased = "" if report.erased_subjects is None else f" ({report.erased_subjects} erased subjects)"
            click.echo(f"facts     {report.facts} in {report.streams} streams{erased}")
            click.echo(f"chain     positions 1..{report.head_position}, head {report.head_position}:{report.head_hash}")
            for c in report.checked:
                click.echo(f"checked   {c}")
        else:
            click.echo("NOT INTACT")
            click.echo(f"problem   {report.problem.message(lang)}")
            click.echo(f"intact up to position {report.head_position}" +
                       (f", head {report.head_position}:{report.head_hash}" if report.head_position else ""))
    sys.exit(0 if report.intact else 1)


@main.command(context_settings=CONTEXT)
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Recompute the materialized read model from the log (a writer's job).

    The read model (members, charges, payments, refunds) is kept in the same
    transaction as every append, so this is needed only after a repair; it runs
    in one transaction, with a progress bar on a terminal. `ledger verify`
    compares the tables with a rebuild in a scratch copy.

    \b
    Example:
      ledger rebuild
    """
    try:
        app = open_app(ctx)
        with Progress(app, "rebuilding") as progress:
            n = app.rebuild_readmodel(progress)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    click.echo(f"read model rebuilt from {n} facts")


@main.command(context_settings=CONTEXT)
@click.argument("member_id", metavar="MEMBER")
@click.option("--on", help="The effective date (default: today).")
@click.option("--command-id", help="An id that makes a retry safe.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def erase(ctx: click.Context, member_id: str, on: str | None, command_id: str | None, as_json: bool) -> None:
    """Erase a member's personal data once retention has ended (IE-19.10).

    Allowed when the member is withdrawn, revoked or expired (or the
    registration was refused) and owes nothing. Destroys the member's data
    key: the facts, dates and amounts stay; names, addresses, phone numbers,
    e-mails and birth dates read as erased everywhere, and verify still passes.
    The same as `ledger member erase --member-id MEMBER`.

    \b
    Example:
      ledger erase M-0042
    """
    raw: dict[str, Any] = {"command": "erase_personal_data", "member_id": member_id}
    if on:
        raw["on"] = on
    if command_id:
        raw["command_id"] = command_id
    run_one(ctx, raw, as_json)


@main.command(context_settings=CONTEXT)
@click.option("--out", "path", default="demo.db", show_default=True, help="The SQLite file to (re)create.")
@click.option("--members", default=300, show_default=True, help="How many members to generate.")
@click.pass_context
def demo(ctx: click.Context, path: str, members: int) -> None:
    """Build a realistic sample ledger in a fresh SQLite file and show what it knows.

    \b
    Example:
      ledger demo --out demo.db
    """
    from commands.demo import build_and_show

    try:
        build_and_show(path, members, lang_of(ctx), emit)
    except LedgerError as e:
        fail(e, lang_of(ctx))


# --- auditors and dispute handlers: snapshot, diff, explain, bundle ----------------------------------


class Progress:
    """A progress bar on stderr when it is a terminal; nothing otherwise (pipes, files, tests)."""

    def __init__(self, app: LedgerApp, label: str) -> None:
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=max(1, app.last_position()), label=label, file=sys.stderr,
                                         show_pos=True, show_percent=True)

    def __enter__(self) -> Callable[[int], None] | None:
        if self.bar is None:
            return None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def output(path: str | None) -> typing.TextIO:
    return open(path, "w", encoding="utf-8", newline="") if path else sys.stdout


@main.command(context_settings=CONTEXT)
@read_options(lists=True)
@click.option("--out", "path", metavar="FILE", help="Write the rows to FILE (the totals are printed).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="2+: processes sharing a replay of the global log (faster, memory grows with the members); "
                   "default: one stream at a time, memory flat.")
@click.pass_context
def snapshot(ctx: click.Context, as_of: str | None, known_at: str | None, fmt: str | None, path: str | None,
             jobs: int | None) -> None:
    """Every member's status on a day, as known at a moment, with totals (auditors).

    One row per member (and enrolment): the status fields of `ledger status`,
    flattened in CSV. Totals: members by state, arrears (members and yen),
    grounds in force by rule. Reads one member (or enrolment) at a time, with
    memory flat however large the store; a progress bar shows on a terminal.

    \b
    Examples:
      ledger snapshot --as-of 2025-03-31 --csv --out members-2025-03-31.csv
      ledger snapshot --as-of 2025-03-31 --known-at 2025-04-05T09:00+09:00 --json
    """
    from projections import report, snapshot as snapshot_view

    try:
        app = open_app(ctx)
        w = window(as_of, known_at)
        with Progress(app, "replaying") as progress:
            snap = snapshot_view.run(app, w, progress, jobs=jobs)
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    out = output(path)
    try:
        if fmt == "json":
            report.snapshot_json(snap, out)
        elif fmt == "csv":
            report.snapshot_csv(snap, out)
        else:
            report.snapshot_table(snap, out)
    finally:
        if path:
            out.close()
    if path:
        click.echo(f"wrote {len(snap.rows)} rows to {path}")
        click.echo(report.totals_text(snap), nl=False)


@main.command(context_settings=CONTEXT)
@click.option("--as-of", required=True, metavar="DATE|TIMESTAMP", help="The day (or instant) compared.")
@click.option("--known-at", required=True, metavar="TIMESTAMP", help="The earlier knowledge time.")
@click.option("--vs-known-at", metavar="TIMESTAMP", help="The later knowledge time (default: now).")
@click.option("--json", "fmt", flag_value="json", help="Machine-readable JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="CSV: one line per changed field.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="2+: processes sharing a replay of the global log; default: one stream at a time.")
@click.pass_context
def diff(ctx: click.Context, as_of: str, known_at: str, vs_known_at: str | None, fmt: str | None,
         jobs: int | None) -> None:
    """What was restated: members whose status on a day differs between two knowledge times.

    For each such member, the fields that changed and the facts that changed
    them: facts recorded between the two times (late records, back-dated facts)
    and retractions recorded between them, with recorded time, actor and reason.

    \b
    Example:
      ledger diff --as-of 2025-03-31 --known-at 2025-04-05T09:00+09:00 --vs-known-at 2025-06-30
    """
    from ledger.clock import parse_instant
    from projections import report, snapshot as snapshot_view

    try:
        app = open_app(ctx)
        w = window(as_of, known_at)
        vs = parse_instant(vs_known_at, field="vs_known_at", end_of_day=True) if vs_known_at else clock.now()
        with Progress(app, "replaying") as progress:
            d = snapshot_view.diff(app, w.as_of, w.known_at, vs, progress, jobs=jobs)
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    if fmt == "json":
        click.echo(report.dumps(d))
    elif fmt == "csv":
        buf = io.StringIO()
        report.diff_csv(d, buf)
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(report.diff_text(d), nl=False)


def incident_views(ctx: click.Context, ident: str, at: str, known_at: str | None) -> tuple[dict, dict, typing.Any, typing.Any]:
    from ledger.clock import parse_instant
    from projections import explain as explain_view

    app = open_app(ctx)
    when = parse_instant(at, field="at", end_of_day=True)
    now = parse_instant(known_at, field="known_at", end_of_day=True) if known_at else clock.now()
    streams = explain_view.load(app.read, ident)
    return explain_view.explain(ident, streams, when, now), streams, when, now


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@click.option("--at", required=True, metavar="TIMESTAMP", help="The incident (a date means the end of that day).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--known-at", metavar="TIMESTAMP", help="'Now' for the view as now known (default: now).")
@click.option("--out", "path", metavar="FILE", help="Write the report to FILE.")
@click.pass_context
def explain(ctx: click.Context, ident: str, at: str, fmt: str, as_json: bool, known_at: str | None,
            path: str | None) -> None:
    """The dispute report: a member's status at an incident, as now known and as known then.

    Side by side, every field as now known and as the ledger showed it at the
    incident; each difference with the later facts behind it (late records,
    retractions) and their recorded time, actor and reason; the decisions up to
    the incident day with their rules and articles (Japanese and English); the
    liability cap in force (IE-11.2); the facts behind each value. The HTML form
    is one self-contained page with a timeline of both views.

    \b
    Examples:
      ledger explain M-0042 --at 2026-05-20T21:30+09:00
      ledger explain M-0042 --at 2026-05-20T21:30+09:00 --format html --out M-0042.html
    """
    from projections import report

    fmt = "json" if as_json else fmt
    try:
        x, _, _, _ = incident_views(ctx, ident, at, known_at)
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    text = report.render(x, fmt)
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"wrote {path}")
    else:
        click.echo(text, nl=False)


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@click.option("--at", required=True, metavar="TIMESTAMP", help="The incident (a date means the end of that day).")
@click.option("--out", "directory", required=True, metavar="DIR", help="A new (or empty) directory for the bundle.")
@click.option("--known-at", metavar="TIMESTAMP", help="'Now' for the view as now known (default: now).")
@click.pass_context
def bundle(ctx: click.Context, ident: str, at: str, directory: str, known_at: str | None) -> None:
    """An evidence bundle for a dispute: report, facts then and now, rules, SHA-256 manifest.

    Writes report.txt/.json/.html (the explain report), facts-known-then.jsonl and
    facts-known-now.jsonl (the member's stored facts), rules.json (every rule
    cited, with the article text) and manifest.json (SHA-256 of every file).
    Check it later with `ledger bundle-check DIR`.

    \b
    Example:
      ledger bundle M-0042 --at 2026-05-20T21:30+09:00 --out evidence/M-0042
    """
    from projections import bundle as bundle_view

    lang = lang_of(ctx)
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        fail(BadInput(f"{directory} exists and is not an empty directory: a bundle is never written over another.",
                      f"{directory} は空のディレクトリではありません。既存の束の上には書き込みません。", field="out"), lang)
    try:
        x, streams, when, now = incident_views(ctx, ident, at, known_at)
    except LedgerError as e:
        fail(e, lang)
    content = bundle_view.write(directory, x, streams, when, now)
    for name, data in sorted(content.items()):
        digest = bundle_view.sha256(data)
        click.echo(f"{digest}  {name}" if name != bundle_view.MANIFEST else f"{digest}  {name}  (keep this hash)")


@main.command("bundle-check", context_settings=CONTEXT)
@click.argument("directory", metavar="DIR")
@click.pass_context
def bundle_check(ctx: click.Context, directory: str) -> None:
    """Re-hash an evidence bundle against its manifest; exit 0 only if every file matches.

    A changed, missing or added file is reported and exits 1; a directory
    without a readable manifest exits 2.

    \b
    Example:
      ledger bundle-check evidence/M-0042
    """
    from projections import bundle as bundle_view

    try:
        results = bundle_view.check(directory)
    except ValueError as e:
        fail(BadInput(str(e), str(e), field="dir"), lang_of(ctx))
    for r in results:
        click.echo(f"{r['status']:<8} {r['name']}")
    bad = [r for r in results if r["status"] != "ok"]
    click.echo(f"bundle {'FAILS' if bad else 'intact'}: {len(results) - len(bad)} of {len(results)} files match")
    sys.exit(1 if bad else 0)


build_groups()

if __name__ == "__main__":
    main()
