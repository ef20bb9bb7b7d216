"""Bad input (property-based): over 10,000 malformed, mistyped, out-of-range and
rule-breaking command lines thrown at ``ledger apply``.

Every line must get its own clear error (a code and a full-sentence message),
nothing may be written, there is never a traceback, and the process survives
to answer the next line. Lines go through the real CLI (click's runner), in
batches of 125 per example on one SQLite store.
"""
from __future__ import annotations

import json
import string

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

import cli
from ledger.store import open_store

BATCH, EXAMPLES = 50, 210  # 10,500 lines
CLOCK = "2025-06-01T09:00:00+09:00"

# --- the store the lines are thrown at ------------------------------------------------------

SEED = [
    {"command": "announce_fee", "amount": 5500, "on": "2025-01-01"},
    {"command": "register_property", "property_id": "P-1001", "delivered_on": "2025-03-15", "floors": 2,
     "builder": "company", "certified": True, "on": "2025-03-01"},
    {"command": "apply_membership", "member_id": "M-0042", "property_id": "P-1001", "applicant": {"name": "山田 太郎"},
     "on": "2025-03-01"},
    {"command": "record_consent", "member_id": "M-0042", "kind": "privacy_policy", "on": "2025-03-01"},
    {"command": "register_card", "member_id": "M-0042", "card_token": "tok_4f9a2c", "on": "2025-03-02"},
    {"command": "accept_registration", "member_id": "M-0042", "on": "2025-03-10"},
    {"command": "record_payment", "member_id": "M-0042", "amount": 5500, "payment_ref": "PAY-1", "on": "2025-03-12"},
    {"command": "record_payment", "member_id": "M-0042", "amount": 5500, "payment_ref": "PAY-X", "on": "2025-03-13"},
    {"command": "retract", "event_id": "member:M-0042#7", "reason": "keyed twice"},
    {"command": "apply_membership", "member_id": "M-0043", "property_id": "P-1001", "applicant": {"name": "佐藤 花子"},
     "on": "2025-03-01"},
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("bad") / "ledger.db")
    env = {"LEDGER_DB": db, "LEDGER_ACTOR": "sato.k", "LEDGER_CLOCK": CLOCK, "LANG": "", "LEDGER_MASTER_KEY": "",
           "LEDGER_MASTER_KEY_FILE": ""}
    r = CliRunner(env=env)
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    res = r.invoke(cli.main, ["apply", "-"], input="\n".join(json.dumps(c) for c in SEED))
    assert res.exit_code == 0, res.output
    return r, db


def snapshot(db: str) -> tuple:
    app = open_store(db)
    try:
        with app.cursor() as cur:
            return app.recorder.max_notification_id(), cur.one("SELECT COUNT(*), MAX(hash) FROM {chain}"), \
                cur.one("SELECT COUNT(*) FROM {keys}")
    finally:
        app.close()


# --- lines that can never be a valid command ----------------------------------------------------

ids = st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=10).map(lambda s: "Q" + s)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
# Kept shallow on purpose: drawing deep structures costs more than running the commands.
json_values = json_scalars | st.lists(json_scalars, max_size=3) | st.dictionaries(st.text(max_size=6), json_scalars,
                                                                                   max_size=3)

# Values no field of that kind accepts (pydantic's lax mode would coerce "5500" to 5500, or a
# number to a date, so only values that cannot be coerced are listed).
BAD = {
    "id": [123, 1.5, True, [], {}, "", "has space", "x" * 65, "-lead", "ü-1", None, "M/1"],
    "money": ["lots", "", [], {}, 1.5, None, 0, -1, 10**12, "12abc", "1e400"],
    "date": ["2025-02-30", "2025-13-01", "yesterday", "", [], {}, "2025/03/01", "2025-3-1", "25-03-01", True],
    "kind": ["unknown", 1, [], "PRIVACY_POLICY", "", {}],
    "bool": ["yes", "true", 1, 0, [], "", {}],
    "floors": [0, 201, -3, "two", 2.5, [], None],
    "token": ["4111111111111111", "12", "", 5, "tok with space", "tok_" + "a" * 200, []],
    "text": ["", "x" * 2001, 5, [], {}],
    "ref": ["", "x" * 129, 5, [], None],
    "person": [{}, {"name": ""}, "山田", [], {"name": "x", "extra": 1}, {"name": "x", "corporation": "yes"},
               {"name": "x", "birth_date": "2025-02-30"}, {"name": "x" * 201}, None],
    "event": ["", "member:M-0042", "M-0042#1", 5, "member:#x"],
    "rule": ["IE 1", "", "PC-1", 5],
}

