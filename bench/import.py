"""How long does `ledger import members` take for a spreadsheet of N members, and how much memory?

    python bench/import.py                 # 10,000 rows into a fresh SQLite store
    python bench/import.py --rows 2000 --encoding cp932

Generates the CSV (the README's column set, Japanese names, UTF-8 with BOM by
default as Excel writes it), initialises a fresh store, announces the fee, then
runs `ledger import members FILE` in a child process and reports its wall time
and peak RSS; then runs it again to show the re-run (every command a duplicate).
``rows(n)`` is also what tests/cli/test_import.py imports.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

COLUMNS = ["property_id", "delivered_on", "floors", "builder", "certified", "member_id", "applicant_name",
           "applicant_address", "applicant_phone", "applicant_birth_date", "applied_on", "privacy_consent_on",
           "operator_consent_on", "card_token", "card_on", "accepted_on", "paid_on", "paid_amount", "payment_ref"]
SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "結衣", "大輔", "さくら"]
PREFS = ["東京都世田谷区", "神奈川県横浜市", "大阪府豊中市", "福岡県福岡市", "静岡県静岡市"]


def rows(n: int, start: date = date(2024, 4, 1)) -> list[dict[str, str]]:
    """``n`` migrated members: delivered over a year, applied two weeks before, accepted on delivery, paid next day."""
    out = []
    for i in range(n):
        delivered = start + timedelta(days=i % 360)
        applied = delivered - timedelta(days=14)
        out.append({
            "property_id": f"P-{i + 1:06d}", "delivered_on": delivered.isoformat(), "floors": str(1 + i % 3),
            "builder": "company" if i % 4 else "group_company", "certified": "はい",
            "member_id": f"M-{i + 1:06d}", "applicant_name": f"{SURNAMES[i % 10]} {GIVEN[(i // 10) % 10]}",
            "applicant_address": f"{PREFS[i % 5]}{1 + i % 9}-{1 + i % 20}-{1 + i % 7}",
            "applicant_phone": f"090-{i % 10000:04d}-{(i * 7) % 10000:04d}",
            "applicant_birth_date": date(1960 + i % 40, 1 + i % 12, 1 + i % 28).isoformat(),
            "applied_on": applied.isoformat(), "privacy_consent_on": applied.isoformat(),
            "operator_consent_on": applied.isoformat(), "card_token": f"tok_mig_{i + 1:06d}",
            "card_on": applied.isoformat(), "accepted_on": delivered.isoformat(),
            "paid_on": (delivered + timedelta(days=1)).isoformat(), "paid_amount": "5500",
            "payment_ref": f"MIG-{i + 1:06d}",
        })
    return out


def write_csv(path: str, data: list[dict[str, str]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(data)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--encoding", default="utf-8-sig")
    args = ap.parse_args()
    ledger = str(Path(sys.executable).with_name("ledger"))
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "LEDGER_DB": f"{d}/ledger.db", "LEDGER_ACTOR": "bench.import",
               "LEDGER_CLOCK": "2026-11-20T09:00:00+09:00"}
        path = f"{d}/members.csv"
        write_csv(path, rows(args.rows), args.encoding)
        subprocess.run([ledger, "init"], env=env, check=True, capture_output=True)
        subprocess.run([ledger, "fee", "announce", "--amount", "5500", "--on", "2020-01-01"], env=env, check=True,
                       capture_output=True)
        for label in ("import", "re-run"):
            t0 = time.perf_counter()
            res = subprocess.run([ledger, "import", "members", path], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{label:7} {args.rows} rows ({os.path.getsize(path) / 1e6:.1f} MB {args.encoding}): {wall:.1f} s "
                  f"({args.rows / wall:.0f} rows/s), peak RSS {peak:.0f} MB, exit {res.returncode}")
            print("        " + res.stdout.strip().splitlines()[-1])
        print(f"store   {os.path.getsize(env['LEDGER_DB']) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
