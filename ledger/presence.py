"""A presence-check enrolment (在宅確認サポート, program ``presence_check``): stream ``enrolment:<id>``.

Order: Events (ledger.events, section "presence check") -> Fold (``evolve``)
-> Decisions (``decide_*``) -> Queries (``Enrolment.state_on`` and friends).

States: ``pending_consent`` from enrolment; ``active`` once the target
consents (PC-3.3); ``consent_not_obtained`` when the target declines or two
calls give no consent (PC-3.4); ``stopped`` once the resident or their
representative asks to stop (PC-6.6), whatever the state before.

One target per contract holder (PC-2), without a race on either backend: an
enrolment appends, in the same transaction as the enrolment itself, a claim on
stream ``holder:<contract_holder_id>`` at that stream's next position. Two
concurrent enrolments for one holder write the same (stream, position); the
store's primary key lets one through and the other fails as a conflict, is
decided again on fresh facts, sees the claim and is refused with PC-2.
**Reading:** "one target" means one at a time: once the claiming enrolment is
stopped or its consent was not obtained (or the enrolment fact was retracted),
the holder may enrol again, and the new claim takes the next position.

The fold keeps dated facts; every query takes the instant (or day) it is asked
for. Decisions receive the enrolment folded from every fact now known,
whatever its effective time, and compare effective times themselves, so a
fact recorded late still counts at its own time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, NamedTuple

from ledger.dates import end_of_day, jst_date
from ledger.errors import BadInput, NotFound, Refused
from ledger.events import (
    ConsentCallMade,
    Event,
    FrequentUserFlagged,
    Personal,
    PresenceCheckDispatched,
    PresenceCheckEnrolled,
    PresenceCheckRefused,
    PresenceCheckRequested,
    PresenceConfirmedByPhone,
    PresenceConsentNotObtained,
    PresenceHolderClaimed,
    PresenceServiceStarted,
    PresenceStopRequested,
    PresenceVisitRecorded,
    VisitChecks,
)
from ledger.facts import Draft
from ledger.streams import StreamKind

PROGRAM = "presence_check"
# PC-3.1: the first call within 3 days after enrolment, the first day not
# counted (Civil Code Art. 140): enrolled on E, the call is due by E + 3.
FIRST_CALL_DAYS = 3
# PC-3.2: the second call "between 3 days and 1 week after enrolment": E + 3 … E + 7.
SECOND_CALL_FROM_DAYS = 3
SECOND_CALL_BY_DAYS = 7
# PC-2 / PC-6.3: relatives within the second degree; 0 = the person themself or a spouse.
MAX_DEGREE = 2

DECISION_EVENTS = {"dispatch": PresenceCheckDispatched, "phone_first": PresenceConfirmedByPhone,
                   "refused": PresenceCheckRefused}


PREFIX, HOLDER_PREFIX = "enrolment:", "holder:"  # this module's; see ledger.member.PREFIX


_KIND, _HOLDERS = StreamKind(PREFIX), StreamKind(HOLDER_PREFIX)
stream, is_stream, ident = _KIND.of, _KIND.holds, _KIND.ident
holder_stream = _HOLDERS.of


def call_windows(enrolled_on: date) -> tuple[date, date, date]:
    """(first call due by, second call window from, second call due by) for an
    enrolment made on ``enrolled_on`` (PC-3.1, PC-3.2); every bound inclusive."""
    return (enrolled_on + timedelta(days=FIRST_CALL_DAYS),
            enrolled_on + timedelta(days=SECOND_CALL_FROM_DAYS),
            enrolled_on + timedelta(days=SECOND_CALL_BY_DAYS))


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def instant(when: date | datetime) -> datetime:
    """A day means the whole day (to its last instant, Japan time); an instant is itself."""
    return when if isinstance(when, datetime) else end_of_day(when)


# --- fold ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A dated fact: when it took effect, which fact says so, and one detail."""

    at: datetime
    event_id: str
    detail: str = ""

    @property
    def on(self) -> date:
        return jst_date(self.at)


