"""``ledger explain``: a member's status at an incident, as now known and as known then, and why they differ.

Pure: it takes the facts of the streams that concern the member (its own
stream, the fee schedule, its property) and two instants — ``at`` (the
incident) and ``now`` — and returns one document:

- the status at ``at`` as now known (known_at = now: the *true* view) and as
  known then (known_at = at: what the ledger showed staff at the incident),
  field by field, side by side;
- for every field that differs, the later facts that explain it: facts
  recorded after the incident but effective by it (late records, back-dated
  facts) and retractions recorded after it of facts known then. A later fact
  explains a field when adding it to the then-view, or taking it out of the
  true view, changes that field (a counterfactual refold: exact for single
  facts; a difference only several facts together make is given all of them);
- the decisions taken up to and on the incident day (every fact whose event
  carries a ``decision`` or ``outcome``, or cites a ``rule``, or is an
  acceptance, refusal, suspension, revocation, approval …), each with its rule
  ids and the articles in Japanese and English;
- the liability cap in force (IE-11.2) in both views;
- the facts behind each value (``because``): the facts whose removal changes
  that value, per view;
- every fact, flagged known-then / true / retracted, and a timeline of both
  views for the HTML picture.

Both views are computed exactly as ``ledger status`` computes them (the same
fold and the same ``projections.member_view.assemble``).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from ledger import fees, inspection, member, property as prop, rules as catalogue
from ledger.dates import jst_date
from ledger.errors import NotFound
from ledger.events import CommandRecorded, Event, FactRetracted, Personal
from ledger.facts import Retraction, counts, earliest_retractions, visible
from projections import member_view
from projections.window import Window

LABELS = ("as_of", "known_at", "because")
CAP_RULE = "IE-11.2"


# --- comparing rows -----------------------------------------------------------------------------


def leaves(a: Any, b: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Pairs of leaf values of two rows, walking dicts on either side (a dict
    against None yields each of its leaves against None). Lists are leaves."""
    if isinstance(a, dict) or isinstance(b, dict):
        da = a if isinstance(a, dict) else {}
        db = b if isinstance(b, dict) else {}
        if not da and not db:
            yield prefix, a, b
            return
        for k in list(da) + [k for k in db if k not in da]:
            if not prefix and k in LABELS:
                continue
            yield from leaves(da.get(k), db.get(k), f"{prefix}.{k}" if prefix else k)
    else:
        yield prefix, a, b


def changed(a: dict | None, b: dict | None) -> set[str]:
    return {f for f, x, y in leaves(a, b) if x != y}


# --- the rules cited ---------------------------------------------------------------------------------


def rule_ref(rule_id: str) -> dict:
    r = catalogue.RULES.get(rule_id)
    return {
        "id": rule_id,
        "kind": r.kind if r else None,
        "article_ja": catalogue.article(rule_id, "ja"),
        "article_en": catalogue.article(rule_id, "en"),
        "title_ja": catalogue.title(rule_id, "ja"),
        "title_en": catalogue.title(rule_id, "en"),
    }


def rules_of(e: Event) -> list[str]:
    out = list(e.rules)
    rule = getattr(e, "rule", None)
    if isinstance(rule, str) and rule not in out:
        out.append(rule)
    decision = getattr(e, "decision", None)
    for value in _walk(decision):
        if isinstance(value, str) and catalogue.RULES.get(value) and value not in out:
            out.append(value)
    return out


def _walk(v: Any) -> Iterator[Any]:
    if isinstance(v, BaseModel):
        v = v.model_dump()
    if isinstance(v, dict):
        for x in v.values():
            yield from _walk(x)
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _walk(x)
    else:
        yield v


# --- decisions -------------------------------------------------------------------------------------

DECISION_SUFFIXES = ("Accepted", "Refused", "Suspended", "Lifted", "Revoked", "Approved", "Rejected", "Granted",
                     "Denied", "Decided", "Expired")


def is_decision(e: Event) -> bool:
    """A fact that records a decision of the company (or of the operating company)."""
    if isinstance(e, (FactRetracted, CommandRecorded)):
        return False
    fields = type(e).model_fields
    if "decision" in fields or "outcome" in fields:
        return True
    if e.TYPE.startswith(("Card", "Consent")):
        return False
    return e.TYPE.endswith(DECISION_SUFFIXES) or "rule" in fields or "override_reason" in fields


