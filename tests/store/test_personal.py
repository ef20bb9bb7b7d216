"""Personal data (IE-19.9, IE-19.10): stored encrypted per member, erased by destroying the key."""
import json
from datetime import date

import pytest

from ledger import keys, privacy
from ledger.errors import Forbidden, NotFound, Refused, StoreError
from ledger.events import RegistrationRefused
from ledger.member import Charge, Member
from ledger.store import open_store
from projections import history, status
from projections.window import Window
from tests.rawdb import Raw
from tests.store.test_store import onboard, run, t

NOW = t("2025-07-01T00:00")
W = Window(NOW, NOW)
APPLICANT = {"name": "山田 太郎", "address": "東京都世田谷区1-2", "phone": "090-1234-5678", "email": "taro@example.jp",
             "birth_date": "1980-05-05"}


def apply(app, mid="M-0050", when="2025-03-11T09:00"):
    run(app, when, command="apply_membership", member_id=mid, property_id="P-1", applicant=APPLICANT, on="2025-03-01")


def refuse(app, mid="M-0050", when="2025-03-11T10:00"):
    run(app, when, command="refuse_registration", member_id=mid, rule="IE-17.2.4", reason="no photo ID",
        on="2025-03-03")


def erase(app, mid="M-0050", when="2025-03-11T11:00", on="2025-03-04"):
    return run(app, when, command="erase_personal_data", member_id=mid, on=on)


def test_personal_fields_are_stored_only_as_ciphertext(app, store_url):
    onboard(app)
    apply(app)
    raw = Raw(store_url)
    stored = b"".join(r[0] if isinstance(r[0], bytes) else bytes(r[0]) for r in raw.run("SELECT state FROM {events}"))
    for secret in ("山田 太郎", "東京都世田谷区", "090-1234-5678", "taro@example.jp", "1980-05-05"):
        assert secret.encode() not in stored, secret
    (state,) = raw.run("SELECT state FROM {events} WHERE originator_id = 'member:M-0050'")[0]
    envelope = json.loads(bytes(state))["applicant"]
    assert set(envelope) == {"enc", "nonce", "ct"} and envelope["enc"] == "aes-256-gcm/v1"
    # Each member has its own key, wrapped by the master key.
    wrapped = dict(raw.run("SELECT subject, wrapped FROM {keys}"))
    assert set(wrapped) == {"member:M-0042", "member:M-0050"} and len(set(wrapped.values())) == 2
    # The read path decrypts.
    row = status.member_status(app, "M-0050", W)
    assert row["applicant"] == {**APPLICANT, "erased": False, "withheld": False}


def test_erasure_is_refused_while_retention_runs(app):
    onboard(app)
    for on, state in (("2025-03-10", "accepted"), ("2025-04-02", "active")):
        with pytest.raises(Refused) as e:
            erase(app, "M-0042", "2025-04-02T09:00", on)
        assert e.value.rule == "IE-19.10"
        assert e.value.en.startswith(f"Member M-0042 is {state} on {on}: personal data is kept until the withdrawal")
    apply(app, when="2025-04-02T09:00")
    with pytest.raises(Refused) as e:
        erase(app, "M-0050", "2025-04-02T09:00")
    assert e.value.rule == "IE-19.10" and "Member M-0050 is applied on 2025-03-04" in e.value.en
    with pytest.raises(NotFound):
        erase(app, "M-9999", "2025-04-02T09:00")


def test_a_member_who_owes_money_is_not_erased():
    m = Member("M-7", refused=RegistrationRefused(originator_id="member:M-7", originator_version=2,
                                                  recorded=t("2025-03-03T10:00"), effective=t("2025-03-03T00:00"),
                                                  actor="x", rule="IE-17.2.4"),
               charges=[Charge(date(2025, 3, 1), 5500, 1, "member:M-7#2")], applied_on=date(2025, 3, 1))
    with pytest.raises(Refused) as e:
        privacy.decide_erase(m, date(2025, 3, 4), None)
    assert e.value.rule == "IE-19.10" and "still owes 5500 yen on 2025-03-04" in e.value.en


