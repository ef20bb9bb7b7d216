"""Ie-Sapo inspections of one house: stream ``inspection:<property_id>``.

Order: Events (ledger.events) -> Schedule (``slot``, IE-6.dates) -> Fold
(``evolve``) -> Who is owed (``owed``) -> Decisions (``decide_*``) -> Queries
(``report_kept_until``, ``inspection_grounds``).

Why a stream of its own and not ``property:<id>``: the inspection history is the
house's, across owners (IE-19.5), like the property stream; but the property
stream is the registration aggregate (acceptances append member links to it),
and inspection work is entered by other people at other times. Keeping the two
apart means an inspection entry never conflicts with an acceptance, the
property's own history stays short, and the lifecycle code can read one small
stream for the IE-14.3.8 ground (``inspection_grounds``).

Who an inspection is owed to is decided from the members' own facts through
``Member.blocked_on`` (the one place that says when a member can use services),
evaluated on the first day of the designated month (IE-17.3.2 reading), plus
IE-6.6 (a member who ceases before the inspection is done is owed nothing more).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ledger import dates
from ledger.errors import BadInput, Refused
from ledger.events import (
    Event,
    InspectionCompleted,
    InspectionFailed,
    InspectionNoticeSent,
    InspectionScheduled,
    RepairEstimatePresented,
    RepairEstimateRequested,
)
from ledger.facts import Draft
from ledger.member import Ground, Member
from ledger.property import Property
from ledger.streams import StreamKind

YEARS = (5, 10, 15, 20, 25, 30)
HOUSING_PARTY_YEARS = (10, 20)  # IE-6.4.2; the others are IE-6.4.1
NOTICE_MONTHS = 3  # IE-6.4.1, IE-6.4.2: notice at least 3 months before
RETENTION_YEARS = 10  # IE-9.1 (a dated parameter the company may change, Art. 9(2))
PARTY_JA = {"inspection_company": "点検担当会社", "housing_party": "住宅事業当事会社"}


PREFIX = "inspection:"  # this module's; see ledger.member.PREFIX

_KIND = StreamKind(PREFIX)
stream, is_stream, ident = _KIND.of, _KIND.holds, _KIND.ident


def inspected_by(year: int) -> tuple[str, ...]:
    """IE-6.4.2: in years 10 and 20 the housing business party and the inspection
    company both inspect (possibly on different days); otherwise the inspection company."""
    return ("housing_party", "inspection_company") if year in HOUSING_PARTY_YEARS else ("inspection_company",)


def party_rule(year: int) -> str:
    return "IE-6.4.2" if year in HOUSING_PARTY_YEARS else "IE-6.4.1"


def check_year(year: int) -> None:
    if year not in YEARS:
        raise BadInput(
            f"year must be one of the Ie-Sapo inspection years {', '.join(map(str, YEARS))}, not {year}.",
            f"year は家サポ点検の年（{'、'.join(map(str, YEARS))}）のいずれかです（{year}）。",
            field="year",
        )


# --- the schedule (IE-6.dates) ---------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """The dates of one inspection year of one house."""

    year: int
    starts_on: date  # first day of the N-th year counted from delivery (delivery day = day 1)
    due_on: date  # last day of the N-th year
    designated_month: date  # first day of the designated month (点検指定月)
    notice_by: date  # last day the notice may be sent
    window_end: date  # last day of the month after the designated month (IE-14.3.8)
    noticed_by: str
    inspected_by: tuple[str, ...]

    @property
    def month(self) -> str:
        return self.designated_month.strftime("%Y-%m")


# Pure and asked again and again (every house, every year, every day a list or a dated view
# looks at): computed once per house and year.
@lru_cache(maxsize=65536)
def slot(delivered_on: date, year: int, designated_month: date | None = None) -> Slot:
    """IE-6.dates: the year-N inspection of a house delivered on D.

    Year N runs from the first day after N-1 years counted from D (D is day 1,
    起算日) to the last day of N years (Civil Code Art. 143: delivered
    2024-02-29, year 5 is 2028-02-29 .. 2029-02-28). The designated month is the
    month stated in the notice, else (our reading) the month of ``due_on``. The
    notice is due by the day before (first day of the designated month - 3
    months): delivered 2020-03-15, designated March 2025 -> by 2024-11-30.
    """
    starts = delivered_on if year == 1 else dates.period_end(delivered_on, 12 * (year - 1)) + dates.ONE_DAY
    due = dates.period_end(delivered_on, 12 * year)
    month = (designated_month or due).replace(day=1)
    return Slot(
        year=year,
        starts_on=starts,
        due_on=due,
        designated_month=month,
        notice_by=dates.by_months_before(month, NOTICE_MONTHS),
        window_end=dates.last_of_month(dates.add_months(month, 1)),
        noticed_by="housing_party" if year in HOUSING_PARTY_YEARS else "inspection_company",
        inspected_by=inspected_by(year),
    )


def slots(delivered_on: date) -> list[Slot]:
    return [slot(delivered_on, y) for y in YEARS]


# --- the fold ----------------------------------------------------------------------


@dataclass
class Estimate:
    requested: RepairEstimateRequested
    presented: RepairEstimatePresented | None = None


@dataclass
class YearRecord:
    year: int
    notice: InspectionNoticeSent | None = None
    schedules: list[InspectionScheduled] = field(default_factory=list)
    completions: list[InspectionCompleted] = field(default_factory=list)
    failures: list[InspectionFailed] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)

    def completed_by(self, party: str) -> InspectionCompleted | None:
        return next((c for c in self.completions if c.by == party), None)

    def scheduled_by(self, party: str) -> InspectionScheduled | None:
        found = [s for s in self.schedules if s.by == party]
        return found[-1] if found else None

    def done(self, s: Slot) -> bool:
        """Every party that inspects in this year has completed (IE-6.4.2: two in years 10 and 20)."""
        return all(self.completed_by(p) is not None for p in s.inspected_by)

    def failure(self, s: Slot) -> InspectionFailed | None:
        """The failure that stands: IE-12.4 always; IE-14.3.8 unless the inspection
        was still done by the end of the month after the designated month."""
        for f in self.failures:
            if f.rule == "IE-14.3.8" and self.done(s) and max(c.on for c in self.completions) <= s.window_end:
                continue
            return f
        return None

    def open_estimate(self) -> Estimate | None:
        return next((e for e in self.estimates if e.presented is None), None)

    def event_ids(self) -> list[str]:
        out = [self.notice.event_id] if self.notice else []
        out += [e.event_id for e in (*self.schedules, *self.completions, *self.failures)]
        for est in self.estimates:
            out.append(est.requested.event_id)
            if est.presented:
                out.append(est.presented.event_id)
        return out


@dataclass
class Inspections:
    property_id: str
    years: dict[int, YearRecord] = field(default_factory=dict)
    report_ids: set[str] = field(default_factory=set)

    def record(self, year: int) -> YearRecord:
        return self.years.setdefault(year, YearRecord(year))

    def slot(self, delivered_on: date, year: int) -> Slot:
        rec = self.years.get(year)
        stated = rec.notice.designated_month if rec and rec.notice else None
        return slot(delivered_on, year, stated)


def evolve(ins: Inspections, e: Event) -> Inspections:
    """Apply one fact. Never raises for a known event, never reads the clock."""
    if isinstance(e, InspectionNoticeSent):
        ins.record(e.year).notice = ins.record(e.year).notice or e
    elif isinstance(e, InspectionScheduled):
        ins.record(e.year).schedules.append(e)
    elif isinstance(e, InspectionCompleted):
        ins.record(e.year).completions.append(e)
        ins.report_ids.add(e.report_id)
    elif isinstance(e, InspectionFailed):
        ins.record(e.year).failures.append(e)
    elif isinstance(e, RepairEstimateRequested):
        ins.record(e.year).estimates.append(Estimate(e))
    elif isinstance(e, RepairEstimatePresented):
        open_ = ins.record(e.year).open_estimate()
        if open_ is not None:
            open_.presented = e
    return ins


def fold(property_id: str, events: list[Event]) -> Inspections:
    ins = Inspections(property_id)
    for e in events:
        evolve(ins, e)
    return ins


# --- who an inspection is owed to ------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """Whether a year's inspection is owed, to whom, and the rules and facts that say so."""

    member_id: str | None
    owed: bool
    rules: tuple[str, ...]
    because: tuple[str, ...] = ()