@dataclass(frozen=True)
class Call:
    attempt: int
    outcome: str
    at: datetime
    window_from: date
    window_to: date
    late: bool
    early: bool
    event_id: str

    @property
    def on(self) -> date:
        return jst_date(self.at)


@dataclass
class Request:
    no: int
    at: datetime
    requester_relation_degree: int
    wants_unlock: bool
    beyond_front_door: bool
    phone_confirmed: bool
    event_id: str
    decision: str | None = None
    ledger_decision: str | None = None
    grounds: tuple[str, ...] = ()
    override_reason: str | None = None
    rules: tuple[str, ...] = ()
    decision_id: str = ""


@dataclass(frozen=True)
class Visit:
    request_no: int
    at: datetime
    result: str
    checks: VisitChecks
    signed: bool
    memo_left: bool
    report: str
    event_id: str


@dataclass
class Enrolment:
    enrolment_id: str
    holder_id: str = ""
    holder: Personal = field(default_factory=Personal)
    target: Personal = field(default_factory=Personal)
    relation_degree: int = 0
    enrolled: Mark | None = None
    first_call_by: date | None = None
    second_call_from: date | None = None
    second_call_by: date | None = None
    calls: list[Call] = field(default_factory=list)
    started: Mark | None = None
    not_obtained: Mark | None = None
    frequent: list[Mark] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    stop: Mark | None = None

    # --- queries ------------------------------------------------------------------

    @property
    def enrolled_on(self) -> date:
        assert self.enrolled is not None  # fold returns None without the enrolment fact
        return self.enrolled.on

    def state_on(self, when: date | datetime) -> str:
        """``pending_consent``, ``active``, ``consent_not_obtained`` or ``stopped`` at ``when``
        (a day counts whole: a fact effective at any time that day has happened)."""
        t = instant(when)
        if self.stop is not None and self.stop.at <= t:
            return "stopped"
        if self.started is not None and self.started.at <= t:
            return "active"
        if self.not_obtained is not None and self.not_obtained.at <= t:
            return "consent_not_obtained"
        return "pending_consent"

    def ended(self, when: date | datetime) -> Mark | None:
        """The fact that ended the enrolment by ``when`` (a stop, or consent not obtained), if any."""
        t = instant(when)
        ends = [m for m in (self.stop, self.not_obtained) if m is not None and m.at <= t]
        return min(ends, key=lambda m: m.at) if ends else None

    def call(self, attempt: int) -> Call | None:
        return next((c for c in self.calls if c.attempt == attempt), None)

    def consent_outcome(self, when: date | datetime) -> str | None:
        """``consented``, ``declined``, ``no_consent_after_two_calls`` or None (not yet decided)."""
        t = instant(when)
        if self.started is not None and self.started.at <= t:
            return "consented"
        if self.not_obtained is not None and self.not_obtained.at <= t:
            return self.not_obtained.detail
        return None

    def frequent_on(self, when: date | datetime) -> Mark | None:
        """PC-5.2: the earliest flag in force at ``when``, if any."""
        t = instant(when)
        flags = [f for f in self.frequent if f.at <= t]
        return min(flags, key=lambda f: f.at) if flags else None

    def target_registered(self) -> bool:
        """PC-6.4: the target's name and address are on record (not missing, not erased)."""
        return not self.target.erased and bool(self.target.name) and bool(self.target.address)

    def grounds_on(self, when: datetime, *, requester_relation_degree: int, wants_unlock: bool,
                   beyond_front_door: bool) -> list[str]:
        """The refusal grounds PC-6.1 … PC-6.6 in force for a request at ``when``, in rule order."""
        out = []
        if wants_unlock:
            out.append("PC-6.1")
        if beyond_front_door:
            out.append("PC-6.2")
        if requester_relation_degree > MAX_DEGREE:
            out.append("PC-6.3")
        if not self.target_registered():
            out.append("PC-6.4")
        if self.consent_outcome(when) != "consented":
            out.append("PC-6.5")
        if self.stop is not None and self.stop.at <= when:
            out.append("PC-6.6")
        return out

    def awaiting_visit(self, when: datetime) -> Request | None:
        """The latest request decided ``dispatch`` at or before ``when`` that has no visit yet."""
        visited = {v.request_no for v in self.visits}
        waiting = [r for r in self.requests if r.decision == "dispatch" and r.at <= when and r.no not in visited]
        return max(waiting, key=lambda r: (r.at, r.no)) if waiting else None

    def next_call(self, day: date) -> dict | None:
        """The consent call still expected on ``day`` (calls made on or before that day
        count as made), with its window: the first call from enrolment to E + 3
        (PC-3.1); after a first call that did not connect, the second, E + 3 … E + 7
        (PC-3.2). ``open`` once the window has begun, ``overdue`` once it has ended."""
        if day < self.enrolled_on or self.state_on(day) != "pending_consent":
            return None
        assert self.first_call_by is not None and self.second_call_from is not None
        assert self.second_call_by is not None
        made = {c.attempt: c for c in self.calls if c.on <= day}
        if 1 not in made:
            attempt, rule, window_from, due_on = 1, "PC-3.1", self.enrolled_on, self.first_call_by
        elif made[1].outcome == "no_answer" and 2 not in made:
            attempt, rule, window_from, due_on = 2, "PC-3.2", self.second_call_from, self.second_call_by
        else:
            return None
        return {"kind": f"consent_call_{attempt}", "attempt": attempt, "rule": rule, "from": window_from,
                "due_on": due_on, "open": day >= window_from, "overdue": day > due_on}

    def call_due(self, day: date) -> dict | None:
        """The consent call staff owe on ``day``: expected, and its window has begun."""
        expected = self.next_call(day)
        return expected if expected is not None and expected["open"] else None


