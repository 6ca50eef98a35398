"""Places through the chat: every kind of quota refusal, the eligibility rules, submitting the
unit's list, and two clerks racing for the last place of a city-wide pool.

The rest of a unit's list (or of the city) is filled in-process through the use cases, as other
clerks would have done; the clerk under test always works through the real bot process.
"""

from __future__ import annotations

import asyncio

import pytest

from app import queries
from core.records import UserInfo
from tests.e2e.conftest import (
    HANGKONGGANG,
    QIAODONG,
    ZHANGJIAKOU,
    BotStack,
    Clerk,
    by_step,
    medal_answers,
    model_answers,
    zhangjiakou_with_units,
)
from tests.nominees import certificate, id_number

pytestmark = pytest.mark.asyncio(loop_scope="module")

MEDAL = "五一劳动奖章"
NOT_SAVED = "未保存。"


async def pool_used(stack: BotStack, user: UserInfo, key: str) -> tuple[int, int]:
    quota = await queries.unit_quota(stack.ports, user)
    status = next(p for p in quota.pools if p.limit.key == key)
    return status.used, status.limit.cap


async def fill_pool(stack: BotStack, category: str, key: str, units: list[str], *, leave: int, first_id: int) -> None:
    """Other units take places of a city-wide pool (each with its own free place) until only
    ``leave`` are left."""
    for k, unit in enumerate(units):
        member = await stack.member(first_id + k, unit)
        used, cap = await pool_used(stack, member, key)
        if used >= cap - leave:
            return
        number = id_number(first_id + k)
        stack.ids.add(number)
        await stack.save_in_process(member.tg_id, "medal", medal_answers(f"袁{k}号", number, category))
    used, cap = await pool_used(stack, member, key)
    assert used == cap - leave, "not enough units with a free place for the pool"


def certificate_answers(org: str) -> dict[str, object]:
    """A complete 五一劳动奖状 organisation, keyed by step; its staff count in full-width digits,
    as a Chinese keyboard types them."""
    return by_step(certificate(org), staff_count="３２０人")


# ------------------------------------------------------------------------------ 3. refusals


async def test_a_second_migrant_worker_is_refused_with_the_sub_quotas_still_open(stack: BotStack) -> None:
    other = await stack.member(200100, HANGKONGGANG)
    stack.ids.add(id_number(2100))
    await stack.save_in_process(other.tg_id, "medal", medal_answers("马大勇", id_number(2100), "农民工"))

    clerk = await stack.clerk(200101, HANGKONGGANG)
    await clerk.start_nominee(MEDAL)
    # a category that cannot be added now is marked, not hidden
    assert "✕ 农民工" in clerk.buttons and "一线产业工人" in clerk.buttons and "一线科教人员" in clerk.buttons
    assert "✕ 企业负责人" in clerk.buttons
    await clerk.tap("✕ 农民工")
    clerk.expect(
        "郑州市五一劳动奖章：本单位共 6 个名额，已占用 1 个。",
        "尚待填报的预留名额：一线产业工人 4 个、一线科教 1 个；剩余不限类别名额：0 个。",
        "“农民工”不属于上述预留类别",
    )
    assert clerk.progress == (1, 23)
    await clerk.answer("农民工")  # typed instead of tapped: the same answer
    clerk.expect("剩余不限类别名额：0 个", "第 1/23 步")
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/23 步 · 姓名")


async def test_a_full_unit_and_a_unit_without_an_allocation_are_refused(stack: BotStack) -> None:
    other = await stack.member(200200, "长铝公司")  # 奖章 1 (一线产业工人 1)
    stack.ids.add(id_number(2200))
    await stack.save_in_process(other.tg_id, "medal", medal_answers("杨铝生", id_number(2200)))

    clerk = await stack.clerk(200201, "长铝公司")
    await clerk.say("/new")
    assert "郑州市五一劳动奖章 · 剩余 0/1" in clerk.buttons
    await clerk.tap(MEDAL)
    clerk.expect("郑州市五一劳动奖章：本单位 1 个名额已全部占用。")

    tobacco = await stack.clerk(200202, "黄金叶")  # 先锋号 0
    await tobacco.say("/new")
    assert "郑州市工人先锋号 · 剩余 0/0" in tobacco.buttons
    await tobacco.tap("工人先锋号")
    tobacco.expect("本单位无郑州市工人先锋号名额。")
    await tobacco.say("/quota")
    tobacco.expect("郑州市工人先锋号：无名额。")