def registered(prop: Property, members: dict[str, Member]) -> list[Member]:
    """The property's members whose acceptance still stands, in order of start.

    The property stream keeps the link of a retracted acceptance, so the
    member's own fold decides."""
    out: dict[str, Member] = {}
    for mid in (h.member_id for h in prop.members):
        m = members.get(mid)
        if m is not None and m.accepted is not None:
            out.setdefault(mid, m)
    return sorted(out.values(), key=lambda m: m.accepted.start)


def unreachable(ins: "Inspections | None", member_id: str, before_year: int) -> InspectionFailed | None:
    """IE-6.6: the member could not be reached while an earlier year's date was
    being arranged (recorded as a failure citing IE-6.6): no further Ie-Sapo
    inspection is owed to that member."""
    if ins is None:
        return None
    for year, rec in sorted(ins.years.items()):
        if year < before_year:
            for f in rec.failures:
                if f.rule == "IE-6.6" and f.member_id == member_id:
                    return f
    return None


def owed(s: Slot, prop: Property, members: dict[str, Member], cutoff: date | None = None,
         ins: "Inspections | None" = None) -> Owed:
    """Is the inspection of slot ``s`` owed, and to whom (IE-17.3.2 reading)?

    It is owed to the member with the latest start on or before the first day
    of the designated month, if that member can use services on that day
    (``Member.blocked_on``: IE-14.6, IE-13.1, IE-18, ...); never during a
    suspension or an approved rental, which are then never the member's failure.
    A member who ceases (withdrawal, revocation) on or before ``cutoff`` (the
    day the inspection is done or decided; by default the end of the month
    after the designated month) is owed nothing more (IE-6.6, IE-A1.4).
    """
    regs = registered(prop, members)
    first = s.designated_month
    before = [m for m in regs if m.accepted.start <= first]
    if not before:
        later = [m for m in regs if m.accepted.start > first]
        if later:
            m = later[0]
            rule = "IE-17.3.2" if m.acquirer == "secondary" else "IE-3.1.1"
            return Owed(None, False, (rule,), (m.accepted.event_id,))
        return Owed(None, False, ("IE-2.1",), (prop.event_id,))
    m = before[-1]
    because = [m.accepted.event_id]
    # A secondary acquirer starting after the designated month misses it (IE-17.3.2).
    missed = [x for x in regs if x.accepted.start > first and x.acquirer == "secondary"]
    blocked = m.blocked_on(first)["inspection"]
    if blocked:
        extra = ["IE-17.3.2"] if missed and "IE-14.6" in blocked else []
        return Owed(m.member_id, False, tuple(blocked + extra),
                    tuple(because + m.state_because(first) + [x.accepted.event_id for x in missed[:1] if extra]))
    gone = unreachable(ins, m.member_id, s.year)
    if gone is not None:
        return Owed(m.member_id, False, ("IE-6.6",), tuple(because + [gone.event_id]))
    ceased = m.ceased_on()
    if ceased is not None and ceased <= (cutoff or s.window_end):
        rules = ("IE-6.6", "IE-17.3.2") if missed else ("IE-6.6", "IE-A1.4")
        return Owed(m.member_id, False, rules,
                    tuple(because + m.state_because(ceased) + [x.accepted.event_id for x in missed[:1]]))
    rules = [party_rule(s.year)] + (["IE-17.3.2"] if m.acquirer == "secondary" else [])
    return Owed(m.member_id, True, tuple(rules), tuple(because))


