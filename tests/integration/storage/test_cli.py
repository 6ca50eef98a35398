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
    assert "截止" not in office.stderr  # the office's own work does not close with entry
    clerk = cli(tmp_path, "invite", "create", "--campaign", "zhengzhou-2024", "--unit", "金水区")
    assert clerk.returncode == 0 and "?start=" in clerk.stdout
    # the built-in's entry closed on 20 March 2024: a clerk's inviter is warned, the code is still made
    assert "注意：填报已于 2024-03-20（报送初审材料）截止" in clerk.stderr
    assert "warning: entry closed on 2024-03-20 (initial)" in clerk.stderr


def test_export_writes_the_table_and_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    import openpyxl

    assert cli(tmp_path, "db", "upgrade").returncode == 0  # the built-in is loaded by the export itself
    out = tmp_path / "medal.xlsx"
    done = cli(tmp_path, "export", "--campaign", "zhengzhou-2024", "--unit", "金水区", "--kind", "medal",
               "--out", str(out), "--clerk", "李经办", "--phone", "67883217")  # fmt: skip
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "2024年郑州市五一劳动奖章推荐对象情况汇总表"
    assert ws["A2"].value == "填报单位：金水区    填报人：李经办    联系电话：67883217"
    assert ws["A3"].value == "序号" and ws["A4"].value.startswith("推荐单位领导（签名）")  # no nominee yet

    city = cli(tmp_path, "export", "--campaign", "zhengzhou-2024", "--kind", "allocation", "--out", str(out))
    assert city.returncode == 0, city.stderr
    assert openpyxl.load_workbook(out).active["B4"].value == "航空港经济综合试验区"  # under two header rows

    kind = cli(tmp_path, "export", "--campaign", "zhengzhou-2024", "--kind", "medals", "--out", str(out))
    assert kind.returncode == 2
    assert kind.stderr.splitlines() == [
        "nominee-bot export: 没有导出种类 “medals” (no such kind); 可选 known: medal, certificate, pioneer, "
        "opinions, publicity, allocation, photos"
    ]
    unit = cli(tmp_path, "export", "--campaign", "zhengzhou-2024", "--unit", "金水", "--out", str(out))
    assert unit.returncode == 1 and len(unit.stderr.splitlines()) == 1 and "did you mean: 金水区?" in unit.stderr
    where = cli(tmp_path, "export", "--campaign", "zhengzhou-2024", "--out", str(tmp_path / "no" / "x.xlsx"))
    assert where.returncode == 2 and "no such directory" in where.stderr


def test_the_office_loads_zhangjiakou_s_allocation_table_from_excel(tmp_path: Path) -> None:
    import io

    from openpyxl import load_workbook

    assert cli(tmp_path, "db", "upgrade").returncode == 0
    usage = cli(tmp_path, "import-allocation", "--campaign", "zhangjiakou-2024")
    assert usage.returncode == 2 and "--template OUT.xlsx" in usage.stderr

    made = cli(tmp_path, "import-allocation", "--campaign", "zhangjiakou-2024", "--template", "附件1.xlsx")
    assert made.returncode == 0, made.stderr
    book = load_workbook(io.BytesIO((tmp_path / "附件1.xlsx").read_bytes()))
    sheet = book["名额分配表"]
    assert [c.value for c in sheet[2]] == [
        "序号",
        "推荐单位",
        "张家口市劳动模范",
        "张家口市先进工作者",
        "张家口市先进集体",
    ]
    total_row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value == "合计")
    assert [sheet.cell(total_row, c).value for c in (3, 4, 5)] == [110, 40, 100]
    for row, (unit, places) in enumerate({"桥东区总工会": (3, 2, 2), "其他推荐单位": (108, 38, 98)}.items(), 3):
        sheet.cell(row, 2, unit)
        for col, value in enumerate(places, 3):
            sheet.cell(row, col, value)
    book.save(tmp_path / "wrong.xlsx")
    sheet.cell(4, 3, 107)
    book.save(tmp_path / "right.xlsx")

    wrong = cli(tmp_path, "import-allocation", "--campaign", "zhangjiakou-2024", "wrong.xlsx")
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr.splitlines() == [
        f"nominee-bot import-allocation: wrong.xlsx: 第{total_row}行 C列：合计写为 110，各单位相加为 111 "
        f"(row {total_row}, column C: the total says 110, the units add up to 111)"
    ]
    right = cli(tmp_path, "import-allocation", "--campaign", "zhangjiakou-2024", "right.xlsx")
    assert right.returncode == 0, right.stderr
    assert "updated to version 2" in right.stdout and "unit_added: units[桥东区总工会]" in right.stdout
    invite = cli(tmp_path, "invite", "create", "--campaign", "zhangjiakou-2024", "--unit", "桥东区总工会")
    assert invite.returncode == 0, invite.stderr

    # loading the built-in again would drop the imported units: refused, unless asked for
    again = cli(tmp_path, "campaign", "load", "zhangjiakou-2024")
    assert again.returncode == 1 and "REFUSED, the stored version 2 stays in force" in again.stderr
    assert "将删除 2 个推荐单位" in again.stderr and "--remove-units" in again.stderr
    dropped = cli(tmp_path, "campaign", "load", "zhangjiakou-2024", "--remove-units")
    assert dropped.returncode == 0 and "updated to version 3" in dropped.stdout, dropped.stderr

    (tmp_path / "notes.xlsx").write_text("not a workbook")
    bad = cli(tmp_path, "import-allocation", "--campaign", "zhangjiakou-2024", "notes.xlsx")
    assert bad.returncode == 1 and bad.stderr.startswith("nominee-bot import-allocation: notes.xlsx: 不是 .xlsx 工作簿")


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
    beyond = deadline("--stage", "second_review", "--date", "2099-05-06")
    assert beyond.returncode == 1 and "2099 年的法定节假日尚未公布" in beyond.stderr
    passed = deadline("--stage", "initial", "--date", "2024-03-14")
    assert passed.returncode == 1 and "2024-03-14 已过 (that date has passed)" in passed.stderr
    wrong = deadline("--stage", "initial", "--date", "2024-13-01")
    assert wrong.returncode == 2 and "YYYY-MM-DD" in wrong.stderr
    assert len(wrong.stderr.splitlines()) == 1