async def test_a_third_certificate_exceeds_the_per_unit_limit(stack: BotStack) -> None:
    clerk = await stack.clerk(200301, "郑东新区")
    await clerk.start_nominee("五一劳动奖状")
    clerk.expect("第 1/16 步 · 单位名称")
    await clerk.fill(certificate_answers("郑州智能装备制造有限公司"), until="staff_count")
    await clerk.answer("３２０人")
    clerk.expect("第 4/16 步 · 单位类型")
    await clerk.fill(certificate_answers("郑州智能装备制造有限公司"))
    clerk.expect("单位人数：320")
    await clerk.tap("✔ 确认保存")
    clerk.expect("郑州智能装备制造有限公司 · 郑州市五一劳动奖状。")

    other = await stack.member(200300, "郑东新区")
    second = certificate_answers("郑东新区城市运营集团") | {"staff_count": 1200, "org_type": "事业单位"}
    await stack.save_in_process(other.tg_id, "certificate", second)

    await clerk.say("/new")
    assert "郑州市五一劳动奖状 · 可推荐 0/2" in clerk.buttons
    await clerk.tap("五一劳动奖状")
    clerk.expect("郑州市五一劳动奖状为差额推荐：每个单位最多可推荐 2 个，本单位已推荐 2 个。")
    await clerk.say("/quota")
    clerk.expect("郑州市五一劳动奖状：已推荐 2 个，最多可推荐 2 个（差额推荐）。")


async def test_a_used_up_city_pool_is_explained_on_its_category(stack: BotStack) -> None:
    units = ["郑东新区", "经济技术开发区", "高新技术开发区", "巩义市", "登封市"]
    await fill_pool(stack, "机关和事业单位科级领导干部", "pool:section_cadre", units, leave=0, first_id=2400)

    clerk = await stack.clerk(200401, "中原区")  # 奖章 4 = 产业工人 1 + 科教 2 + 1 free
    await clerk.say("/quota")
    clerk.expect(
        "郑州市五一劳动奖章 — 科级领导干部：已用 4/4，剩余 0 个",
        "郑州市五一劳动奖章：已用 0/4，剩余 4 个，其中不限类别 1 个。",
    )
    await clerk.start_nominee(MEDAL)
    assert "✕ 机关和事业单位科级领导干部" in clerk.buttons and "企业负责人" in clerk.buttons
    await clerk.tap("✕ 机关和事业单位科级领导干部")
    clerk.expect("全市“科级领导干部”名额（全市共 4 个）已用完，不能再添加此类推荐对象。")
    assert clerk.progress == (1, 23)


async def test_an_id_number_nominated_by_another_unit_is_refused_with_that_unit(stack: BotStack) -> None:
    taken = id_number(2400)  # 郑东新区's cadre of the story above
    clerk = Clerk(stack, 200401)  # the clerk of 中原区 of the story above, on the category question
    await clerk.say("/new")
    await clerk.tap("继续填写")
    await clerk.fill(medal_answers("黄建民", taken))
    await clerk.tap("✔ 确认保存")
    clerk.expect(NOT_SAVED, "该人员或单位已由“郑东新区”在本次评选中推荐。", "请核对填报信息")

    fresh = id_number(2450)
    await clerk.tap("✎ 身份证号码")
    await clerk.answer(fresh)
    clerk.expect("请核对填报信息", f"{fresh[:4]}**********{fresh[-4:]}")
    await clerk.tap("✔ 确认保存")
    clerk.expect("黄建民 · 郑州市五一劳动奖章。")


