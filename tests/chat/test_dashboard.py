"""The office's /dashboard: where the campaign stands, in pages and as pictures."""

from __future__ import annotations

from app import queries, review
from tests.chat.chat import Harness
from tests.chat.people import medal, team
from tests.nominees import id_number

MEDAL = "五一劳动奖章"
PIONEER = "工人先锋号"
PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_office_sees_places_units_proportions_and_the_pictures(bot: Harness) -> None:
    # 长铝公司 (先锋号 1, 奖章 1): both entered, handed in, both passed by the office
    chalco = await bot.clerk(9001, "长铝公司")
    pioneer = await chalco.nominate(PIONEER, team("长铝电解一班"))
    worker = await chalco.nominate(MEDAL, medal("铝工", id_number(9001)))
    await chalco.command("/submit")
    await chalco.tap("确定提交")
    # 金水区: one teacher entered, still being filled in
    jinshui = await bot.clerk(9002, "金水区")
    await jinshui.nominate(MEDAL, medal("教师甲", id_number(9002), "一线科教人员"))
    # 市文教卫工会 (奖章 4 = 一线科教 2 + 2 free): hands in one nominee, giving up the 2 teachers' places
    wenjiaowei = await bot.clerk(9003, "市文教卫工会")
    await wenjiaowei.nominate(MEDAL, medal("职工甲", id_number(9003), "其他一线职工和专业技术人员"))
    await wenjiaowei.command("/submit")
    await wenjiaowei.tap("提交并放弃上述名额")
    wenjiaowei.expect("本单位推荐名单已提交办公室")

    office = bot.chat(9004)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    found = await queries.context(bot.world.ports, 9004)
    assert found is not None
    for nominee in (pioneer, worker):
        await review.review(bot.world.ports, found[0], nominee, "accept")

    (await office.command("/help")).expect("/dashboard — 推荐工作进度总览")
    shown = await office.command("/dashboard")
    first = shown.messages[0]
    assert first.photo is None
    assert first.buttons[-1] == "下一页 ▶"
    shown.expect(
        "推荐工作进度总览 — 2024年郑州市五一劳动奖和郑州市工人先锋号推荐评选",
        "截至 2024-03-15 10:00（第 1/",
        "推荐单位：未开始 34 个 · 填报中 1 个 · 已提交 1 个 · 初审通过 1 个",
        "郑州市五一劳动奖章：已用名额 3/120，剩余 117 个",
        "郑州市工人先锋号：已用名额 1/80，剩余 79 个",
        "三项合计：非公有制企业及其职工 ≥ 25%：0 个（占 230 个名额的 0%），应不少于 58 个 — 剩余 226 个名额，仍可达到",
    )
    photos = [s.photo for s in shown.messages if s.photo is not None]
    assert len(photos) == 2 and all(p.startswith(PNG) for p in photos)
    shown.expect("各推荐单位名额使用情况", "全市比例要求完成情况")

    certificate = await office.tap("下一页 ▶", on=office.keyboard_message())
    certificate.expect("郑州市五一劳动奖状：已推荐 0 个，评选名额 30 个（差额）", "• 奖状：企业 ≥ 50%：0 个")
    certificate.expect_not("进度最慢")  # 1–2 per unit is a limit, not places to fill
    medal_page = await office.tap("下一页 ▶")
    medal_page.expect(
        "郑州市五一劳动奖章：已用名额 3/120",
        "推荐单位：未开始 33 个 · 填报中 1 个 · 已提交 1 个 · 初审通过 1 个",
        "• 奖章：一线产业工人 ≥ 35%：1 个（占 120 个名额的 0.8%），应不少于 42 个 — 剩余 117 个名额，仍可达到",
        "• 奖章：科教人员 ≥ 20%：1 个",
        "• 奖章：企业负责人 ≤ 6%：0 个（占 120 个名额的 0%），应不超过 7 个 — 已达到 ✅",
        "• 科级领导干部：已用 0/4，剩余 4 个",
        "提交时放弃的预留名额：2 个",
        "进度最慢的单位（未提交，按名额使用比例由低到高）：",
        "• 中央、省驻郑单位及其他：0/6 · 未开始",
    )
    medal_page.expect_not("长铝公司：", "市文教卫工会：")  # handed in: not behind

    await office.tap("下一页 ▶")  # 工人先锋号
    page = await office.tap("下一页 ▶")
    page.expect(
        "各推荐单位",
        "长铝公司：郑州市五一劳动奖状 0/2；郑州市五一劳动奖章 1/1；郑州市工人先锋号 1/1 · 初审通过",
        "金水区：",
        "市文教卫工会：",
        "放弃 2 个名额",
    )
    steps = await office.tap("下一页 ▶")  # nobody recorded a procedure step yet
    steps.expect(
        "尚未完成的程序步骤（步骤：尚未完成该步骤的推荐对象人数）",
        "金水区：职代会（职工大会）审议通过 1；单位公示 1；公安部门意见 1；",
        "长铝公司：职代会（职工大会）审议通过 2；",
    )
    given_up = await office.tap("下一页 ▶")
    given_up.expect("提交时放弃的预留名额", "市文教卫工会：", "• 郑州市五一劳动奖章：一线科教 2 个名额")
    assert "下一页 ▶" not in office.buttons and "◀ 上一页" in office.buttons


async def test_a_clerk_is_told_the_dashboard_is_the_offices(bot: Harness) -> None:
    clerk = await bot.clerk(9101, "金水区")
    said = await clerk.command("/dashboard")
    said.expect("/dashboard 供办公室工作人员使用", "/quota")
    said.expect_not("推荐工作进度总览", "郑东新区")
    assert all(s.photo is None for s in said.messages)


async def test_every_page_stays_under_telegrams_limit_and_english_reads_too(bot: Harness) -> None:
    office = bot.chat(9201, language="en")
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    shown = await office.command("/dashboard")
    shown.expect("Dashboard —", "Units: 37 not started · 0 in progress")
    texts = [shown.messages[0].text]
    while "Next ▶" in office.keyboard_message().buttons:
        shown = await office.tap("Next ▶", on=office.keyboard_message())
        texts.append(shown.text)
    assert len(texts) >= 4  # each under 4,096: the recording session refuses a longer text
    assert any("still reachable with the 120 places left" in t for t in texts)
