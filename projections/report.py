"""Renderers for the auditors' and dispute handlers' reads: snapshot, diff, explain.

Text for a terminal, JSON for scripts, CSV for spreadsheets, and for
``explain`` a self-contained HTML page (inline CSS and an inline SVG timeline;
no script, no font or anything else fetched from a network) that can be handed
over as it is. Everything here is formatting: the content comes from
``projections.snapshot`` and ``projections.explain``.
"""
from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from projections.snapshot import Snapshot
from projections import safe
from projections.rows import describe, flatten, pad, width


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def show(v: Any) -> str:
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    if isinstance(v, list):  # grounds and the like read as text, never as a JSON blob
        return "; ".join(describe(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


CELL = 40  # a column of the status table is no wider than this; a longer value simply runs on


# --- snapshot ------------------------------------------------------------------------------------------


def snapshot_json(s: Snapshot, out: IO[str]) -> None:
    """One JSON document, written row by row: {as_of, known_at, totals, rows: [...]}."""
    out.write("{\n")
    out.write(f'  "as_of": {json.dumps(s.window.as_of.isoformat())},\n')
    out.write(f'  "known_at": {json.dumps(s.window.known_at.isoformat())},\n')
    out.write(f'  "totals": {json.dumps(s.totals, ensure_ascii=False)},\n')
    out.write('  "rows": [')
    for i, row in enumerate(s.rows):
        out.write(",\n    " if i else "\n    ")
        out.write(json.dumps(row, ensure_ascii=False))
    out.write("\n  ]\n}\n" if s.rows else "]\n}\n")


def snapshot_csv(s: Snapshot, out: IO[str]) -> None:
    """One CSV line per row; the columns are every flattened key any row has, in first-seen order."""
    cols: dict[str, None] = {}
    for row in s.rows:
        for k in flatten(row):
            cols.setdefault(k, None)
    # A field that is a dict in some rows and empty in others is only its dotted columns.
    names = [c for c in cols if not any(other.startswith(c + ".") for other in cols)]
    w = safe.csv_writer(out, names, extrasaction="ignore")
    w.writeheader()
    for row in s.rows:
        w.writerow(flatten(row))


# The columns of the snapshot table (the CLI lines them up by display width).
TABLE = ("id", "program", "state", "period.start", "period.end", "arrears.amount", "arrears.days_overdue",
         "annual_fee", "grounds")


def totals_text(s: Snapshot) -> str:
    t = s.totals
    lines = [f"as of {s.window.as_of.isoformat()}, as known at {s.window.known_at.isoformat()}: {t['rows']} rows"]
    for program, states in t["by_state"].items():
        lines.append(f"  {program}: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    lines.append(f"  arrears: {t['arrears']['members']} members owe {t['arrears']['amount']:,} yen")
    by_rule = t["grounds"]["by_rule"]
    lines.append(f"  grounds in force: {t['grounds']['members']} members"
                 + (" (" + ", ".join(f"{k} {v}" for k, v in by_rule.items()) + ")" if by_rule else ""))
    return "\n".join(lines) + "\n"


# --- diff ------------------------------------------------------------------------------------------------


def diff_text(d: dict) -> str:
    t = d["totals"]
    lines = [f"Status on {d['as_of']}: known at {d['known_at']} vs known at {d['vs_known_at']}",
             f"{t['changed']} rows differ ({t['appeared']} appeared, {t['disappeared']} disappeared)", ""]
    for m in d["members"]:
        if m["change"] == "changed":
            lines.append(f"{m['id']}  changed")
            width = max((len(f["field"]) for f in m["fields"]), default=0)
            for f in m["fields"]:
                lines.append(f"  {f['field'].ljust(width)}  {show(f['then'])} -> {show(f['now'])}")
        else:
            # A row that exists in one view only: its state says enough here (--json has every field).
            state = next((f["now"] if m["change"] == "appeared" else f["then"] for f in m["fields"]
                          if f["field"] == "state"), None)
            lines.append(f"{m['id']}  {m['change']} ({show(state)})")
        for x in m["facts"]:
            lines.append("    " + fact_line(x))
        lines.append("")
    for x in d.get("shared_facts") or []:
        lines.append("  fee schedule: " + fact_line(x))
    return "\n".join(lines).rstrip() + "\n"


def fact_line(x: dict) -> str:
    if x.get("kind") == "retracted":
        return (f"{x['event_id']} {x['type']} (effective {x['effective'][:10]}, recorded {x['recorded']} by {x['actor']}) "
                f"retracted by {x['retracted_by']} at {x['retracted_recorded']} by {x['retracted_actor']}: {x['reason']}")
    tail = f": {x['reason']}" if x.get("reason") else ""
    return (f"{x['event_id']} {x['type']} effective {x['effective'][:10]}, recorded {x['recorded']} "
            f"by {x['actor']} ({x['kind'].replace('_', ' ')}){tail}")


def diff_csv(d: dict, out: IO[str]) -> None:
    w = safe.csv_writer(out)
    w.writerow(["id", "change", "field", "then", "now", "facts"])
    for m in d["members"]:
        ids = ";".join(x["event_id"] for x in m["facts"])
        for f in m["fields"]:
            w.writerow([m["id"], m["change"], f["field"], "" if f["then"] is None else f["then"],
                        "" if f["now"] is None else f["now"], ids])


# --- explain: text -----------------------------------------------------------------------------------------


def article_pair(r: dict) -> str:
    return f"{r['id']} {r['article_ja']} / {r['article_en']}"


def missing_view(x: dict) -> str | None:
    """Which view has no record of the member at the incident ("known then" / "now known"), if one."""
    if x["views"]["then"] is None:
        return "known then"
    return "now known" if x["views"]["true"] is None else None


def differing(x: dict) -> list[str]:
    """The fields that differ between the two views, in row order."""
    return [f["field"] for f in x["fields"] if f["differs"]]


def explain_text(x: dict) -> str:
    """The dispute report for a terminal: one block per section, a blank line between."""
    blocks = [_text_header(x), _text_verdict(x), _text_status(x), _text_later(x), _text_decisions(x),
              _text_cap(x), _text_because(x), _text_rules(x), _text_facts(x)]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"


def _text_header(x: dict) -> list[str]:
    return [f"Dispute report 紛争対応報告 — member {x['id']} ({x['program']}) at {x['at']}",
            f"  as now known (現在判明している事実): everything recorded by {x['known_now']}",
            f"  as known then (当時の記録):           what the ledger showed at {x['known_then']}"]


def _text_verdict(x: dict) -> list[str]:
    st = x["state"]
    which = missing_view(x)
    if which is not None:
        return [f"The two views DIFFER: as {which}, the ledger has no record of this member at that instant. "
                f"State: {show(st['true'])} as now known, {show(st['then'])} as known then."]
    if x["differs"]:
        state = (f"State: {show(st['true'])} as now known, {show(st['then'])} as known then."
                 if st["true"] != st["then"] else f"State: {show(st['true'])} in both.")
        return [f"The two views DIFFER on {', '.join(differing(x))}. {state}"]
    return [f"The two views agree. State: {show(st['true'])}."]


def _text_status(x: dict) -> list[str]:
    """Every field as now known and as known then, lined up by display width; a difference
    names the later facts behind it."""
    rows = [(f["field"], show(f["true"]), show(f["then"]), "*" if f["differs"] else "") for f in x["fields"]]
    w0 = max(len("field"), *(width(r[0]) for r in rows))
    w1 = min(CELL, max(len("as now known"), *(width(r[1]) for r in rows)))
    w2 = min(CELL, max(len("as known then"), *(width(r[2]) for r in rows)))
    L = ["Status at the incident",
         f"  {'field'.ljust(w0)}  {'as now known'.ljust(w1)}  {'as known then'.ljust(w2)}".rstrip()]
    for f, r in zip(x["fields"], rows):
        line = f"  {pad(r[0], w0)}  {pad(r[1], w1)}  {pad(r[2], w2)}"
        if f["differs"]:
            line += "  <- " + ", ".join(f["explained_by"]) + (" (together)" if f["jointly"] else "")
        L.append(line.rstrip())
    return L


def _text_later(x: dict) -> list[str]:
    L = ["Later facts that make the difference (recorded after the incident)"]
    if not x["later_facts"]:
        L.append("  none: nothing recorded after the incident changes this view")
    for f in x["later_facts"]:
        if f["kind"] == "retraction":
            L.append(f"  {f['event_id']} retraction, recorded {f['recorded']} by {f['actor']}: {f['reason']}")
            for t in f["retracts"]:
                L.append(f"      withdraws {t['event_id']} {t['type']} (effective {t['effective'][:10]}, "
                         f"recorded {t['recorded']} by {t['actor']})")
        else:
            L.append(f"  {f['event_id']} {f['type']} effective {f['effective'][:10]}, recorded {f['recorded']} "
                     f"by {f['actor']} — {f['days_after_effective']} days after it took effect, "
                     f"{f['days_after_incident']} days after the incident")
        if f["changes"]:
            L.append(f"      changes: {', '.join(f['changes'])}")
    return L


def _text_decisions(x: dict) -> list[str]:
    L = [f"Decisions up to the incident day ({x['at'][:10]})"]
    if not x["decisions"]:
        L.append("  none")
    for d in x["decisions"]:
        flags = []
        if d["on_incident_day"]:
            flags.append("ON THE INCIDENT DAY")
        if not d["known_then"]:
            flags.append("not known then")
        if d["retracted"]:
            flags.append(f"retracted by {d['retracted_by']}")
        L.append(f"  {d['event_id']} {d['type']}: {show(d['decision'])}  effective {d['effective']}, "
                 f"recorded {d['recorded']} by {d['actor']}" + (f"  [{'; '.join(flags)}]" if flags else ""))
        if d.get("reason"):
            L.append(f"      reason: {d['reason']}")
        for r in d["rules"]:
            L.append(f"      {article_pair(r)}: {r['title_en']}")
            L.append(f"          {r['title_ja']}")
    return L


def _text_cap(x: dict) -> list[str]:
    """The liability cap (IE-11.2) in both views, and the facts behind it as now known."""
    facts = {f["event_id"]: f for f in x["facts"]}
    cap = x["liability_cap"]
    because = ", ".join(f"{i} {facts[i]['type']}" if i in facts else i for i in cap["because"]["true"])
    return [f"Liability cap in force (賠償上限) — {article_pair(cap)}",
            f"  as now known: {yen(cap['true'])}; as known then: {yen(cap['then'])}",
            f"  {cap['title_en']}",
            f"  {cap['title_ja']}",
            f"  because: {because or '—'}"]


def _text_because(x: dict) -> list[str]:
    L = ["Facts behind each value (because)"]
    for f in x["fields"]:
        t, th = f["because"]["true"], f["because"]["then"]
        if not t and not th:
            continue
        if t == th:
            L.append(f"  {f['field']}: {', '.join(t)}")
        else:
            L.append(f"  {f['field']}: now {', '.join(t) or '—'}; then {', '.join(th) or '—'}")
    return L


def _text_rules(x: dict) -> list[str]:
    return ["Rules cited (適用条項)", *(f"  {article_pair(r)}: {r['title_en']}" for r in x["rules"])]


def _text_facts(x: dict) -> list[str]:
    L = ["Facts (recorded order; 'then' = known at the incident, 'true' = not retracted)"]
    for f in x["facts"]:
        marks = ("then " if f["known_then"] else "     ") + ("true" if f["true"] else "    ")
        tail = f"  retracted by {f['retracted_by']}" if f["retracted_by"] else ""
        L.append(f"  [{marks}] {f['event_id']} {f['type']} effective {f['effective']}, recorded {f['recorded']} "
                 f"by {f['actor']}{tail}")
    return L


def yen(v: Any) -> str:
    return "—" if v is None else f"{v:,} yen"


# --- explain: HTML ---------------------------------------------------------------------------------------------

COLORS = {
    "period": "#4e79a7", "arrears": "#d62728", "suspension": "#f28e2b", "rental": "#76b7b2",
    "payment": "#2ca02c", "payment_failed": "#d62728", "charge": "#bcbd22", "fee": "#bcbd22",
    "registration": "#4e79a7", "consent": "#b07aa1", "card": "#9c755f", "inspection": "#17becf",
    "service": "#e377c2", "retraction": "#444444", "revocation": "#000000", "withdrawal": "#7f7f7f",
    "renewal": "#1f77b4", "property": "#aec7e8", "refund": "#8c564b", "points": "#ff9896", "other": "#888888",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:24px;color:#222;max-width:1180px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ccc;padding-bottom:3px}
.meta{color:#555;margin:2px 0}.verdict{font-weight:600;padding:8px 10px;border-radius:4px;margin:12px 0}
.verdict.differ{background:#fdecea;border:1px solid #e0a09a}.verdict.agree{background:#eaf5ea;border:1px solid #9bc99b}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.differs td{background:#fff3e0}td.ids{font-family:ui-monospace,Menlo,monospace;font-size:12px}
code{font-family:ui-monospace,Menlo,monospace;font-size:12px}.ja{color:#444}
.legend span{display:inline-block;margin:0 12px 4px 0;font-size:12px}.legend svg{vertical-align:middle;margin-right:4px}
.small{font-size:12px;color:#555}
svg text{font-family:system-ui,sans-serif}
"""


def e(v: Any) -> str:
    return html.escape(show(v) if not isinstance(v, str) else v)


def explain_html(x: dict) -> str:
    """The dispute report as one self-contained HTML page, section by section."""
    ids = _id_lister(x)
    parts = [*_html_head(x), _html_verdict(x),
             "<h2>Timeline 経過</h2>", timeline_svg(x["timeline"]), legend_html(x["timeline"]),
             *_html_status(x, ids), *_html_later(x, ids), *_html_decisions(x, ids), *_html_cap(x, ids),
             *_html_rules(x), *_html_facts(x, ids),
             f"<p class=\"small\">Generated from the ledger as known at {html.escape(x['known_now'])}. "
             "Self-contained: no script, no network.</p></body></html>"]
    return "\n".join(parts) + "\n"


def _id_lister(x: dict) -> Callable[[Iterable[str]], str]:
    """Fact ids as HTML, one a line, each with its fact's type when the report has it."""
    facts = {f["event_id"]: f for f in x["facts"]}

    def ids(lst: Iterable[str]) -> str:
        return "<br>".join(f"<code>{html.escape(i)}</code> {html.escape(facts[i]['type']) if i in facts else ''}"
                           for i in lst) or "—"
    return ids


def _html_head(x: dict) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Dispute report {html.escape(x['id'])} at {html.escape(x['at'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Dispute report 紛争対応報告 — member <code>{html.escape(x['id'])}</code></h1>",
        f"<p class=\"meta\">Incident (as of): <b>{html.escape(x['at'])}</b> · program {html.escape(x['program'])}</p>",
        f"<p class=\"meta\">As now known (現在判明している事実): everything recorded by {html.escape(x['known_now'])}. "
        f"As known then (当時の記録): what the ledger showed at {html.escape(x['known_then'])}.</p>",
    ]


def _html_verdict(x: dict) -> str:
    st = x["state"]
    which = missing_view(x)
    if which is not None:
        return (f'<p class="verdict differ" id="verdict">As {which}, the ledger has no record of this member at '
                f"that instant. State {e(st['true'])} as now known, {e(st['then'])} as known then.</p>")
    if x["differs"]:
        return (f'<p class="verdict differ" id="verdict">The two views differ: {html.escape(", ".join(differing(x)))}. '
                f"State {e(st['true'])} as now known, {e(st['then'])} as known then.</p>")
    return f'<p class="verdict agree" id="verdict">The two views agree. State {e(st["true"])}.</p>'


def _html_status(x: dict, ids: Callable[[Iterable[str]], str]) -> list[str]:
    out = ["<h2>Status at the incident 事故時点の状態</h2>",
           '<table id="views"><tr><th>field</th><th>as now known<br><span class="ja">現在判明</span></th>'
           '<th>as known then<br><span class="ja">当時の記録</span></th><th>explained by later facts</th>'
           "<th>because (now / then)</th></tr>"]
    for f in x["fields"]:
        because = ids(f["because"]["true"])
        if f["because"]["then"] != f["because"]["true"]:
            because += "<hr>" + ids(f["because"]["then"])
        out.append(
            f'<tr class="{"differs" if f["differs"] else "same"}"><td><code>{html.escape(f["field"])}</code></td>'
            f"<td>{e(f['true'])}</td><td>{e(f['then'])}</td>"
            f'<td class="ids">{ids(f["explained_by"]) if f["differs"] else ""}'
            f"{' (together)' if f['jointly'] else ''}</td><td class=\"ids\">{because}</td></tr>")
    out.append("</table>")
    return out


def _html_later(x: dict, ids: Callable[[Iterable[str]], str]) -> list[str]:
    out = ["<h2>Later facts 事故後に記録された事実</h2>"]
    if not x["later_facts"]:
        return [*out, "<p>None: nothing recorded after the incident changes this view.</p>"]
    out.append('<table id="later"><tr><th>fact</th><th>kind</th><th>effective</th><th>recorded</th><th>actor</th>'
               "<th>reason / withdraws</th><th>changes</th></tr>")
    for f in x["later_facts"]:
        what = html.escape(f.get("reason") or "")
        if f["kind"] == "retraction":
            what += "<br>" + ids(t["event_id"] for t in f["retracts"])
            kind = "retraction 取消し"
        else:
            kind = f"recorded late 遅延記録 (+{f['days_after_effective']} days)"
        out.append(f"<tr><td class=\"ids\">{ids([f['event_id']])}</td><td>{kind}</td>"
                   f"<td>{e(f['effective'])}</td><td>{e(f['recorded'])}</td><td>{e(f['actor'])}</td>"
                   f"<td>{what}</td><td><code>{html.escape(', '.join(f['changes']))}</code></td></tr>")
    out.append("</table>")
    return out


def _html_decisions(x: dict, ids: Callable[[Iterable[str]], str]) -> list[str]:
    out = ["<h2>Decisions 判断</h2>"]
    if not x["decisions"]:
        return [*out, "<p>None up to the incident day.</p>"]
    out.append('<table id="decisions"><tr><th>fact</th><th>decision</th><th>effective / recorded</th>'
               "<th>actor</th><th>rules 条項</th><th>notes</th></tr>")
    for d in x["decisions"]:
        rules = "<br>".join(
            f"<b>{html.escape(r['id'])}</b> {html.escape(r['article_ja'])} / {html.escape(r['article_en'])}"
            f"<br><span class=\"small\">{html.escape(r['title_en'])}</span>"
            f"<br><span class=\"small ja\">{html.escape(r['title_ja'])}</span>" for r in d["rules"]) or "—"
        notes = []
        if d["on_incident_day"]:
            notes.append("<b>on the incident day</b>")
        if not d["known_then"]:
            notes.append("not known then")
        if d["retracted"]:
            notes.append(f"retracted by <code>{html.escape(d['retracted_by'])}</code>")
        if d.get("reason"):
            notes.append(html.escape(d["reason"]))
        out.append(f"<tr><td class=\"ids\">{ids([d['event_id']])}</td><td>{e(d['decision'])}</td>"
                   f"<td>{e(d['effective'])}<br>{e(d['recorded'])}</td><td>{e(d['actor'])}</td>"
                   f"<td>{rules}</td><td>{'<br>'.join(notes)}</td></tr>")
    out.append("</table>")
    return out


def _html_cap(x: dict, ids: Callable[[Iterable[str]], str]) -> list[str]:
    """The liability cap (IE-11.2) in both views, and the facts behind it as now known."""
    cap = x["liability_cap"]
    return ["<h2>Liability cap 賠償責任の上限</h2>",
            f'<p id="cap"><b>{html.escape(cap["id"])}</b> {html.escape(cap["article_ja"])} / '
            f"{html.escape(cap['article_en'])}: as now known <b>{html.escape(yen(cap['true']))}</b>, "
            f"as known then <b>{html.escape(yen(cap['then']))}</b>.<br>"
            f"<span class=\"small\">{html.escape(cap['title_en'])}</span><br>"
            f"<span class=\"small ja\">{html.escape(cap['title_ja'])}</span><br>"
            f"<span class=\"small\">because: {ids(cap['because']['true'])}</span></p>"]


def _html_rules(x: dict) -> list[str]:
    out = ["<h2>Rules cited 適用条項</h2><table id=\"rules\"><tr><th>rule</th><th>article</th><th>statement</th></tr>"]
    for r in x["rules"]:
        out.append(f"<tr><td><b>{html.escape(r['id'])}</b></td><td>{html.escape(r['article_ja'])}<br>"
                   f"{html.escape(r['article_en'])}</td><td>{html.escape(r['title_en'])}<br>"
                   f"<span class=\"ja\">{html.escape(r['title_ja'])}</span></td></tr>")
    out.append("</table>")
    return out


def _html_facts(x: dict, ids: Callable[[Iterable[str]], str]) -> list[str]:
    out = ["<h2>Facts 事実</h2><table id=\"facts\"><tr><th>fact</th><th>effective</th><th>recorded</th>"
           "<th>actor</th><th>rules</th><th>known then</th><th>true now</th><th>data</th></tr>"]
    for f in x["facts"]:
        out.append(f"<tr><td class=\"ids\">{ids([f['event_id']])}</td><td>{e(f['effective'])}</td>"
                   f"<td>{e(f['recorded'])}</td><td>{e(f['actor'])}</td><td>{e(', '.join(f['rules']))}</td>"
                   f"<td>{'yes' if f['known_then'] else 'no'}</td><td>{'yes' if f['true'] else 'no'}"
                   f"{' (retracted by ' + html.escape(f['retracted_by']) + ')' if f['retracted_by'] else ''}</td>"
                   f"<td><code>{html.escape(json.dumps(f['data'], ensure_ascii=False))}</code></td></tr>")
    out.append("</table>")
    return out


LEFT, RIGHT, WIDTH = 190, 20, 1140
ROW = 15


def _rows(t: dict) -> tuple[list[str], list[str]]:
    """The span rows and marker rows drawn in every lane (the same rows in both, for comparison)."""
    span_kinds: list[str] = []
    marker_kinds: list[str] = []
    for lane in t["lanes"].values():
        for s in lane["spans"]:
            if s["kind"] not in span_kinds:
                span_kinds.append(s["kind"])
        for m in lane["markers"]:
            if m["kind"] not in marker_kinds:
                marker_kinds.append(m["kind"])
    order = list(COLORS)
    span_kinds.sort(key=lambda k: order.index(k) if k in order else len(order))
    marker_kinds.sort(key=lambda k: order.index(k) if k in order else len(order))
    return span_kinds, marker_kinds


@dataclass(frozen=True)
class Layout:
    """Where things go on the timeline: the date axis, its ticks, and the rows of each lane."""

    start: date
    days: int
    span_kinds: list[str]
    marker_kinds: list[str]
    ticks: list[date]
    fmt: str
    top: int = 34

    @property
    def lane_h(self) -> int:
        return 26 + ROW * (len(self.span_kinds) + len(self.marker_kinds))

    @property
    def height(self) -> int:
        return self.top + 2 * (self.lane_h + 14) + 10

    def x(self, d: str | date) -> float:
        dd = date.fromisoformat(d) if isinstance(d, str) else d
        return round(LEFT + (dd - self.start).days / self.days * (WIDTH - LEFT - RIGHT), 1)

    def lane_y(self, li: int) -> int:
        return self.top + li * (self.lane_h + 14)


def layout(t: dict) -> Layout:
    """The axis from ``t["from"]`` to ``t["to"]``: a tick a year on a long axis (over two
    years), else a tick a month; the same span and marker rows in every lane."""
    start, end = date.fromisoformat(t["from"]), date.fromisoformat(t["to"])
    days = max(1, (end - start).days)
    ticks = []
    if days > 730:
        ticks = [date(y, 1, 1) for y in range(start.year + 1, end.year + 1)]
        fmt = "%Y"
    else:
        d = date(start.year, start.month, 1)
        while d <= end:
            if d >= start:
                ticks.append(d)
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        fmt = "%Y-%m"
    span_kinds, marker_kinds = _rows(t)
    return Layout(start, days, span_kinds, marker_kinds, ticks, fmt)


def timeline_svg(t: dict) -> str:
    """Both views of the member's life as an inline SVG: the axis, a lane per view, the incident."""
    lay = layout(t)
    top, height = lay.top, lay.height
    out = [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Timeline of both views">',
           '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
           '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>',
           f'<g class="axis"><line x1="{LEFT}" y1="{top - 8}" x2="{WIDTH - RIGHT}" y2="{top - 8}" stroke="#999"/>']
    for tick in lay.ticks:
        out.append(f'<line class="tick" x1="{lay.x(tick)}" y1="{top - 12}" x2="{lay.x(tick)}" y2="{height - 8}" '
                   f'stroke="#eee"/><text x="{lay.x(tick)}" y="{top - 15}" font-size="11" text-anchor="middle" '
                   f'fill="#555">{tick.strftime(lay.fmt)}</text>')
    out.append("</g>")
    for li, (lane, data) in enumerate(t["lanes"].items()):
        out.extend(_svg_lane(lay, li, lane, data))
    ix = lay.x(t["incident_day"])
    out.append(f'<g class="incident"><line x1="{ix}" y1="{top - 10}" x2="{ix}" y2="{height - 6}" stroke="#d62728" '
               f'stroke-width="2" stroke-dasharray="6 3"/><text x="{ix + 4}" y="{height - 8}" font-size="11" '
               f'fill="#d62728">incident {html.escape(t["incident"])}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


LANE_TITLES = {"true": "As now known (true) 現在判明", "then": "As known then 当時の記録"}


def _svg_lane(lay: Layout, li: int, lane: str, data: dict) -> list[str]:
    """One view's lane: a row per span kind, then a row per marker kind; the *then* lane hollow."""
    y0 = lay.lane_y(li)
    hollow = lane == "then"
    out = [f'<g class="lane lane-{lane}" data-known-at="{html.escape(data["known_at"])}">',
           f'<rect x="4" y="{y0}" width="{WIDTH - 8}" height="{lay.lane_h}" fill="{"#fafafa" if hollow else "#f4f8fc"}" '
           f'stroke="#ccc" rx="4"/>',
           f'<text x="10" y="{y0 + 16}" font-size="12" font-weight="bold">{html.escape(LANE_TITLES.get(lane, lane))}</text>']
    for ri, kind in enumerate(lay.span_kinds):
        ry = y0 + 22 + ri * ROW
        out.append(f'<text x="18" y="{ry + 10}" font-size="10" fill="#666">{kind}</text>')
        out.extend(_svg_span(lay, s, ry, hollow) for s in data["spans"] if s["kind"] == kind)
    for ki, kind in enumerate(lay.marker_kinds):
        ry = y0 + 22 + (len(lay.span_kinds) + ki) * ROW + ROW / 2
        out.append(f'<text x="18" y="{ry + 4}" font-size="10" fill="#666">{kind}</text>')
        out.extend(_svg_marker(lay.x(m["on"]), ry, m, hollow) for m in data["markers"] if m["kind"] == kind)
    out.append("</g>")
    return out


def _svg_span(lay: Layout, s: dict, ry: int, hollow: bool) -> str:
    kind = s["kind"]
    x1, x2 = lay.x(s["start"]), lay.x(s["end"])
    color = COLORS.get(kind, COLORS["other"])
    fill = "url(#hatch)" if hollow else color
    dash = ' stroke-dasharray="4 2"' if hollow else ""
    return (f'<rect class="span kind-{kind}" x="{x1}" y="{ry + 1}" width="{max(1.5, x2 - x1)}" height="{ROW - 4}" '
            f'fill="{fill}" fill-opacity="{0.9 if hollow else 0.55}" stroke="{color}" '
            f'stroke-width="1.5"{dash}>'
            f'<title>{html.escape(s["label"])}: {s["start"]} – {s["end"]}'
            f'{" (open)" if s.get("open") else ""} [{html.escape(s["event_id"])}]</title></rect>')


def _svg_marker(cx: float, ry: float, m: dict, hollow: bool) -> str:
    """A fact: a circle, a diamond for a decision; ringed when recorded late, crossed when retracted later."""
    kind = m["kind"]
    color = COLORS.get(kind, COLORS["other"])
    title = (f"{m['event_id']} {m['type']} effective {m['on']}, recorded {m['recorded']}"
             + (" — recorded after the incident" if m["after_incident"] else "")
             + (" — retracted later" if m["retracted_later"] else ""))
    cls = f"marker kind-{kind}" + (" late" if m["late"] else "") + (" retracted" if m["retracted_later"] else "")
    shape = (f'<rect x="{cx - 5}" y="{ry - 5}" width="10" height="10" transform="rotate(45 {cx} {ry})"'
             if m["decision"] else f'<circle cx="{cx}" cy="{ry}" r="5"')
    fill = "#fff" if hollow else color
    return (f'<g class="{cls}" data-event="{html.escape(m["event_id"])}">{shape} fill="{fill}" '
            f'stroke="{color}" stroke-width="2"/>'
            + (f'<circle cx="{cx}" cy="{ry}" r="8.5" fill="none" stroke="#ff7f0e" stroke-width="2"/>'
               if m["late"] else "")
            + (f'<path d="M{cx - 6} {ry - 6}L{cx + 6} {ry + 6}M{cx - 6} {ry + 6}L{cx + 6} {ry - 6}" '
               f'stroke="#000" stroke-width="2"/>' if m["retracted_later"] else "")
            + f"<title>{html.escape(title)}</title></g>")


def legend_html(t: dict) -> str:
    span_kinds, marker_kinds = _rows(t)
    items = []
    for k in span_kinds:
        items.append(f'<span><svg width="22" height="10"><rect width="22" height="10" fill="{COLORS.get(k, "#888")}" '
                     f'fill-opacity="0.55"/></svg>{k}</span>')
    for k in marker_kinds:
        items.append(f'<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="{COLORS.get(k, "#888")}"/>'
                     f"</svg>{k}</span>")
    items.append('<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#fff" stroke="#444" '
                 'stroke-width="2"/></svg>hollow = as known then</span>')
    items.append('<span><svg width="20" height="20"><circle cx="10" cy="10" r="5" fill="#444"/><circle cx="10" cy="10" '
                 'r="8.5" fill="none" stroke="#ff7f0e" stroke-width="2"/></svg>recorded after the incident</span>')
    items.append('<span><svg width="14" height="14"><path d="M1 1L13 13M1 13L13 1" stroke="#000" stroke-width="2"/>'
                 '</svg>retracted after the incident</span>')
    items.append('<span><svg width="14" height="14"><rect x="3" y="3" width="8" height="8" transform="rotate(45 7 7)" '
                 'fill="#444"/></svg>decision</span>')
    return '<p class="legend">' + "".join(items) + "</p>"


def explain_json(x: dict) -> str:
    return dumps(x)


def render(x: dict, fmt: str) -> str:
    if fmt == "json":
        return explain_json(x) + "\n"
    if fmt == "html":
        return explain_html(x)
    return explain_text(x)
