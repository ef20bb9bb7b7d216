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


class Busy(StoreError):
    """A lock of the store was not granted in time: another session holds it."""

    code = "busy"

    @classmethod
    def lock(cls, seconds: float) -> "Busy":
        return cls(
            f"The store's write lock was not granted within {seconds:g} s: another session holds it (a long "
            "transaction or a writer holding the gate). Nothing was written; try again (LEDGER_LOCK_TIMEOUT sets the wait).",
            f"{seconds:g} 秒以内にストアの書き込みロックを取得できませんでした（他のセッションが保持中）。"
            "何も記録していません。もう一度実行してください（待ち時間は LEDGER_LOCK_TIMEOUT）。",
        )


class OutcomeUnknown(StoreError):
    """The connection was lost after the append was sent: it may or may not have been committed."""

    code = "outcome_unknown"

    @classmethod
    def lost(cls, detail: str) -> "OutcomeUnknown":
        first = (detail.strip().splitlines() or [""])[0][:200]
        return cls(
            f"The connection to the store was lost while the facts were being committed ({first}): outcome unknown — "
            "re-run with the same command_id (it is then reported as duplicate if it was recorded). A command "
            "without a command_id may be recorded twice: check `ledger history` first.",
            f"記録の確定中にストアとの接続が切れました（{first}）。結果は不明です。同じ command_id で再実行してください"
            "（記録済みなら duplicate と報告されます）。command_id のないコマンドは二重に記録されるおそれがあるため、先に "
            "`ledger history` を確認してください。",
        )