def decision_value(e: Event) -> Any:
    for name in ("decision", "outcome"):
        v = getattr(e, name, None)
        if v is not None:
            return v.model_dump(mode="json") if isinstance(v, BaseModel) else v
    words = re.findall(r"[A-Z][a-z]*", e.TYPE)
    return words[-1].lower() if words else e.TYPE


# --- facts ------------------------------------------------------------------------------------------------

ENVELOPE = {"originator_id", "originator_version", "recorded", "effective", "actor", "command_id", "batch", "rules"}


def payload(e: Event) -> dict:
    """The fact's own fields; personal information (IE-19) is left out of reports."""
    skip = set(ENVELOPE) | {n for n, f in type(e).model_fields.items() if f.annotation in (Personal, Personal | None)}
    return e.model_dump(mode="json", exclude=skip)


KINDS: tuple[tuple[str, str], ...] = (
    ("retraction", r"^FactRetracted$"),
    ("card", r"^Card"),
    ("consent", r"^Consent"),
    ("payment_failed", r"PaymentFailed"),
    ("refund", r"Refund"),
    ("payment", r"Payment"),
    ("charge", r"FeeCharged|Charged$"),
    ("fee", r"^Fee"),
    ("suspension", r"Suspen"),
    ("revocation", r"Revok"),
    ("withdrawal", r"Withdraw"),
    ("rental", r"Rental"),
    ("inspection", r"Inspection|Estimate"),
    ("service", r"Emergency|Presence|Service|Visit"),
    ("renewal", r"Renew|Period"),
    ("registration", r"Registration|Membership|Applied"),
    ("property", r"^Property"),
    ("points", r"Point|Warranty|Benefit"),
)


def kind_of(type_name: str) -> str:
    for kind, pattern in KINDS:
        if re.search(pattern, type_name):
            return kind
    return "other"


# Spans drawn between an opening and a closing fact (whatever of these exist in the ledger).
SPANS: tuple[tuple[str, str, str], ...] = (
    ("suspension", r"^(Member|Membership)?Suspended$|^SuspensionStarted$", r"SuspensionLifted|^(Member|Membership)?Reinstated$|Lifted$"),
    ("rental", r"^RentalApproved$", r"^RentalEnded$|^RentalTerminated$"),
)


# --- the report -------------------------------------------------------------------------------------------


def related_streams(member_id: str, property_id: str | None, previous_member_id: str | None = None) -> list[str]:
    """The streams whose facts concern a member: its own, the fee schedule, its
    property and the property's inspections, and a secondary acquirer's previous owner (IE-17.2.x)."""
    out = [member.stream(member_id), fees.STREAM]
    if property_id:
        out.extend([prop.stream(property_id), inspection.stream(property_id)])
    if previous_member_id:
        out.append(member.stream(previous_member_id))
    return out


def property_of(events: list[Event]) -> str | None:
    for e in events:
        pid = getattr(e, "property_id", None)
        if pid and e.TYPE == "MembershipApplied":
            return pid
    return None


class _Views:
    """Refolds a member's status for a set of member facts and fee facts (counterfactuals),
    with the one assembly ``status`` uses (``projections.member_view``): the house's
    inspections and a previous owner come from the loaded ``streams``."""

    def __init__(self, member_id: str, w: Window, streams: dict[str, list[Event]] | None = None) -> None:
        self.member_id, self.w = member_id, w
        self.streams = streams or {}

    def row(self, mfacts: list[Event], ffacts: list[Event]) -> dict | None:
        m = member.fold(self.member_id, sorted(mfacts, key=lambda e: e.originator_version))
        if m is None:
            return None
        tariffs = fees.fold(sorted(ffacts, key=lambda e: e.originator_version))
        src = member_view.Sources(lambda s: self.streams.get(s, []), self.w, tariffs)
        return member_view.assemble(m, src).row


@dataclass(frozen=True)
class Both:
    """The member at the incident in both views: as now known (known_at = now, the *true*
    view) and as known then (known_at = at), each with the facts it counts."""

    true_m: list[Event]
    true_f: list[Event]
    then_m: list[Event]
    then_f: list[Event]
    v_true: _Views
    v_then: _Views
    row_true: dict | None
    row_then: dict | None


