"""What a clerk asks: /quota, /list (paged), /status N, /deadlines."""

from __future__ import annotations

from tests.chat.chat import Harness
from tests.chat.people import masked, medal, team
from tests.nominees import id_number

MEDAL = "五一劳动奖章"


async def test_quota_shows_the_places_of_each_award_the_reserved_ones_and_the_city_pools(bot: Harness) -> None:
    clerk = await bot.clerk(6001, "金水区")
    await clerk.command("/quota")
    clerk.expect(
        "金水区名额情况",
        "郑州市五一劳动奖章：已用 0/6，剩余 6 个，其中不限类别 1 个。",
        "一线产业工人预留名额：0/1",
        "一线科教预留名额：0/2",
        "非公新业态农民工预留名额：0/2",
        "郑州市工人先锋号：已用 0/2",
        "郑州市五一劳动奖章 — 科级领导干部：已用 0/4，剩余 4 个",
    )
    await clerk.nominate(MEDAL, medal("李明", id_number(6001), "一线科教人员"))
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 1/6，剩余 5 个，其中不限类别 1 个。", "一线科教预留名额：1/2")


async def test_the_list_is_paged_and_a_nominee_is_opened_from_it(bot: Harness) -> None:
    unit = "经济技术开发区"  # 奖章 6 = 产业工人 3 + 科教 1 + 非公新业态农民工 1 + 1 free; 先锋号 4
    clerk = await bot.clerk(6101, unit)
    (await clerk.command("/list")).expect("本单位尚未填报推荐对象。请发送 /new 开始填报。")
    names = ["吴一", "吴二", "吴三", "吴四", "吴五"]
    categories = ["一线产业工人"] * 3 + ["一线科教人员", "其他一线职工和专业技术人员"]
    for k, (name, category) in enumerate(zip(names, categories, strict=True)):
        await clerk.nominate(MEDAL, medal(name, id_number(6101 + k), category))
    migrant = id_number(6110)
    await clerk.nominate(MEDAL, medal("郑小工", migrant, "农民工") | {"单位性质": "非公"})
    for k in range(3):
        await clerk.nominate("工人先锋号", team(f"数控{'一二三'[k]}班", ownership="非公"))

    await clerk.command("/list")
    clerk.expect(
        f"{unit}推荐对象（第 1–8 个，共 9 个）", "#1 吴一 · 郑州市五一劳动奖章 · 已保存（占用名额）", "点击推荐对象"
    )
    clerk.expect_not("数控三班", migrant)
    assert "下一页 ▶" in clerk.buttons and "◀ 上一页" not in clerk.buttons
    await clerk.tap("下一页 ▶")
    clerk.expect("（第 9–9 个，共 9 个）", "#9 数控三班 · 郑州市工人先锋号")
    assert "◀ 上一页" in clerk.buttons and "下一页 ▶" not in clerk.buttons
    await clerk.tap("◀ 上一页")
    clerk.expect("（第 1–8 个，共 9 个）")

    opened = await clerk.tap("郑小工")
    opened.expect("#6 郑小工 · 郑州市五一劳动奖章", "人员类别：农民工", f"身份证号码：{masked(migrant)}", "办理记录")
    opened.expect_not(migrant)
    assert opened.buttons == ["✎ 修改", "撤回", "办理程序", "📄 查看全文"]


async def test_status_shows_every_answer_masked_and_the_history(bot: Harness) -> None:
    clerk = await bot.clerk(6201, "金水区")
    number = id_number(6201)
    nominee = await clerk.nominate(MEDAL, medal("张三", number))
    await clerk.command(f"/status {nominee}")
    clerk.expect(
        f"#{nominee} 张三 · 郑州市五一劳动奖章",
        "状态：已保存（占用名额）",
        f"身份证号码：{masked(number)}（男，出生日期 19",
        "联系电话：138****2345",
        "简要事迹：该同志扎根生产一线二十年",
        "（共 120 字）",
        "办理记录",
        "已创建",
    )
    clerk.expect_not(number, "13803712345", "未填写")
    (await clerk.command("/status ＃１")).expect(f"#{nominee} 张三")  # full-width, as a Chinese keyboard types it
    (await clerk.command("/status")).expect("请提供推荐对象编号，例如：/status 12。发送 /list 可查看编号。")
    (await clerk.command("/status 99999")).expect("本单位推荐名单中无此推荐对象。")


async def test_another_units_nominee_is_not_shown(bot: Harness) -> None:
    nominee = await (await bot.clerk(6301, "郑东新区")).nominate(MEDAL, medal("郑东人", id_number(6301)))
    other = await bot.clerk(6302, "金水区")
    (await other.command(f"/status {nominee}")).expect("本单位推荐名单中无此推荐对象。")
    (await other.command(f"/edit {nominee}")).expect("本单位推荐名单中无此推荐对象。")
    (await other.command(f"/withdraw {nominee}")).expect("本单位推荐名单中无此推荐对象。")
    other.expect_not("郑东人")


