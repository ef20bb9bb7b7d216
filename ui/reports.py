"""The auditors' `diff` report in the current language, from the same data as projections.report.diff_text.

English is projections.report's own text; this renders the Japanese from the
diff's dict (fields by their labels, facts with their type labels), so no
English sentence is parsed back.
"""
from __future__ import annotations

from typing import Any

from ui import table
from ui.i18n import N_, _, f_
from ui.labels import header, item, value


def show(key: str, v: Any) -> str:
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, list):
        return "; ".join(item(x, key) for x in v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10000:
        return f"{v:,}"
    return value(key, v)


def fact_line(x: dict) -> str:
    kind = value("type", x["type"])
    if x.get("kind") == "retracted":
        return f_(N_("{event_id} {type} (effective {effective}, recorded {recorded} by {actor}) retracted by "
                     "{retracted_by} at {retracted_recorded} by {retracted_actor}: {reason}"),
                  event_id=x["event_id"], type=kind, effective=x["effective"][:10], recorded=x["recorded"],
                  actor=x["actor"], retracted_by=x["retracted_by"], retracted_recorded=x["retracted_recorded"],
                  retracted_actor=x["retracted_actor"], reason=x["reason"])
    tail = f": {x['reason']}" if x.get("reason") else ""
    return f_(N_("{event_id} {type} effective {effective}, recorded {recorded} by {actor} ({how})"),
              event_id=x["event_id"], type=kind, effective=x["effective"][:10], recorded=x["recorded"],
              actor=x["actor"], how=_(HOW.get(x["kind"], x["kind"]))) + tail


# How a fact came between the two knowledge times; what became of a row.
HOW = {"recorded": N_("recorded between the two times"), "recorded_late": N_("recorded late")}
CHANGES = [N_("appeared"), N_("disappeared"), N_("changed")]


def diff_text(d: dict) -> str:
    t = d["totals"]
    lines = [f_(N_("Status on {as_of}: known at {known_at} vs known at {vs_known_at}"), as_of=d["as_of"],
                known_at=d["known_at"], vs_known_at=d["vs_known_at"]),
             f_(N_("{changed} rows differ ({appeared} appeared, {disappeared} disappeared)"), **t), ""]
    for m in d["members"]:
        if m["change"] == "changed":
            lines.append(f"{m['id']}  {_('changed')}")
            labels = [header(f["field"]) for f in m["fields"]]
            width = max((table.width(x) for x in labels), default=0)
            for label, f in zip(labels, m["fields"]):
                lines.append(f"  {table.pad(label, width)}  {show(f['field'], f['then'])} -> "
                             f"{show(f['field'], f['now'])}")
        else:
            state = next((f["now"] if m["change"] == "appeared" else f["then"] for f in m["fields"]
                          if f["field"] == "state"), None)
            lines.append(f"{m['id']}  {_(m['change'])} ({show('state', state)})")
        for x in m["facts"]:
            lines.append("    " + fact_line(x))
        lines.append("")
    for x in d.get("shared_facts") or []:
        lines.append("  " + _("fee schedule:") + " " + fact_line(x))
    return "\n".join(lines).rstrip() + "\n"
