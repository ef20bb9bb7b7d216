"""Tables for people: exact output in English and Japanese, East Asian width, wrapping, summaries."""
import json
import unicodedata

import pytest
from click.testing import CliRunner

import clihelp
from clihelp import init, invoke, member_in_arrears
from ui import i18n, table


@pytest.fixture
def runner(tmp_path, monkeypatch):
    return clihelp.runner(tmp_path, monkeypatch)


@pytest.fixture
def story(runner):
    member_in_arrears(runner)
    return runner


AFTER = "2026-05-02T09:00+09:00"


def test_display_width_counts_wide_and_fullwidth_as_two_and_combining_as_none():
    assert table.width("M-0042") == 6
    assert table.width("山田 太郎") == 9  # four kanji and a space
    assert table.width("ＡＢ") == 4  # fullwidth Latin (F)
    assert table.width("ｱｲ") == 2  # halfwidth katakana (H) is narrow
    assert table.width("か\u3099") == 2  # combining voiced mark takes no column
    assert unicodedata.east_asian_width("期") == "W"
    assert table.pad("期日", 6) == "期日  "


def test_a_long_cell_wraps_at_list_items_and_never_exceeds_its_width():
    lines = table.wrap("IE-13.1.2 since 2026-04-01 (may suspend); IE-14.3.3 since 2026-05-01 (may revoke)", 44)
    assert lines == ["IE-13.1.2 since 2026-04-01 (may suspend);", "IE-14.3.3 since 2026-05-01 (may revoke)"]
    ja = table.wrap("すべての事実は二つの時刻を持ちます。事実が成り立った時と、台帳がそれを知った時です。", 20)
    assert all(table.width(x) <= 20 for x in ja[:-1]) and "".join(ja).startswith("すべての事実は")
    assert not any(x.startswith("。") for x in ja)  # 行頭禁則
    out = table.render([["a" * 100, "x"], ["b", "y"]], ["wide", "last"], max_cell=30)
    assert max(len(x) for x in out) <= 30 + 2 + 4
    assert out[1].startswith("a" * 30) and out[4] == "a" * 10 and out[5] == "b" + " " * 29 + "  y"


def test_tasks_table_exactly_in_english_and_japanese(story):
    res = invoke(story, "tasks", "--as-of", "2026-05-01", clock=AFTER)
    assert res.output.splitlines() == [
        "due_on      overdue  kind    id      rule       action",
        "2026-04-01  True     ground  M-0042  IE-13.1.2  Ground IE-13.1.2 in force since 2026-04-01: staff may suspend.",
        "2026-05-01  False    ground  M-0042  IE-14.3.3  Ground IE-14.3.3 in force since 2026-05-01: staff may revoke.",
    ]
    res = invoke(story, "--lang", "ja", "tasks", "--as-of", "2026-05-01", clock=AFTER)
    assert res.output.splitlines() == [
        "期日        期限超過  区分  ID      規定       作業",
        "2026-04-01  はい      事由  M-0042  IE-13.1.2  2026-04-01 から事由 IE-13.1.2 に該当: 利用停止できる。",
        "2026-05-01  いいえ    事由  M-0042  IE-14.3.3  2026-05-01 から事由 IE-14.3.3 に該当: 会員資格を取り消せる。",
    ]
    doc = json.loads(invoke(story, "--lang", "ja", "tasks", "--as-of", "2026-05-01", "--json", clock=AFTER).output)
    assert doc[0]["action"].startswith("Ground IE-13.1.2")  # JSON is for programs: keys and texts unchanged


def test_arrears_table_exactly_in_english_and_japanese(story):
    res = invoke(story, "arrears", "--as-of", "2026-05-01", clock=AFTER)
    assert res.output.splitlines() == [
        "member_id  amount  oldest_due_on  days_overdue  grounds",
        "M-0042     5500    2026-03-31     31            IE-13.1.2 since 2026-04-01; IE-14.3.3 since 2026-05-01",
    ]
    res = invoke(story, "--lang", "ja", "arrears", "--as-of", "2026-05-01", clock=AFTER)
    assert res.output.splitlines() == [
        "会員ID  金額  最古の期日  延滞日数  該当事由",
        "M-0042  5500  2026-03-31  31        IE-13.1.2 2026-04-01から; IE-14.3.3 2026-05-01から",
    ]
    # The day before the fee falls overdue there is nothing to list.
    assert invoke(story, "--lang", "ja", "arrears", "--as-of", "2026-03-31", clock=AFTER).output == "（なし）\n"


def test_status_in_japanese_labels_states_and_grounds_and_lines_up(story):
    res = invoke(story, "--lang", "ja", "status", "M-0042", "--as-of", "2026-05-01", clock=AFTER)
    lines = res.output.splitlines()
    assert "状態                           有効" in lines
    assert "取得者区分                     1次取得者" in lines
    assert "申込者.氏名                    山田 太郎" in lines
    assert ("該当事由                       IE-13.1.2 2026-04-01から（利用停止できる）; "
            "IE-14.3.3 2026-05-01から（会員資格を取り消せる）") in lines
    # every value starts in the same display column, whatever the key's script
    starts = {table.width(ln[: len(ln) - len(ln.split(" ", 1)[1].lstrip())]) for ln in lines if " " in ln.strip()}
    assert starts == {31}