async def test_the_history_shows_the_time_in_zhengzhou(bot: Harness) -> None:
    clerk = await bot.clerk(6401, "金水区")  # 10:00 on 15 March in Zhengzhou
    nominee = await clerk.nominate(MEDAL, medal("张三", id_number(6401)))
    (await clerk.command(f"/status {nominee}")).expect("2024-03-15 10:00 · 已创建")


async def test_deadlines_count_the_days_left_on_the_campaigns_calendar(bot: Harness) -> None:
    clerk = await bot.clerk(6501, "金水区")
    await clerk.command("/deadlines")
    clerk.expect(
        "“2024年郑州市五一劳动奖和郑州市工人先锋号推荐评选”时间安排",
        "报送初审材料：2024-03-20（剩余 5 天）",
        "报送复审材料：时间另行通知",
    )
    bot.clock.advance(days=4)
    (await clerk.command("/deadlines")).expect("报送初审材料：2024-03-20（剩余 1 天）")
    bot.clock.advance(days=1)
    (await clerk.command("/deadlines")).expect("报送初审材料：2024-03-20（今天为截止日）")
    bot.clock.advance(days=1)
    (await clerk.command("/deadlines")).expect("报送初审材料：2024-03-20（已截止）")
    bot.clock.advance(days=986)  # long after: still just closed, no count of days
    (await clerk.command("/deadlines")).expect("报送初审材料：2024-03-20（已截止）")
    clerk.expect_not("过期", "986")


async def test_after_the_deadline_nothing_more_is_entered(bot: Harness) -> None:
    clerk = await bot.clerk(6601, "金水区")
    await clerk.command("/new")
    await clerk.tap(MEDAL)
    await clerk.fill(medal("迟到", id_number(6601)))
    bot.clock.advance(days=6)  # 21 March: the entry deadline (20 March) has passed
    refused = await clerk.tap("✔ 确认保存")
    refused.expect("填报已于 2024-03-20 截止，本单位推荐名单不能再填报或修改。仅办公室可重新开放，请联系")
    await clerk.command("/quota")
    clerk.expect("郑州市五一劳动奖章：已用 0/6")


async def test_office_staff_in_a_clerks_command_are_told_the_office_commands(bot: Harness) -> None:
    clerk = await bot.clerk(6701, "金水区")
    nominee = await clerk.nominate(MEDAL, medal("张三", id_number(6701)))
    office = bot.chat(6702)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    for command in ("/new", "/quota", f"/edit {nominee}", f"/withdraw {nominee}", "/submit"):
        said = await office.command(command)
        said.expect("该命令供各推荐单位填报人员使用", "办公室工作人员可用命令", "/list — 各单位推荐对象", "/deadlines")
        said.expect_not("None", "未分配", "不在")
        assert said.buttons == []
    (await office.command("/help")).expect("办公室工作人员可用命令", "/status N")
    (await office.command("/list")).expect(f"金水区 · #{nominee} 张三")
    (await office.command(f"/status {nominee}")).expect("张三")
    assert "✎ 修改" not in office.buttons and "撤回" not in office.buttons  # the office changes nothing here


async def test_the_whole_deeds_are_read_from_the_card_by_the_clerk_and_by_the_office(bot: Harness) -> None:
    # a card clips 简要事迹 to 60 characters; 📄 sends it whole (escaped, in parts under 4,096)
    deeds = "该同志<b>扎根</b>一线 & 攻坚克难。" * 150  # 2,400 characters
    clerk = await bot.clerk(6401, "金水区")
    nominee = await clerk.nominate(MEDAL, medal("李四", id_number(6401)) | {"简要事迹": deeds[:2000]})
    await clerk.command(f"/status {nominee}")
    clerk.expect("…（共 1818 字）".replace("…", "… "))  # spaces are not counted as characters

    def sent_to(chat: int, after: int) -> list[str]:
        return [s.text for s in bot.session.said[after:] if s.chat_id == chat and s.kind == "message"]

    before = len(bot.session.said)
    await clerk.tap("📄 查看全文")
    parts = sent_to(clerk.tg_id, before)
    assert len(parts) == 1 and all(len(p) <= 4096 for p in parts)
    head = f"简要事迹 · #{nominee} 李四 · 郑州市五一劳动奖章\n"
    assert parts[0].startswith(head)
    assert parts[0][len(head) :] == deeds[:2000]  # as typed: the tags shown as text, nothing lost

    office = bot.chat(6409)
    await office.command(f"/start {await bot.world.invite('zhengzhou-2024', None)}")
    await office.command(f"/status {nominee}")
    before = len(bot.session.said)
    await office.tap("📄 查看全文")
    assert sent_to(office.tg_id, before) == parts

    other = await bot.clerk(6402, "中原区")  # another unit's clerk, with a forged button
    mine = await other.nominate(MEDAL, medal("王五", id_number(6402)))
    await other.command(f"/status {mine}")
    before = len(bot.session.said)
    forged = await other.press(other.keyboard_message(), f"it:text:{nominee}")
    assert sent_to(other.tg_id, before) == ["本单位推荐名单中无此推荐对象。"], forged.alert
