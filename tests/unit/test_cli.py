"""``nominee-bot`` campaign commands, run through ``bot.cli.main`` with captured output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest

from bot import cli
from bot.cli import main, width
from core.loader import builtin_text

ROOT = Path(__file__).resolve().parents[2]

# The seed's 名额分配表 (郑工办〔2024〕6号 附件), row by row: unit → (工人先锋号, 五一劳动奖章).
SEED_ALLOCATION: dict[str, tuple[str, str]] = {
    "航空港经济综合试验区": ("4（企业班组3，其中非公2）", "6（一线产业工人4、一线科教1）"),
    "郑东新区": ("4（企业班组3，其中非公2）", "6（一线产业工人4、一线科教1）"),
    "经济技术开发区": ("4（企业班组3，其中非公2）", "6（一线产业工人3、一线科教1、非公新业态农民工1）"),
    "高新技术开发区": ("4（企业班组3，其中非公2）", "6（一线产业工人3、一线科教2）"),
    "巩义市": ("4（企业班组3，其中非公2）", "5（一线产业工人2、一线科教1、农民工1）"),
    "登封市": ("4（企业班组3，其中非公2）", "4（一线产业工人1、一线科教1、农民工1）"),
    "新密市": ("4（企业班组3，其中非公2）", "4（一线产业工人1、一线科教1、农民工1）"),
    "荥阳市": ("4（企业班组3，其中非公2）", "4（一线产业工人1、一线科教1、农民工1）"),
    "新郑市": ("4（企业班组3，其中非公2）", "4（一线产业工人1、一线科教1、农民工1）"),
    "中牟县": ("3（企业班组2，其中非公1）", "4（一线产业工人1、一线科教1、农民工1）"),
    "中原区": ("2（非公1）", "4（一线产业工人1、一线科教2）"),
    "二七区": ("2（非公1）", "4（一线产业工人1、一线科教2）"),
    "金水区": ("2（非公1）", "6（一线产业工人1、一线科教2、非公新业态农民工2）"),
    "管城区": ("2（非公1）", "4（一线产业工人1、一线科教2）"),
    "惠济区": ("2（非公1）", "3（一线产业工人1、一线科教1、农民工1）"),
    "上街区": ("2（非公1）", "3（一线产业工人1、一线科教1、农民工1）"),
    "市汽车装备制造工会": ("2（企业班组2）", "3（一线产业工人2）"),
    "市电子信息科技工会": ("3（企业班组2）", "4（一线产业工人2、一线科教1）"),
    "市农业交通建设工会": ("4（企业班组3，其中非公1）", "6（一线产业工人4、农民工1）"),
    "市财贸轻工服务业工会": ("2（企业班组2，其中非公1）", "4（一线产业工人2、非公新业态农民工1）"),
    "市能源生物医药工会": ("2（企业班组2）", "3（一线产业工人2）"),
    "市新就业形态工会": ("2（企业班组2，其中非公1）", "2（一线产业工人1、非公新业态农民工1）"),
    "市文教卫工会": ("2", "4（一线科教2）"),
    "市机关工会": ("2", "4（一线职工4）"),
    "长铝公司": ("1（企业班组1）", "1（一线产业工人1）"),
    "郑煤集团": ("1（企业班组1）", "1（一线产业工人1）"),
    "宇通公司": ("1（企业班组1）", "1（一线产业工人1）"),
    "恒天重工": ("1（企业班组1）", "1（一线产业工人1）"),
    "交运集团": ("1（企业班组1）", "1（一线产业工人1）"),
    "公交公司": ("1（企业班组1）", "1（一线产业工人1）"),
    "黄金叶": ("0", "1（一线产业工人1）"),
    "轻金属研究院": ("1（企业班组1）", "0"),
    "郑州日产": ("1（企业班组1）", "1（一线产业工人1）"),
    "富士康郑州科技园": ("1（企业班组1）", "1（一线产业工人1）"),
    "民航铁路": ("1（企业班组1）", "1（一线产业工人1）"),
    "新闻单位": ("0", "1（一线职工1）"),
    "中央、省驻郑单位及其他": ("0", "6（一线职工6）"),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def allocation_table(out: str) -> list[str]:
    """The lines of the allocation table: from its header row to the 合计 row."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("序号  推荐单位"))
    end = next(i for i, line in enumerate(lines) if line.split()[:1] == ["合计"])
    return lines[start : end + 1]


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


