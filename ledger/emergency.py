"""The 24-hour emergency service (Art. 8, Appendix 2), decided at the incident instant.

Order: Request -> ``decide_emergency`` (pure: the outcome and every rule and
fact behind it) -> ``decide_request`` (the one fact to record, with an optional
staff override). The fact goes on the member's stream (``member:<id>``), so a
member's history shows every request beside the facts it was decided on.

The membership part of every decision comes from ``Member.blocked_on`` (the
one place that says when a member can use services): withdrawn or revoked
IE-14.6, suspended IE-13.1, before the start IE-17.3.1, approved rental IE-18,
operator provision consent missing IE-19.3. The member is folded from the facts
effective by the incident instant, as known when the request is recorded; the
fact stores the resolved outcome and the ids of those facts, so "was this member
entitled at 23:40, as the ledger knew it then?" is read from the log, never
recomputed on replay.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from ledger.dates import JST, jst_date
from ledger.errors import BadInput, Refused
from ledger.events import EmergencyRequested
from ledger.facts import Draft
from ledger.member import Member
from ledger.member import stream  # an emergency request is a fact of the membership: the member's stream
from ledger.property import Property

HOTEL_CAP_YEN = 10_000  # IE-A2-1.3: the stay is paid up to 10,000 yen, tax included
NIGHT_FROM = time(21, 0)  # IE-A2-1.3: night is [21:00, 09:00) Japan time
NIGHT_UNTIL = time(9, 0)
# IE-A2-3: beyond the free scope the work is paid - an estimate is given first
# (estimate_first) - and trouble caused deliberately is charged at the normal
# price (normal_price). Both are outcomes staff can record.
PAID = ("estimate_first", "normal_price")
OUTCOMES = ("first_response", "phone_only", "hotel", "refused", *PAID)
COVERAGE = {"first_response": ("IE-8.1", "IE-A2-1.1"), "phone_only": ("IE-A2-1.1",), "hotel": ("IE-A2-1.3",),
            "estimate_first": ("IE-A2-3",), "normal_price": ("IE-A2-3",)}

# IE-8.8.x: refusal grounds visible in the request's own fields.
CAUSE_GROUNDS = {
    "disaster": "IE-8.8.5",
    "structural": "IE-8.8.6",
    "neighbour": "IE-8.8.7",
    "manufacturer": "IE-8.8.8",
    "special_work": "IE-8.8.9",
}


def is_night(at: datetime) -> bool:
    """IE-A2-1.3: 21:00 up to (not including) 09:00 Japan time. 20:59 and 09:00 are day."""
    t = at.astimezone(JST).time()
    return t >= NIGHT_FROM or t < NIGHT_UNTIL


@dataclass(frozen=True)
class Request:
    member_id: str
    property_id: str
    at: datetime
    category: str  # water, key, glass, electric_gas, lost_key
    requester: str  # member, relative, other
    id_checked: bool
    cause: str = "normal"  # normal, disaster, structural, neighbour, manufacturer, special_work
    key_type: str | None = None  # normal, special (key, lost_key)
    id_shown: bool = True  # IE-8.8.4: identity documents shown
    attended: bool = True  # IE-8.8.4: the requester attends the work


@dataclass(frozen=True)
class Decision:
    """What the rules give for one request, and on which rules and facts."""

    outcome: str
    rules: tuple[str, ...]
    member_state: str
    blocked_by: tuple[str, ...]
    grounds: tuple[str, ...]
    night: bool
    options: tuple[str, ...] = ()
    hotel_only_because: tuple[str, ...] = ()
    hotel_cap_yen: int | None = None
    because: tuple[str, ...] = ()


def _facts_behind(m: Member, prop: Property | None, d) -> tuple[str, ...]:
    """The ids of the member facts the decision read: application, acceptance,
    the state's own facts, the operator-provision consent, the house."""
    out = [m.applied_id]
    if m.accepted is not None:
        out.append(m.accepted.event_id)
    if m.refused is not None and m.refused.on <= d:
        out.append(m.refused.event_id)
    out.extend(m.state_because(d))
    consent = m.consent_on("operator_provision", d).because
    if consent:
        out.append(consent)
    if prop is not None:
        out.append(prop.event_id)
    return tuple(dict.fromkeys(out))