def _not_owed(s: Slot, prop: Property, o: Owed, action_en: str, action_ja: str) -> Refused:
    why = {
        "IE-13.1": ("the member is suspended then; it is not given and never counts as the member's failure",
                    "会員はその時点で利用停止中です。点検は行われず、会員の不履行にもなりません"),
        "IE-18": ("the house is let under an approved rental then; it is not given and never counts as the member's failure",
                  "その時点で承諾された賃貸借期間中です。点検は行われず、会員の不履行にもなりません"),
        "IE-17.3.2": ("the secondary acquirer's membership starts after the designated month",
                      "2次取得者等の利用開始日が点検指定月より後です"),
        "IE-6.6": ("the member ceased to be a member, or could not be reached, before it was done; "
                   "no further inspection is owed",
                   "実施前に会員が退会したか連絡が取れませんでした。それ以降の家サポ点検の義務はありません"),
        "IE-2.1": ("nobody is a member for this house then", "その時点でこの物件の会員はいません"),
    }
    en, ja = why.get(o.rules[0], (f"the member cannot use services then ({', '.join(o.rules)})",
                                  f"その時点で会員はサービスを利用できません（{', '.join(o.rules)}）"))
    who = f" to {o.member_id}" if o.member_id else ""
    return Refused(
        f"Property {prop.property_id}: the year-{s.year} inspection (designated month {s.month}) is not owed{who}: "
        f"{en}; it cannot be {action_en}.",
        f"物件 {prop.property_id}: {s.year}年目の家サポ点検（点検指定月 {s.month}）は義務の対象外です。{ja}。{action_ja}できません。",
        rule=o.rules[0],
        code="not_owed",
    )