# --------------------------------------------------------------------------- campaign show


def test_show_zhengzhou_reproduces_the_seed_allocation_table_row_by_row(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "campaign", "show", "zhengzhou-2024")
    assert (code, err) == (0, "")
    table = allocation_table(out)
    assert cells(table[0]) == ["序号", "推荐单位", "郑州市工人先锋号", "郑州市五一劳动奖章", "郑州市五一劳动奖状"]
    rows = [cells(line) for line in table if re.match(r"^\s*\d+\s", line)]
    assert len(rows) == 37
    assert [r[1] for r in rows] == list(SEED_ALLOCATION)  # every unit, in the seed's order
    for number, (n, unit, pioneer, medal, certificate) in enumerate(rows, 1):
        assert n == str(number)
        assert (pioneer, medal) == SEED_ALLOCATION[unit], unit
        assert certificate == "1-2"


def test_show_zhengzhou_ends_with_the_seed_totals_80_and_120(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "campaign", "show", "zhengzhou-2024")
    last = out.rstrip("\n").splitlines()[-1]
    assert cells(last) == ["合计", "80", "120", "30（各单位可推荐1-2个）"]
    assert set(out.rstrip("\n").splitlines()[-2].replace(" ", "")) == {"-"}  # a rule above 合计


def test_show_aligns_the_allocation_table_for_chinese_characters(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "campaign", "show", "zhengzhou-2024")
    table = allocation_table(out)
    # the rule under the header marks each column, in display columns (a Chinese character is two)
    starts = [m.start() for m in re.finditer(r"-+", table[1])]
    ends = [m.end() for m in re.finditer(r"-+", table[1])]
    for line in [table[0], *table[2:]]:
        if set(line.replace(" ", "")) == {"-"}:
            continue
        tokens = [(width(line[: m.start()]), width(line[: m.end()])) for m in re.finditer(r"\S+", line)]
        if line.lstrip()[0].isdigit():  # 序号, right-aligned
            assert tokens[0][1] == ends[0], line
            tokens = tokens[1:]
            first = 1
        else:
            first = 0 if line.startswith("序号") else 1
        assert [start for start, _ in tokens] == starts[first : first + len(tokens)], line


def test_display_width_counts_wide_characters_twice() -> None:
    assert width("航空港经济综合试验区") == 20
    assert width("4（企业班组3，其中非公2）") == 25
    assert width("a1-≥") == 4
    assert cli.pad("黄金叶", 8) == "黄金叶  "
    assert cli.pad("80", 4, right=True) == "  80"


def test_show_zhengzhou_lists_awards_pools_proportions_and_stages(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "campaign", "show", "zhengzhou-2024")
    for expected in [
        "郑州市五一劳动奖状（certificate）  集体  30 名  差额推荐：每个推荐单位 1-2 个",
        "郑州市五一劳动奖章（medal）  个人  120 名",
        "郑州市工人先锋号（pioneer）  集体  80 名",
        "人员结构/类别：一线产业工人、其他一线职工和专业技术人员、一线科教人员、农民工、企业负责人",
        "科级领导干部（section_cadre）  郑州市五一劳动奖章  全市至多 4 名",
        "企业负责人（enterprise_head）  郑州市五一劳动奖章  全市至多 7 名",
        "报送初审材料（initial）  截止 2024-03-20",
        "报送复审材料（second_review）  日期另行通知",
    ]:
        assert expected in out, expected
    proportions = {
        cells(line)[0]: cells(line)[1:] for line in out.splitlines() if line.startswith("  奖") or "三项" in line
    }
    assert proportions["奖章：一线产业工人"] == ["≥ 35%", "120（郑州市五一劳动奖章）", "至少 42 名"]
    assert proportions["奖章：企业负责人"] == ["≤ 6%", "120（郑州市五一劳动奖章）", "至多 7 名"]
    assert proportions["三项合计：非公有制企业及其职工"][0::2] == ["≥ 25%", "至少 58 名"]