def decide_emergency(m: Member, prop: Property | None, req: Request) -> Decision:
    """The outcome of an emergency request at ``req.at`` for member ``m``.

    Precedence: the membership state (must rules: refused); then the refusal
    grounds IE-8.8.x visible in the fields (may: refused, which staff may
    override) — a structural defect (IE-8.8.6) still leaves the phone
    consultation of electricity/gas; then coverage: electricity/gas is phone
    only (IE-A2-1.1(4)); a special key trouble is not a first response
    (IE-A2-1.1(2)); a lost key is hotel only when the key is special or it is
    night [21:00, 09:00) Japan time, else the member chooses destructive
    unlocking or the hotel (IE-A2-1.3, stay paid up to 10,000 yen tax incl.);
    water, key and glass get a first response (IE-8.1, IE-A2-1.1), charged at the
    normal price when the trouble was caused deliberately (IE-A2-3). IE-8.8.4: the
    requester shows no identity documents or does not attend the work.
    """
    d = jst_date(req.at)
    state = m.state_on(d)
    blocked = tuple(m.blocked_on(d)["emergency"])
    grounds: list[str] = []
    if req.requester == "other":
        grounds.append("IE-8.8.1")
    if req.property_id != m.property_id:
        grounds.append("IE-8.8.2")
    if not req.id_checked:
        grounds.append("IE-8.8.3")
    if not (req.id_shown and req.attended):
        grounds.append("IE-8.8.4")
    if req.cause in CAUSE_GROUNDS:
        grounds.append(CAUSE_GROUNDS[req.cause])
    night = is_night(req.at)
    common = dict(member_state=state, blocked_by=blocked, grounds=tuple(grounds), night=night,
                  because=_facts_behind(m, prop, d))
    if blocked:
        return Decision("refused", blocked, **common)
    refusing = [g for g in grounds if not (g == "IE-8.8.6" and req.category == "electric_gas")]
    if refusing:
        extra = ("IE-A2-1.2",) if req.cause == "special_work" else ()
        return Decision("refused", (*refusing, *extra), **common)
    if req.category == "electric_gas":
        return Decision("phone_only", ("IE-A2-1.1", *grounds), **common)
    if req.category == "key" and req.key_type == "special":
        return Decision("phone_only", ("IE-A2-1.1",), **common)
    if req.category == "lost_key":
        why = tuple(w for w, hit in (("special_key", req.key_type == "special"), ("night", night)) if hit)
        if why:
            return Decision("hotel", ("IE-A2-1.3",), options=("hotel",), hotel_only_because=why,
                            hotel_cap_yen=HOTEL_CAP_YEN, **common)
        return Decision("first_response", ("IE-A2-1.3",), options=("destructive_unlock", "hotel"),
                        hotel_cap_yen=HOTEL_CAP_YEN, **common)
    if req.cause == "deliberate":
        return Decision("normal_price", ("IE-A2-3",), **common)
    return Decision("first_response", ("IE-8.1", "IE-A2-1.1"), **common)


def check_request(req: Request) -> None:
    """Field combinations the request's syntax cannot express."""
    if req.category == "lost_key" and req.key_type is None:
        raise BadInput("A lost-key request needs key_type (normal or special): a special key means hotel only (IE-A2-1.3).",
                       "鍵紛失の依頼には key_type（normal または special）が必要です（特殊な鍵は宿泊案内のみ、IE-A2-1.3）。",
                       field="key_type")
    if req.key_type is not None and req.category not in ("key", "lost_key"):
        raise BadInput(f"key_type is only for a key or lost-key request, not for category {req.category}.",
                       f"key_type は鍵または鍵紛失の依頼にだけ指定します（category {req.category}）。", field="key_type")


