"""The ``ledger`` command line: parsing, formatting and error translation only.

Writes go CLI -> commands.execute -> ledger decide -> store append.
Reads go CLI -> projections -> rows -> ``emit``.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
import typing
from collections.abc import Callable
from typing import Any

import click
from pydantic import BaseModel

from commands import handlers
from commands.models import Command
from ledger import clock, readmodel
from ledger.errors import BadInput, LedgerError
from ledger.store import LedgerApp, open_store
from projections import arrears as arrears_view, emergencies as emergencies_view, history as history_view
from projections import inspections as inspections_view, status as status_view, tasks as tasks_view
from projections import days, safe
from projections.rows import flatten
from projections.window import Window
from ui import i18n, labels, table
from ui.i18n import N_, _, f_

i18n.install_into_click()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

def lang_of(ctx: click.Context) -> str:
    return ctx.find_root().obj.get("lang", "en")


MAX_MESSAGE = 2000  # an error never echoes a huge input back (issue 12)


def fail(err: LedgerError, lang: str, as_json: bool = False) -> typing.NoReturn:
    """Translate a ledger error to output and an exit code (the one place this happens)."""
    if as_json:
        doc = i18n.error_dict(err)
        doc["message"] = capped(doc["message"])
        click.echo(json.dumps({"ok": False, "error": doc}, ensure_ascii=False))
    else:
        say(f"error[{err.code}]: {capped(i18n.error_message(err))}", err=True)
    sys.exit(err.exit_code)


def capped(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + " […]"


def say(text: str, nl: bool = True, err: bool = False) -> None:
    """Print text made of stored values (reports, lists): controls shown escaped (``projections.safe``)."""
    click.echo(safe.text(text), nl=nl, err=err)


def open_app(ctx: click.Context, create: bool = False) -> LedgerApp:
    app = open_store(ctx.find_root().obj.get("db"), create=create)
    ctx.find_root().call_on_close(app.close)  # its connections are released when the command ends
    return app


def write_context(ctx: click.Context) -> handlers.Context:
    return handlers.Context(now=clock.now(), actor=ctx.find_root().obj.get("actor") or "", clock=clock.now)


# --- output -----------------------------------------------------------------------


def emit(rows: list[dict] | dict, fmt: str, columns: list[str] | None = None) -> None:
    """Print rows as a human table (default), JSON or CSV.

    Table and CSV cells go through ``projections.safe`` (no raw control
    character reaches the terminal; no CSV cell is a spreadsheet formula); JSON
    is printed faithfully (it escapes control characters itself).
    """
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if isinstance(rows, dict):
        for line in table.pairs([(labels.header(k), safe.cell(v)) for k, v in labels.flatten(rows).items()]):
            click.echo(line)
        return
    if fmt == "csv":
        flat = [flatten(r) for r in rows]
        cols = columns or (list(flat[0].keys()) if flat else [])
        buf = io.StringIO()
        w = safe.csv_writer(buf, cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(flat)
        click.echo(buf.getvalue(), nl=False)
        return
    if not rows:
        click.echo(_("(none)"))
        return
    flat = [labels.flatten(r) for r in rows]
    cols = columns or list(flat[0].keys())
    cells = [[safe.cell(r.get(c, "")) for c in cols] for r in flat]
    for line in table.render(cells, [labels.header(c) for c in cols]):
        click.echo(line)


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


class SafeGroup(click.Group):
    """click's own usage errors quote what was typed; they too pass through ``projections.safe``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as e:
            e.message = safe.text(e.message)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as e:
            e.message = safe.text(e.message)
            raise




