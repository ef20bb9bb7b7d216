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
added makes the bundle fail the check. Keep the manifest's own hash (printed at
creation) apart from the bundle: ``check(…, manifest_sha256=…)`` fails unless
the manifest is that one, so a manifest whose hashes were recomputed after an
edit is caught. A manifest naming anything but a plain file name of the bundle
(``../x``, ``/etc/x``, ``a/b``) and any symbolic link in the bundle are refused,
so the check never reads outside the folder. Files are written with exclusive
create and without following symbolic links.

Personal fields (names, addresses, …) are left out (``projections.personal``)
unless ``with_personal``: a bundle handed out is beyond the reach of a later
erasure.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import datetime

from ledger import member, rules as catalogue
from ledger.events import Event
from projections import report, safe
from projections.personal import redact

MANIFEST = "manifest.json"
FORMAT = "ledger-evidence-bundle/1"


def facts_jsonl(streams: dict[str, list[Event]], known_at: datetime, member_id: str | None = None,
                with_personal: bool = False) -> bytes:
    # Another member's stream (a secondary acquirer's previous owner, read for IE-17.2.x)
    # stays out: the bundle carries no other member's personal data.
    own = member.stream(member_id) if member_id else None
    facts = sorted((e for name, s in streams.items() if not (own and member.is_stream(name) and name != own)
                    for e in s if e.recorded <= known_at),
                   key=lambda e: (e.recorded, e.originator_id, e.originator_version))
    keep = (lambda d: d) if with_personal else redact
    lines = [json.dumps(keep({"event_id": e.event_id, "type": e.TYPE, **e.model_dump(mode="json")}), ensure_ascii=False)
             for e in facts]
    return ("\n".join(lines) + "\n" if lines else "").encode()


def rules_json(x: dict) -> bytes:
    out = []
    for r in x["rules"]:
        rule = catalogue.RULES.get(r["id"])
        out.append({**r, "ground": rule.ground if rule else None, "text_ja": rule.text_ja if rule else None})
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode()


def files(x: dict, streams: dict[str, list[Event]], at: datetime, now: datetime,
          with_personal: bool = False) -> dict[str, bytes]:
    """Every file of the bundle but the manifest, by name."""
    if not with_personal:
        x = redact(x)
    return {
        "report.txt": safe.text(report.explain_text(x)).encode(),
        "report.json": (report.explain_json(x) + "\n").encode(),
        "report.html": report.explain_html(x).encode(),
        "facts-known-then.jsonl": facts_jsonl(streams, at, x.get("id"), with_personal),
        "facts-known-now.jsonl": facts_jsonl(streams, now, x.get("id"), with_personal),
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


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def prepare(directory: str) -> None:
    """Make ``directory`` for a new bundle; raise ValueError (with the reason) if it cannot be one."""
    if os.path.islink(directory):
        raise ValueError(f"{directory} is a symbolic link: a bundle is written only into a real, new or empty folder.")
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise ValueError(f"{directory} exists and is not an empty directory: a bundle is never written over another.")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise ValueError(f"{directory}: the folder cannot be created ({e.strerror}).") from None


def write(directory: str, x: dict, streams: dict[str, list[Event]], at: datetime, now: datetime,
          with_personal: bool = False) -> dict[str, bytes]:
    """Write the bundle into ``directory`` (see ``prepare``) and return what was written.

    Each file is created exclusively (O_EXCL, O_NOFOLLOW): a file or symbolic
    link planted in the folder meanwhile makes the write fail, never followed.
    """
    prepare(directory)
    content = files(x, streams, at, now, with_personal)
    content[MANIFEST] = manifest(x, content)
    for name, data in content.items():
        try:
            fd = os.open(os.path.join(directory, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
        except OSError as e:
            raise ValueError(f"{os.path.join(directory, name)}: not written ({e.strerror}); "
                             "something else created it meanwhile.") from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    return content


def read_plain(directory: str, name: str) -> bytes | None:
    """The bytes of a regular file of the bundle, never through a symbolic link; None if missing."""
    p = os.path.join(directory, name)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{name} in the bundle is a symbolic link or not a regular file: refused.")
    fd = os.open(p, os.O_RDONLY | NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def check(directory: str, manifest_sha256: str | None = None) -> list[dict]:
    """Every file of the manifest and every file in the directory, each with ``ok``, ``changed``,
    ``missing`` or ``unlisted``. Raises ValueError when there is no readable manifest, when it is
    not the one whose hash is ``manifest_sha256``, when it names a path outside the bundle, or
    when the bundle holds a symbolic link."""
    if os.path.islink(directory) or not os.path.isdir(directory):
        raise ValueError(f"{directory} is not a bundle folder (a symbolic link or not a folder).")
    try:
        raw = read_plain(directory, MANIFEST)
        if raw is None:
            raise FileNotFoundError("missing")
        doc = json.loads(raw)
        listed = {item["name"]: item for item in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{MANIFEST}: no readable bundle manifest ({str(e)[:200]})") from None
    if manifest_sha256 is not None and sha256(raw).lower() != manifest_sha256.strip().lower():
        raise ValueError(f"{MANIFEST} is not the manifest made with the bundle: its SHA-256 is {sha256(raw)}, "
                         f"not {manifest_sha256.strip()[:64]}. The bundle cannot be trusted.")
    for name in listed:
        if not isinstance(name, str) or not PLAIN_NAME.match(name) or name == MANIFEST:
            raise ValueError(f"{MANIFEST} names {str(name)[:100]!r}, which is not a plain file name of the bundle: "
                             "refused (a manifest may not point outside its folder).")
    for name in os.listdir(directory):
        if os.path.islink(os.path.join(directory, name)):
            raise ValueError(f"{name[:100]} in the bundle is a symbolic link: refused.")
    out = []
    for name, item in sorted(listed.items()):
        data = read_plain(directory, name)
        if data is None:
            out.append({"name": name, "status": "missing", "expected": item["sha256"], "actual": None})
            continue
        actual = sha256(data)
        out.append({"name": name, "status": "ok" if actual == item["sha256"] else "changed",
                    "expected": item["sha256"], "actual": actual})
    for name in sorted(os.listdir(directory)):
        if name != MANIFEST and name not in listed:
            out.append({"name": name, "status": "unlisted", "expected": None, "actual": None})
    return out