# evolve runs for every fact of every replay: the event's exact class picks its
# change with one dict lookup (event classes are final, STYLE.md); an event this
# aggregate does not fold is skipped.


def _enrolled(en: Enrolment, e: PresenceCheckEnrolled) -> None:
    """PC-1, PC-2, PC-3.1: the holder, the one target, and the consent-call windows fixed at enrolment."""
    en.holder_id, en.holder, en.target, en.relation_degree = e.holder_id, e.holder, e.target, e.relation_degree
    en.enrolled = Mark(e.effective, e.event_id)
    en.first_call_by, en.second_call_from, en.second_call_by = e.first_call_by, e.second_call_from, e.second_call_by


def _call_made(en: Enrolment, e: ConsentCallMade) -> None:
    """PC-3.1, PC-3.2: a consent call, flagged late or early against its window."""
    en.calls.append(Call(e.attempt, e.outcome, e.effective, e.window_from, e.window_to, e.late, e.early,
                         e.event_id))


def _service_started(en: Enrolment, e: PresenceServiceStarted) -> None:
    """PC-3.3: the target consented; the service runs."""
    en.started = Mark(e.effective, e.event_id, "consented")


def _consent_not_obtained(en: Enrolment, e: PresenceConsentNotObtained) -> None:
    """PC-3.4: declined, or no consent after two calls."""
    en.not_obtained = Mark(e.effective, e.event_id, e.reason)


def _frequent_flagged(en: Enrolment, e: FrequentUserFlagged) -> None:
    """PC-5.2: the holder judged a very frequent user."""
    en.frequent.append(Mark(e.effective, e.event_id, e.reason or ""))


def _requested(en: Enrolment, e: PresenceCheckRequested) -> None:
    """PC-4.1: a request for a presence check, numbered on its stream."""
    en.requests.append(Request(e.request_no, e.effective, e.requester_relation_degree, e.wants_unlock,
                               e.beyond_front_door, e.phone_confirmed, e.event_id))


def _decided(en: Enrolment, e: PresenceCheckDispatched | PresenceConfirmedByPhone | PresenceCheckRefused) -> None:
    """PC-4.1, PC-5.2, PC-6.x: the decision on a request (dispatch, phone first, refused)."""
    for r in en.requests:
        if r.no == e.request_no:
            r.decision, r.ledger_decision, r.grounds = e.decision, e.ledger_decision, e.grounds
            r.override_reason, r.rules, r.decision_id = e.override_reason, e.rules, e.event_id