class LocalizedFormatter(click.HelpFormatter):
    """Help in the current language: each paragraph and option help through the catalogue.

    Japanese text is wrapped by display width (a kanji takes two columns), which
    click's own wrapping, counting characters, does not do.
    """

    def write_text(self, text: str) -> None:
        text = i18n.help_text(text)
        if i18n.language() == "en":
            return super().write_text(text)
        indent = " " * self.current_indent
        for k, para in enumerate(text.split("\n\n")):
            if k:
                self.write("\n")
            if para.lstrip().startswith("\b"):
                self.write("".join(f"{indent}{ln}\n" for ln in para.splitlines()[1:]))
            else:
                self.write("".join(f"{indent}{ln}\n" for ln in table.wrap(para, self.width - self.current_indent)))

    def write_dl(self, rows: typing.Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(a, i18n.option_help(b)) for a, b in rows]
        if i18n.language() == "en":
            return super().write_dl(rows, col_max, col_spacing)
        first = min(max((table.width(a) for a, _b in rows), default=0), col_max) + col_spacing
        room = max(20, self.width - first - self.current_indent)
        for a, b in rows:
            lines = table.wrap(b, room) if b else []
            head = " " * self.current_indent + a
            if table.width(a) <= first - col_spacing:
                self.write(table.pad(head, self.current_indent + first) + (lines[0] if lines else "") + "\n")
                lines = lines[1:]
            else:
                self.write(head + "\n")
            for ln in lines:
                self.write(" " * (self.current_indent + first) + ln + "\n")


class LocalizedContext(click.Context):
    formatter_class = LocalizedFormatter


