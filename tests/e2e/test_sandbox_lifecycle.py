"""The sandbox's life (bot.sandbox, in-process): the demo made on the first start, kept across a
restart in the same data directory, started afresh by the reset; what the command line refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sandbox.demo import PEOPLE, Sandbox, banner, demo_campaigns, open_day
from tgserver import SandboxClient

JINSHUI = 7001
OFFICE = 7004
NEWCOMER = 7005


def test_the_sandbox_day_opens_entry_and_the_banner_names_the_real_dates() -> None:
    campaigns = demo_campaigns()
    today = open_day(campaigns)
    assert today == date(2024, 3, 13)  # a week before Zhengzhou's 20 March, the first deadline
    lines = banner(campaigns, today, date(2026, 12, 1))
    text = "\n".join(lines)
    assert "2024-03-13" in text and "实际为 2026-12-01" in text
    assert "报送初审材料截止 2024-03-20" in text and "上报正式推荐对象截止 2024-04-02" in text
    assert "演示数据" in text  # the Zhangjiakou allocation is said to be invented


async def _started(data_dir: Path) -> Sandbox:
    sandbox = Sandbox(data_dir, host="127.0.0.1", port=0)
    await sandbox.serve()
    await sandbox.start()
    return sandbox


async def test_the_demo_survives_a_restart_and_the_reset_starts_it_afresh(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    sandbox = await _started(data)
    try:
        info = sandbox.info()
        assert [p["id"] for p in info["people"]] == [p.id for p in PEOPLE]
        newcomer_code = next(p["code"] for p in info["people"] if p["id"] == NEWCOMER)
        assert newcomer_code and all(p["code"] is None for p in info["people"] if p["id"] != NEWCOMER)
        async with SandboxClient(sandbox.url, info["token"]) as user:
            welcome = await user.messages(JINSHUI)  # joined through the invitation at the first start
            assert "金水区填报人员" in (welcome[-1].text or "")
            reply = await user.ask(JINSHUI, "/new")
            await user.tap(JINSHUI, reply[-1].message_id or 0, reply[-1].find_button("五一劳动奖章")[1] or "")
    finally:
        await sandbox.close()

    marker = json.loads((data / "sandbox.json").read_text(encoding="utf-8"))
    assert marker["complete"] and marker["today"] == "2024-03-13"

    again = await _started(data)  # the same directory: the same people, token and drafts
    try:
        assert again.info()["token"] == info["token"]
        async with SandboxClient(again.url, info["token"]) as user:
            assert await user.messages(JINSHUI) == []  # the chat history lives in the server's memory
            reply = await user.ask(JINSHUI, "/new")
            assert any("五一劳动奖章" in (e.text or "") and "继续" in " ".join(e.button_texts) for e in reply), [
                e.text for e in reply
            ]
            office = await user.ask(OFFICE, "/start")
            assert "欢迎回来" in (office[-1].text or "")

            fresh = await again.reset()
            assert fresh["token"] != info["token"]  # a new bot: the page starts on empty chats
            assert next(p["code"] for p in fresh["people"] if p["id"] == NEWCOMER) != newcomer_code
        async with SandboxClient(again.url, fresh["token"]) as user:
            reply = await user.ask(JINSHUI, "/new")
            assert "继续" not in " ".join(reply[-1].button_texts)  # the draft went with the reset
            assert "郑州市五一劳动奖章" in " ".join(reply[-1].button_texts)
    finally:
        await again.close()


def _sandbox_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_binding_beyond_this_machine_needs_an_explicit_flag(tmp_path: Path) -> None:
    done = _sandbox_cli(tmp_path, "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "--allow-remote" in done.stderr and done.stderr.startswith("nominee-bot sandbox: ")


def test_the_sandbox_never_touches_a_database_it_did_not_make(tmp_path: Path) -> None:
    real = tmp_path / "data"
    real.mkdir()
    (real / "nominee.db").write_bytes(b"")
    done = _sandbox_cli(tmp_path, "--data-dir", str(real), "--port", "0")
    assert done.returncode == 1
    assert "choose another --data-dir" in done.stderr
    assert (real / "nominee.db").read_bytes() == b""


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_refused(tmp_path: Path, port: str) -> None:
    done = _sandbox_cli(tmp_path, "--port", port)
    assert done.returncode == 2 and "--port" in done.stderr