def _visited(en: Enrolment, e: PresenceVisitRecorded) -> None:
    """PC-4.2, PC-4.3: the visit for a dispatched request, at home or absent."""
    en.visits.append(Visit(e.request_no, e.effective, e.result, e.checks, e.signed, e.memo_left, e.report,
                           e.event_id))


def _stop_requested(en: Enrolment, e: PresenceStopRequested) -> None:
    """PC-6.6: the resident or their representative asked to stop."""
    en.stop = Mark(e.effective, e.event_id, e.by)


FOLD: dict[type[Event], Callable[[Enrolment, Any], None]] = {
    PresenceCheckEnrolled: _enrolled,
    ConsentCallMade: _call_made,
    PresenceServiceStarted: _service_started,
    PresenceConsentNotObtained: _consent_not_obtained,
    FrequentUserFlagged: _frequent_flagged,
    PresenceCheckRequested: _requested,
    PresenceCheckDispatched: _decided,
    PresenceConfirmedByPhone: _decided,
    PresenceCheckRefused: _decided,
    PresenceVisitRecorded: _visited,
    PresenceStopRequested: _stop_requested,
}


def evolve(en: Enrolment, e: Event) -> Enrolment:
    """Apply one fact. Never raises for a known event, never reads the clock."""
    change = FOLD.get(type(e))
    if change is not None:
        change(en, e)
    return en


def fold(enrolment_id: str, events: list[Event]) -> Enrolment | None:
    en = Enrolment(enrolment_id)
    for e in events:
        evolve(en, e)
    return en if en.enrolled is not None else None


def require(en: Enrolment | None, enrolment_id: str) -> Enrolment:
    if en is None:
        raise NotFound(
            f"Enrolment {enrolment_id} is not in the ledger: check the id, or enrol first (enrol_presence_check).",
            f"在宅確認の登録 {enrolment_id} は台帳にありません。IDを確認するか、先に登録してください（enrol_presence_check）。",
            field="enrolment_id",
        )
    return en


def _not_before_enrolment(en: Enrolment, at: datetime, what_en: str, what_ja: str, rule: str | None = None) -> None:
    assert en.enrolled is not None
    if at < en.enrolled.at:
        raise Refused(
            f"Enrolment {en.enrolment_id} was made at {en.enrolled.at.isoformat()}: {what_en} at {at.isoformat()} "
            "cannot come before it.",
            f"在宅確認の登録 {en.enrolment_id} は {en.enrolled.at.isoformat()} に行われました。"
            f"{at.isoformat()} の{what_ja}はそれより前にはできません。",
            rule=rule,
            code="before_enrolment",
        )


# --- decisions -------------------------------------------------------------------------


def _fresh_enrolment_id(existing: Enrolment | None, enrolment_id: str, leftovers: int) -> None:
    """An enrolment id names one enrolment: reused only once every fact on it was retracted."""
    if existing is None and leftovers:
        raise Refused(
            f"Enrolment id {enrolment_id} has {leftovers} fact(s) on record from a retracted enrolment; "
            "use a new enrolment id.",
            f"登録ID {enrolment_id} には取り消された登録の事実が {leftovers} 件残っています。新しいIDを使ってください。",
            code="already_exists",
        )
    if existing is not None:
        raise Refused(
            f"Enrolment {enrolment_id} already exists (enrolled {existing.enrolled_on}); use a new enrolment id.",
            f"在宅確認の登録 {enrolment_id} はすでに存在します（登録日 {existing.enrolled_on}）。新しいIDを使ってください。",
            code="already_exists",
        )