def requested_language(args: list[str]) -> str:
    """The language of this run, known before click parses anything (so -h is translated too):
    ``--lang`` before the subcommand, else LANG / LC_ALL / LC_MESSAGES / LANGUAGE."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        a = args[i]
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
        i += 2 if a in ROOT_VALUE_OPTIONS else 1
    return i18n.lang_from_env(os.environ)


ROOT_VALUE_OPTIONS = {"--db", "--actor"}  # root options followed by a value (not the subcommand)


def forget_help_options(cmd: click.Command) -> None:
    """click keeps each command's ``--help`` option, its text translated once, for good:
    drop them so a run in another language (a test, the docs generator) makes them anew."""
    cmd._help_option = None
    for sub in getattr(cmd, "commands", {}).values():
        forget_help_options(sub)


class LedgerGroup(SafeGroup):
    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if parent is None:
            i18n.set_language(requested_language(args))
            forget_help_options(self)
        return super().make_context(info_name, args, parent, **extra)


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("membership-ledger")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


@click.group(cls=LedgerGroup, context_settings=CONTEXT)
@click.version_option(version(), "--version", prog_name="ledger", message="%(prog)s %(version)s")
@click.option("--db", envvar="LEDGER_DB", metavar="PATH|URL",
              help="Store: a SQLite file (default ledger.db) or postgresql://… [env LEDGER_DB].")
@click.option("--actor", envvar="LEDGER_ACTOR", help="The staff member making writes [env LEDGER_ACTOR].")
@click.option("--lang", type=click.Choice(["en", "ja"]), default=None,
              help="Message language (default from LANG: ja_JP.UTF-8 means Japanese).")
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
    if lang:
        i18n.set_language(lang)
    ctx.obj = {"db": db, "actor": actor, "lang": i18n.language()}


@main.command(context_settings=CONTEXT)
@click.option("--roles", is_flag=True, help="PostgreSQL: also create a writer role (INSERT/SELECT only) and a read-only auditor role.")
@click.option("--writer-role", default="ledger_writer", show_default=True, help="Name of the writer role (with --roles).")
@click.option("--auditor-role", default="ledger_auditor", show_default=True, help="Name of the auditor role (with --roles).")
@click.option("--test-clock", is_flag=True, default=None,
              help="Make a test-clock store (demo, tests): it honours LEDGER_CLOCK and any recorded time. Fixed at creation.")
@click.pass_context
def init(ctx: click.Context, roles: bool, writer_role: str, auditor_role: str, test_clock: bool | None) -> None:
    """Create or upgrade the store's schema (safe to run twice).

    Creates the events table, the hash chain, the key table for personal data
    and the triggers that refuse UPDATE and DELETE of facts; a PostgreSQL URL's
    schema (?schema=NAME) is created if it is missing. A SQLite store
    gets its master key file (<db>.key) unless LEDGER_MASTER_KEY or
    LEDGER_MASTER_KEY_FILE is set; a PostgreSQL store needs one of them.
    A store's settings (hash chain and encryption on; the clock: real, or a
    test clock with --test-clock) are fixed when it is created.

    \b
    Examples:
      ledger --db ledger.db init
      LEDGER_MASTER_KEY_FILE=/etc/ledger/master.key \\
        ledger --db 'postgresql://postgres@127.0.0.1:5432/ledger' init --roles
    """
    from ledger.backup import ensure_pg_schema
    from ledger.store import database_url, init_store

    try:
        created = ensure_pg_schema(database_url(ctx.find_root().obj.get("db")))
        if created:
            click.echo(f_(N_("created schema {schema}"), schema=created))
        app = open_store(ctx.find_root().obj.get("db"), create=True, test_clock=test_clock)
        ctx.find_root().call_on_close(app.close)
        lines = init_store(app, roles=roles, writer=writer_role, auditor=auditor_role)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    for line in lines:
        click.echo(labels.line(line))


# --- writes: one subcommand per command, and JSON Lines ----------------------------------


def run_one(ctx: click.Context, raw: dict, as_json: bool, verbose: bool = True) -> None:
    lang = lang_of(ctx)
    try:
        app = open_app(ctx)
        result = handlers.execute(app, raw, write_context(ctx))
    except LedgerError as e:
        fail(e, lang, as_json)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    elif result.duplicate:
        say(f_(N_("duplicate: command {command_id} was already applied; nothing written"),
               command_id=result.command_id))
    elif not result.events:
        say(f_(N_("ok: {command}: nothing to record"), command=result.command))
    elif result.command in SUMMARISED and not verbose:
        click.echo(SUMMARISED[result.command](raw, result.events))
    else:
        for e in result.events:
            say(f_(N_("recorded {event_id} {type} [{rules}]"), event_id=e.event_id, type=e.TYPE,
                   rules=", ".join(e.rules)))


def renewal_summary(raw: dict, events: list) -> str:
    """One line for a renewal run: what it did to how many members (the facts are behind --verbose)."""
    def members(kind: str) -> int:
        return len({e.originator_id for e in events if e.TYPE == kind})

    charged = sum(getattr(e, "amount", 0) or 0 for e in events if e.TYPE == "FeeCharged")
    return f_(N_("renewals through {through}: {renewed} members renewed, {charged} charged ({yen} yen), "
                 "{withdrawn} withdrawn, {expired} expired ({facts} facts recorded; --verbose lists them)"),
              through=raw.get("through", ""), renewed=members("MembershipRenewed"), charged=members("FeeCharged"),
              yen=f"{charged:,}", withdrawn=members("MembershipWithdrawn"), expired=members("MembershipExpired"),
              facts=len(events))


# Commands whose fact list is long: one summary line unless --verbose (or --json).
SUMMARISED: dict[str, Callable[[dict, list], str]] = {"run_renewals": renewal_summary}


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
    ints = {path: f.annotation is int for _, path, f in field_options(model)}
    if model.NAME in SUMMARISED:
        params.append(click.Option(["--verbose", "-v"], is_flag=True, help="List every fact recorded, not only the summary."))

    def callback(as_json: bool, verbose: bool = True, **values: Any) -> None:
        raw: dict[str, Any] = {"command": model.NAME}
        for key, path in paths:
            v = values.get(key)
            if v is None:
                continue
            if isinstance(v, str) and ints.get(path) and re.fullmatch(r"[+-]?\d{1,18}", v.strip()):
                # integer fields are strict in the models (a JSON true is no amount);
                # the command line's text is converted here, at the edge. Anything
                # else goes on as text, so the model names the field in its error.
                v = int(v)
            node = raw
            *parents, leaf = path.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = v
        run_one(click.get_current_context(), raw, as_json, verbose)

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
    for model, _handler in handlers.REGISTRY.values():
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
            out = {"line": line.n, "ok": False, "error": i18n.error_dict(line.error)}
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

    ID is a member id, an enrolment id, or a property id (the member
    registered for the house most recently, as now known).

    \b
    Examples:
      ledger status M-0042
      ledger status M-0042 --as-of 2026-05-01 --known-at 2026-05-01T18:00+09:00 --json
    """
    try:
        app = open_app(ctx)
        row = status_view.status(app, status_view.member_of(app, ident), window(as_of, known_at))
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
        # PostgreSQL: the login role that stored each fact, as the database recorded it.
        roles = app.db_roles([r["event_id"] for r in rows])
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    columns = ["event_id", "type", "effective", "recorded", "actor", "rules", "retracted_by"]
    if app.backend == "postgres":
        rows = [{**r, "db_role": roles.get(r["event_id"])} for r in rows]
        columns.insert(5, "db_role")
    if fmt == "json":
        emit(rows, "json")
    else:
        emit(rows, fmt or "table", columns)


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
    if fmt is None:  # the table is for people: the action in their language (JSON and CSV stay as produced)
        rows = [{**r, "action": labels.task_action(r["action"])} for r in rows]
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
            click.echo(_("intact"))
            erased = "" if report.erased_subjects is None else f_(N_(" ({n} erased subjects)"), n=report.erased_subjects)
            click.echo(f_(N_("facts     {facts} in {streams} streams{erased}"), facts=report.facts,
                          streams=report.streams, erased=erased))
            click.echo(f_(N_("chain     positions 1..{n}, head {n}:{hash}"), n=report.head_position,
                          hash=report.head_hash))
            for c in report.checked:
                click.echo(f_(N_("checked   {what}"), what=labels.line(c)))
        else:
            click.echo(_("NOT INTACT"))
            say(f_(N_("problem   {message}"), message=report.problem.message(lang)))
            click.echo(f_(N_("intact up to position {n}, head {n}:{hash}"), n=report.head_position,
                          hash=report.head_hash) if report.head_position else
                       f_(N_("intact up to position {n}"), n=report.head_position))
    sys.exit(0 if report.intact else 1)