# --- decisions ---------------------------------------------------------------------------


def _party(s: Slot, by: str, *, notice: bool) -> None:
    allowed = (s.noticed_by,) if notice else s.inspected_by
    if by not in allowed:
        what_en = "sends the notice" if notice else "inspects"
        what_ja = "通知します" if notice else "点検します"
        names = " and ".join(allowed)
        raise Refused(
            f"In year {s.year} the {names} {what_en}, not the {by}.",
            f"{s.year}年目は{'及び'.join(PARTY_JA[p] for p in allowed)}が{what_ja}（{PARTY_JA.get(by, by)}ではありません）。",
            rule=party_rule(s.year),
            field="by",
        )


def _closed(ins: Inspections, rec: YearRecord, s: Slot, by: str | None, action_en: str, action_ja: str,
            allow_member_failure: bool = False) -> None:
    f = rec.failure(s)
    if f is not None and not (allow_member_failure and f.rule == "IE-14.3.8"):
        raise Refused(
            f"Property {ins.property_id}: the year-{s.year} inspection was recorded as failed ({f.rule}) on {f.on}; "
            f"it cannot be {action_en}.",
            f"物件 {ins.property_id}: {s.year}年目の家サポ点検は {f.on} に不実施（{f.rule}）として記録済みです。{action_ja}できません。",
            rule=f.rule,
            code="already_failed",
        )
    done = rec.completed_by(by) if by else (rec.completions[0] if rec.done(s) else None)
    if done is not None:
        raise Refused(
            f"Property {ins.property_id}: the year-{s.year} inspection by the {done.by} was completed on {done.on} "
            f"(report {done.report_id}); it cannot be {action_en}.",
            f"物件 {ins.property_id}: {s.year}年目の{PARTY_JA[done.by]}の点検は {done.on} に実施済みです（報告書 {done.report_id}）。"
            f"{action_ja}できません。",
            code="already_done",
        )


def _needs_notice(ins: Inspections, rec: YearRecord, s: Slot, action_en: str, action_ja: str) -> InspectionNoticeSent:
    if rec.notice is None:
        raise Refused(
            f"Property {ins.property_id}: no notice of the year-{s.year} inspection is recorded; "
            f"record the notice (send_inspection_notice) before it can be {action_en}.",
            f"物件 {ins.property_id}: {s.year}年目の家サポ点検の通知が記録されていません。{action_ja}前に通知を記録してください（send_inspection_notice）。",
            rule=party_rule(s.year),
            code="not_noticed",
        )
    return rec.notice