def both_views(member_id: str, streams: dict[str, list[Event]], at: datetime, now: datetime) -> Both:
    """The two views, exactly as ``status`` computes them; NotFound when the member is not in the
    ledger, or in neither view at ``at``."""
    mevents = streams.get(member.stream(member_id), [])
    fevents = streams.get(fees.STREAM, [])
    if not any(e.TYPE == "MembershipApplied" for e in mevents):
        raise NotFound(f"There is no member {member_id} in the ledger.", f"会員 {member_id} は台帳にありません。",
                       field="id")
    # The fee schedule counts what was announced by known_at, whatever its applies_from (as in ``status``).
    true_m, true_f = visible(mevents, at, now), visible(fevents, known_at=now)
    then_m, then_f = visible(mevents, at, at), visible(fevents, known_at=at)
    v_true, v_then = _Views(member_id, Window(at, now), streams), _Views(member_id, Window(at, at), streams)
    b = Both(true_m, true_f, then_m, then_f, v_true, v_then, v_true.row(true_m, true_f), v_then.row(then_m, then_f))
    if b.row_true is None and b.row_then is None:
        raise NotFound(
            f"Member {member_id} was not yet in the ledger on {jst_date(at)} (its application is dated later).",
            f"会員 {member_id} は {jst_date(at)} にはまだ台帳にありません（申込みはそれより後の日付です）。",
            field="at")
    return b


def later_facts(b: Both, streams: dict[str, list[Event]], by_id: dict[str, Event], mstream: str,
                at: datetime, now: datetime) -> list[dict]:
    """The facts that make the two views differ - recorded after the incident but effective by
    it, and retractions recorded after it of facts known then - each with the fields it changes."""
    later: list[dict] = []
    counted = {mstream: (b.true_m, b.then_m), fees.STREAM: (b.true_f, b.then_f)}
    for stream, (t_list, th_list) in counted.items():
        t_ids, th_ids = {e.event_id for e in t_list}, {e.event_id for e in th_list}
        for e in streams.get(stream, []):
            if isinstance(e, FactRetracted):
                if at < e.recorded <= now:
                    hit = [by_id[t] for t in e.targets if t in th_ids]
                    if hit:
                        later.append(_later(e, "retraction", stream, hit, at))
            elif e.event_id in t_ids and e.event_id not in th_ids:
                later.append(_later(e, "recorded_late", stream, [e], at))
    mine = {mstream: 0, fees.STREAM: 1}
    for item in later:
        item["changes"] = _changes(b, mine[item["stream"]], item.pop("_facts"), item["kind"], at)
    return later


def _changes(b: Both, k: int, facts: list[Event], kind: str, at: datetime) -> list[str]:
    """The fields a later fact changes: adding it to the then-view, or taking it out of the true
    view (a retraction: the reverse), changes them - a counterfactual refold of either view."""
    sets, then_sets = [list(b.true_m), list(b.true_f)], [list(b.then_m), list(b.then_f)]
    ids = {f.event_id for f in facts}
    if kind == "retraction":
        then_sets[k] = [x for x in then_sets[k] if x.event_id not in ids]
        sets[k] = sets[k] + [f for f in facts if f.effective <= at]
    else:
        then_sets[k] = then_sets[k] + facts
        sets[k] = [x for x in sets[k] if x.event_id not in ids]
    return sorted(changed(b.row_then, b.v_then.row(*then_sets)) | changed(b.row_true, b.v_true.row(*sets)))


def field_rows(b: Both, later: list[dict]) -> list[dict]:
    """Every field side by side; one that differs names the later facts that explain it (all of
    them, ``jointly``, when no single one does), and each names the facts behind its value."""
    because_true = _because(b.v_true, b.row_true, b.true_m, b.true_f)
    because_then = _because(b.v_then, b.row_then, b.then_m, b.then_f)
    fields = []
    for f, then_v, true_v in leaves(b.row_then, b.row_true):
        differs = then_v != true_v
        explained = [x["event_id"] for x in later if f in x["changes"]] if differs else []
        fields.append({
            "field": f,
            "true": true_v,
            "then": then_v,
            "differs": differs,
            "explained_by": explained or ([x["event_id"] for x in later] if differs else []),
            "jointly": differs and not explained,
            "because": {"true": because_true.get(f, []), "then": because_then.get(f, [])},
        })
    return fields


def known_then(e: Event, retraction_of: dict[str, Retraction], at: datetime) -> bool:
    """Whether the ledger showed ``e`` at the incident: the one rule (``ledger.facts.counts``) at
    known_at = at, whatever the fact's effective time; a retraction itself, once recorded."""
    if isinstance(e, FactRetracted):
        return e.recorded <= at
    return counts(e, None, at, retraction_of)