def _target_allowed(enrolment_id: str, holder_id: str, target: Personal, relation_degree: int) -> None:
    """PC-2: the target is family within the second degree (or a spouse), with name, address
    and phone registered (the phone for the consent calls)."""
    if relation_degree < 0:
        raise BadInput(f"relation_degree must be 0 (spouse) or a positive degree of kinship, not {relation_degree}.",
                       f"relation_degree は 0（配偶者）または親等数です（{relation_degree}）。", field="relation_degree")
    if relation_degree > MAX_DEGREE:
        raise Refused(
            f"Enrolment {enrolment_id}: the target is a relative of the {ordinal(relation_degree)} degree of "
            f"contract holder {holder_id}; only family within the second degree (or a spouse) can be the target.",
            f"在宅確認の登録 {enrolment_id}: 在宅確認先は契約者 {holder_id} の{relation_degree}親等の親族です。"
            "対象は二親等以内の家族（または配偶者）に限られます。",
            rule="PC-2",
        )
    missing = [k for k in ("name", "address", "phone") if not getattr(target, k)]
    if missing:
        raise Refused(
            f"Enrolment {enrolment_id}: the target's {', '.join(missing)} must be registered (the phone number is "
            "needed for the consent calls).",
            f"在宅確認の登録 {enrolment_id}: 在宅確認先の {', '.join(missing)} を登録してください（電話番号は承諾確認の電話に必要です）。",
            rule="PC-2",
        )


def _holder_free(claims: list[PresenceHolderClaimed], claimed: dict[str, Enrolment | None], enrolment_id: str,
                 holder_id: str, at: datetime) -> None:
    """PC-2: one target per contract holder at a time; a claim whose enrolment is retracted,
    stopped or without consent by ``at`` no longer blocks."""
    for c in claims:
        if c.enrolment_id == enrolment_id:
            continue
        other = claimed.get(c.enrolment_id)
        if other is None or other.ended(at) is not None:
            continue
        raise Refused(
            f"Contract holder {holder_id} already has a target enrolled under {c.enrolment_id} "
            f"({other.state_on(at)}): only one target per contract holder. A new enrolment is possible once "
            f"{c.enrolment_id} is stopped or its consent was not obtained.",
            f"契約者 {holder_id} はすでに {c.enrolment_id} で在宅確認先を登録しています（{other.state_on(at)}）。"
            f"対象はお一人に限ります。{c.enrolment_id} が停止されるか承諾が得られなかった後に新たに登録できます。",
            rule="PC-2",
        )


def decide_enrol(existing: Enrolment | None, claims: list[PresenceHolderClaimed], claimed: dict[str, Enrolment | None],
                 *, enrolment_id: str, holder_id: str, holder: Personal, target: Personal, relation_degree: int,
                 at: datetime, leftovers: int = 0) -> list[Draft]:
    """Enrol a contract holder's one target (PC-1, PC-2) and fix the consent-call windows (PC-3.1, PC-3.2).

    ``claims`` are the holder's claims as now known (stream ``holder:<id>``);
    ``claimed`` maps each claiming enrolment id to its fold. A claim blocks the
    new enrolment unless its enrolment is gone (retracted) or ended (stopped,
    consent not obtained) by ``at``. ``leftovers`` counts facts still in force on
    the enrolment's stream: an id whose enrolment was retracted is reused only
    once every fact on it was retracted, so no old call folds into a new enrolment.
    """
    _fresh_enrolment_id(existing, enrolment_id, leftovers)
    _target_allowed(enrolment_id, holder_id, target, relation_degree)
    _holder_free(claims, claimed, enrolment_id, holder_id, at)
    first_by, second_from, second_by = call_windows(jst_date(at))
    return [
        Draft(stream(enrolment_id), PresenceCheckEnrolled, {
            "enrolment_id": enrolment_id, "holder_id": holder_id, "holder": holder, "target": target,
            "relation_degree": relation_degree, "first_call_by": first_by, "second_call_from": second_from,
            "second_call_by": second_by,
        }, ("PC-1", "PC-2", "PC-3.1")),
        Draft(holder_stream(holder_id), PresenceHolderClaimed, {"holder_id": holder_id, "enrolment_id": enrolment_id},
              ("PC-2",)),
    ]


