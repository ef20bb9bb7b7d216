"""The one error hierarchy of the ledger.

Every refusal carries a machine code, the rule id it rests on (where there is
one), and a full-sentence message in English and Japanese. The CLI translates
these, and only these, into exit codes: 1 refused, 2 bad input.
"""
from __future__ import annotations


class LedgerError(Exception):
    code = "error"
    exit_code = 1

    def __init__(
        self,
        en: str,
        ja: str | None = None,
        *,
        rule: str | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(en)
        self.en = en
        self.ja = ja or en
        self.rule = rule
        self.field = field
        if code:
            self.code = code

    def message(self, lang: str = "en") -> str:
        text = self.ja if lang == "ja" else self.en
        if self.rule:
            from ledger.rules import article

            return f"[{self.rule} {article(self.rule, lang)}] {text}"
        return text

    def as_dict(self, lang: str = "en") -> dict:
        out = {"code": self.code, "rule": self.rule, "message": self.message(lang)}
        if self.field:
            out["field"] = self.field
        return out


class BadInput(LedgerError):
    """The command itself is malformed: wrong type, unknown field, impossible date."""

    code = "bad_input"
    exit_code = 2


class NotFound(BadInput):
    """The command names a member, property, enrolment or event the ledger does not know."""

    code = "not_found"


class Refused(LedgerError):
    """A rule of TERMS.md forbids the command on its effective date."""

    code = "refused"


class Conflict(LedgerError):
    """Another writer changed the same stream first; the command may be decided again."""

    code = "conflict"


class ClockError(LedgerError):
    """The ledger clock is earlier than the newest recorded fact."""

    code = "clock"


class StoreError(LedgerError):
    """The store could not be reached or refused the operation."""

    code = "store"


class Forbidden(StoreError):
    """The database role may not write (an auditor connection)."""

    code = "forbidden"