def decisions(every: list[Event], member_id: str, mstream: str, at: datetime, now: datetime,
              retraction_of: dict[str, Retraction]) -> list[dict]:
    """The decisions up to the end of the incident day (Japan time), as now known, each with its
    rule ids and articles, and flagged when unknown then or retracted since."""
    day = jst_date(at)
    out = []
    for e in sorted(every, key=lambda e: (e.effective, e.recorded, e.event_id)):
        if e.recorded > now or not is_decision(e) or jst_date(e.effective) > day:
            continue
        if getattr(e, "member_id", member_id) != member_id and e.originator_id != mstream:
            continue
        r = retraction_of.get(e.event_id)
        out.append({
            "event_id": e.event_id,
            "type": e.TYPE,
            "decision": decision_value(e),
            "effective": e.effective.isoformat(),
            "recorded": e.recorded.isoformat(),
            "actor": e.actor,
            "on_incident_day": jst_date(e.effective) == day,
            "known_then": known_then(e, retraction_of, at),
            "retracted": r is not None,
            "retracted_by": r.event_id if r else None,
            "reason": getattr(e, "reason", None) or getattr(e, "override_reason", None),
            "rules": [rule_ref(x) for x in rules_of(e)],
        })
    return out


def fact_rows(every: list[Event], member_id: str, at: datetime, now: datetime,
              retraction_of: dict[str, Retraction]) -> list[dict]:
    """Every fact recorded by ``now`` in recorded order (a house's facts about other members left
    out), flagged known-then, true (not retracted) and retracted-by; personal fields left out (IE-19)."""
    out = []
    for e in sorted(every, key=lambda e: (e.recorded, e.originator_id, e.originator_version)):
        if e.recorded > now or isinstance(e, CommandRecorded):
            continue
        if prop.is_stream(e.originator_id) and getattr(e, "member_id", member_id) != member_id:
            continue
        r = retraction_of.get(e.event_id)
        out.append({
            "event_id": e.event_id,
            "type": e.TYPE,
            "kind": kind_of(e.TYPE),
            "effective": e.effective.isoformat(),
            "recorded": e.recorded.isoformat(),
            "actor": e.actor,
            "rules": rules_of(e),
            "command_id": e.command_id,
            "known_then": known_then(e, retraction_of, at),
            "true": not isinstance(e, FactRetracted) and r is None,
            "retracted_by": r.event_id if r else None,
            "data": payload(e),
        })
    return out


def cited_rules(facts: list[dict], decided: list[dict], b: Both) -> list[dict]:
    """Every rule the report cites, once each: the cap (IE-11.2) first, then the facts', the
    decisions' and the rows' (grounds, services, suspension)."""
    cited: list[str] = [CAP_RULE]
    for ids in ([x for f in facts for x in f["rules"]], [x["id"] for d in decided for x in d["rules"]],
                _row_rules(b.row_true), _row_rules(b.row_then)):
        for x in ids:
            if x not in cited:
                cited.append(x)
    return [rule_ref(x) for x in cited]


def liability_cap(fields: list[dict], b: Both) -> dict:
    """IE-11.2: the liability cap in force in both views (one year's fee of this member), and why."""
    cap = next((f for f in fields if f["field"] == "liability_cap"), None)
    return {
        **rule_ref(CAP_RULE),
        "true": (b.row_true or {}).get("liability_cap"),
        "then": (b.row_then or {}).get("liability_cap"),
        "currency": "JPY",
        "because": cap["because"] if cap else {"true": [], "then": []},
    }


def explain(member_id: str, streams: dict[str, list[Event]], at: datetime, now: datetime) -> dict:
    """The dispute report for ``member_id`` at the instant ``at``, with everything known by ``now``."""
    mstream = member.stream(member_id)
    b = both_views(member_id, streams, at, now)
    # Every fact and retraction that concerns the member; a previous owner's stream is read
    # only for the IE-17.2.x grounds of the views above.
    every: list[Event] = [e for name, s in streams.items()
                          if not (member.is_stream(name) and name != mstream) for e in s]
    retraction_of = earliest_retractions(every, now)
    later = later_facts(b, streams, {e.event_id: e for e in every}, mstream, at, now)
    fields = field_rows(b, later)
    decided = decisions(every, member_id, mstream, at, now, retraction_of)
    facts = fact_rows(every, member_id, at, now, retraction_of)
    some = b.row_true or b.row_then or {}
    return {
        "id": member_id,
        "program": some.get("program", "iesapo"),
        "at": at.isoformat(),
        "known_then": at.isoformat(),
        "known_now": now.isoformat(),
        "state": {"true": (b.row_true or {}).get("state"), "then": (b.row_then or {}).get("state")},
        "differs": any(f["differs"] for f in fields),
        "fields": fields,
        "later_facts": sorted(later, key=lambda x: (x["recorded"], x["event_id"])),
        "decisions": decided,
        "liability_cap": liability_cap(fields, b),
        "views": {"true": b.row_true, "then": b.row_then},
        "facts": facts,
        "rules": cited_rules(facts, decided, b),
        "timeline": timeline(member_id, streams, at, now, retraction_of),
    }