def decide_notice(ins: Inspections, prop: Property, members: dict[str, Member], *, year: int, by: str, on: date,
                  designated_month: date | None = None) -> list[Draft]:
    """Send the year-N notice (IE-6.4.1 / IE-6.4.2) on ``on``.

    The designated month (default: the month of ``due_on``) must overlap year
    N (IE-6.dates). A notice later than ``notice_by`` is recorded with
    ``in_time`` false: it is the company's deadline, not the member's."""
    check_year(year)
    s = slot(prop.delivered_on, year, designated_month)
    if designated_month is not None and not (s.designated_month <= s.due_on
                                             and dates.last_of_month(s.designated_month) >= s.starts_on):
        raise Refused(
            f"Property {prop.property_id}: the designated month {s.month} is outside the {year}th year "
            f"({s.starts_on} .. {s.due_on}).",
            f"物件 {prop.property_id}: 点検指定月 {s.month} は{year}年目（{s.starts_on}〜{s.due_on}）の外です。",
            rule="IE-6.dates",
            field="designated_month",
        )
    _party(s, by, notice=True)
    rec = ins.years.get(year) or YearRecord(year)
    if rec.notice is not None:
        raise Refused(
            f"Property {prop.property_id}: the year-{year} inspection notice was already sent on {rec.notice.on} "
            f"(designated month {rec.notice.designated_month.strftime('%Y-%m')}).",
            f"物件 {prop.property_id}: {year}年目の家サポ点検の通知は {rec.notice.on} に送付済みです。",
            code="already_noticed",
        )
    o = owed(s, prop, members, ins=ins)
    if not o.owed:
        raise _not_owed(s, prop, o, "noticed", "通知")
    assert o.member_id is not None
    return [Draft(stream(prop.property_id), InspectionNoticeSent, {
        "property_id": prop.property_id, "year": year, "by": by, "member_id": o.member_id,
        "designated_month": s.designated_month, "due_on": s.due_on, "notice_by": s.notice_by,
        "in_time": on <= s.notice_by,
    }, (*o.rules, "IE-6.dates"))]


def decide_schedule(ins: Inspections, prop: Property, members: dict[str, Member], *, year: int, by: str, on: date,
                    inspection_on: date | None = None) -> list[Draft]:
    """Record the inspection date agreed with the member (IE-6.4.1 / IE-6.4.2); a new
    date may replace an earlier one (the member told the party in advance)."""
    check_year(year)
    rec = ins.years.get(year) or YearRecord(year)
    s = ins.slot(prop.delivered_on, year)
    _party(s, by, notice=False)
    _needs_notice(ins, rec, s, "scheduled", "日程調整")
    _closed(ins, rec, s, by, "scheduled", "日程調整")
    if inspection_on is not None and inspection_on < on:
        raise BadInput(
            f"inspection_on ({inspection_on}) is before the day the date was agreed ({on}).",
            f"inspection_on（{inspection_on}）が日程を決めた日（{on}）より前です。",
            field="inspection_on",
        )
    o = owed(s, prop, members, cutoff=on, ins=ins)
    if not o.owed:
        raise _not_owed(s, prop, o, "scheduled", "日程調整")
    return [Draft(stream(prop.property_id), InspectionScheduled, {
        "property_id": prop.property_id, "year": year, "by": by, "member_id": o.member_id,
        "inspection_on": inspection_on,
    }, (party_rule(year),))]


def decide_complete(ins: Inspections, prop: Property, members: dict[str, Member], *, year: int, by: str, on: date,
                    report_id: str, repairs_needed: bool) -> list[Draft]:
    """The party inspected on ``on`` and made report ``report_id`` (IE-7).

    Needs an agreed date (IE-6.4.x). After an IE-14.3.8 failure the inspection
    may still be done up to the end of the month after the designated month,
    which then removes the ground. The report is kept 10 years counted from
    ``on`` (the creation day is day 1, IE-9.1)."""
    check_year(year)
    rec = ins.years.get(year) or YearRecord(year)
    s = ins.slot(prop.delivered_on, year)
    _party(s, by, notice=False)
    _needs_notice(ins, rec, s, "completed", "実施記録")
    _closed(ins, rec, s, by, "completed", "実施記録", allow_member_failure=on <= s.window_end)
    if rec.scheduled_by(by) is None:
        raise Refused(
            f"Property {prop.property_id}: no date was agreed for the year-{year} inspection by the {by}; "
            "record it first (schedule_inspection).",
            f"物件 {prop.property_id}: {year}年目の{PARTY_JA[by]}の点検日時が決まっていません。先に記録してください（schedule_inspection）。",
            rule=party_rule(year),
            code="not_scheduled",
        )
    if report_id in ins.report_ids:
        raise Refused(
            f"Report {report_id} is already recorded for property {prop.property_id}; a report id is used once.",
            f"報告書 {report_id} は物件 {prop.property_id} についてすでに記録されています。",
            code="duplicate_report", field="report_id",
        )
    o = owed(s, prop, members, cutoff=on, ins=ins)
    if not o.owed:
        raise _not_owed(s, prop, o, "completed", "実施記録")
    return [Draft(stream(prop.property_id), InspectionCompleted, {
        "property_id": prop.property_id, "year": year, "by": by, "member_id": o.member_id,
        "report_id": report_id, "repairs_needed": repairs_needed, "retention_years": RETENTION_YEARS,
        "kept_until": dates.period_end(on, 12 * RETENTION_YEARS),
    }, (party_rule(year), "IE-7", "IE-9.1"))]


