"""The Zhangjiakou campaign, loaded by the office with its allocation table: another definition
runs through the same conversation — its own awards, questions and rules."""

from __future__ import annotations

import pytest

from tests.chat.chat import Harness
from tests.chat.people import labour_model
from tests.chat.world import World
from tests.nominees import QIAODONG, id_number, zhangjiakou_units

ZHANGJIAKOU = "zhangjiakou-2024"


@pytest.fixture(autouse=True)
async def zhangjiakou(world: World) -> None:
    await world.load_definition(world.builtin_text(ZHANGJIAKOU) + zhangjiakou_units())


async def test_a_clerk_of_qiaodong_enters_a_retired_labour_model_with_a_reason(bot: Harness) -> None:
    clerk = await bot.clerk(10001, QIAODONG, ZHANGJIAKOU)
    clerk.expect("2024年张家口市劳动模范、先进工作者和先进集体评选表彰", QIAODONG)
    await clerk.command("/new")
    assert "张家口市劳动模范 · 剩余 3/3" in clerk.buttons
    await clerk.tap("张家口市劳动模范")
    clerk.expect("张家口市劳动模范：已用 0/3，剩余 3 个")

    answers = labour_model("赵志刚", id_number(10001)) | {"是否为离退休人员": "是"}
    await clerk.fill(answers, until="推荐理由")
    clerk.expect("离退休人员原则上不参加评选。", "请填写推荐理由")
    await clerk.send("退休返聘后仍坚持在焊接岗位带徒传艺，技术无人替代。")
    await clerk.fill(answers)
    clerk.expect("人员类别：一线工人", "是否为离退休人员：是", "推荐理由（是否为离退休人员）：退休返聘后")
    (await clerk.tap("✔ 确认保存")).expect(
        "赵志刚 · 张家口市劳动模范。", "张家口市劳动模范：本单位剩余 2 个名额，其中不限类别 2 个。"
    )
    await clerk.command("/quota")
    clerk.expect(f"{QIAODONG}名额情况", "张家口市劳动模范：已用 1/3，剩余 2 个", "张家口市先进工作者：已用 0/2")
    await clerk.command("/deadlines")
    clerk.expect("2024-04-02（剩余 18 天）")


async def test_hard_rules_refuse_a_senior_cadre_and_a_civil_servant_as_labour_models(bot: Harness) -> None:
    clerk = await bot.clerk(10101, QIAODONG, ZHANGJIAKOU)
    await clerk.command("/new")
    await clerk.tap("张家口市劳动模范")
    answers = labour_model("刘副处", id_number(10101))
    await clerk.fill(answers, until="干部级别")
    before = clerk.progress
    await clerk.tap("副处级及以上")
    clerk.expect("根据评选规则，该推荐对象不符合推荐条件：", "副处级及以上干部不参加劳动模范和先进工作者评选。")
    assert clerk.progress == before
    await clerk.tap("无")
    await clerk.fill(answers, until="单位类型")
    await clerk.tap("党政机关")
    clerk.expect("机关事业单位职工请按先进工作者推荐。")
    await clerk.tap("企业")
    assert clerk.question == "单位性质"