def test_status_accepts_a_property_id(story):
    by_member = json.loads(invoke(story, "status", "M-0042", "--as-of", "2026-05-01", "--json", clock=AFTER).output)
    by_house = json.loads(invoke(story, "status", "P-1001", "--as-of", "2026-05-01", "--json", clock=AFTER).output)
    assert by_house == by_member and by_house["id"] == "M-0042"
    res = invoke(story, "explain", "P-1001", "--at", "2026-05-01", "--json", clock=AFTER)
    assert res.exit_code == 0 and json.loads(res.output)["id"] == "M-0042"
    res = invoke(story, "status", "P-9999", clock=AFTER)
    assert res.exit_code == 2 and "P-9999" in res.output


def test_renewal_run_prints_one_summary_line_and_the_facts_with_verbose(runner):
    member_in_arrears(runner)  # its renewal run printed the summary; run the next year's three ways
    res = invoke(runner, "renewals", "run", "--through", "2027-03-31", "--command-id", "r-2027",
                 clock="2027-04-01T07:00+09:00")
    assert res.output == ("renewals through 2027-03-31: 1 members renewed, 1 charged (5,500 yen), 0 withdrawn, "
                          "0 expired (2 facts recorded; --verbose lists them)\n")
    res = invoke(runner, "renewals", "run", "--through", "2028-03-31", "--verbose", clock="2028-04-01T07:00+09:00")
    assert res.output.splitlines() == ["recorded member:M-0042#11 FeeCharged [IE-5.4.2, IE-5.3]",
                                       "recorded member:M-0042#12 MembershipRenewed [IE-3.5, IE-3.2, IE-3.4]"]
    res = invoke(runner, "--lang", "ja", "renewals", "run", "--through", "2029-03-31", "--json",
                 clock="2029-04-01T07:00+09:00")
    assert [e["type"] for e in json.loads(res.output)["events"]] == ["FeeCharged", "MembershipRenewed"]
    res = invoke(runner, "--lang", "ja", "renewals", "run", "--through", "2030-03-31", clock="2030-04-01T07:00+09:00")
    assert res.output == ("2030-03-31 までの更新処理: 更新 1 名、請求 1 名（5,500 円）、退会 0 名、満了 0 名"
                          "（記録した事実 2 件。一覧は --verbose）\n")


ENROL = ["presence", "enrol", "--enrolment-id", "E-0001", "--contract-holder-id", "DL-1001",
         "--contract-holder-name", "山田 花子", "--contract-holder-address", "東京都世田谷区桜丘2-14-6",
         "--target-name", "山田 一郎", "--target-address", "静岡県静岡市葵区呉服町1-8", "--target-phone", "054-255-0101",
         "--relation-degree", "1", "--at", "2025-04-10T11:00"]


def test_enrolment_status_is_readable_not_json(runner):
    assert invoke(runner, *ENROL, clock="2025-04-10T11:00+09:00").exit_code == 0
    assert invoke(runner, "presence", "call", "--enrolment-id", "E-0001", "--attempt", "1", "--outcome", "no_answer",
                  "--at", "2025-04-11T10:00", clock="2025-04-11T10:00+09:00").exit_code == 0
    res = invoke(runner, "status", "E-0001", "--as-of", "2025-04-12", clock="2025-05-12T09:00+09:00")
    assert "{" not in res.output and '"' not in res.output
    assert "consent.calls                   call 1 2025-04-11T10:00:00+09:00 no_answer" in res.output.splitlines()
    res = invoke(runner, "--lang", "ja", "status", "E-0001", "--as-of", "2025-04-12", clock="2025-05-12T09:00+09:00")
    lines = res.output.splitlines()
    assert "同意.電話                    電話1回目 2025-04-11T10:00:00+09:00 応答なし" in lines
    assert "状態                         同意待ち" in lines
    assert "同意.次の電話.期限超過       いいえ" in lines
    assert "同意.2回目電話期間.から      2025-04-13" in lines
    res = invoke(runner, "--lang", "ja", "tasks", "--as-of", "2025-04-18", clock="2025-05-12T09:00+09:00")
    assert res.output.splitlines()[1] == (
        "2025-04-17  はい      同意確認電話2  E-0001  PC-3.2  申込み E-0001 の対象者に同意確認の電話をしてください"
        "（2回目）。期限 2025-04-17 を過ぎています。`ledger presence call` で記録してください（期限後として記録されます）。")


def test_every_task_action_template_has_a_japanese_form():
    from ui import labels

    i18n.set_language("ja")
    try:
        for template in labels.TASKS:
            sample = template.format(**{k: "2026-01-01" for k in
                                        ("end", "number", "rule", "since", "action", "reason", "trigger", "start",
                                         "party", "year", "member", "month", "on", "id", "n", "due")})
            translated = labels.task_action(sample)
            assert translated != sample and ("2026-01-01" in translated or "{" not in template)
    finally:
        i18n.set_language("en")


