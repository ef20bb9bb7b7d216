"""Write tests/golden/event_schemas.json: every stored event TYPE with its VERSION and shape.

    python tools/golden_events.py       # regenerate after bumping a VERSION (and adding its upcaster)

The shape is the pydantic JSON schema of the class without titles, descriptions
(a docstring edit is not a change of what is stored) and the extra-field policy.
tests/architecture/test_event_contract.py fails when a shape changed but its VERSION did not.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.events import EVENT_TYPES, Event  # noqa: E402

OUT = ROOT / "tests" / "golden" / "event_schemas.json"


NOT_SHAPE = ("title", "description", "additionalProperties")  # wording, and the extra-field policy


def _bare(node: Any, names: bool = False) -> Any:
    """The schema without ``NOT_SHAPE`` keys (``names``: the keys are field names, all kept)."""
    if isinstance(node, dict):
        return {k: _bare(v, k in ("properties", "$defs") and not names) for k, v in node.items()
                if names or k not in NOT_SHAPE}
    if isinstance(node, list):
        return [_bare(v) for v in node]
    return node


def shape(cls: type[Event]) -> dict:
    return _bare(cls.model_json_schema())


def contract() -> dict[str, dict]:
    """{TYPE: {"version": n, "schema": shape}} for every event class of ``ledger.events``."""
    return {t: {"version": cls.VERSION, "schema": shape(cls)}
            for t, cls in sorted(EVENT_TYPES.items()) if cls.__module__ == "ledger.events"}


BUMP = "bump VERSION and add an upcaster, then regenerate with `python tools/golden_events.py`"


def problems(golden: dict[str, dict], now: dict[str, dict]) -> list[str]:
    """What breaks the contract between the golden file and the classes (empty: none)."""
    out = [f"{topic}: a stored topic no longer has a class, so its facts cannot be read: keep its TYPE"
           for topic in sorted(set(golden) - set(now))]
    out += [f"{topic}: a new event type: regenerate with `python tools/golden_events.py`"
            for topic in sorted(set(now) - set(golden))]
    for topic in sorted(set(now) & set(golden)):
        entry, was = now[topic], golden[topic]
        if entry["schema"] != was["schema"] and entry["version"] == was["version"]:
            out.append(f"{topic}: its stored shape changed but VERSION is still {entry['version']}: {BUMP}")
        elif entry != was:
            out.append(f"{topic}: VERSION {entry['version']} is not in the golden file (it says {was['version']}): "
                       "regenerate with `python tools/golden_events.py`")
    return out


def render() -> str:
    return json.dumps(contract(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(contract())} event types)")
