"""A terminal screenshot: the Japanese tables, drawn by a real terminal (tmux), line up column by column.

tmux is the judge of widths here, not our code: each row is written to a tmux
pane up to the start of one of its cells, and tmux reports where its cursor
stands. Every cell of a column must start at the same terminal column in the
header and in every row. The pane is then captured as the screenshot
(`tmux capture-pane`) and compared with the output.
"""
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest
from click.testing import CliRunner

from clihelp import init, invoke, member_in_arrears


def need_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required in CI (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    return path


class Pane:
    """One tmux pane showing whatever is written to a FIFO."""

    def __init__(self, tmp_path, width=200, height=40):
        self.tmux = need_tmux()
        self.sock = f"ledger-{uuid.uuid4().hex[:8]}"
        fifo = tmp_path / "pane.fifo"
        os.mkfifo(fifo)
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.run("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), f"cat {fifo}", env=env)
        self.fifo = open(fifo, "w", encoding="utf-8")
        self.n = 0

    def run(self, *args, env=None) -> str:
        return subprocess.run([self.tmux, "-u", "-L", self.sock, *args], check=True, capture_output=True, text=True,
                              env=env).stdout

    def write(self, text: str) -> int:
        """Write ``text`` at the start of a cleared line; the cursor column once tmux has drawn it."""
        self.n += 1
        token = f"tok{self.n}"
        self.fifo.write(f"\r\x1b[2K{text}\x1b]2;{token}\x1b\\")
        self.fifo.flush()
        for _ in range(400):
            title, x = self.run("display", "-p", "#{pane_title}\t#{cursor_x}").rstrip("\n").split("\t")
            if title == token:
                return int(x)
            time.sleep(0.01)
        raise AssertionError("tmux did not draw the text")

    def screenshot(self, lines: list[str]) -> list[str]:
        self.fifo.write("\x1b[2J\x1b[H" + "\r\n".join(lines) + "\x1b]2;shot\x1b\\")
        self.fifo.flush()
        for _ in range(400):
            if self.run("display", "-p", "#{pane_title}").strip() == "shot":
                break
            time.sleep(0.01)
        return [ln.rstrip() for ln in self.run("capture-pane", "-p").splitlines()[: len(lines)]]

    def close(self):
        self.fifo.close()
        subprocess.run([self.tmux, "-L", self.sock, "kill-server"], capture_output=True)


@pytest.fixture
def pane(tmp_path):
    p = Pane(tmp_path)
    yield p
    p.close()


@pytest.fixture
def story(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    r = CliRunner()
    init(r)
    member_in_arrears(r)
    enrol = ["presence", "enrol", "--enrolment-id", "E-0001", "--contract-holder-id", "DL-1001",
             "--contract-holder-name", "山田 花子", "--contract-holder-address", "東京都世田谷区桜丘2-14-6",
             "--target-name", "山田 一郎", "--target-address", "静岡県静岡市葵区呉服町1-8",
             "--target-phone", "054-255-0101", "--relation-degree", "1", "--at", "2026-04-28T11:00"]
    assert invoke(r, *enrol, clock="2026-04-28T11:00+09:00").exit_code == 0
    return r


def cell_starts(pane: Pane, line: str) -> list[int]:
    """The terminal column where each cell of ``line`` begins (cells are separated by 2+ spaces)."""
    starts, pos = [], 0
    for cell in re.split(r" {2,}", line.strip()):
        pos = line.index(cell, pos)
        starts.append(pane.write(line[:pos]))
        pos += len(cell)
    return starts


@pytest.mark.parametrize("query", [["tasks", "--as-of", "2026-05-01"], ["arrears", "--as-of", "2026-05-01"]])
def test_japanese_tables_line_up_in_a_real_terminal(story, pane, query, tmp_path):
    res = invoke(story, "--lang", "ja", *query, clock="2026-05-02T09:00+09:00")
    lines = res.output.splitlines()
    assert len(lines) >= 2 and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", res.output)
    header = cell_starts(pane, lines[0])
    assert header[0] == 0 and header == sorted(header)
    for row in lines[1:]:
        starts = cell_starts(pane, row)
        assert starts == header[: len(starts)], (row, starts, header)
    shot = pane.screenshot(lines)
    (tmp_path / "screenshot.txt").write_text("\n".join(shot) + "\n", encoding="utf-8")
    assert shot == lines  # the terminal shows exactly the table


def test_a_naive_len_padding_would_not_line_up(pane):
    """The check above can fail: padding by len() instead of display width puts the next column elsewhere."""
    naive_header, naive_row = "期日".ljust(12) + "ID", "2026-04-01".ljust(12) + "M-0042"
    assert pane.write(naive_header[:12]) != pane.write(naive_row[:12])
