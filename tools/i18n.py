"""Keep the CLI's message catalogue in step with the code (Babel).

    python tools/i18n.py            # extract -> ui/locale/ledger.pot, update ja .po, compile .mo
    python tools/i18n.py --check    # exit 1 if the .po misses a msgid or a translation, or the .mo is stale

Msgids come from two places: the ``_``/``N_``/``f_`` calls in cli.py and ui/
(Babel's Python extractor), and every help text of the click command tree, cut
into the units ``ui.i18n.help_units`` translates (paragraphs, example headings,
option helps without their "One of:" lists). New msgids enter the .po with an
empty msgstr; msgids no longer used are dropped. Then the .po is compiled.
"""
from __future__ import annotations

import inspect
import io
from datetime import datetime, timezone
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.mofile import read_mo, write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

import click  # noqa: E402

SOURCES = ["cli.py", "ui/i18n.py", "ui/labels.py", "ui/reports.py"]
KEYWORDS = {"_": None, "N_": None, "f_": (1,)}
LOCALE = ROOT / "ui" / "locale"
POT = LOCALE / "ledger.pot"
PO = LOCALE / "ja" / "LC_MESSAGES" / "ledger.po"
MO = LOCALE / "ja" / "LC_MESSAGES" / "ledger.mo"
STAMP = datetime(2026, 12, 1, tzinfo=timezone.utc)


def help_msgids() -> list[tuple[str, str]]:
    """(msgid, where) for every help unit of the command tree."""
    import cli
    from ui.i18n import help_units

    out: list[tuple[str, str]] = []

    def walk(cmd: click.Command, path: str) -> None:
        for text in (cmd.help, cmd.short_help):
            if text:
                out.extend((u, path) for u in help_units(inspect.cleandoc(text)))
        for p in cmd.params:
            if getattr(p, "help", None):
                out.extend((u, f"{path} {p.opts[0]}") for u in help_units(p.help))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, f"{path} {name}")

    walk(cli.main, "ledger")
    return out


def template() -> Catalog:
    # A fixed date: re-running without changes leaves the files as they are (no noise for the merge).
    cat = Catalog(project="membership-ledger", domain="ledger", charset="utf-8", creation_date=STAMP)
    for src in SOURCES:
        for lineno, msg, _comments, _ctx in extract_from_file("python", str(ROOT / src), keywords=KEYWORDS):
            msgid = msg if isinstance(msg, str) else msg[0]
            if msgid:
                cat.add(msgid, locations=[(src, lineno)])
    for msgid, where in help_msgids():
        cat.add(msgid, auto_comments=[f"help: {where}"])
    return cat


def load_po() -> Catalog:
    with open(PO, "rb") as f:
        return read_po(f, locale="ja", domain="ledger")


def untranslated(cat: Catalog) -> list[str]:
    return [m.id for m in cat if m.id and (not m.string or m.fuzzy)]


def compiled(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat)
    return buf.getvalue()


def mo_matches(po: Catalog) -> bool:
    with open(MO, "rb") as f:
        mo = read_mo(f)
    want = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    have = {m.id: m.string for m in mo if m.id}
    return want == have


def main() -> int:
    pot = template()
    if "--check" in sys.argv:
        po = load_po()
        missing = [m.id for m in pot if m.id and m.id not in po]
        problems = [f"not in the .po: {m!r}" for m in missing] + [f"untranslated: {m!r}" for m in untranslated(po)]
        if not mo_matches(po):
            problems.append("the .mo does not match the .po: run python tools/i18n.py")
        for p in problems:
            print(p)
        return 1 if problems else 0
    LOCALE.mkdir(parents=True, exist_ok=True)
    with open(POT, "wb") as f:
        write_po(f, pot, width=100, omit_header=False)
    if PO.exists():
        po = load_po()
        po.update(pot, no_fuzzy_matching=True)
        po.obsolete.clear()
    else:
        PO.parent.mkdir(parents=True, exist_ok=True)
        po = Catalog(locale="ja", domain="ledger", project="membership-ledger", charset="utf-8", revision_date=STAMP)
        po.update(pot, no_fuzzy_matching=True)
    with open(PO, "wb") as f:
        write_po(f, po, width=100)
    with open(MO, "wb") as f:
        f.write(compiled(load_po()))
    left = untranslated(load_po())
    print(f"{len(pot)} msgids; {len(left)} without a Japanese translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
