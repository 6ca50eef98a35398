"""``nominee-bot db upgrade|check`` and ``nominee-bot campaign load`` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.loader import builtin_text

ROOT = Path(__file__).resolve().parents[3]


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    env |= {"PYTHONPATH": str(ROOT), "NOMINEE_DATA_DIR": str(data_dir / "data")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=data_dir, env=env, capture_output=True, text=True, timeout=120
    )


def test_upgrade_then_load_a_campaign_idempotently(tmp_path: Path) -> None:
    data = tmp_path / "data"
    check = cli(tmp_path, "db", "check")
    assert check.returncode == 1 and "nominee-bot db upgrade" in check.stderr
    refused = cli(tmp_path, "campaign", "load", "zhengzhou-2024")
    assert refused.returncode == 1 and "nominee-bot db upgrade" in refused.stderr

    up = cli(tmp_path, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert (data / "nominee.db").exists()  # the data directory was created on first use
    assert cli(tmp_path, "db", "check").returncode == 0

    first = cli(tmp_path, "campaign", "load", "zhengzhou-2024")
    assert first.returncode == 0 and "loaded as version 1" in first.stdout

    edited = tmp_path / "edited.toml"
    edited.write_text(builtin_text("zhengzhou-2024").replace("deadline = 2024-03-20", "deadline = 2024-03-25"))
    second = cli(tmp_path, "campaign", "load", str(edited))
    assert second.returncode == 0 and "updated to version 2" in second.stdout and "section: stages" in second.stdout
    again = cli(tmp_path, "campaign", "load", str(edited))
    assert "unchanged (version 2)" in again.stdout

    broken = tmp_path / "broken.toml"
    broken.write_text(builtin_text("zhengzhou-2024").replace("total = 120", "total = 12"))
    bad = cli(tmp_path, "campaign", "load", str(broken))
    assert bad.returncode == 1 and "broken.toml" in bad.stderr  # located definition problems


def test_invitations_for_names_that_do_not_exist_are_one_line_with_the_close_names(tmp_path: Path) -> None:
    assert cli(tmp_path, "db", "upgrade").returncode == 0

    unit = cli(tmp_path, "invite", "create", "--campaign", "zhengzhou-2024", "--unit", "金水")
    assert (unit.returncode, unit.stdout) == (1, "")
    assert unit.stderr.splitlines() == [
        "nominee-bot invite create: 评选活动 “zhengzhou-2024” 中没有推荐单位 “金水” (no such unit in the campaign)"
        "；是否要找 did you mean: 金水区?"
    ]

    campaign = cli(tmp_path, "invite", "create", "--campaign", "zhengzhou-2042", "--unit", "金水区")
    assert (campaign.returncode, campaign.stdout) == (1, "")
    (line,) = campaign.stderr.splitlines()
    assert line.startswith("nominee-bot invite create: 没有评选活动 “zhengzhou-2042” (no campaign named")
    assert "did you mean: zhengzhou-2024" in line

    load = cli(tmp_path, "campaign", "load", "nosuch-2024")
    assert load.returncode == 1 and len(load.stderr.splitlines()) == 1
    assert "no built-in campaign and no file named “nosuch-2024”" in load.stderr

    office = cli(tmp_path, "invite", "create", "--campaign", "zhengzhou-2024", "--role", "office")
    assert office.returncode == 0, office.stderr
    assert "?start=" in office.stdout


def test_deadline_set_dates_the_second_review_and_refuses_in_one_line(tmp_path: Path) -> None:
    assert cli(tmp_path, "db", "upgrade").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    env |= {"PYTHONPATH": str(ROOT), "NOMINEE_DATA_DIR": str(tmp_path / "data"), "NOMINEE_TODAY": "2024-03-15"}

    def deadline(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot.cli", "deadline", "set", "--campaign", "zhengzhou-2024", *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    done = deadline("--stage", "second_review", "--date", "2024-05-20", "--time", "17:00")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "zhengzhou-2024 second_review (报送复审材料): 待定 to be announced → 2024-05-20 17:00 (Asia/Shanghai)"
    )
    moved = deadline("--stage", "second_review", "--date", "2024-05-18")
    assert "2024-05-20 → 2024-05-18" in moved.stdout and "2024-05-18 不是法定工作日" in moved.stderr

    unknown = deadline("--stage", "second", "--date", "2024-05-20")
    assert unknown.returncode == 1 and "没有阶段 “second” (no such stage)" in unknown.stderr
    assert "second_review" in unknown.stderr
    beyond = deadline("--stage", "second_review", "--date", "2027-05-06")
    assert beyond.returncode == 1 and "2027 年的法定节假日尚未公布" in beyond.stderr
    passed = deadline("--stage", "initial", "--date", "2024-03-14")
    assert passed.returncode == 1 and "2024-03-14 已过 (that date has passed)" in passed.stderr
    wrong = deadline("--stage", "initial", "--date", "2024-13-01")
    assert wrong.returncode == 2 and "YYYY-MM-DD" in wrong.stderr
    assert len(wrong.stderr.splitlines()) == 1