def test_show_zhangjiakou_has_its_division_shares_and_no_allocation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "campaign", "show", "zhangjiakou-2024")
    assert code == 0
    assert "其中 企业职工和其他劳动者：95 名" in out
    assert "其中 农民：15 名" in out
    rows = {cells(line)[0]: cells(line)[1:] for line in out.splitlines() if "（企业职工和其他劳动者）" in line}
    assert rows["一线工人和专业技术人员"] == ["≥ 65%", "95（企业职工和其他劳动者）", "至少 62 名"]
    assert rows["企业负责人和实际控制人"] == ["≤ 15%", "95（企业职工和其他劳动者）", "至多 14 名"]
    assert "上报正式推荐对象（formal）  截止 2024-04-02" in out
    assert (
        "序号 | 单位名称（或及车间/工段/班组/科室） | 法人代表 | 单位人数 | 单位类型 | 单位性质 | 曾获最高荣誉 | 备注"
        in out
    )
    assert "名额分配表 Allocation（0 个推荐单位）" in out
    assert "未载入" in out


def test_show_a_file_with_an_allocation_the_office_added(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "zjk.toml"
    path.write_text(
        builtin_text("zhangjiakou-2024")
        + textwrap.dedent("""
            [[units]]
            name = "桥东区"
            quotas.model = { cap = 60, workers = 50 }
            quotas.worker = 20
            quotas.collective = 50

            [[units]]
            name = "桥西区"
            quotas.model = { cap = 50, workers = 45, farmers = 5 }
            quotas.worker = 20
            quotas.collective = 50
        """),
        encoding="utf-8",
    )
    # 劳模 is allocated by its divisions (95 企业职工 + 15 农民): the sides must add up, per unit and city-wide
    code, _, err = run(capsys, "campaign", "show", str(path))
    assert code == 1
    assert re.search(
        rf"^{re.escape(str(path))}:\d+: units\[0\]\.quotas\.model: 按部分分配的名额合计 50，与本单位名额 60 不符",
        err,
        re.M,
    )
    assert "张家口市劳动模范·农民：各单位名额合计 5，与该部分总数 15 不符" in err
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "{ cap = 60, workers = 50 }", "{ cap = 60, workers = 50, farmers = 10 }"
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "campaign", "show", str(path))
    assert code == 0
    table = allocation_table(out)
    assert cells(table[0]) == ["序号", "推荐单位", "张家口市劳动模范", "张家口市先进工作者", "张家口市先进集体"]
    assert cells(table[2]) == ["1", "桥东区", "60（企业职工和其他劳动者50、农民10）", "20", "50"]
    assert cells(table[-1]) == ["合计", "110（企业职工和其他劳动者95、农民15）", "40", "100"]


def test_show_an_unknown_name_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "campaign", "show", "zhengzhou-2023")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "zhengzhou-2023: 没有名为 “zhengzhou-2023” 的内置评选定义，也没有此文件 "
        "(no built-in campaign and no file named “zhengzhou-2023”)；是否要找 did you mean: zhengzhou-2024?"
    ]


@pytest.mark.parametrize("command", ["show", "check"])
def test_a_name_like_nothing_built_in_lists_the_built_ins_in_both_languages(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run(capsys, "campaign", command, "nosuch-2024")
    assert (code, out) == (1, "")
    (line,) = err.splitlines()
    assert "no built-in campaign and no file named “nosuch-2024”" in line
    assert line.endswith("内置 built-in: xiamen-2016, zhangjiakou-2024, zhengzhou-2024")
    assert "No such file" not in line  # no English message of the operating system amid the Chinese


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(None, "文件不存在 (no such file)"), ("directory", "这是目录，不是文件 (a directory, not a file)")],
)
def test_a_file_that_cannot_be_read_says_why_in_both_languages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str | None, reason: str
) -> None:
    path = tmp_path / "next-year.toml"
    if kind == "directory":
        path.mkdir()
    code, out, err = run(capsys, "campaign", "show", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"{path}: 无法读取文件 (cannot read the file)：{reason}"]


# --------------------------------------------------------------------------- campaign check


def test_check_a_good_file_prints_one_ok_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "zz.toml"
    path.write_text(builtin_text("zhengzhou-2024"), encoding="utf-8")
    code, out, err = run(capsys, "campaign", "check", str(path))
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    assert out.startswith(f"OK {path}: zhengzhou-2024：")
    assert "郑州市五一劳动奖章 120" in out and "37 个推荐单位" in out


def test_check_a_builtin_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "campaign", "check", "zhangjiakou-2024")
    assert code == 0
    assert out.startswith("OK zhangjiakou-2024: zhangjiakou-2024：")


