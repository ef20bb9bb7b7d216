"""The Japanese UI: the catalogue is complete and compiled, every help page and message goes through it."""
import ast
import re
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import cli
import clihelp
from clihelp import init, invoke
from ui import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import i18n as catalogue_tool  # noqa: E402  (tools/i18n.py)


@pytest.fixture
def runner(tmp_path, monkeypatch):
    return clihelp.runner(tmp_path, monkeypatch)


def test_every_msgid_of_the_code_is_in_the_catalogue_with_a_japanese_translation():
    pot, po = catalogue_tool.template(), catalogue_tool.load_po()
    ids = [m.id for m in pot if m.id]
    assert len(ids) > 400
    assert [i for i in ids if i not in po] == []  # run python tools/i18n.py
    assert catalogue_tool.untranslated(po) == []
    for m in po:  # placeholders survive translation
        if m.id and m.string:
            assert set(re.findall(r"\{\w*[!:]?\w*\}", m.id)) == set(re.findall(r"\{\w*[!:]?\w*\}", m.string)), m.id


def test_the_compiled_mo_matches_the_po():
    po = catalogue_tool.load_po()
    assert catalogue_tool.mo_matches(po)
    assert catalogue_tool.MO.read_bytes() == catalogue_tool.compiled(po)


def all_commands(cmd=cli.main, path=()):
    yield path
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from all_commands(sub, (*path, name))


def test_every_help_page_is_japanese_and_nothing_is_left_untranslated():
    i18n.MISSING.clear()
    r = CliRunner()
    for path in all_commands():
        res = r.invoke(cli.main, ["--lang", "ja", *path, "-h"], prog_name="ledger")
        assert res.exit_code == 0, (path, res.output)
        assert res.output.startswith("使い方: ledger") and "オプション:" in res.output
        assert "このヘルプを表示して終了します。" in res.output
    assert i18n.MISSING == set()


def test_help_in_english_is_unchanged_by_the_catalogue():
    res = CliRunner().invoke(cli.main, ["member", "pay", "-h"], prog_name="ledger")
    assert res.output.startswith("Usage: ledger member pay [OPTIONS]\n\n  Record a confirmed fee payment.\n")
    assert "The same as the JSON Lines command \"record_payment\"." in res.output


def test_lang_from_the_environment(runner, monkeypatch):
    res = invoke(runner, "member", "pay", "-h", env={"LANG": "ja_JP.UTF-8"})
    assert "確認できた会費の入金を記録します。" in res.output
    res = invoke(runner, "member", "pay", "-h", env={"LANG": "en_US.UTF-8"})
    assert "Record a confirmed fee payment." in res.output
    res = invoke(runner, "--lang", "en", "member", "pay", "-h", env={"LANG": "ja_JP.UTF-8"})
    assert "Record a confirmed fee payment." in res.output  # --lang wins
    res = invoke(runner, "--db", "x.db", "--actor", "a", "--lang", "ja", "member", "pay", "-h")
    assert "確認できた会費の入金を記録します。" in res.output  # after the root options that take a value
    res = invoke(runner, "--db=x.db", "--lang=ja", "member", "pay", "-h")
    assert "確認できた会費の入金を記録します。" in res.output


def seed(r, *lang):
    return invoke(r, *lang, "member", "apply", "--member-id", "M-0042", "--property-id", "P-1001",
                  "--applicant-name", "山田 太郎", "--on", "2025-03-01")


def test_success_lines_in_both_languages(runner):
    assert invoke(runner, "fee", "announce", "--amount", "5500", "--on", "2025-01-01").exit_code == 0
    invoke(runner, "property", "register", "--property-id", "P-1001", "--delivered-on", "2025-03-15", "--floors", "2",
           "--builder", "company", "--certified", "--on", "2025-03-01")
    res = seed(runner, "--lang", "ja")
    assert res.output == "記録しました member:M-0042#1 MembershipApplied [IE-2.1, IE-1.4.1]\n"
    res = invoke(runner, "--lang", "ja", "member", "card", "--member-id", "M-0042", "--card-token", "tok_1",
                 "--command-id", "c-1")
    assert res.exit_code == 0
    res = invoke(runner, "--lang", "ja", "member", "card", "--member-id", "M-0042", "--card-token", "tok_1",
                 "--command-id", "c-1")
    assert res.output == "重複: コマンド c-1 は適用済みです。何も書き込みませんでした\n"
    res = invoke(runner, "member", "card", "--member-id", "M-0042", "--card-token", "tok_1", "--command-id", "c-1")
    assert res.output == "duplicate: command c-1 was already applied; nothing written\n"