@main.command(context_settings=CONTEXT)
@click.pass_context
def maintain(ctx: click.Context) -> None:
    """Reclaim what erasures leave in the database files (run after `ledger erase`).

    SQLite: VACUUM with secure_delete and truncate the write-ahead log (fails,
    saying so, while another connection reads). PostgreSQL: VACUUM FULL of the
    key table, removing the dead row versions that still hold erased keys (run
    it as the store's owner). Copies in backups and in PostgreSQL's WAL
    archives are beyond it (README: what erasure cannot reach).

    \b
    Example:
      ledger maintain
    """
    try:
        lines = open_app(ctx).maintain()
    except LedgerError as e:
        fail(e, lang_of(ctx))
    for line in lines:
        click.echo(line)


@main.command(context_settings=CONTEXT)
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Recompute the materialized read model from the log (a writer's job).

    The read model (members, charges, payments, refunds) is kept in the same
    transaction as every append, so this is needed only after a repair; it runs
    in one transaction, with a progress bar on a terminal. `ledger verify`
    compares the tables with a rebuild in a scratch copy.

    Then every member's and house's dated views are recomputed (two processes on
    a machine with two cores): the views the lists for a whole day read. An
    append only marks the ones it touches, and the next list recomputes those.

    \b
    Example:
      ledger rebuild
    """
    try:
        app = open_app(ctx)
        with Progress(app, "rebuilding") as progress:
            n = app.rebuild_readmodel(progress)
        # Then every member's dated views (projections.days), which the rebuild marked stale.
        with Progress(app, _("dated views"), total=app.readmodel(readmodel.stale_count)) as progress:
            days.refresh(app, progress)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    click.echo(f_(N_("read model rebuilt from {n} facts"), n=n))


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
@click.option("--force", is_flag=True, help="Replace FILE even if it is not a demo store.")
@click.pass_context
def demo(ctx: click.Context, path: str, members: int, force: bool) -> None:
    """Build a realistic sample ledger in a fresh SQLite file and show what it knows.

    The demo store is a test-clock store (it honours LEDGER_CLOCK). An existing
    FILE is replaced only if it is an earlier demo store, or with --force.

    \b
    Example:
      ledger demo --out demo.db
    """
    from demo import build_and_show
    from ledger.store import is_demo_store

    if os.path.lexists(path) and not force and not is_demo_store(path):
        fail(BadInput(f"--out: {path[:300]} exists and is not a demo store: it is not replaced (add --force to replace it).",
                      f"--out: {path[:300]} は既にあり、デモのストアではないので置き換えません（置き換えるには --force）。",
                      field="out"), lang_of(ctx))
    try:
        build_and_show(path, members, lang_of(ctx), emit, lambda text: click.echo(labels.line(text)))
    except LedgerError as e:
        fail(e, lang_of(ctx))


# --- auditors and dispute handlers: snapshot, diff, explain, bundle ----------------------------------


class Progress:
    """A progress bar on stderr when it is a terminal; nothing otherwise (pipes, files, tests)."""

    def __init__(self, app: LedgerApp, label: str, total: int | None = None) -> None:
        self.bar = None
        if sys.stderr.isatty():
            length = app.last_position() if total is None else total
            self.bar = click.progressbar(length=max(1, length), label=label, file=sys.stderr,
                                         show_pos=True, show_percent=True)

    def __enter__(self) -> Callable[[int], None] | None:
        if self.bar is None:
            return None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def output(path: str | None, lang: str) -> typing.TextIO:
    """The file of --out (or stdout); a path that cannot be written is bad input, never a traceback."""
    if not path:
        return sys.stdout
    if os.path.islink(path):
        fail(BadInput(f"--out: {path[:300]} is a symbolic link: it is not followed (write to the real path).",
                      f"--out: {path[:300]} はシンボリックリンクなので辿りません（実際のパスを指定してください）。",
                      field="out"), lang)
    try:
        # Never through a symbolic link: a link planted where a report is written would
        # make the auditor overwrite whatever it points to.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
        return open(fd, "w", encoding="utf-8", newline="")
    except OSError as e:
        fail(BadInput(f"--out: {path[:300]} cannot be written ({e.strerror}).",
                      f"--out: {path[:300]} に書き込めません（{e.strerror}）。", field="out"), lang)


@main.command(context_settings=CONTEXT)
@read_options(lists=True)
@click.option("--out", "path", metavar="FILE", help="Write the rows to FILE (the totals are printed).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="2+: processes sharing a replay of the global log (faster, memory grows with the members); "
                   "default: one stream at a time, memory flat.")
@click.option("--with-personal", is_flag=True,
              help="Include names, addresses and other personal fields (left out by default: an export is beyond a later erasure).")
@click.pass_context
def snapshot(ctx: click.Context, as_of: str | None, known_at: str | None, fmt: str | None, path: str | None,
             jobs: int | None, with_personal: bool) -> None:
    """Every member's status on a day, as known at a moment, with totals (auditors).

    One row per member (and enrolment): the status fields of `ledger status`,
    flattened in CSV. Totals: members by state, arrears (members and yen),
    grounds in force by rule. A date --as-of as now known reads each member's
    dated view holding the day; any other window reads one member (or
    enrolment) at a time from the log. Memory stays flat however large the
    store; a progress bar shows on a terminal. Personal fields are left out
    unless --with-personal.

    \b
    Examples:
      ledger snapshot --as-of 2025-03-31 --csv --out members-2025-03-31.csv
      ledger snapshot --as-of 2025-03-31 --known-at 2025-04-05T09:00+09:00 --json
    """
    from projections import report, snapshot as snapshot_view

    try:
        app = open_app(ctx)
        w = window(as_of, known_at)
        with Progress(app, _("replaying")) as progress:
            snap = snapshot_view.run(app, w, progress, jobs=jobs, personal=with_personal)
    except LedgerError as e:
        fail(e, lang_of(ctx), fmt == "json")
    if not with_personal:
        from projections.personal import redact

        rows = snap.rows
        snap.rows = rows.mapped(redact) if isinstance(rows, snapshot_view.Spool) else [redact(r) for r in rows]
    out = output(path, lang_of(ctx))
    try:
        if fmt == "json":
            report.snapshot_json(snap, out)
        elif fmt == "csv":
            report.snapshot_csv(snap, out)
        else:  # report.TABLE's columns, labelled and lined up by display width, then the totals
            cols = list(report.TABLE)
            rows = [[safe.cell(labels.flatten({**flatten_row(r), "grounds": ",".join(
                g["rule"] for g in r.get("grounds") or [] if isinstance(g, dict))}).get(c, "")) for c in cols]
                for r in snap.rows]
            out.write("\n".join(table.render(rows, [labels.header(c) for c in cols])) + "\n\n")
            out.write(totals_text(snap))
    finally:
        if path:
            out.close()
    if path:
        say(f_(N_("wrote {n} rows to {path}"), n=len(snap.rows), path=path))
        say(totals_text(snap), nl=False)


def flatten_row(row: dict) -> dict:
    """A snapshot row with its nested fields as "a.b" keys, values kept (labelled later)."""
    out: dict = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in flatten_row(v).items()})
        else:
            out[k] = v
    return out


def totals_text(snap: typing.Any) -> str:
    """The snapshot totals: the auditors' report of projections.report, in Japanese when asked."""
    from projections import report

    if i18n.language() == "en":
        return report.totals_text(snap)
    t = snap.totals
    lines = [f_(N_("as of {as_of}, as known at {known_at}: {rows} rows"), as_of=snap.window.as_of.isoformat(),
                known_at=snap.window.known_at.isoformat(), rows=t["rows"])]
    for program, states in t["by_state"].items():
        lines.append(f"  {_(program)}: " + ", ".join(f"{labels.value('state', k)} {v}" for k, v in states.items()))
    lines.append(f_(N_("  arrears: {members} members owe {yen} yen"), members=t["arrears"]["members"],
                    yen=f"{t['arrears']['amount']:,}"))
    by_rule = t["grounds"]["by_rule"]
    lines.append(f_(N_("  grounds in force: {members} members"), members=t["grounds"]["members"])
                 + (" (" + ", ".join(f"{k} {v}" for k, v in by_rule.items()) + ")" if by_rule else ""))
    return "\n".join(lines) + "\n"


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
        with Progress(app, _("replaying")) as progress:
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
        from ui import reports

        say(report.diff_text(d) if i18n.language() == "en" else reports.diff_text(d), nl=False)


def incident_views(ctx: click.Context, ident: str, at: str, known_at: str | None) -> tuple[dict, dict, typing.Any, typing.Any]:
    from ledger.clock import parse_instant
    from projections import explain as explain_view

    app = open_app(ctx)
    ident = status_view.member_of(app, ident)
    if status_view.is_enrolment(app, ident):
        raise BadInput(f"explain reports on an Ie-Sapo member; for enrolment {ident} use `ledger status {ident} --as-of … "
                       f"--known-at …` and `ledger history {ident}`.",
                       f"explain は家サポ会員用です。登録 {ident} には `ledger status {ident} --as-of … --known-at …` と "
                       f"`ledger history {ident}` を使ってください。", field="id")
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
    if fmt == "text":
        text = safe.text(text)
    if path:
        with output(path, lang_of(ctx)) as f:
            f.write(text)
        say(f_(N_("wrote {path}"), path=path))
    else:
        click.echo(text, nl=False)


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@click.option("--at", required=True, metavar="TIMESTAMP", help="The incident (a date means the end of that day).")
@click.option("--out", "directory", required=True, metavar="DIR", help="A new (or empty) directory for the bundle.")
@click.option("--known-at", metavar="TIMESTAMP", help="'Now' for the view as now known (default: now).")
@click.option("--with-personal", is_flag=True,
              help="Include names, addresses and other personal fields (left out by default: a bundle is beyond a later erasure).")
@click.pass_context
def bundle(ctx: click.Context, ident: str, at: str, directory: str, known_at: str | None, with_personal: bool) -> None:
    """An evidence bundle for a dispute: report, facts then and now, rules, SHA-256 manifest.

    Writes report.txt/.json/.html (the explain report), facts-known-then.jsonl and
    facts-known-now.jsonl (the member's stored facts), rules.json (every rule
    cited, with the article text) and manifest.json (SHA-256 of every file).
    Check it later with `ledger bundle-check DIR --manifest-sha256 HASH` (keep
    the printed hash elsewhere). Personal fields are left out unless --with-personal.

    \b
    Example:
      ledger bundle M-0042 --at 2026-05-20T21:30+09:00 --out evidence/M-0042
    """
    from projections import bundle as bundle_view

    lang = lang_of(ctx)
    if os.path.lexists(directory) and (os.path.islink(directory) or not os.path.isdir(directory)
                                       or os.listdir(directory)):
        fail(BadInput(f"{directory[:300]} exists and is not an empty directory (or is a symbolic link): a bundle is "
                      "never written over another or through a link.",
                      f"{directory[:300]} は空のディレクトリではありません（またはシンボリックリンクです）。"
                      "既存の束の上やリンク先には書き込みません。", field="out"), lang)
    try:
        x, streams, when, now = incident_views(ctx, ident, at, known_at)
        content = bundle_view.write(directory, x, streams, when, now, with_personal)
    except LedgerError as e:
        fail(e, lang)
    except ValueError as e:
        fail(BadInput(str(e), str(e), field="out"), lang)
    for name, data in sorted(content.items()):
        digest = bundle_view.sha256(data)
        say(f"{digest}  {name}" if name != bundle_view.MANIFEST else
            f"{digest}  {name}  " + _("(keep this hash)"))


@main.command("bundle-check", context_settings=CONTEXT)
@click.argument("directory", metavar="DIR")
@click.option("--manifest-sha256", metavar="HEX",
              help="The manifest's hash printed when the bundle was made: fail unless the manifest is that one.")
@click.pass_context
def bundle_check(ctx: click.Context, directory: str, manifest_sha256: str | None) -> None:
    """Re-hash an evidence bundle against its manifest; exit 0 only if every file matches.

    A changed, missing or added file is reported and exits 1; a directory
    without a readable manifest, a manifest naming a path outside the bundle,
    a symbolic link in the bundle, or (with --manifest-sha256) a manifest that
    is not the one made with the bundle exits 2. Without --manifest-sha256 the
    check cannot see a manifest whose hashes were recomputed after an edit.

    \b
    Example:
      ledger bundle-check evidence/M-0042 --manifest-sha256 1ebc506c32a48167ca72592d47b30b67b0d4bbea0984625dfa36464900514a64
    """
    from projections import bundle as bundle_view

    lang = lang_of(ctx)
    if manifest_sha256 is not None and not re.fullmatch(r"[0-9A-Fa-f]{64}", manifest_sha256.strip()):
        fail(BadInput("--manifest-sha256 must be the 64 hex digits printed when the bundle was made.",
                      "--manifest-sha256 には束の作成時に表示された16進64桁を指定してください。", field="manifest-sha256"), lang)
    try:
        results = bundle_view.check(directory, manifest_sha256)
    except ValueError as e:
        fail(BadInput(str(e), str(e), field="dir"), lang)
    for r in results:
        click.echo(f"{table.pad(labels.value('status', r['status']), 8)} {safe.cell(r['name'])}")
    bad = [r for r in results if r["status"] != "ok"]
    summary = N_("bundle FAILS: {ok} of {n} files match") if bad else N_("bundle intact: {ok} of {n} files match")
    click.echo(f_(summary, ok=len(results) - len(bad), n=len(results)))
    sys.exit(1 if bad else 0)


# --- migration, backup, shell completion -----------------------------------------------------


@main.group("import", context_settings=CONTEXT)
def import_group() -> None:
    """Import records migrated from spreadsheets."""


@import_group.command("members", context_settings=CONTEXT)
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row on a scratch copy of the store; write nothing.")
@click.option("--encoding", metavar="NAME", help="The CSV's encoding (default: UTF-8 with or without BOM, else cp932).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON.")
@click.pass_context
def import_members(ctx: click.Context, path: str, dry_run: bool, encoding: str | None, as_json: bool) -> None:
    """Import members from a .csv or .xlsx file, one member per row, through the ordinary commands.

    Each row becomes register_property (if delivered_on is given), apply_membership, record_consent,
    register_card, accept_registration and record_payment with the row's own dates, so every rule
    applies. Facts are marked migrated by their command ids (migrated:MEMBER:STEP), which also make a
    re-run skip what is already recorded. A refused row is reported with its line and the rest go on;
    exit 0 only if every row is recorded. The columns are listed in the README ("Importing members").

    \b
    Examples:
      ledger import members members.csv --dry-run
      ledger import members members.xlsx
    """
    import shutil
    import tempfile

    from commands import importer
    from ledger.backup import backup, is_postgres
    from ledger.store import database_url

    lang = lang_of(ctx)
    scratch = app = None
    try:
        address = database_url(ctx.find_root().obj.get("db"))
        header, rows = importer.read_rows(path, encoding)
        importer.check_header(header)
        rows = list(rows)
        if dry_run and not is_postgres(address):
            scratch = tempfile.mkdtemp(prefix="ledger-dry-run-")
            copy = os.path.join(scratch, "ledger.db")
            backup(address, copy)
            app = open_store(copy)
        elif dry_run:
            app = None
        else:
            app = open_app(ctx)
        if app is None:  # PostgreSQL dry run: the rows' field checks only (no scratch copy of a server store)
            report = importer.Report(rows=len(rows))
            for line, row in enumerate(rows, start=2):
                try:
                    for raw in importer.commands(row):
                        handlers.parse(raw)
                    report.imported += 1
                except LedgerError as e:
                    report.errors.append({"line": line, "member_id": row.get("member_id", ""), "error": e})
        else:
            bar = click.progressbar(length=len(rows), label=_("importing"), file=sys.stderr, show_pos=True) \
                if sys.stderr.isatty() else None
            if bar is not None:
                with bar:
                    report = importer.run(app, header, iter(rows), write_context(ctx), bar.update)
            else:
                report = importer.run(app, header, iter(rows), write_context(ctx))
    except LedgerError as e:
        fail(e, lang, as_json)
    finally:
        if app is not None:
            app.close()  # its connection pool, before the scratch copy goes
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "rows": report.rows, "imported": report.imported,
                               "facts": report.facts, "duplicates": report.duplicates,
                               "errors": [{"line": r["line"], "member_id": r["member_id"], **i18n.error_dict(r["error"])}
                                          for r in report.errors]}, ensure_ascii=False, indent=2))
    else:
        for r in report.errors:
            click.echo(f_(N_("line {line} ({member_id}): error[{code}]: {message}"), line=r["line"],
                          member_id=r["member_id"], code=r["error"].code, message=i18n.error_message(r["error"])))
        summary = N_("dry run: {ok} of {rows} rows would be imported, {bad} refused; nothing written") if dry_run else \
            N_("imported {ok} of {rows} rows ({facts} facts recorded, {dup} commands already recorded), {bad} refused")
        click.echo(f_(summary, ok=report.imported, rows=report.rows, facts=report.facts, dup=report.duplicates,
                      bad=len(report.errors)))
    sys.exit(2 if report.errors else 0)