def _call_allowed(en: Enrolment, attempt: int, at: datetime, rule: str) -> None:
    """No call before the enrolment, none after a stop request (PC-6.6), none recorded twice."""
    eid = en.enrolment_id
    _not_before_enrolment(en, at, "a consent call", "承諾確認の電話", rule)
    if en.stop is not None and en.stop.at <= at:
        raise Refused(
            f"Enrolment {eid}: the resident asked to stop the service on {en.stop.on}; "
            "no consent call is made after that.",
            f"在宅確認の登録 {eid}: {en.stop.on} に居住者から停止の要請がありました。その後の承諾確認の電話はできません。",
            rule="PC-6.6",
        )
    if en.call(attempt) is not None:
        raise Refused(
            f"Enrolment {eid}: consent call {attempt} is already recorded ({en.call(attempt).event_id}); "
            "retract it first to correct it.",
            f"在宅確認の登録 {eid}: {attempt}回目の承諾確認の電話はすでに記録されています。訂正するには先に取り消してください。",
            rule=rule,
            code="already_recorded",
        )


class Window(NamedTuple):
    """A consent call's promised window, both days inclusive (PC-3.1, PC-3.2)."""

    opens: date
    closes: date


def _second_call_window(en: Enrolment, at: datetime) -> Window:
    """PC-3.2: a second call only after a first that did not connect, and not before it."""
    eid = en.enrolment_id
    first = en.call(1)
    if first is None:
        raise Refused(
            f"Enrolment {eid}: there is no first consent call on record; record attempt 1 before attempt 2.",
            f"在宅確認の登録 {eid}: 1回目の承諾確認の電話が記録されていません。先に1回目を記録してください。",
            rule="PC-3.2",
        )
    if first.outcome != "no_answer":
        raise Refused(
            f"Enrolment {eid}: the first call connected ({first.outcome}); a second call is made only if the "
            "first did not connect.",
            f"在宅確認の登録 {eid}: 1回目の電話は繋がりました（{first.outcome}）。2回目は1回目が繋がらなかった場合のみ行います。",
            rule="PC-3.2",
        )
    if at < first.at:
        raise Refused(
            f"Enrolment {eid}: the second call at {at.isoformat()} cannot come before the first at "
            f"{first.at.isoformat()}.",
            f"在宅確認の登録 {eid}: 2回目の電話（{at.isoformat()}）は1回目（{first.at.isoformat()}）より前にはできません。",
            rule="PC-3.2",
        )
    assert en.second_call_from is not None and en.second_call_by is not None  # fixed at enrolment
    return Window(en.second_call_from, en.second_call_by)


def _call_outcome(eid: str, attempt: int, outcome: str) -> list[Draft]:
    """PC-3.3: consent starts the service; PC-3.4: a refusal, or no consent after the second call, ends it."""
    if outcome == "consented":
        return [Draft(stream(eid), PresenceServiceStarted, {"attempt": attempt}, ("PC-3.3",))]
    if outcome == "declined":
        return [Draft(stream(eid), PresenceConsentNotObtained, {"reason": "declined", "attempt": attempt},
                      ("PC-3.4",))]
    if attempt == 2:
        return [Draft(stream(eid), PresenceConsentNotObtained,
                      {"reason": "no_consent_after_two_calls", "attempt": attempt}, ("PC-3.4",))]
    return []


def decide_call(en: Enrolment, attempt: int, outcome: str, at: datetime) -> list[Draft]:
    """Record consent call ``attempt`` (PC-3.1, PC-3.2) and what it decides (PC-3.3, PC-3.4).

    A call outside its promised window is still recorded, flagged ``late`` (after
    it) or ``early`` (a second call before E + 3).
    """
    rule = "PC-3.1" if attempt == 1 else "PC-3.2"
    _call_allowed(en, attempt, at, rule)
    assert en.first_call_by is not None  # fixed at enrolment
    window = Window(en.enrolled_on, en.first_call_by) if attempt == 1 else _second_call_window(en, at)
    day = jst_date(at)
    return [
        Draft(stream(en.enrolment_id), ConsentCallMade, {
            "attempt": attempt, "outcome": outcome, "window_from": window.opens, "window_to": window.closes,
            "late": day > window.closes, "early": day < window.opens,
        }, (rule,)),
        *_call_outcome(en.enrolment_id, attempt, outcome),
    ]