def test_erasure_destroys_the_key_and_keeps_every_fact(app, store_url):
    onboard(app)
    apply(app)
    refuse(app)
    raw = Raw(store_url)
    before = raw.run("SELECT state FROM {events} WHERE originator_id = 'member:M-0050' ORDER BY originator_version")
    result = erase(app)
    assert [(e.event_id, e.TYPE, e.rules) for e in result.events] == [
        ("member:M-0050#3", "PersonalDataErased", ("IE-19.10",))]
    after = raw.run("SELECT state FROM {events} WHERE originator_id = 'member:M-0050' ORDER BY originator_version")
    assert after[:2] == before  # the facts, ciphertext included, are untouched
    assert raw.run("SELECT wrapped FROM {keys} WHERE subject = 'member:M-0050'") == [(None,)]
    # A fresh process (no cached key) reads the personal fields as erased, everywhere.
    again = open_store(store_url)
    try:
        erased = {"name": None, "address": None, "phone": None, "email": None, "birth_date": None, "erased": True,
                  "withheld": False}
        assert status.member_status(again, "M-0050", W)["applicant"] == erased
        assert history.rows(again.read("member:M-0050"), W)[0]["data"]["applicant"] == erased
        assert status.member_status(again, "M-0050", W)["state"] == "refused"
        # Other members keep theirs.
        assert status.member_status(again, "M-0042", W)["applicant"]["name"] == "山田 太郎"
        from projections import integrity

        assert integrity.verify(again, W).problem is None
    finally:
        again.close()


def test_an_erasure_cannot_be_repeated_retracted_or_refilled(app):
    onboard(app)
    apply(app)
    refuse(app)
    erase(app)
    with pytest.raises(Refused) as e:
        erase(app, when="2025-03-12T10:00")
    assert e.value.code == "no_change"
    with pytest.raises(Refused) as e:
        run(app, "2025-03-12T10:00", command="retract", event_id="member:M-0050#3", reason="oops")
    assert e.value.code == "not_retractable"
    with pytest.raises(Refused) as e:
        app.keyring.seal("member:M-0050", keys.field_aad("member:M-0050#9", "applicant"), {"name": "x"})
    assert e.value.code == "erased"


def test_the_wrong_master_key_is_refused_at_open(app, store_url, monkeypatch):
    onboard(app)
    monkeypatch.setenv("LEDGER_MASTER_KEY", keys.new_key_text())
    with pytest.raises(StoreError, match="is not the one this ledger was initialised with"):
        open_store(store_url)


def test_without_the_master_key_personal_fields_are_withheld_and_not_written(app, store_url, monkeypatch):
    onboard(app)
    monkeypatch.delenv("LEDGER_MASTER_KEY", raising=False)
    monkeypatch.setenv("LEDGER_MASTER_KEY_FILE", "")
    if not Raw(store_url).pg:
        import os

        os.rename(store_url + ".key", store_url + ".key.away")
    reader = open_store(store_url)
    try:
        applicant = status.member_status(reader, "M-0042", W)["applicant"]
        assert applicant["withheld"] is True and applicant["name"] is None
        with pytest.raises(Forbidden, match="No master key is configured"):
            apply(reader, "M-0051", "2025-03-11T09:00")
        # Facts without personal fields are still recorded.
        run(reader, "2025-03-11T09:00", command="record_payment", member_id="M-0042", amount=5500, payment_ref="P-9",
            on="2025-03-11")
    finally:
        reader.close()


def test_ciphertext_moved_to_another_fact_does_not_decrypt(app):
    onboard(app)
    apply(app)
    sealed = app.keyring.seal("member:M-0050", keys.field_aad("member:M-0050#1", "applicant"), {"name": "x"})
    assert app.keyring.open("member:M-0050", keys.field_aad("member:M-0050#1", "applicant"), sealed) == {"name": "x"}
    with pytest.raises(StoreError, match="altered or moved"):
        app.keyring.open("member:M-0050", keys.field_aad("member:M-0050#2", "applicant"), sealed)