def test_snapshot_table_and_totals_in_japanese(story):
    res = invoke(story, "--lang", "ja", "snapshot", "--as-of", "2026-05-01", clock=AFTER)
    assert res.output.splitlines() == [
        "ID      サービス  状態  期間.開始   期間.終了   滞納.金額  滞納.延滞日数  年会費  該当事由",
        "M-0042  家サポ    有効  2026-04-01  2027-03-31  5500       31             5500    IE-13.1.2,IE-14.3.3",
        "",
        "基準日時 2026-05-01T23:59:59.999999+09:00、把握時点 2026-05-02T09:00:00+09:00: 1 行",
        "  家サポ: 有効 1",
        "  滞納: 1 名、5,500 円",
        "  該当事由のある会員: 1 名 (IE-13.1.2 1, IE-14.3.3 1)",
    ]


def test_history_in_japanese_names_the_fact_types_and_every_type_has_a_label(story):
    from ledger import events
    from ui import labels

    types = {c.TYPE for c in vars(events).values()
             if isinstance(c, type) and issubclass(c, events.Event) and getattr(c, "TYPE", None)}
    assert types == set(labels.EVENT_TYPES)  # a new fact type needs its label (and its Japanese)
    res = invoke(story, "--lang", "ja", "history", "M-0042", clock=AFTER)
    assert res.output.splitlines()[:3] == [
        "事実ID           種類        効力発生                   記録日時                   担当者  規定"
        "                    撤回した事実",
        "member:M-0042#1  入会申込み  2025-03-01T00:00:00+09:00  2025-03-01T09:00:00+09:00  sato.k  IE-2.1; IE-1.4.1",
        "member:M-0042#2  同意の記録  2025-03-01T00:00:00+09:00  2025-03-01T09:00:00+09:00  sato.k  IE-19.1",
    ]
    csv = invoke(story, "--lang", "ja", "history", "M-0042", "--csv", clock=AFTER).output
    assert csv.splitlines()[1].startswith("member:M-0042#1,MembershipApplied,")  # CSV keeps the identifiers


def test_diff_in_japanese_names_fields_facts_and_how_they_came(story):
    res = invoke(story, "member", "pay", "--member-id", "M-0042", "--amount", "5500", "--payment-ref", "P2",
                 "--on", "2026-04-15", clock="2026-06-01T10:00+09:00")
    assert res.exit_code == 0, res.output
    args = ["diff", "--as-of", "2026-05-01", "--known-at", AFTER]
    res = invoke(story, "--lang", "ja", *args, clock="2026-06-02T09:00+09:00")
    assert res.output.splitlines() == [
        "2026-05-01T23:59:59.999999+09:00 の状態: 把握時点 2026-05-02T09:00:00+09:00 と "
        "2026-06-02T09:00:00+09:00 の比較",
        "1 行に違いがあります（出現 0、消滅 0）",
        "",
        "M-0042  変更",
        "  滞納.金額        5500 -> 0",
        "  滞納.最古の期日  2026-03-31 -> —",
        "  滞納.延滞日数    31 -> 0",
        "  残高             5500 -> 0",
        "  該当事由         IE-13.1.2 2026-04-01から（利用停止できる）; IE-14.3.3 2026-05-01から（会員資格を取り消せる）"
        " -> —",
        "    member:M-0042#9 入金 効力発生 2026-04-15、2026-06-01T10:00:00+09:00 に sato.k が記録（遅れて記録）",
    ]
    english = invoke(story, *args, clock="2026-06-02T09:00+09:00").output.splitlines()
    assert english[3:5] == ["M-0042  changed", "  arrears.amount         5500 -> 0"]


def test_explain_status_table_lines_up_japanese_and_pads_no_column_past_40(story):
    res = invoke(story, "explain", "M-0042", "--at", "2026-05-01", "--known-at", AFTER, clock=AFTER)
    lines = res.output.splitlines()
    start = lines.index("Status at the incident") + 1
    block = lines[start:lines.index("", start)]
    # the grounds are long in both views: each value column is capped at 40
    assert block[0] == "  " + "field".ljust(30) + "  " + "as now known".ljust(40) + "  as known then"
    name = next(ln for ln in block if ln.lstrip().startswith("applicant.name"))
    assert name == "  " + "applicant.name".ljust(30) + "  山田 太郎" + " " * 31 + "  山田 太郎"
    assert table.width(name[: name.index("山田")]) == table.width(block[0][: block[0].index("as now known")])
    grounds = next(ln for ln in block if ln.lstrip().startswith("grounds"))
    assert "IE-13.1.2 since 2026-04-01 (may suspend); IE-14.3.3 since 2026-05-01 (may revoke)" in grounds
    assert "{" not in res.output.split("Status at the incident")[1].split("Later facts")[0]
    assert max(table.width(ln) for ln in block if "grounds" not in ln) <= 2 + 30 + 2 + 40 + 2 + 40