def decide_flag(en: Enrolment, reason: str | None, at: datetime) -> list[Draft]:
    """The company judges the contract holder a very frequent user (PC-5.2)."""
    _not_before_enrolment(en, at, "the frequent-user flag", "利用頻度の判断", "PC-5.2")
    flag = en.frequent_on(at)
    if flag is not None:
        raise Refused(
            f"Enrolment {en.enrolment_id} is already flagged as a frequent user since {flag.on} ({flag.event_id}).",
            f"在宅確認の登録 {en.enrolment_id} は {flag.on} から利用頻度が著しく多いと判断済みです。",
            rule="PC-5.2",
            code="no_change",
        )
    return [Draft(stream(en.enrolment_id), FrequentUserFlagged, {"reason": reason}, ("PC-5.2",))]


def _request_allowed(en: Enrolment | None, enrolment_id: str, at: datetime,
                     requester_relation_degree: int) -> Enrolment:
    """PC-6.4: a request needs a completed enrolment, made before the request."""
    if en is None:
        raise Refused(
            f"No target is registered under enrolment {enrolment_id}: a presence check needs a completed enrolment "
            "(enrol_presence_check).",
            f"登録 {enrolment_id} には在宅確認先が登録されていません。在宅確認には利用者登録が必要です（enrol_presence_check）。",
            rule="PC-6.4",
        )
    _not_before_enrolment(en, at, "a request", "在宅確認の依頼", "PC-6.4")
    if requester_relation_degree < 0:
        raise BadInput(f"requester_relation_degree must be 0 or more, not {requester_relation_degree}.",
                       f"requester_relation_degree は 0 以上です（{requester_relation_degree}）。",
                       field="requester_relation_degree")
    return en


def _ledger_decision(grounds: list[str], frequent: bool, phone_confirmed: bool) -> str:
    """PC-6.x: refused on any ground in force; PC-5.2: a frequent user confirmed by phone
    needs no visit; else PC-4.1: staff are dispatched."""
    if grounds:
        return "refused"
    if frequent and phone_confirmed:
        return "phone_first"
    return "dispatch"


def _final_decision(enrolment_id: str, ledger: str, grounds: list[str], frequent: bool, outcome: str | None,
                    override_reason: str | None) -> str:
    """Staff may record another outcome than the ledger's only with an override_reason
    (refused citing the rule the ledger applied)."""
    if override_reason and outcome is None:
        raise BadInput("override_reason records a different outcome: give the outcome too.",
                       "override_reason は別の結果を記録するためのものです。outcome も指定してください。", field="outcome")
    final = outcome or ledger
    if final != ledger and not override_reason:
        cited = grounds or (["PC-5.2"] if frequent else ["PC-4.1"])
        raise Refused(
            f"Enrolment {enrolment_id}: the ledger decides '{ledger}' for this request ({', '.join(cited)}); "
            f"to record '{final}' instead, give override_reason.",
            f"在宅確認の登録 {enrolment_id}: この依頼に対する台帳の判断は「{ledger}」です（{', '.join(cited)}）。"
            f"「{final}」と記録するには override_reason を指定してください。",
            rule=cited[0],
            code="override_needed",
        )
    return final


def _decision_rules(final: str, grounds: list[str], frequent: bool) -> tuple[str, ...]:
    """The rules a recorded decision cites: the grounds of a refusal (PC-6.x), PC-5.2 for a
    phone-first, PC-4.1 for a dispatch (with PC-5.2 for a frequent user)."""
    if final == "refused":
        return tuple(grounds)
    if final == "phone_first":
        return ("PC-5.2",)
    return ("PC-5.2", "PC-4.1") if frequent else ("PC-4.1",)


