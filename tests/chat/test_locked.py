"""A locked list takes no more answers: once a colleague has submitted the unit's list, or the
entry deadline has passed, a clerk's open draft is stopped at the very next answer or tap — with
the words /new gives (why, and whom to ask) — not after every remaining question at 确认保存.
The draft is kept: when the office reopens the list, it goes on where it stopped; the clerk may
still discard it. And /submit says which of the unit's drafts are still being entered."""

from __future__ import annotations

from tests.chat.chat import Chat, Harness
from tests.chat.people import medal, team
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
PIONEER = "工人先锋号"
UNIT = "长铝公司"  # 先锋号 1 = 企业班组 1; 奖章 1 = 一线产业工人 1
SUBMITTED = "本单位推荐名单已提交并锁定，不能再填报或修改。仅办公室可重新开放，请联系郑州市总工会劳动和经济工作部"
CLOSED = "填报已于 2024-03-20 截止，本单位推荐名单不能再填报或修改。"
WHOM = "请联系郑州市总工会劳动和经济工作部（杨柳琳、江丹阳，67883217）。"


async def refused_at_once(clerk: Chat, *closed: str, send: str | None = None, tap: str | None = None) -> None:
    """The clerk's answer (``send``) or tap is refused with ``closed`` and no button offered."""
    said = await (clerk.send(send) if send is not None else clerk.tap(tap or ""))
    said.expect(*closed)
    said.expect_not("第 ")  # no question shown again: there is nothing to answer
    assert said.buttons == [], f"buttons offered on a locked list:\n{said.text}"


async def test_a_draft_open_when_a_colleague_submits_is_stopped_at_its_next_answer_and_goes_on_after_reopening(
    bot: Harness,
) -> None:
    clerk = await bot.clerk(8401, UNIT)
    worker = medal("铝工", id_number(8401))
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(worker, until="联系电话")

    colleague = await bot.clerk(8402, UNIT)
    await colleague.nominate(PIONEER, team("长铝电解一班"))
    await colleague.command("/submit")
    colleague.expect(
        "本单位尚有 1 份未完成的草稿（郑州市五一劳动奖章 · 铝工），名单提交后将无法保存。",
        "如需一并推荐，请待其保存后再提交。",
        "确定提交名单并放弃上述名额吗？",
    )
    await colleague.tap("提交并放弃上述名额")
    colleague.expect("本单位推荐名单已提交办公室，现已锁定。")

    await refused_at_once(clerk, SUBMITTED, send="13803712345")  # not 3 more questions in vain
    await refused_at_once(clerk, SUBMITTED, tap="◀ 上一步")
    said = await clerk.command("/new")  # no offer to continue what cannot be saved
    said.expect(SUBMITTED)
    said.expect_not("继续")
    assert said.buttons == []

    office = bot.chat(8403)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    await bot.world.reopen(8403, UNIT)
    await clerk.send("13803712345")  # the draft was kept: it goes on where it stopped
    clerk.expect("第 19/21 步 · 简要事迹")
    await clerk.fill(worker)
    await clerk.tap("✔ 确认保存")
    clerk.expect("已保存")


async def test_after_the_deadline_an_open_draft_takes_no_answer_and_can_still_be_discarded(bot: Harness) -> None:
    clerk = await bot.clerk(8501, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("迟到", id_number(8501)), until="民族")
    bot.clock.advance(days=6)  # 21 March: the entry deadline (20 March) has passed

    await refused_at_once(clerk, CLOSED, WHOM, send="汉族")
    await refused_at_once(clerk, CLOSED, WHOM, tap="◀ 上一步")
    said = await clerk.command("/new")
    said.expect(CLOSED, WHOM)
    assert said.buttons == []

    await clerk.command("/cancel")  # leaving stays possible
    await clerk.tap("放弃“迟到”")
    clerk.expect("草稿（郑州市五一劳动奖章 · 迟到）已放弃")
    (await clerk.command("/cancel")).expect("当前没有可取消的操作。")


async def test_after_the_deadline_a_complete_draft_at_its_summary_is_stopped_at_its_first_tap(bot: Harness) -> None:
    clerk = await bot.clerk(8601, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("压线", id_number(8601)))
    summary = clerk.keyboard_message()
    bot.clock.advance(days=6)

    for label in ("✎ 姓名", "✔ 确认保存"):
        said = await clerk.tap(label, on=summary)
        said.expect(CLOSED, WHOM)
        assert said.buttons == []
    await clerk.send("张三")  # a typed message at the summary
    clerk.expect(CLOSED, WHOM)