def test_check_a_bad_file_prints_every_located_problem_one_per_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = builtin_text("zhengzhou-2024")
    text = text.replace('name = "郑煤集团"', 'name = "长铝公司"')
    text = text.replace("quotas.medal = { cap = 1, frontline = 1 }", "quotas.medal = { cap = 1, frontlne = 1 }")
    text = text.replace("quotas.medal = { cap = 6, frontline = 6 }", "quotas.medal = { cap = 7, frontline = 6 }")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line_of(needle: str, nth: int = 0) -> int:
        return [i + 1 for i, line in enumerate(lines) if needle in line][nth]

    duplicate = line_of('name = "长铝公司"', 1)
    code, out, err = run(capsys, "campaign", "check", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [  # in the file's order
        f"{path}:{line_of('[[units]]')}: units: 郑州市五一劳动奖章：各单位名额合计 121，与总数 120 不符",
        f"{path}:{duplicate}: units[25].name: 推荐单位 “长铝公司” 重复（另见 units[24]）",
        f"{path}:{line_of('frontlne = 1')}: units[35].quotas.medal.frontlne: "
        "未知的预留类别 “frontlne”（郑州市五一劳动奖章 可用：industrial、scitech、migrant、np_migrant、frontline）",
        f"{path}: 共 3 处问题 (3 problems)",
    ]


def test_check_a_toml_syntax_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text(builtin_text("zhengzhou-2024").replace("total = 120", "total = = 120"), encoding="utf-8")
    code, _, err = run(capsys, "campaign", "check", str(path))
    assert code == 1
    assert err.splitlines()[0].startswith(f"{path}:44: TOML 语法错误：")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "无法读取文件"),
        ("directory", "无法读取文件"),
        (builtin_text("zhengzhou-2024").encode("gb18030"), "不是 UTF-8 编码"),
        (b"x" * 5_000_001, "文件过大"),
        (b"\x00\x01\x02binary", "TOML 语法错误"),
        ("a" + ".a" * 50_000 + " = 1", "键的层级过深"),
    ],
)
def test_check_never_shows_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "campaign.toml"
    if content == "directory":
        path.mkdir()
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "campaign", "check", str(path))
    assert (code, out) == (1, "")
    assert message in err.splitlines()[0]
    assert err.splitlines()[0].startswith(str(path))
    assert "Traceback" not in err


def test_check_without_a_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "campaign", "check")
    assert code == 2
    assert "usage: nominee-bot campaign check" in err


# --------------------------------------------------------------------------- campaign dump and list


@pytest.mark.parametrize("name", ["zhengzhou-2024", "zhangjiakou-2024"])
def test_dump_prints_the_builtin_file_exactly(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run(capsys, "campaign", "dump", name)
    assert (code, err) == (0, "")
    packaged = resources.files("core.builtin").joinpath(f"{name}.toml").read_bytes().decode("utf-8")
    assert out == packaged
    assert out == (ROOT / "core" / "builtin" / f"{name}.toml").read_text(encoding="utf-8")


def test_dump_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "campaign", "dump", "nope")
    assert (code, out) == (1, "")
    assert "没有名为 “nope” 的内置评选定义" in err


def test_list_names_both_builtins_with_their_awards_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "campaign", "list")
    assert (code, err) == (0, "")
    rows = {cells(line)[0]: cells(line)[1:] for line in out.splitlines()[2:]}
    assert rows["zhengzhou-2024"] == [
        "2024年郑州市五一劳动奖和郑州市工人先锋号推荐评选",
        "郑州市五一劳动奖状 30（每单位 1-2）、郑州市五一劳动奖章 120、郑州市工人先锋号 80",
        "37 个推荐单位",
    ]
    assert rows["zhangjiakou-2024"] == [
        "2024年张家口市劳动模范、先进工作者和先进集体评选表彰",
        "张家口市劳动模范 110、张家口市先进工作者 40、张家口市先进集体 100",
        "未分配到单位",
    ]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert re.match(r"^nominee-bot \d+\.\d+", out)


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "campaign" in err
    code, _, err = run(capsys, "campaign")
    assert code == 2
    assert "check" in err and "dump" in err


# --------------------------------------------------------------------------- extensions


