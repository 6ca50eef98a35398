"""The Xiamen 2016 example (core/builtin/xiamen-2016.toml), played by a clerk: a notice the
built-ins were not written from, run by its definition alone — a multiple-choice question, a
question for everyone but community workers, and an enforced maximum share refused like a pool."""

from __future__ import annotations

import pytest

from tests.chat.chat import Harness
from tests.chat.test_exports import last_document
from tests.chat.world import World
from tests.nominees import DEEDS, id_number
from tests.sheets import body, read_both

XIAMEN = "xiamen-2016"
SIMING = "思明区总工会"
# the report gives no allocation table: the office adds one, as the example's header says
UNITS = f"""
[[units]]
name = "{SIMING}"
quotas.medal = 4
quotas.certificate = 1

[[units]]
name = "厦门市其他推荐单位"
quotas.medal = 246
quotas.certificate = 49
"""


def medal(name: str, n: int, category: str, **more: str) -> dict[str, object]:
    return {
        "人员类别": category,
        "姓名": name,
        "身份证号码": id_number(n, female=True),
        "工作单位及职务": "厦门港务集团码头装卸工",
        "单位性质": "企业",
        "联系电话": "13906001234",
        "简要事迹": DEEDS,
        **more,
    }


@pytest.fixture(autouse=True)
async def xiamen(world: World) -> None:
    # 单位负责人 at most 0.4 % of 250 = 1 place city-wide, so the second one meets the limit
    text = world.builtin_text(XIAMEN).replace("max_pct = 15\n", "max_pct = 0.4\n")
    await world.load_definition(text + UNITS)


async def test_a_clerk_enters_a_migrant_worker_by_toggling_the_groups(bot: Harness) -> None:
    clerk = await bot.clerk(20001, SIMING, XIAMEN)
    await clerk.command("/new")
    await clerk.tap("厦门市五一劳动奖章")
    await clerk.fill(medal("林秀英", 20001, "一线职工"), until="所属群体")
    clerk.expect("请点选所有符合的选项（再点一次取消），然后点“✔ 完成”", "不属于以上任何群体的")
    assert clerk.buttons[:5] == ["☐ 农民工", "☐ 少数民族", "☐ 台港澳籍", "☐ 外籍", "✔ 完成（已选 0 项）"]
    await clerk.tap("☐ 农民工")
    await clerk.tap("☐ 少数民族")
    await clerk.tap("☑ 少数民族")  # tapped again: undone
    assert clerk.buttons[:5] == ["☑ 农民工", "☐ 少数民族", "☐ 台港澳籍", "☐ 外籍", "✔ 完成（已选 1 项）"]
    assert clerk.question is not None and clerk.question.startswith("所属群体")  # nothing saved yet
    question = clerk.keyboard_message()
    await clerk.tap("✔ 完成（已选 1 项）")
    assert clerk.question == "联系电话"
    # a toggle or 完成 of the question already answered (an old keyboard) changes nothing
    stale = await clerk.press(question, "mc:groups:3:-1")
    assert stale.alert == "此消息已过期，请在最新的消息中操作。"
    assert clerk.question == "联系电话"
    await clerk.fill(medal("林秀英", 20001, "一线职工"))
    clerk.expect("所属群体：农民工", "单位性质：企业")
    (await clerk.tap("✔ 确认保存")).expect("林秀英 · 厦门市五一劳动奖章。")
    # the unit's summary table shows the choices as the chat does, not as a list's repr
    await clerk.command("/export")
    await clerk.tap("2016年厦门市五一劳动奖章推荐对象汇总表")
    (rows,) = read_both(last_document(bot)[1]).values()
    (row,) = body(rows)
    assert row[1] == "林秀英" and row[7] == "农民工"


async def test_groups_may_be_typed_and_a_community_worker_is_not_asked_the_employer(bot: Harness) -> None:
    clerk = await bot.clerk(20101, SIMING, XIAMEN)
    await clerk.command("/new")
    await clerk.tap("厦门市五一劳动奖章")
    answers = medal("阿依古丽", 20101, "社区工作者", **{"所属群体": "少数民族、外籍"})
    await clerk.fill(answers)
    clerk.expect("所属群体：少数民族、外籍")
    clerk.expect_not("单位性质")  # everyone but community workers is asked it
    await clerk.tap("✔ 确认保存")

    await clerk.command("/new")
    await clerk.tap("厦门市五一劳动奖章")
    await clerk.fill(medal("陈静", 20102, "其他职工", **{"所属群体": "无"}))
    clerk.expect("所属群体：无", "单位性质：企业")


async def test_an_enforced_share_refuses_the_next_head_of_unit_like_a_pool(bot: Harness) -> None:
    clerk = await bot.clerk(20201, SIMING, XIAMEN)
    await clerk.nominate("厦门市五一劳动奖章", medal("王总", 20201, "单位负责人", **{"所属群体": "无"}))
    await clerk.command("/new")
    await clerk.tap("厦门市五一劳动奖章")
    assert "✕ 单位负责人" in clerk.buttons
    (await clerk.tap("✕ 单位负责人")).expect(
        "全市“单位负责人（含正副职）”名额（全市共 1 个）已用完，不能再添加此类推荐对象。"
    )