# Valid-syntax templates (kinds of their fields), one per command, each mutated once below.
TEMPLATES = [
    ({"command": "register_property", "property_id": "P-2", "delivered_on": "2025-03-15", "floors": 2,
      "builder": "company", "certified": True},
     {"property_id": "id", "delivered_on": "date", "floors": "floors", "certified": "bool", "builder": "text"}),
    ({"command": "announce_fee", "amount": 6000, "reason": "revision"}, {"amount": "money", "reason": "kind"}),
    ({"command": "apply_membership", "member_id": "M-2", "property_id": "P-1001", "acquirer": "primary",
      "applicant": {"name": "田中 一郎"}, "points": False},
     {"member_id": "id", "property_id": "id", "acquirer": "kind", "applicant": "person", "points": "bool"}),
    ({"command": "record_consent", "member_id": "M-0043", "kind": "privacy_policy"}, {"member_id": "id", "kind": "kind"}),
    ({"command": "withdraw_consent", "member_id": "M-0042", "kind": "operator_provision"},
     {"member_id": "id", "kind": "kind"}),
    ({"command": "register_card", "member_id": "M-0043", "card_token": "tok_new1"},
     {"member_id": "id", "card_token": "token"}),
    ({"command": "extend_registration_deadline", "member_id": "M-0043", "until": "2025-04-30"},
     {"member_id": "id", "until": "date"}),
    ({"command": "accept_registration", "member_id": "M-0043"}, {"member_id": "id"}),
    ({"command": "refuse_registration", "member_id": "M-0043", "rule": "IE-17.2.4"}, {"member_id": "id", "rule": "rule"}),
    ({"command": "record_payment", "member_id": "M-0042", "amount": 5500, "payment_ref": "PAY-9"},
     {"member_id": "id", "amount": "money", "payment_ref": "ref"}),
    ({"command": "record_payment_failure", "member_id": "M-0042", "amount": 5500, "payment_ref": "DECL-9"},
     {"member_id": "id", "amount": "money", "payment_ref": "ref"}),
    ({"command": "retract", "event_id": "member:M-0042#6", "reason": "typo"}, {"event_id": "event", "reason": "text"}),
    ({"command": "erase_personal_data", "member_id": "M-0043"}, {"member_id": "id"}),
]


@st.composite
def mistyped(draw) -> dict:
    """A valid-looking command with exactly one field wrong, missing or unknown."""
    template, kinds = draw(st.sampled_from(TEMPLATES))
    cmd = dict(template)
    how = draw(st.sampled_from(["wrong", "wrong", "missing", "unknown", "both_times", "command_id", "bad_text"]))
    if how == "wrong":
        name = draw(st.sampled_from(sorted(kinds)))
        cmd[name] = draw(st.sampled_from(BAD[kinds[name]]))
    elif how == "missing":
        required = [k for k in kinds if k not in ("acquirer", "points", "reason") or template["command"] == "retract"]
        del cmd[draw(st.sampled_from(sorted(required)))]
    elif how == "unknown":
        cmd[draw(st.sampled_from(["memberid", "amout", "on_", "notes", "Member_id", "card_number"]))] = draw(json_values)
    elif how == "both_times":
        cmd["on"], cmd["at"] = "2025-05-01", draw(st.sampled_from(["2025-05-02T10:00+09:00", "2025-04-30T23:00+09:00"]))
    elif how == "command_id":
        cmd["command_id"] = draw(st.sampled_from(["", "x" * 129, 5, [], {}, True]))
    else:
        name = draw(st.sampled_from(sorted(k for k in kinds if isinstance(template.get(k), str))))
        cmd[name] = template[name] + draw(st.sampled_from(["\x00", "\ud800", "\udfff"]))
    return cmd


def _refused(draw) -> list:
    fresh = draw(ids)
    amount = draw(st.integers(1, 10**6))
    return [
        lambda: {"command": "apply_membership", "member_id": "M-0042", "property_id": "P-1001", "applicant": {"name": "x"}},
        lambda: {"command": "apply_membership", "member_id": "M-" + fresh, "property_id": "P-1001",
                 "applicant": {"name": "株式会社 山田", "corporation": True}},
        lambda: {"command": "apply_membership", "member_id": "M-" + fresh, "property_id": "P-" + fresh,
                 "applicant": {"name": "x"}},
        lambda: {"command": "accept_registration", "member_id": "M-0042"},
        lambda: {"command": "accept_registration", "member_id": "M-0043"},
        lambda: {"command": "refuse_registration", "member_id": "M-0042", "rule": "IE-17.2.4"},
        lambda: {"command": "extend_registration_deadline", "member_id": "M-0042", "until": "2025-12-31"},
        lambda: {"command": "record_payment", "member_id": "M-" + fresh, "amount": amount, "payment_ref": "PAY-" + fresh},
        lambda: {"command": "record_payment", "member_id": "M-0042", "amount": amount, "payment_ref": "PAY-1"},
        lambda: {"command": "record_payment", "member_id": "M-0043", "amount": amount, "payment_ref": "PAY-" + fresh},
        lambda: {"command": "record_consent", "member_id": "M-0042", "kind": "privacy_policy"},
        lambda: {"command": "withdraw_consent", "member_id": "M-0043", "kind": "privacy_policy"},
        lambda: {"command": "register_card", "member_id": "M-0042", "card_token": "tok_4f9a2c"},
        lambda: {"command": "register_card", "member_id": "M-" + fresh, "card_token": "tok_" + fresh.replace("-", "_")},
        lambda: {"command": "register_property", "property_id": "P-1001", "delivered_on": "2025-03-15", "floors": 2,
                 "builder": "company", "certified": True},
        lambda: {"command": "retract", "event_id": "member:M-0042#99", "reason": "typo"},
        lambda: {"command": "retract", "event_id": "member:M-0042#8", "reason": "undo the undo"},
        lambda: {"command": "retract", "event_id": "member:M-0042#7", "reason": "again"},
        lambda: {"command": "erase_personal_data", "member_id": "M-0042"},
        lambda: {"command": "erase_personal_data", "member_id": "M-0043"},
        lambda: {"command": "erase_personal_data", "member_id": "M-" + fresh},
    ]


