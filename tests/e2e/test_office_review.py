"""The office's review through the real bot process: a clerk submits; the office returns one
nominee with a reason; the clerk is told, corrects it and hands it in again; the office accepts
it; the enterprise head is not approved and its alternate takes the place. Every step's wording
is told in-process (tests/chat/test_review.py); here the processes and the server carry it."""

from __future__ import annotations

import pytest

from app import joining, nominees
from tests.e2e.conftest import ZHENGZHOU, BotStack, Clerk, medal_answers, store_answers
from tests.nominees import id_number

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNIT = "市能源生物医药工会"  # 奖章 3 = 一线产业工人 2 + 1 free


async def newest(clerk: Clerk) -> str:
    """The newest bot message in the clerk's chat (what the office's decision sent there)."""
    messages = await clerk.sb.messages(clerk.user_id)
    return messages[-1].text or ""


async def test_return_resubmit_accept_and_an_alternate_in_place_of_its_head(stack: BotStack) -> None:
    clerk = await stack.clerk(300001, UNIT)
    user = await stack.clerk_info(300001)
    worker = await stack.save_in_process(300001, "medal", medal_answers("能源甲", id_number(300001)))
    await stack.save_in_process(300001, "medal", medal_answers("能源乙", id_number(300002)))
    head = await stack.save_in_process(300001, "medal", medal_answers("孔总", id_number(300003), "企业负责人"))
    saved = await nominees.save(
        stack.ports, user, "medal", store_answers(medal_answers("孔备选", id_number(300004))), alternate_for=head
    )
    assert saved.nominee is not None, saved.refusals
    alternate = saved.nominee.id
    await clerk.say("/submit")
    await clerk.tap("提交并放弃上述名额")
    clerk.expect("本单位推荐名单已提交办公室")

    office = Clerk(stack, 300009, "办公室")
    await office.open()
    await office.join(await joining.create_invite(stack.ports, ZHENGZHOU, None, "office"))
    office.expect("办公室工作人员", "/review")
    state = await stack.sb.state()
    scoped = [e for e in state["commands"] if e["scope"].get("chat_id") == 300009]
    assert scoped and scoped[0]["commands"][0]["command"] == "review"

    await office.say("/review")
    await office.tap(f"{UNIT} · 待审 4/4")
    await office.tap(f"#{worker} 能源甲")
    office.expect("姓名：能源甲", f"推荐单位：{UNIT}")
    await office.tap("↩ 退回修改")
    await office.say("请补充近三年主要业绩。")
    office.expect("已退回推荐单位修改", "已通知该单位填报人（1 人）。")
    notice = await newest(clerk)
    assert "现状态为“已退回”" in notice and "理由：请补充近三年主要业绩。" in notice, notice

    await clerk.say(f"/edit {worker}")
    await clerk.tap("✎ 工作单位及职务")
    await clerk.say("郑州某能源公司 运行值班长")
    await clerk.tap("✔ 确认保存")
    clerk.expect(f"已修改：#{worker} 能源甲")
    await clerk.say("/submit")
    await clerk.tap("确定提交" if "确定提交" in clerk.buttons else "提交并放弃上述名额")
    clerk.expect("本单位推荐名单已提交办公室")

    await office.say(f"/status {worker}")
    office.expect("状态：已提交办公室", "郑州某能源公司 运行值班长")
    await office.tap("✔ 初审通过")
    office.expect("已初审通过", "已通知该单位填报人（1 人）。")
    assert "现状态为“初审通过”" in await newest(clerk)

    await office.say(f"/status {head}")
    await office.tap("✔ 初审通过")
    await office.tap(f"⇪ 由备选人员 #{alternate} 递补")
    await office.tap("⇪ 确定由备选人员递补")
    office.expect(
        f"#{head} 孔总 · 郑州市五一劳动奖章 未通过，由其备选人员 #{alternate} 孔备选", "已通知该单位填报人（1 人）。"
    )
    assert f"#{alternate} 孔备选" in await newest(clerk)
    await clerk.say("/list")
    clerk.expect(
        f"#{head} 孔总 · 郑州市五一劳动奖章 · 未通过", f"#{alternate} 孔备选 · 郑州市五一劳动奖章 · 已提交办公室"
    )