@pytest.mark.parametrize("text", ["zz", "AAAA", "00" * 31])
def test_a_master_key_must_be_32_bytes(text):
    with pytest.raises(Exception, match="32-byte key"):
        keys.parse_key(text, "LEDGER_MASTER_KEY")
    assert len(keys.parse_key(keys.new_key_text(), "x")) == 32
    assert keys.parse_key("ab" * 32, "x") == bytes.fromhex("ab" * 32)


def test_a_writer_with_a_stale_key_cannot_add_personal_data_after_an_erasure(app, store_url):
    """Another process erased the member while this one still held the key in memory:
    the append itself re-checks under the lock and refuses."""
    from ledger.events import MembershipApplied, Personal

    onboard(app)
    apply(app)
    refuse(app)
    assert status.member_status(app, "M-0050", W)["applicant"]["name"] == "山田 太郎"  # key now cached here
    other = open_store(store_url)
    erase(other)
    other.close()
    late = MembershipApplied(originator_id="member:M-0050", originator_version=4, recorded=t("2025-03-12T09:00"),
                             effective=t("2025-03-12T00:00"), actor="x", member_id="M-0050", property_id="P-1",
                             acquirer="primary", applicant=Personal(name="山田 太郎"))
    with pytest.raises(Refused) as e:
        app.save(late)
    assert e.value.code == "erased" and e.value.rule == "IE-19.10"
    assert len(app.read("member:M-0050")) == 3


def test_a_new_key_is_stored_with_its_first_facts_and_a_lost_race_is_a_conflict(app, store_url):
    from ledger.errors import Conflict
    from ledger.events import MembershipApplied, Personal

    onboard(app)

    def applied(version):
        return MembershipApplied(originator_id="member:M-0099", originator_version=version,
                                 recorded=t("2025-03-12T09:00"), effective=t("2025-03-12T00:00"), actor="x",
                                 member_id="M-0099", property_id="P-1", acquirer="primary",
                                 applicant=Personal(name=f"版 {version}"))

    other = open_store(store_url)
    try:
        # The other writer made a key for the new subject but has not stored it yet.
        other.keyring.seal("member:M-0099", keys.field_aad("member:M-0099#2", "applicant"), {"name": "x"})
        assert list(other.keyring.pending) == ["member:M-0099"]
        app.save(applied(1))  # this writer's key is stored in the same transaction as its fact
        assert app.keyring.pending == {}
        with pytest.raises(Conflict, match="created the data key of member:M-0099 first"):
            other.save(applied(2))
        assert len(app.read("member:M-0099")) == 1
        other.save(applied(2))  # decided again: it now uses the stored key
        assert [e.applicant.name for e in open_store(store_url).read("member:M-0099")] == ["版 1", "版 2"]
    finally:
        other.close()


def test_a_list_reads_its_keys_a_batch_at_a_time_and_still_honours_an_erasure(app, store_url):
    """iter_streams reads a batch's wrapped keys in one query (issue 11); an erased member
    still reads as erased and the others open, with no per-stream key query."""
    from ledger import member

    onboard(app)
    apply(app)
    refuse(app)
    erase(app)
    again = open_store(store_url)
    try:
        asked = []
        load = again.keyring._load
        again.keyring._load = lambda subject: asked.append(subject) or load(subject)
        applicants = {name: next(e.applicant for e in facts if e.TYPE == "MembershipApplied")
                      for name, facts in again.iter_streams(member.PREFIX, batch=2)}
        assert asked == []
        assert applicants["member:M-0050"].erased is True and applicants["member:M-0050"].name is None
        assert applicants["member:M-0042"].name == "山田 太郎"
        assert again.keyring._wrapped == {} and again.keyring._keys == {}  # nothing kept once the list is done
    finally:
        again.close()