@main.command(context_settings=CONTEXT)
@click.argument("path", metavar="FILE")
@click.pass_context
def backup(ctx: click.Context, path: str) -> None:
    """Copy a SQLite store to FILE with SQLite's online backup API (writers may go on).

    The master key file <db>.key, if the store uses one, is copied to FILE.key
    (mode 0600); a key from LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE is not
    copied and its location is printed: keep it apart from the backup. For
    PostgreSQL use pg_dump (README, "Backup and restore").

    \b
    Example:
      ledger --db ledger.db backup /backup/ledger-2026-11-20.db
    """
    from ledger import backup as backup_mod
    from ledger.store import database_url

    try:
        key, source = backup_mod.backup(database_url(ctx.find_root().obj.get("db")), path)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    click.echo(f_(N_("backed up to {path}"), path=path))
    click.echo(f_(N_("master key copied to {key}"), key=key) if key else
               f_(N_("master key not copied: it is {source}; keep it safe apart from the backup"), source=source))


@main.command(context_settings=CONTEXT)
@click.argument("path", metavar="FILE")
@click.pass_context
def restore(ctx: click.Context, path: str) -> None:
    """Restore a backup made by `ledger backup` as the store named by --db (a new file).

    Never writes over an existing store. FILE.key, if present, becomes the new
    store's key file. Run `ledger verify` on the restored store afterwards.

    \b
    Example:
      ledger --db restored.db restore /backup/ledger-2026-11-20.db && ledger --db restored.db verify
    """
    from ledger import backup as backup_mod
    from ledger.store import database_url

    address = database_url(ctx.find_root().obj.get("db"))
    try:
        key, source = backup_mod.restore(path, address)
    except LedgerError as e:
        fail(e, lang_of(ctx))
    click.echo(f_(N_("restored {path} to {db}; run `ledger verify` on it"), path=path, db=backup_mod.sqlite_file(address)))
    click.echo(f_(N_("master key file {key}"), key=key) if key else f_(N_("master key from {source}"), source=source))


@main.command(context_settings=CONTEXT)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script (click's shell completion) for bash, zsh or fish.

    \b
    Examples:
      eval "$(ledger completion bash)"              # in ~/.bashrc
      ledger completion fish > ~/.config/fish/completions/ledger.fish
    """
    from click.shell_completion import get_completion_class

    comp = get_completion_class(shell)(main, {}, "ledger", "_LEDGER_COMPLETE")
    click.echo(comp.source())


def localize(cmd: click.Command) -> None:
    """Every command formats its help through the catalogue; its short help is its first
    paragraph whole (a stable msgid, instead of click's cut at 45 characters)."""
    import inspect

    cmd.context_class = LocalizedContext
    if cmd.help and not cmd.short_help:
        cmd.short_help = " ".join(inspect.cleandoc(cmd.help).split("\n\n")[0].split())
    for sub in getattr(cmd, "commands", {}).values():
        localize(sub)


build_groups()
localize(main)

if __name__ == "__main__":
    main()