@st.composite
def rule_breaking(draw) -> dict:
    """Well-formed commands the rules refuse, whatever their ids, amounts and command ids."""
    cmd = draw(st.sampled_from(_refused(draw)))()
    if draw(st.booleans()):
        cmd["command_id"] = "cmd-" + draw(ids)
    return cmd


garbage = st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and b.strip() != b"")
not_objects = (json_scalars | st.lists(json_scalars, max_size=3)).map(json.dumps)
no_command = st.dictionaries(st.text(max_size=8).filter(lambda k: k != "command"), json_values, max_size=4) | \
    st.fixed_dictionaries({"command": st.text(max_size=12) | json_scalars}, optional={"member_id": st.text()})
encoded = lambda d: json.dumps(d, ensure_ascii=False)  # noqa: E731

line = st.one_of(
    rule_breaking().map(lambda d: encoded(d).encode()),
    mistyped().map(lambda d: json.dumps(d).encode()),  # ASCII escapes carry the NULs and lone surrogates
    rule_breaking().map(lambda d: encoded(d).encode()),
    garbage,
    not_objects.map(str.encode),
    no_command.map(encoded).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"[" * 50_000 + b"]" * 50_000, b"\xff\xfe{}", b'{"command": "record_payment"', b"\x00",
                     b'{"command":"record_payment","member_id":"M-0042","amount":NaN,"payment_ref":"P"}',
                     b'{"command":"record_payment","member_id":"M-0042","amount":1e999,"payment_ref":"P"}']),
)

CODES = {"bad_input", "unknown_command", "not_found", "refused", "already_exists", "already_decided", "no_change",
         "duplicate_payment", "already_registered", "already_retracted", "not_retractable", "erased"}
seen: dict[str, int] = {"lines": 0}


def check_batch(store, lines: list[bytes]) -> None:
    r, db = store
    before = snapshot(db)
    res = r.invoke(cli.main, ["apply", "-"], input=b"\n".join(lines) + b"\n")
    assert isinstance(res.exception, SystemExit), res.exception  # survived: no traceback, a clean exit
    assert res.exit_code in (1, 2)
    assert "Traceback" not in res.output
    out = [json.loads(x) for x in res.output.split("\n") if x]  # not splitlines(): U+0085 is inside JSON
    assert [o["line"] for o in out] == list(range(1, len(lines) + 1))
    for o, raw in zip(out, lines):
        assert o["ok"] is False, (raw[:200], o)
        err = o["error"]
        assert err["code"] in CODES, (raw[:200], err)
        assert err["message"].endswith((".", "。", ")")) and len(err["message"]) > 20, (raw[:200], err)
        seen[err["code"]] = seen.get(err["code"], 0) + 1
    assert snapshot(db) == before, "a refused or malformed line wrote something"
    seen["lines"] += len(lines)


def test_ten_thousand_bad_lines_each_get_a_clear_error_and_write_nothing(store):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(line, min_size=BATCH, max_size=BATCH))
    def batch(lines):
        check_batch(store, lines)

    batch()
    assert seen["lines"] >= 10_000
    # Every family of error was met, so the mix really covers malformed, mistyped and rule-breaking input.
    for code in ("bad_input", "unknown_command", "not_found", "refused", "already_exists", "already_decided",
                 "no_change", "duplicate_payment", "already_registered", "already_retracted", "not_retractable"):
        assert seen.get(code, 0) > 0, code


@pytest.mark.parametrize("raw, field", [
    (b"[" * 50_000 + b"]" * 50_000, "line"),
    (b"\xff\xfe{}", "line"),
    (b'{"command":"record_payment","member_id":"M-0042","amount":5500,"payment_ref":"P\\ud800"}', "payment_ref"),
    (b'{"command":"record_payment","member_id":"M-0042","amount":5500,"payment_ref":"P\\u0000"}', "payment_ref"),
    (b'{"command":"record_payment","member_id":"M-0042","amount":5500,"payment_ref":"P","command_id":"c\\u0000"}',
     "command_id"),
    (b'{"command":"apply_membership","member_id":"M-9","property_id":"P-1001","applicant":{"name":"\\udfff"}}',
     "applicant.name"),
])
def test_input_no_store_can_hold_is_refused_by_field(store, raw, field):
    r, db = store
    before = snapshot(db)
    res = r.invoke(cli.main, ["apply", "-"], input=raw + b"\n")
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit)
    err = json.loads(res.output)["error"]
    assert err["code"] == "bad_input" and err["field"] == field
    assert snapshot(db) == before
