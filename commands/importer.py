"""``ledger import members``: members migrated from spreadsheets, through the ordinary commands.

Each row becomes the commands staff would have entered (register_property,
apply_membership, record_consent ×2, register_card, accept_registration,
record_payment), with the row's own effective dates, applied one by one by
``handlers.execute`` - the same path as ``ledger apply`` - so every rule of
TERMS.md still applies and a row that breaks one is reported, not stored.

Migrated facts are marked by their ``command_id``: ``migrated:<member_id>:<step>``
(``migrated:property:<property_id>`` for the house), stored in every fact's
envelope and its receipt. The ids are deterministic, so a re-run of the same
file skips what is already recorded (a reported duplicate) and completes the rest.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from commands import handlers
from ledger.errors import BadInput, LedgerError
from ledger.store import LedgerApp

# The documented column set (README "Importing members"); only the first four are required.
REQUIRED = ["property_id", "member_id", "applicant_name", "applied_on"]
OPTIONAL = [
    "delivered_on", "floors", "builder", "certified",  # the house: registered when delivered_on is given
    "acquirer", "applicant_address", "applicant_phone", "applicant_email", "applicant_birth_date", "points",
    "privacy_consent_on", "operator_consent_on",
    "card_token", "card_on",
    "accepted_on",
    "paid_on", "paid_amount", "payment_ref",
]
COLUMNS = REQUIRED + OPTIONAL
TRUE = {"1", "true", "yes", "y", "はい", "有", "○", "◯"}
FALSE = {"0", "false", "no", "n", "いいえ", "無", "×", ""}


def decode(data: bytes, encoding: str | None = None) -> str:
    """Excel's CSVs: UTF-8 with or without BOM, else Shift_JIS (cp932, Excel's "CSV" on Japanese Windows)."""
    if encoding:
        return data.decode(encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as e:
            raise BadInput(f"The file is neither UTF-8 nor Shift_JIS (cp932) text (byte {e.start + 1}).",
                           f"ファイルは UTF-8 でも Shift_JIS (cp932) でもありません（{e.start + 1} バイト目）。",
                           field="file") from None


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_rows(path: str, encoding: str | None = None) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The header and the rows of a .csv (any of Excel's encodings) or an .xlsx (first sheet)."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header = [cell(h) for h in next(it, ())]

        def xlsx_rows() -> Iterator[dict[str, str]]:
            for values in it:
                if any(v not in (None, "") for v in values):
                    yield {h: cell(v) for h, v in zip(header, values) if h}
        return header, xlsx_rows()
    with open(path, "rb") as f:
        text = decode(f.read(), encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    return header, ({k: (v or "").strip() for k, v in r.items() if k} for r in reader)


def check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(unknown)}"] if unknown else [])
        raise BadInput(f"The header row does not match the import columns: {'; '.join(parts)}. "
                       f"Columns: {', '.join(COLUMNS)}.",
                       f"見出し行が取込み用の列と合いません: {'; '.join(parts)}。列: {', '.join(COLUMNS)}。",
                       field="header")


def flag(row: dict[str, str], key: str) -> bool | str:
    v = row.get(key, "").strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    return v  # not a boolean: the command's own validation names the field


def whole(row: dict[str, str], key: str) -> int | str:
    """A whole-number cell as the integer the command's strict field wants: spreadsheets
    give text, often with thousands separators or full-width digits (５，５００). Anything
    else is passed through, so the command's own validation names the field."""
    v = unicodedata.normalize("NFKC", row.get(key, "")).strip().replace(",", "")
    return int(v) if v.isdigit() else v


def commands(row: dict[str, str]) -> list[dict]:
    """The commands of one row, in the order staff would have entered them, each with its command_id."""
    mid, pid = row["member_id"], row["property_id"]
    g = row.get
    out: list[dict] = []

    def add(step: str, raw: dict) -> None:
        raw["command_id"] = f"migrated:property:{pid}" if step == "property" else f"migrated:{mid}:{step}"
        out.append({k: v for k, v in raw.items() if v not in ("", None)})

    if g("delivered_on"):
        add("property", {"command": "register_property", "property_id": pid, "delivered_on": g("delivered_on"),
                         "floors": whole(row, "floors"), "builder": g("builder"), "certified": flag(row, "certified"),
                         # registered by the time of the application (the house is sold before delivery)
                         "on": min(g("delivered_on"), g("applied_on") or g("delivered_on"))})
    applicant = {"name": g("applicant_name"), "address": g("applicant_address"), "phone": g("applicant_phone"),
                 "email": g("applicant_email"), "birth_date": g("applicant_birth_date")}
    add("apply", {"command": "apply_membership", "member_id": mid, "property_id": pid,
                  "acquirer": g("acquirer"), "points": flag(row, "points") if g("points") else None,
                  "applicant": {k: v for k, v in applicant.items() if v}, "on": g("applied_on")})
    if g("privacy_consent_on"):
        add("consent-privacy", {"command": "record_consent", "member_id": mid, "kind": "privacy_policy",
                                "on": g("privacy_consent_on")})
    if g("operator_consent_on"):
        add("consent-operator", {"command": "record_consent", "member_id": mid, "kind": "operator_provision",
                                 "on": g("operator_consent_on")})
    if g("card_token"):
        add("card", {"command": "register_card", "member_id": mid, "card_token": g("card_token"),
                     "on": g("card_on") or g("applied_on")})
    if g("accepted_on"):
        add("accept", {"command": "accept_registration", "member_id": mid, "on": g("accepted_on")})
    if g("paid_on") or g("paid_amount"):
        add("payment", {"command": "record_payment", "member_id": mid, "amount": whole(row, "paid_amount"),
                        "payment_ref": g("payment_ref") or f"migrated-{mid}", "on": g("paid_on")})
    return out


@dataclass
class Report:
    rows: int = 0
    imported: int = 0  # rows whose every command is now recorded
    facts: int = 0
    duplicates: int = 0  # commands already recorded by an earlier run
    errors: list[dict] = field(default_factory=list)


def run(app: LedgerApp, header: list[str], rows: Iterator[dict[str, str]], ctx: handlers.Context,
        progress: Callable[[int], None] | None = None) -> Report:
    """Apply every row; a row stops at its first refused command and is reported (line numbers count the header)."""
    check_header(header)
    rep = Report()
    for line, row in enumerate(rows, start=2):
        rep.rows += 1
        try:
            for required in REQUIRED:
                if not row.get(required):
                    raise BadInput(f"column '{required}' is empty.", f"列 '{required}' が空です。", field=required)
            for raw in commands(row):
                result = handlers.execute(app, raw, ctx)
                rep.facts += len(result.events)
                rep.duplicates += result.duplicate
            rep.imported += 1
        except LedgerError as e:
            rep.errors.append({"line": line, "member_id": row.get("member_id", ""), "error": e})
        if progress:
            progress(1)
    return rep