async def test_a_hard_eligibility_rule_refuses_the_answer(stack: BotStack) -> None:
    await stack.load_campaign(zhangjiakou_with_units())
    clerk = await stack.clerk(200501, QIAODONG, ZHANGJIAKOU)
    await clerk.start_nominee("张家口市劳动模范")
    answers = model_answers("刘副处", id_number(2500))
    await clerk.fill(answers, until="cadre_level")
    before = clerk.progress
    await clerk.tap("副处级及以上")
    clerk.expect("根据评选规则，该推荐对象不符合推荐条件：", "副处级及以上干部不参加劳动模范和先进工作者评选。")
    assert clerk.progress == before
    await clerk.tap("无")
    await clerk.fill(answers, until="org_type")
    await clerk.tap("党政机关")
    clerk.expect("机关事业单位职工请按先进工作者推荐。")
    await clerk.tap("企业")
    assert clerk.step_key == "ownership"
    await clerk.say("/cancel")
    await clerk.tap("确定删除")
    clerk.expect("草稿已删除")


# ------------------------------------------------------------------------------ 6. submitting


async def test_submitting_is_refused_with_the_gaps_then_succeeds_and_locks_the_list(stack: BotStack) -> None:
    unit = "市文教卫工会"  # 先锋号 2 (no sub-quota); 奖章 4 = 一线科教 2 + 2 free
    clerk = await stack.clerk(200601, unit)
    await clerk.start_nominee(MEDAL)
    head = medal_answers("何总", id_number(2600), "企业负责人", ownership="非公")
    await clerk.fill(head)
    clerk.expect("（企业负责人）所在企业近五年内是否发生安全生产事故")  # asked only of enterprise heads
    await clerk.tap("✔ 确认保存")
    saved = clerk.expect("何总 · 郑州市五一劳动奖章。", "须同时推荐 1 名同类别一线职工作为备选")
    head_id = int(saved.split("已保存：#")[1].split()[0])
    offer = clerk.shown
    assert "立即填报备选人员" in offer.button_texts

    await clerk.say("/submit")
    clerk.expect("确定将本单位推荐名单提交办公室吗？")
    await clerk.tap("暂不提交")
    clerk.expect("未提交，您可以继续编辑。")
    await clerk.say("/submit")
    await clerk.tap("确定提交")
    clerk.expect(
        "名单暂不能提交，原因如下：",
        "郑州市五一劳动奖章：一线科教预留名额尚有 2 个未填报。",
        f"何总（#{head_id}）须同时推荐 1 名同类别一线职工作为备选。",
    )

    other = await stack.member(200600, unit)  # a colleague enters the two 科教 nominees
    for k in range(2):
        stack.ids.add(id_number(2610 + k))
        await stack.save_in_process(
            other.tg_id, "medal", medal_answers(f"教师{k}", id_number(2610 + k), "一线科教人员")
        )
    await clerk.say("/submit")
    await clerk.tap("确定提交")
    clerk.expect("须同时推荐 1 名同类别一线职工作为备选")
    clerk.expect_not("一线科教预留名额")

    # the alternate through the button offered when the head was saved
    await clerk.tap("立即填报备选人员", offer)
    clerk.expect("郑州市五一劳动奖章 · 备选", "第 1/23 步")
    assert [b for b in clerk.buttons if b not in ("取消",)] == ["一线产业工人", "其他一线职工和专业技术人员"]
    await clerk.fill(medal_answers("何备选", id_number(2620), ownership="非公"))
    clerk.expect("郑州市五一劳动奖章 · 备选")
    await clerk.tap("✔ 确认保存")
    clerk.expect("何备选 · 郑州市五一劳动奖章。")
    await clerk.say(f"/status {head_id}")
    clerk.expect_not("填报备选人员")

    await clerk.say("/submit")
    await clerk.tap("确定提交")
    clerk.expect("本单位推荐名单已提交办公室，现已锁定。谢谢！")

    # afterwards the list is locked
    await clerk.say(f"/edit {head_id}")
    clerk.expect("该推荐对象已不能修改（状态：已提交办公室）")
    await clerk.say(f"/withdraw {head_id}")
    clerk.expect("该推荐对象已不能修改（状态：已提交办公室）")
    await clerk.say("/new")
    await clerk.tap("工人先锋号")
    clerk.expect("本单位推荐名单已提交并锁定")
    await clerk.say("/list")
    clerk.expect("何总 · 郑州市五一劳动奖章 · 已提交办公室", "何备选 · 郑州市五一劳动奖章 · 备选 · 已提交办公室")