def test_extensions_add_commands_and_missing_ones_are_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fakeext"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text(
        textwrap.dedent("""
            from bot.cli import command_group

            def hello(args):
                print("hello", args.who)
                return 3

            def load(args):
                print("loading", args.file)
                return 0

            def register(subparsers):
                p = subparsers.add_parser("hello")
                p.add_argument("who")
                p.set_defaults(func=hello)
                p = command_group(subparsers, "campaign").add_parser("load")
                p.add_argument("file")
                p.set_defaults(func=load)
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "EXTENSIONS", ["fakeext.cli", "nosuchpackage.cli", "fakeext.nosuchmodule"])
    assert run(capsys, "hello", "world")[:2] == (3, "hello world\n")
    assert run(capsys, "campaign", "load", "x.toml")[:2] == (0, "loading x.toml\n")
    assert run(capsys, "campaign", "list")[0] == 0


def test_the_operator_finds_every_database_and_telegram_command_in_the_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    top = run(capsys, "--help")[1]
    assert "run" in top and "invite" in top and "db" in top
    db_help = run(capsys, "db")[2]
    assert "upgrade" in db_help and "check" in db_help
    assert "load" in run(capsys, "campaign")[2]
    code, _out, err = run(capsys, "invite", "create", "--campaign", "zhengzhou-2024", "--role", "office", "--unit", "X")
    assert code == 2
    assert err.splitlines() == [
        "nominee-bot invite create: 办公室邀请码不指定推荐单位，请去掉 --unit "
        "(an office invitation names no unit: leave out --unit)"
    ]
    code, _out, err = run(capsys, "invite", "create", "--campaign", "zhengzhou-2024")
    assert (code, err.splitlines()) == (
        2,
        ["nominee-bot invite create: 填报人邀请码须指定推荐单位 (a clerk's invitation needs --unit UNIT)"],
    )


def test_invite_without_a_subcommand_shows_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "invite")
    assert (code, out) == (2, "")
    assert "usage: nominee-bot invite" in err and "create" in err and "--role office" in err
    assert "invite_command" not in err  # not argparse's internal name


def test_the_readme_synopsis_matches_the_invite_command(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    synopses = re.findall(r"`(invite create [^`]*)`", readme)
    assert "invite create --campaign NAME --unit UNIT" in synopses
    assert "invite create --campaign NAME --role office" in synopses
    assert not [s for s in synopses if "--role office" in s and "--unit" in s]
    assert run(capsys, "invite", "create", "--help")[0] == 0


@pytest.mark.parametrize(
    ("env", "expected", "status"),
    [
        ({"NOMINEE_THROTTLE_RATE": "many"}, "nominee-bot: 设置无效 (invalid setting): NOMINEE_THROTTLE_RATE", 2),
        (
            {"NOMINEE_DATABASE_URL": "not a url"},
            "NOMINEE_DATABASE_URL 不是有效的数据库地址 (not a valid database URL)",
            2,
        ),
        (
            {"NOMINEE_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"},
            "nominee-bot: 无法连接数据库 (cannot reach the database; check NOMINEE_DATABASE_URL)",
            1,
        ),
    ],
)
def test_a_setting_the_operator_can_mend_is_one_line_not_an_internal_error(
    tmp_path: Path, env: dict[str, str], expected: str, status: int
) -> None:
    done = operator(tmp_path, env, "db", "check")
    assert done.returncode == status
    (line,) = done.stderr.splitlines()
    assert expected in line and "Traceback" not in line and "内部错误" not in line


@pytest.mark.parametrize(
    ("args", "expected", "status"),
    [
        (("db", "check"), "nominee-bot db check: 数据库结构不是最新 (database schema out of date): ", 1),
        (
            ("run",),
            "nominee-bot run: 请设置 NOMINEE_BOT_TOKEN 为 @BotFather 给出的机器人令牌 (set NOMINEE_BOT_TOKEN",
            2,
        ),
        (("webhook",), "nominee-bot webhook: 请设置 NOMINEE_BOT_TOKEN", 2),
    ],
)
def test_a_fresh_machine_is_told_in_one_line_what_to_do(
    tmp_path: Path, args: tuple[str, ...], expected: str, status: int
) -> None:
    done = operator(tmp_path, {}, *args)
    assert done.returncode == status
    (line,) = done.stderr.splitlines()
    assert line.startswith(expected)


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257])
def test_the_webhook_needs_a_proper_secret(tmp_path: Path, secret: str | None) -> None:
    env = {"NOMINEE_BOT_TOKEN": "123:abc"} | ({} if secret is None else {"NOMINEE_WEBHOOK_SECRET": secret})
    done = operator(tmp_path, env, "webhook")
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("nominee-bot webhook: 请设置 NOMINEE_WEBHOOK_SECRET") and "A-Z a-z 0-9 _ -" in line


def operator(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``nominee-bot ARGS`` in a fresh directory, with only ``env`` of the NOMINEE_ settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), "NOMINEE_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --------------------------------------------------------------------------- fast: no heavy imports


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_campaign_commands_do_not_import_aiogram_sqlalchemy_or_openpyxl() -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "codes = [main(['campaign', 'list']), main(['campaign', 'show', 'zhengzhou-2024']),\n"
        "         main(['campaign', 'check', 'zhangjiakou-2024']), main(['campaign', 'dump', 'zhengzhou-2024'])]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'aiogram', 'sqlalchemy', 'openpyxl'})\n"
        "print('RESULT', codes, heavy, file=sys.stderr)\n"
    )
    result = _python("-c", probe)
    assert result.returncode == 0, result.stderr.decode()
    assert "RESULT [0, 0, 0, 0] []" in result.stderr.decode()


def test_the_module_entry_point_runs_and_imports_nothing_heavy() -> None:
    result = _python("-X", "importtime", "-m", "bot.cli", "campaign", "list")
    assert result.returncode == 0, result.stderr.decode()
    assert "zhengzhou-2024" in result.stdout.decode()
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.decode().splitlines()}
    assert not imported & {"aiogram", "sqlalchemy", "openpyxl"}


def test_a_terminal_that_cannot_show_chinese_gets_escapes_not_a_crash() -> None:
    result = _python("-m", "bot.cli", "campaign", "list", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr.decode()
    assert b"\\u90d1" in result.stdout  # 郑


def test_dump_is_byte_exact_even_on_a_latin1_terminal() -> None:
    result = _python("-m", "bot.cli", "campaign", "dump", "zhengzhou-2024", env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (ROOT / "core" / "builtin" / "zhengzhou-2024.toml").read_bytes()


def test_an_allocation_cell_with_a_nested_sub_quota_followed_by_a_sibling_stays_unambiguous() -> None:
    from core.campaign import Allocation
    from core.loader import load_builtin
    from core.tables import allocation_cell

    medal = load_builtin("zhengzhou-2024").award("medal")
    alloc = Allocation.model_validate({"cap": 6, "migrant": {"count": 2, "np_migrant": 1}, "industrial": 2})
    assert allocation_cell(medal, alloc) == "6（农民工2（其中非公新业态农民工1）、一线产业工人2）"
    alloc = Allocation.model_validate({"cap": 6, "industrial": 2, "migrant": {"count": 2, "np_migrant": 1}})
    assert allocation_cell(medal, alloc) == "6（一线产业工人2、农民工2，其中非公新业态农民工1）"
    assert allocation_cell(medal, Allocation(cap=3)) == "3"
    assert allocation_cell(medal, None) == "0"
    # the sides of an award allocated per unit (a division) read by their names, as in `show`
    model = load_builtin("zhangjiakou-2024").award("model")
    sides = Allocation.model_validate({"cap": 6, "workers": 5, "farmers": 1})
    assert allocation_cell(model, sides) == "6（企业职工和其他劳动者5、农民1）"


def test_check_speaks_the_language_asked_for(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(builtin_text("zhengzhou-2024").replace("min_pct = 35", "pct = 35"), encoding="utf-8")
    code, _, err = run(capsys, "campaign", "check", "--lang", "en", str(path))
    assert code == 1
    assert err.splitlines()[0].endswith("proportions[0].pct: unknown key (a typo?); did you mean min_pct, max_pct?")
    monkeypatch.setenv("NOMINEE_DEFAULT_LANGUAGE", "en")
    assert run(capsys, "campaign", "check", str(path))[2] == err
    _, _, err_zh = run(capsys, "campaign", "check", "--lang", "zh", str(path))
    assert err_zh.splitlines()[0].endswith("proportions[0].pct: 未知的键（拼写错误？）；是否要找 min_pct、max_pct？")


def test_show_marks_a_stage_that_does_not_close_entry(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "zz.toml"
    text = builtin_text("zhengzhou-2024").replace(
        "# 报送复审材料时间另行通知", "closes_entry = false\n# 报送复审材料时间另行通知"
    )
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "campaign", "show", str(path))
    assert code == 0
    assert "  报送初审材料（initial）  截止 2024-03-20\n" in out
    assert "  报送复审材料（second_review）  日期另行通知 (to be announced)  不截止填报 (entry stays open)" in out