def decide_failure(ins: Inspections, prop: Property, members: dict[str, Member], *, year: int, by: str, on: date,
                   rule: str, reason: str | None = None) -> list[Draft]:
    """Record that the inspection could not be done.

    IE-12.4: the house was not kept inspectable; the inspection is refused and
    nothing more is owed for this year. IE-14.3.8: the member's circumstances
    prevented it despite good-faith arrangement; the revocation ground arises
    once the month after the designated month has ended (``ground_from``), unless
    the inspection is still done by then. IE-6.6: the member could not be reached
    while the date was being arranged; nothing more is owed to that member, this
    year or later (``unreachable``). Never during a suspension or an
    approved rental: then the inspection is simply not owed (IE-6.dates)."""
    check_year(year)
    if rule not in ("IE-12.4", "IE-14.3.8", "IE-6.6"):
        raise BadInput(f"rule must be IE-12.4, IE-14.3.8 or IE-6.6, not {rule}.",
                       f"rule は IE-12.4、IE-14.3.8、IE-6.6 のいずれかです（{rule}）。", field="rule")
    rec = ins.years.get(year) or YearRecord(year)
    s = ins.slot(prop.delivered_on, year)
    _party(s, by, notice=False)
    _needs_notice(ins, rec, s, "recorded as failed", "不実施の記録")
    _closed(ins, rec, s, None, "recorded as failed", "不実施の記録")
    if rec.completed_by(by) is not None:
        raise Refused(
            f"Property {prop.property_id}: the year-{year} inspection by the {by} was already completed.",
            f"物件 {prop.property_id}: {year}年目の{PARTY_JA[by]}の点検は実施済みです。",
            code="already_done",
        )
    o = owed(s, prop, members, cutoff=on, ins=ins)
    if not o.owed:
        raise _not_owed(s, prop, o, "recorded as the member's failure", "会員の不履行として記録")
    ground_from = dates.add_months(s.designated_month, 2) if rule == "IE-14.3.8" else None
    return [Draft(stream(prop.property_id), InspectionFailed, {
        "property_id": prop.property_id, "year": year, "by": by, "member_id": o.member_id,
        "rule": rule, "reason": reason, "ground_from": ground_from,
    }, (rule,))]


def holder_on(prop: Property, members: dict[str, Member], owner_id: str | None) -> Member | None:
    """The member who holds a report first owed to ``owner_id``: the owner, or the
    secondary acquirer(s) it passed to (IE-19.5)."""
    cur = members.get(owner_id) if owner_id else None
    seen: set[str] = set()
    while cur is not None and cur.member_id not in seen:
        seen.add(cur.member_id)
        nxt = successor(cur, members)
        if nxt is None:
            return cur
        cur = nxt
    return cur


def successor(m: Member, members: dict[str, Member]) -> Member | None:
    """The secondary acquirer registered for the house after ``m`` (IE-14.2, IE-19.5)."""
    named = m.withdrawn.successor_id if m.withdrawn is not None else None
    found = [x for x in members.values() if x.accepted is not None and x.acquirer == "secondary"
             and (x.previous_member_id == m.member_id or x.member_id == named)]
    return min(found, key=lambda x: x.accepted.start) if found else None