def _later(e: Event, kind: str, stream: str, facts: list[Event], at: datetime) -> dict:
    out = {
        "event_id": e.event_id,
        "type": e.TYPE,
        "kind": kind,
        "stream": stream,
        "effective": e.effective.isoformat(),
        "recorded": e.recorded.isoformat(),
        "actor": e.actor,
        "rules": rules_of(e),
        "reason": getattr(e, "reason", None) or getattr(e, "override_reason", None),
        "_facts": facts,
    }
    if kind == "retraction":
        out["retracts"] = [{"event_id": f.event_id, "type": f.TYPE, "effective": f.effective.isoformat(),
                            "recorded": f.recorded.isoformat(), "actor": f.actor} for f in facts]
    else:
        out["days_after_effective"] = (jst_date(e.recorded) - jst_date(e.effective)).days
        out["days_after_incident"] = (jst_date(e.recorded) - jst_date(at)).days
    return out


def _because(v: _Views, row: dict | None, mfacts: list[Event], ffacts: list[Event]) -> dict[str, list[str]]:
    """field -> the facts whose removal changes that field (the application is behind every field)."""
    out: dict[str, list[str]] = {}
    if row is None:
        return out
    applied = next((e.event_id for e in mfacts if e.TYPE == "MembershipApplied"), None)
    for k, lst in ((0, mfacts), (1, ffacts)):
        for e in lst:
            if e.event_id == applied:
                continue
            sets = [mfacts, ffacts]
            sets[k] = [x for x in lst if x.event_id != e.event_id]
            alt = v.row(*sets)
            if alt is None:
                continue
            for f in changed(row, alt):
                out.setdefault(f, []).append(e.event_id)
    if applied:
        # A value no single later fact moves rests on the application itself.
        for f, _, _ in leaves(row, row):
            if not out.get(f):
                out[f] = [applied]
    return out


def _row_rules(row: dict | None) -> list[str]:
    if not row:
        return []
    out: list[str] = []
    for g in row.get("grounds") or []:
        if isinstance(g, dict) and g.get("rule"):
            out.append(g["rule"])
    for v in _walk(row.get("services")):
        if isinstance(v, str) and v in catalogue.RULES:
            out.append(v)
    s = row.get("suspension")
    if isinstance(s, dict) and s.get("rule"):
        out.append(s["rule"])
    return out


# --- the timeline ------------------------------------------------------------------------------------------


def timeline(member_id: str, streams: dict[str, list[Event]], at: datetime, now: datetime,
             retraction_of: dict[str, Retraction]) -> dict:
    """Both views of the member's life on a date axis: spans (periods, arrears, suspensions,
    rentals) and one marker per fact. The *true* lane is every fact as now known; the
    *then* lane every fact as the ledger held it at the incident."""
    lanes = {}
    first: list[date] = [jst_date(at)]
    last: list[date] = [jst_date(at)]
    for lane, known_at in (("true", now), ("then", at)):
        facts = _lane_facts(member_id, streams, known_at)
        markers = [_marker(e, lane, at, retraction_of) for e in facts]
        first.extend(jst_date(e.effective) for e in facts)
        last.extend(jst_date(e.effective) for e in facts)
        spans = []
        m = member.fold(member_id, sorted((e for e in facts if e.originator_id == member.stream(member_id)
                                           and not isinstance(e, FactRetracted)), key=lambda e: e.originator_version))
        if m is not None:
            for p in sorted(m.periods, key=lambda p: p.number):
                spans.append({"kind": "period", "start": p.start.isoformat(), "end": p.end.isoformat(),
                              "label": f"period {p.number}", "event_id": p.event_id})
                first.append(p.start)
                last.append(p.end)
            spans.extend(_arrears_spans(m))
        spans.extend(_paired_spans([e for e in facts if not isinstance(e, FactRetracted)]))
        lanes[lane] = {"known_at": known_at.isoformat(), "spans": spans, "markers": markers}
    # A margin of 20 days either side, clamped to the calendar: a fact dated near
    # date.max (recorded before issue 10 refused future facts) must not crash.
    start = min(first) - min(timedelta(days=20), min(first) - date.min)
    end = max(last) + min(timedelta(days=20), date.max - max(last))
    for lane in lanes.values():
        for s in lane["spans"]:
            if s["end"] is None:
                s["open"] = True
                s["end"] = end.isoformat()
    return {"from": start.isoformat(), "to": end.isoformat(), "incident": at.isoformat(),
            "incident_day": jst_date(at).isoformat(), "lanes": lanes}