def test_pydantic_validation_messages_in_japanese(runner):
    res = invoke(runner, "--lang", "ja", "member", "pay", "--member-id", "M-0042", "--amount", "lots",
                 "--payment-ref", "P1")
    assert res.exit_code == 2
    assert res.output == ("error[bad_input]: record_payment: 欄 'amount' が不正です: 整数を入力してください"
                          " (入力値 'lots')。\n")
    res = invoke(runner, "--lang", "ja", "member", "pay", "--member-id", "M-0042", "--amount", "0",
                 "--payment-ref", "P1")
    assert "欄 'amount' が不正です: 0 より大きい値にしてください" in res.output
    res = invoke(runner, "--lang", "ja", "member", "card", "--member-id", "M-0042", "--card-token", "4111111111111111")
    assert ("欄 'card_token' が不正です: 値が不正です。カード会社のトークン（英字で始まり、英数字・_・- が続くもの）を"
            "指定してください。カード番号は受け付けません") in res.output
    res = invoke(runner, "--lang", "ja", "member", "pay", "--member-id", "M-0042", "--amount", "1", "--payment-ref",
                 "P1", "--on", "2025-02-30")
    assert "欄 'on' が不正です: 正しい日付または日時を入力してください（その月にない日です）" in res.output
    # English is pydantic's own text, as before
    res = invoke(runner, "member", "pay", "--member-id", "M-0042", "--amount", "lots", "--payment-ref", "P1")
    assert "field 'amount': Input should be a valid integer (got 'lots')." \
        in res.output
    # and JSON Lines answers carry the Japanese message too
    res = runner.invoke(cli.main, ["--lang", "ja", "apply", "-"],
                        input='{"command":"record_payment","member_id":"M-1","amount":"x","payment_ref":"p"}\n')
    assert '"message": "record_payment: 欄 \'amount\' が不正です: 整数を入力してください' in res.output


def test_click_usage_errors_in_japanese(runner):
    res = invoke(runner, "--lang", "ja", "member", "pay", "--member-id", "M-1", prog_name="ledger")
    assert res.exit_code == 2
    assert res.output.splitlines()[0] == "使い方: ledger member pay [OPTIONS]"
    assert res.output.splitlines()[-1] == "エラー: オプションがありません '--amount'."
    res = invoke(runner, "--lang", "ja", "status", "M-1", "--bogus")
    assert res.output.splitlines()[-1] == "エラー: オプション '--bogus' はありません。"
    res = invoke(runner, "--lang", "ja", "status")
    assert res.output.splitlines()[-1] == "エラー: 引数がありません 'ID'."


def test_a_domain_refusal_stays_bilingual_from_its_own_pair(runner):
    invoke(runner, "fee", "announce", "--amount", "5500", "--on", "2025-01-01")
    invoke(runner, "property", "register", "--property-id", "P-1001", "--delivered-on", "2025-03-15", "--floors", "2",
           "--builder", "company", "--certified", "--on", "2025-03-01")
    seed(runner)
    res = invoke(runner, "--lang", "ja", "member", "accept", "--member-id", "M-0042", "--on", "2025-03-01")
    assert res.output.startswith("error[refused]: [IE-19.1 第19条第1項] 会員 M-0042 は")


def test_verify_and_init_lines_in_japanese(runner):
    res = invoke(runner, "--lang", "ja", "init")
    assert res.output.startswith("台帳の準備ができました: sqlite ストア。事実は追記のみ（トリガー）")
    res = invoke(runner, "--lang", "ja", "verify")
    assert res.exit_code == 0
    assert res.output.splitlines()[0] == "無傷"
    lines = res.output.splitlines()
    assert lines[-3].startswith("検査済み  記録から作り直した投影 = 照会結果: 会員 0 名の状態")
    assert lines[-2] == "検査済み  記録から作業用の複製に作り直した読み取りモデル = 保存された表（0 行）"
    assert lines[-1] == "検査済み  ログから再計算した日付別ビュー = 保存済みのもの（0 区間。次の一覧で計算する会員・物件 0 件）"


def literal_words(node) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.IfExp):
        return literal_words(node.body) + " " + literal_words(node.orelse)
    if isinstance(node, ast.BinOp):
        return literal_words(node.left) + " " + literal_words(node.right)
    return ""


def test_every_text_cli_py_prints_goes_through_the_catalogue():
    """click.echo of a literal with words in it is an untranslated message (error[code] is a fixed prefix)."""
    tree = ast.parse((ROOT / "cli.py").read_text(encoding="utf-8"))
    bare = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "echo" and node.args:
            text = literal_words(node.args[0]).replace("error[", "")
            if re.search(r"[A-Za-z]{3}", text):
                bare.append((node.lineno, text))
    assert bare == []
    # and every help= of an option is a msgid of the catalogue (checked via the command tree)
    po = catalogue_tool.load_po()
    for cmd_path in all_commands():
        cmd = cli.main
        for name in cmd_path:
            cmd = cmd.commands[name]
        for p in cmd.params:
            if isinstance(p, click.Option) and p.help:
                for unit in i18n.help_units(p.help):
                    assert unit in po, (cmd_path, p.name, unit)


def test_the_demo_tells_its_story_in_japanese(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_CLOCK", "2026-11-20T09:30:00+09:00")
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    i18n.MISSING.clear()
    res = CliRunner().invoke(cli.main, ["--lang", "ja", "demo", "--out", str(tmp_path / "demo.db"), "--members", "5"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].endswith("を作成しました: 会員 6 名、事実 " + lines[0].split("事実 ")[1].split(" ")[0]
                             + " 件（SQLite）、今日は 2026-11-20 です。")
    assert "== M-0001 の今日（2026-11-20）の状態 ==" in lines and "この台帳にあるほかの事例:" in lines
    assert "状態                           有効" in lines
    assert i18n.MISSING == set()