def decide_request_estimate(ins: Inspections, prop: Property, members: dict[str, Member], *, year: int,
                            on: date) -> list[Draft]:
    """The member asks for a repair estimate after an inspection that found repairs
    needed (IE-7). Repair consulting is a service: the member holding the report
    must be able to use services on ``on``."""
    check_year(year)
    rec = ins.years.get(year) or YearRecord(year)
    needing = [c for c in rec.completions if c.repairs_needed]
    if not needing:
        raise Refused(
            f"Property {prop.property_id}: no year-{year} inspection report found repairs needed; there is nothing to estimate.",
            f"物件 {prop.property_id}: {year}年目の点検報告で修理・補修が必要とされていません。見積の対象がありません。",
            rule="IE-7",
            code="no_repairs",
        )
    if rec.open_estimate() is not None:
        req = rec.open_estimate().requested
        raise Refused(
            f"Property {prop.property_id}: an estimate for year {year} was requested on {req.on} and not yet presented.",
            f"物件 {prop.property_id}: {year}年目の見積は {req.on} に依頼済みで、まだ提示されていません。",
            rule="IE-7",
            code="estimate_open",
        )
    holder = holder_on(prop, members, needing[0].member_id)
    blocked = holder.blocked_on(on)["inspection"] if holder is not None else ["IE-14.6"]
    if holder is None or blocked:
        who = holder.member_id if holder else needing[0].member_id
        raise Refused(
            f"Member {who} cannot use the Ie-Sapo services on {on} ({', '.join(blocked)}); no estimate can be requested.",
            f"会員 {who} は {on} に本サービスを利用できません（{', '.join(blocked)}）。見積を依頼できません。",
            rule=blocked[0],
        )
    return [Draft(stream(prop.property_id), RepairEstimateRequested,
                  {"property_id": prop.property_id, "year": year, "member_id": holder.member_id}, ("IE-7",))]


def decide_present_estimate(ins: Inspections, *, year: int, amount: int) -> list[Draft]:
    """The estimate requested is presented to the member (IE-7)."""
    check_year(year)
    rec = ins.years.get(year) or YearRecord(year)
    est = rec.open_estimate()
    if est is None:
        raise Refused(
            f"Property {ins.property_id}: no estimate for year {year} is waiting to be presented; record the request first (request_estimate).",
            f"物件 {ins.property_id}: {year}年目の提示待ちの見積はありません。先に依頼を記録してください（request_estimate）。",
            rule="IE-7",
            code="no_request",
        )
    return [Draft(stream(ins.property_id), RepairEstimatePresented, {
        "property_id": ins.property_id, "year": year, "member_id": est.requested.member_id, "amount": amount,
    }, ("IE-7",))]


# --- queries -------------------------------------------------------------------------------------


def report_kept_until(report: InspectionCompleted, prop: Property, members: dict[str, Member]) -> tuple[date, str | None]:
    """IE-9.1: the last day the report is kept, and the member who holds it now.

    Ten years counted from creation (the stored ``kept_until``), but only until
    the member withdraws (or is revoked, deemed withdrawn, IE-14.4): kept through
    the last day of membership. A secondary acquirer registered for the house
    takes over the history (IE-19.5), so the limit is then the successor's own
    withdrawal. The Japanese Art. 9(1) has no other exception."""
    holder = holder_on(prop, members, report.member_id)
    limit = report.kept_until
    if holder is not None:
        ceased = holder.ceased_on()
        if ceased is not None:
            limit = min(limit, ceased - dates.ONE_DAY)
    return limit, holder.member_id if holder else report.member_id


def inspection_grounds(source: Inspections | list[Event], member_id: str, d: date) -> list[Ground]:
    """The IE-14.3.8 (inspection branch) grounds in force for ``member_id`` on ``d``.

    ``source``: the house's inspection facts (visible for the view) or their
    fold. A ground arises on ``ground_from`` (the day after the month after the
    designated month ends) for an IE-14.3.8 failure recorded against the member,
    unless the inspection was done by then. The general non-cooperation branch
    of Art. 14(3)(viii) is judged by staff and is not detected here."""
    ins = source if isinstance(source, Inspections) else fold("", source)
    out = []
    for rec in ins.years.values():
        for f in rec.failures:
            if f.rule != "IE-14.3.8" or f.member_id != member_id or f.ground_from is None or f.ground_from > d:
                continue
            in_time = {c.by for c in rec.completions if c.on < f.ground_from}
            if in_time >= set(inspected_by(rec.year)):
                continue  # still done by the end of the month after the designated month
            out.append(Ground("IE-14.3.8", f.ground_from, (f.event_id,)))
    return out