def _lane_facts(member_id: str, streams: dict[str, list[Event]], known_at: datetime) -> list[Event]:
    """The facts drawn in a lane known at ``known_at``, by effective time: the visible facts of the
    member's streams (a house's only when about this member) and the retractions themselves, on the
    day they were recorded (the facts they withdraw are gone)."""
    mstream = member.stream(member_id)
    facts = []
    for stream, evs in streams.items():
        if stream == fees.STREAM or (member.is_stream(stream) and stream != mstream):
            continue  # a previous owner's stream is read for IE-17.2.x only, never drawn
        for e in visible(evs, known_at=known_at):
            if prop.is_stream(stream) and getattr(e, "member_id", member_id) != member_id:
                continue
            facts.append(e)
        facts.extend(e for e in evs if isinstance(e, FactRetracted) and e.recorded <= known_at)
    facts.sort(key=lambda e: (e.effective, e.originator_id, e.originator_version))
    return facts


def _marker(e: Event, lane: str, at: datetime, retraction_of: dict[str, Retraction]) -> dict:
    """One fact on a lane, flagged recorded late (true lane), recorded after the incident, retracted
    later (then lane) and a decision."""
    r = retraction_of.get(e.event_id)
    return {
        "event_id": e.event_id,
        "type": e.TYPE,
        "kind": kind_of(e.TYPE),
        "on": jst_date(e.effective).isoformat(),
        "recorded": e.recorded.isoformat(),
        "late": lane == "true" and e.recorded > at and e.effective <= at,
        "after_incident": e.recorded > at,
        "retracted_later": lane == "then" and r is not None and r.recorded > at,
        "decision": is_decision(e),
    }


def _arrears_spans(m: member.Member) -> list[dict]:
    """Each charge from the day after it fell due until the day before it was covered (or open)."""
    out = []
    days = sorted({p.on for p in m.payments})
    for c in sorted(m.charges, key=lambda c: (c.due_on, c.event_id)):
        start = c.due_on + timedelta(days=1)
        end = None
        for d in (x for x in days if x >= start):
            if c.event_id not in m.arrears_on(d).because:
                end = d - timedelta(days=1)
                break
        if end is not None and end < start:
            continue
        out.append({"kind": "arrears", "start": start.isoformat(), "end": end.isoformat() if end else None,
                    "label": f"{c.amount:,} yen overdue", "event_id": c.event_id})
    return out


def _paired_spans(facts: list[Event]) -> list[dict]:
    out = []
    for kind, opens, closes in SPANS:
        open_fact: Event | None = None
        for e in facts:
            if re.search(opens, e.TYPE) and open_fact is None:
                open_fact = e
            elif re.search(closes, e.TYPE) and open_fact is not None:
                out.append({"kind": kind, "start": jst_date(open_fact.effective).isoformat(),
                            "end": jst_date(e.effective).isoformat(), "label": kind, "event_id": open_fact.event_id})
                open_fact = None
        if open_fact is not None:
            out.append({"kind": kind, "start": jst_date(open_fact.effective).isoformat(), "end": None,
                        "label": kind, "event_id": open_fact.event_id})
    return out


Loader = Callable[[str], list[Event]]


def load(read: Loader, member_id: str) -> dict[str, list[Event]]:
    """The streams ``explain`` needs, read with ``read(stream)`` (e.g. ``LedgerApp.read``)."""
    mevents = read(member.stream(member_id))
    streams = {}
    previous = next((getattr(e, "previous_member_id", None) for e in mevents if e.TYPE == "MembershipApplied"), None)
    for s in related_streams(member_id, property_of(mevents), previous):
        streams[s] = mevents if s == member.stream(member_id) else read(s)
    return streams