def decide_request(en: Enrolment | None, enrolment_id: str, at: datetime, *, requester_relation_degree: int,
                   wants_unlock: bool, beyond_front_door: bool, phone_confirmed: bool,
                   outcome: str | None = None, override_reason: str | None = None,
                   request_no: int | None = None) -> list[Draft]:
    """Record a request for a presence check and the decision on it.

    Refused when a ground PC-6.1 … PC-6.6 is in force at ``at`` (every ground in
    force is listed). Otherwise staff are dispatched (PC-4.1) — except for a
    frequent user (PC-5.2): the target is phoned first, and staff are sent only
    if the call did not confirm presence (``phone_confirmed``).
    Staff may record a different ``outcome`` with an ``override_reason``.
    ``request_no`` numbers the request on its stream (default: after the requests
    in force; the handler counts retracted ones too, so a number is never reused).
    """
    en = _request_allowed(en, enrolment_id, at, requester_relation_degree)
    grounds = en.grounds_on(at, requester_relation_degree=requester_relation_degree, wants_unlock=wants_unlock,
                            beyond_front_door=beyond_front_door)
    frequent = en.frequent_on(at) is not None
    ledger = _ledger_decision(grounds, frequent, phone_confirmed)
    final = _final_decision(enrolment_id, ledger, grounds, frequent, outcome, override_reason)
    no = request_no or len(en.requests) + 1
    return [
        Draft(stream(enrolment_id), PresenceCheckRequested, {
            "request_no": no, "requester_relation_degree": requester_relation_degree, "wants_unlock": wants_unlock,
            "beyond_front_door": beyond_front_door, "phone_confirmed": phone_confirmed,
        }, ("PC-4.1",)),
        Draft(stream(enrolment_id), DECISION_EVENTS[final], {
            "request_no": no, "decision": final, "ledger_decision": ledger, "grounds": tuple(grounds),
            "override_reason": override_reason if final != ledger else None,
        }, _decision_rules(final, grounds, frequent)),
    ]


def decide_visit(en: Enrolment, at: datetime, result: str, checks: VisitChecks, signed: bool) -> list[Draft]:
    """Record the visit for the latest dispatched request (PC-4.1): at home (PC-4.2),
    or absent with a memo left in the mailbox (PC-4.3); either way the result is
    reported to the contract holder. The target's signature on the service form is
    part of the procedure, not a condition of the result: an at-home visit without
    one is recorded as at home with ``signed: false`` so the gap stays visible."""
    eid = en.enrolment_id
    req = en.awaiting_visit(at)
    if req is None:
        raise Refused(
            f"Enrolment {eid}: no request decided 'dispatch' at or before {at.isoformat()} is waiting for a visit; "
            "record the request first (request_presence_check).",
            f"在宅確認の登録 {eid}: {at.isoformat()} までに駆付けと判断され訪問待ちの依頼がありません。先に依頼を記録してください。",
            rule="PC-4.1",
            code="no_dispatch",
        )
    if result == "absent" and signed:
        raise BadInput(
            f"Enrolment {eid}: the target was absent, so nobody signed the service form; record signed=false.",
            f"在宅確認の登録 {eid}: 不在の場合はサービス書にサインはありません。signed=false としてください。",
            rule="PC-4.3",
            field="signed",
        )
    at_home = result == "at_home"
    return [Draft(stream(eid), PresenceVisitRecorded, {
        "request_no": req.no, "result": result, "checks": checks, "signed": signed, "memo_left": not at_home,
        "report": "presence_confirmed" if at_home else "presence_not_confirmed",
    }, ("PC-4.1", "PC-4.2" if at_home else "PC-4.3"))]


def decide_stop(en: Enrolment, by: str, at: datetime) -> list[Draft]:
    """The resident of the registered address, or their representative, asks to stop (PC-6.6)."""
    _not_before_enrolment(en, at, "a stop request", "停止の要請", "PC-6.6")
    if en.stop is not None:
        raise Refused(
            f"Enrolment {en.enrolment_id} was already stopped on {en.stop.on} ({en.stop.event_id}).",
            f"在宅確認の登録 {en.enrolment_id} は {en.stop.on} にすでに停止されています。",
            rule="PC-6.6",
            code="no_change",
        )
    return [Draft(stream(en.enrolment_id), PresenceStopRequested, {"by": by}, ("PC-6.6",))]
