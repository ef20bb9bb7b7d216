"""``ledger bundle``: an evidence bundle for one member at one incident, and its check.

The bundle is a directory of plain files that can be handed to a lawyer and
checked later without the ledger:

- ``report.txt``, ``report.json``, ``report.html`` — the explain report;
- ``facts-known-then.jsonl`` — every fact of the member's streams (its own, the
  fee schedule, its property) recorded by the incident, one stored fact per
  line in recorded order, retractions included;
- ``facts-known-now.jsonl`` — the same, recorded by the time of the bundle;
- ``rules.json`` — every rule the report cites: id, kind, the article in
  Japanese and English, the statement and the Japanese text of the terms;
- ``manifest.json`` — what was bundled (member, incident, knowledge times)
  and the SHA-256 and size of every other file.

``check`` re-hashes the files against the manifest: a file changed, missing or
added makes the bundle fail the check.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime

from ledger import rules as catalogue
from ledger.events import Event
from projections import report

MANIFEST = "manifest.json"
FORMAT = "ledger-evidence-bundle/1"


def facts_jsonl(streams: dict[str, list[Event]], known_at: datetime, member_id: str | None = None) -> bytes:
    # Another member's stream (a secondary acquirer's previous owner, read for IE-17.2.x)
    # stays out: the bundle carries no other member's personal data.
    own = f"member:{member_id}" if member_id else None
    facts = sorted((e for name, s in streams.items() if not (own and name.startswith("member:") and name != own)
                    for e in s if e.recorded <= known_at),
                   key=lambda e: (e.recorded, e.originator_id, e.originator_version))
    lines = [json.dumps({"event_id": e.event_id, "type": e.TYPE, **e.model_dump(mode="json")}, ensure_ascii=False)
             for e in facts]
    return ("\n".join(lines) + "\n" if lines else "").encode()


def rules_json(x: dict) -> bytes:
    out = []
    for r in x["rules"]:
        rule = catalogue.RULES.get(r["id"])
        out.append({**r, "ground": rule.ground if rule else None, "text_ja": rule.text_ja if rule else None})
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode()


def files(x: dict, streams: dict[str, list[Event]], at: datetime, now: datetime) -> dict[str, bytes]:
    """Every file of the bundle but the manifest, by name."""
    return {
        "report.txt": report.explain_text(x).encode(),
        "report.json": (report.explain_json(x) + "\n").encode(),
        "report.html": report.explain_html(x).encode(),
        "facts-known-then.jsonl": facts_jsonl(streams, at, x.get("id")),
        "facts-known-now.jsonl": facts_jsonl(streams, now, x.get("id")),
        "rules.json": rules_json(x),
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(x: dict, content: dict[str, bytes]) -> bytes:
    doc = {
        "format": FORMAT,
        "member_id": x["id"],
        "program": x["program"],
        "incident_at": x["at"],
        "known_then": x["known_then"],
        "known_now": x["known_now"],
        "views_differ": x["differs"],
        "files": [{"name": n, "bytes": len(b), "sha256": sha256(b)} for n, b in sorted(content.items())],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()


def write(directory: str, x: dict, streams: dict[str, list[Event]], at: datetime, now: datetime) -> dict[str, bytes]:
    """Write the bundle into ``directory`` (created; it must be empty) and return what was written."""
    os.makedirs(directory, exist_ok=True)
    content = files(x, streams, at, now)
    content[MANIFEST] = manifest(x, content)
    for name, data in content.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    return content


def check(directory: str) -> list[dict]:
    """Every file of the manifest and every file in the directory, each with ``ok``, ``changed``,
    ``missing`` or ``unlisted``. Raises ValueError when there is no readable manifest."""
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
        listed = {item["name"]: item for item in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: no readable bundle manifest ({e})") from None
    out = []
    for name, item in sorted(listed.items()):
        p = os.path.join(directory, name)
        if not os.path.isfile(p):
            out.append({"name": name, "status": "missing", "expected": item["sha256"], "actual": None})
            continue
        with open(p, "rb") as f:
            actual = sha256(f.read())
        out.append({"name": name, "status": "ok" if actual == item["sha256"] else "changed",
                    "expected": item["sha256"], "actual": actual})
    for name in sorted(os.listdir(directory)):
        if name != MANIFEST and name not in listed:
            out.append({"name": name, "status": "unlisted", "expected": None, "actual": None})
    return out