def decide_request(m: Member, prop: Property | None, req: Request, override_outcome: str | None = None,
                   override_reason: str | None = None) -> list[Draft]:
    """Record the request and its decision in one fact (``EmergencyRequested``).

    Staff may record a different outcome with ``override_reason`` (the operating
    company's own judgement: a may-ground waived, IE-8.8.10, the member's
    choice of hotel, …) — but never a service the must rules forbid: a member
    who cannot use the service then (IE-14.6, IE-13.1, IE-17.3.1, IE-18,
    IE-19.3), a first response for special work (IE-A2-1.2) or for
    electricity/gas (IE-A2-1.1), or a hotel for anything but a lost key
    (IE-A2-1.3). Wrong membership facts are fixed by retracting them first."""
    check_request(req)
    if (override_outcome is None) != (override_reason is None):
        raise BadInput("override_outcome and override_reason go together: give both or neither.",
                       "override_outcome と override_reason は両方指定するか、どちらも指定しません。",
                       field="override_reason" if override_outcome else "override_outcome")
    dec = decide_emergency(m, prop, req)
    outcome, rules = dec.outcome, dec.rules
    if override_outcome is not None:
        if override_outcome not in OUTCOMES:
            raise BadInput(f"override_outcome must be one of {', '.join(OUTCOMES)}, not {override_outcome}.",
                           f"override_outcome は {', '.join(OUTCOMES)} のいずれかです（{override_outcome}）。",
                           field="override_outcome")
        if override_outcome == dec.outcome:
            raise BadInput(f"override_outcome {override_outcome} is what the ledger decides anyway: leave both override fields out.",
                           f"override_outcome {override_outcome} は台帳の判断と同じです。override 欄は指定しないでください。",
                           field="override_outcome")
        _check_override(m, req, dec, override_outcome)
        outcome = override_outcome
        if outcome == "refused":
            rules = dec.grounds or ("IE-8.8.10",)
        else:
            # the coverage rule of the outcome recorded, then the grounds it waived
            cover = ("IE-A2-1.3",) if req.category == "lost_key" and outcome not in PAID else COVERAGE[outcome]
            rules = tuple(dict.fromkeys((*cover, *dec.grounds)))
    paid_stay = outcome == "hotel" or (outcome == "first_response" and "hotel" in dec.options)
    return [Draft(stream(m.member_id), EmergencyRequested, {
        "member_id": m.member_id, "property_id": req.property_id, "category": req.category,
        "requester": req.requester, "id_checked": req.id_checked, "cause": req.cause, "key_type": req.key_type,
        "id_shown": req.id_shown, "attended": req.attended,
        "night": dec.night, "member_state": dec.member_state, "blocked_by": dec.blocked_by, "grounds": dec.grounds,
        "proposed": dec.outcome, "decision": outcome, "options": dec.options,
        "hotel_only_because": dec.hotel_only_because,
        "hotel_cap_yen": HOTEL_CAP_YEN if paid_stay else None,
        "override_reason": override_reason, "because": dec.because,
    }, rules, effective=req.at)]


def _check_override(m: Member, req: Request, dec: Decision, outcome: str) -> None:
    if outcome == "refused":
        return
    when = req.at.astimezone(JST).isoformat(timespec="minutes")
    if dec.blocked_by:
        rule = dec.blocked_by[0]
        raise Refused(
            f"Member {m.member_id} could not use the 24-hour service at {when} (state {dec.member_state}, "
            f"{', '.join(dec.blocked_by)}): a {outcome} cannot be recorded over a must rule. If a member fact is "
            "wrong, retract it first and record the request again.",
            f"会員 {m.member_id} は {when} に24時間かけつけサービスを利用できません（状態 {dec.member_state}、"
            f"{', '.join(dec.blocked_by)}）。必須の規則に反して {outcome} を記録することはできません。"
            "会員の事実が誤りなら先に取り消してください。",
            rule=rule,
        )
    if outcome == "first_response" and req.cause == "special_work":
        raise Refused(
            "Special work (over 60 minutes, special tools, under floors or inside walls) is never a first response.",
            "特殊な作業（60分超、特殊工具、床下・壁中等）は一次対応（応急処置）の対象外です。",
            rule="IE-A2-1.2",
        )
    if outcome == "first_response" and req.category == "electric_gas":
        raise Refused(
            "Electricity and gas trouble is handled by phone consultation only; it is never a first response.",
            "電気・ガスのトラブルは電話相談のみで、一次対応（応急処置）の対象外です。",
            rule="IE-A2-1.1",
        )
    if outcome == "hotel" and req.category != "lost_key":
        raise Refused(
            f"A hotel stay is arranged only for a lost key, not for category {req.category}.",
            f"宿泊施設の案内は鍵紛失の場合だけです（category {req.category}）。",
            rule="IE-A2-1.3",
        )