async def test_an_alternate_takes_no_place_so_a_full_unit_can_still_enter_it(stack: BotStack) -> None:
    unit = "市能源生物医药工会"  # 奖章 3 = 一线产业工人 2 + 1 free
    other = await stack.member(200700, unit)
    for k in range(2):
        stack.ids.add(id_number(2700 + k))
        await stack.save_in_process(other.tg_id, "medal", medal_answers(f"能源{k}", id_number(2700 + k)))
    clerk = await stack.clerk(200701, unit)
    await clerk.start_nominee(MEDAL)
    await clerk.fill(medal_answers("孔总", id_number(2710), "企业负责人"))
    await clerk.tap("✔ 确认保存")
    clerk.expect("孔总 · 郑州市五一劳动奖章。", "本单位剩余 0 个名额")

    await clerk.tap("立即填报备选人员")
    assert clerk.buttons[:2] == ["一线产业工人", "其他一线职工和专业技术人员"]  # not marked ✕: no place needed
    await clerk.tap("一线产业工人")
    clerk.expect("第 2/23 步 · 姓名")
    await clerk.fill(medal_answers("孔备选", id_number(2711)))
    await clerk.tap("✔ 确认保存")
    clerk.expect("孔备选 · 郑州市五一劳动奖章。")


# ------------------------------------------------------------------------------ 8. the race


async def enter_head_to_summary(clerk: Clerk, name: str, number: int) -> None:
    await clerk.start_nominee(MEDAL)
    assert "企业负责人" in clerk.buttons, clerk.buttons
    await clerk.fill(medal_answers(name, id_number(number), "企业负责人"))
    assert clerk.on_summary


async def test_two_clerks_race_for_the_last_place_of_a_city_pool(stack: BotStack) -> None:
    units = ["荥阳市", "新郑市", "中牟县", "二七区", "管城区", "金水区", "市电子信息科技工会", "市农业交通建设工会"]
    await fill_pool(stack, "企业负责人", "pool:enterprise_head", units, leave=1, first_id=2800)

    first = await stack.clerk(200801, "新密市")
    second = await stack.clerk(200802, "市汽车装备制造工会")
    await enter_head_to_summary(first, "甲总", 2810)
    await enter_head_to_summary(second, "乙总", 2811)
    buttons = []
    for clerk in (first, second):
        message = await clerk.keyboard_message()
        assert message.message_id is not None
        _label, data = message.find_button("确认保存")
        assert data is not None
        buttons.append((clerk, message.message_id, data))

    await asyncio.gather(*(clerk.press(message_id, data) for clerk, message_id, data in buttons))

    outcomes = sorted(("已保存：#" in c.text, c.user_id) for c in (first, second))
    assert [won for won, _ in outcomes] == [False, True], [c.text for c in (first, second)]
    loser = first if outcomes[0][1] == first.user_id else second
    loser.expect(NOT_SAVED, "全市“企业负责人”名额（全市共 7 个）已用完，不能再添加此类推荐对象。", "请核对填报信息")
    assert await pool_used(stack, await stack.clerk_info(first.user_id), "pool:enterprise_head") == (7, 7)

    # the loser keeps the draft and may report the person under another category
    await loser.tap("✎ 人员类别")
    assert "✕ 企业负责人" in loser.buttons
    await loser.tap("其他一线职工和专业技术人员")
    loser.expect("请核对填报信息", "人员类别：其他一线职工和专业技术人员")
    await loser.tap("✔ 确认保存")
    loser.expect("郑州市五一劳动奖章。")
