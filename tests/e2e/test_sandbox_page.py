"""The sandbox's web chat in headless Chromium (Selenium): ``nominee-bot sandbox`` as a separate
process, the page driven as a trainer would — by tapping buttons and typing.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (.ci/run installs them); without
them the tests are skipped with the reason shown. Screenshots go to ``NOMINEE_ARTIFACTS``
(default ``artifacts/``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.conftest import medal_answers
from tests.nominees import Skip, Tap, id_number

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless Chromium is not installed (Debian packages chromium and chromium-driver; .ci/run installs them)",
)
if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("NOMINEE_ARTIFACTS", ROOT / "artifacts"))
DOWNLOADS = ARTIFACTS / "downloads"  # where the browser saves what a person downloads
JINSHUI_NEW = 7005  # the demo person who has not joined yet (sandbox.demo.PEOPLE)
JINSHUI = 7001
HANGKONGGANG = 7002
OFFICE = 7004
T = TypeVar("T")


# ------------------------------------------------------------------------------ the sandbox process


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``nominee-bot sandbox --port 0`` in a fresh data directory; yields the printed address."""
    data = tmp_path_factory.mktemp("sandbox")
    log_path = data / "sandbox.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "sandbox", "--port", "0", "--data-dir", str(data / "demo")],
            cwd=data,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode()
        found = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert found, f"no address printed: {first!r}\n{log_path.read_text(errors='replace')}"
        url = found.group()
        deadline = time.monotonic() + 90
        while not _json(f"{url}/api/sandbox").get("ready"):
            assert proc.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "the sandbox did not get ready in 90 s"
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _json(url: str, data: bytes | None = None) -> dict[str, Any]:
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,1000"):
        options.add_argument(argument)
    options.add_argument("--lang=zh-CN")
    if DOWNLOADS.exists():
        shutil.rmtree(DOWNLOADS)
    DOWNLOADS.mkdir(parents=True)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(DOWNLOADS), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


# ------------------------------------------------------------------------------ the page, as a person sees it


class Page:
    """The web chat in the browser: what the selected person sees and does."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        self.driver = driver
        self.url = url

    def open(self) -> None:
        self.driver.get(self.url + "/")
        self.until(lambda: self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")

    def until(self, condition: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(StaleElementReferenceException):
                value = condition()
                if value:
                    return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}; the chat shows:\n{self.last_text}")
            time.sleep(0.05)

    # -------------------------------------------------------------- reading
    # One script reads the chat at once: the page re-renders a message when the bot edits it, so
    # element by element the reading could straddle two versions.
    SNAPSHOT = """
        return Array.from(document.querySelectorAll('#messages .row')).map((row) => ({
          bot: row.classList.contains('bot'),
          text: row.querySelector('.bubble').innerText,
          buttons: Array.from(row.querySelectorAll('.inline-keyboard .kb-button')).map(
            (b) => [b.innerText, b.dataset.callback || null]),
        }));
    """

    def rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.driver.execute_script(self.SNAPSHOT)
        return rows

    def bot_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows() if r["bot"]]

    @property
    def last_text(self) -> str:
        rows = self.bot_rows()
        return str(rows[-1]["text"]) if rows else ""

    def chat_text(self) -> str:
        return "\n".join(str(r["text"]) for r in self.rows())

    def buttons(self) -> list[tuple[str, str | None]]:
        """(label, callback data) of the inline buttons of the newest bot message that has any."""
        for row in reversed(self.bot_rows()):
            if row["buttons"]:
                return [(label, data) for label, data in row["buttons"]]
        return []

    def step_key(self) -> str | None:
        """The form step on screen, read from its 取消 button's data (``nv:<step>:cancel``)."""
        rows = self.bot_rows()
        for _label, data in rows[-1]["buttons"] if rows else []:
            if data and data.startswith("nv:") and data.endswith(":cancel"):
                return str(data[3:].rsplit(":", 1)[0])
        return None

    def on_summary(self) -> bool:
        return "请核对填报信息" in self.last_text

    def signature(self) -> tuple[int, str]:
        """What the bot has shown: its messages' count and its newest one (the person's own
        message appearing is not the bot's reply)."""
        rows = self.bot_rows()
        return len(rows), json.dumps([rows[-1]["text"], rows[-1]["buttons"]]) if rows else ""

    # -------------------------------------------------------------- acting
    def person(self, person_id: int) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'#people .person[data-person="{person_id}"]').click()
        self.until(
            lambda: (
                "selected"
                in (
                    self.driver.find_element(
                        By.CSS_SELECTOR, f'#people .person[data-person="{person_id}"]'
                    ).get_attribute("class")
                    or ""
                )
            )
        )
        time.sleep(0.3)  # the chat's history is fetched

    def _then(self, action: Callable[[], None], expect: str | None) -> None:
        before = self.signature()
        action()
        self.until(lambda: self.signature() != before, what="the bot's reply")
        if expect is not None:
            self.until(lambda: expect in self.chat_text(), what=repr(expect))
        self.settle()

    def settle(self) -> None:
        """Until the chat has not changed for a moment (the bot's whole reaction is shown)."""
        last = self.signature()
        while True:
            time.sleep(0.35)
            now = self.signature()
            if now == last:
                return
            last = now

    def type(self, text: str, expect: str | None = None) -> None:
        def send() -> None:
            box = self.driver.find_element(By.ID, "text")
            box.send_keys(text)
            self.driver.find_element(By.ID, "send").click()

        self._then(send, expect)

    def tap(self, label: str, expect: str | None = None) -> None:
        """Clicks the button labelled (or, failing that, containing) ``label`` on the newest keyboard."""
        buttons = self.buttons()
        matches = [d for t, d in buttons if t == label] or [d for t, d in buttons if label in t]
        assert matches, f"no button {label!r} among {[t for t, _d in buttons]}"
        selector = f'#messages .kb-button[data-callback="{matches[0]}"]'
        self._then(lambda: self.driver.find_elements(By.CSS_SELECTOR, selector)[-1].click(), expect)

    def photo(self, data: bytes, tmp: Path) -> None:
        path = tmp / "证件照.jpg"
        path.write_bytes(data)
        self._then(lambda: self.driver.find_element(By.ID, "photo-input").send_keys(str(path)), "照片已收到")

    def give(self, value: Any, tmp: Path) -> None:
        if isinstance(value, Skip):
            self.tap("跳过")
        elif isinstance(value, bytes):
            self.photo(value, tmp)
        elif isinstance(value, Tap):
            self.tap(value.label)
        elif value in [t for t, _d in self.buttons()]:
            self.tap(value)
        else:
            self.type(value)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture(scope="module")
def page(browser: WebDriver, sandbox: str) -> Page:
    page = Page(browser, sandbox)
    page.open()
    return page


# ------------------------------------------------------------------------------ the stories


def test_a_new_clerk_joins_enters_a_whole_nominee_and_the_office_sees_it(page: Page, tmp_path: Path) -> None:
    banner = page.driver.find_element(By.ID, "banner").text
    assert "2024-03-13" in banner and "2024-03-20" in banner and "2024-04-02" in banner  # moved day, real dates
    people = page.driver.find_element(By.ID, "people").text
    for who in ("金水区", "航空港经济综合试验区", "桥东区总工会", "评选办公室"):
        assert who in people

    # joining: the office's invitation, sent as /start <code> from the hint under the empty chat
    page.person(JINSHUI_NEW)
    page._then(lambda: page.driver.find_element(By.ID, "join").click(), "金水区填报人员")

    # the commands menu the bot registered
    page.driver.find_element(By.ID, "menu").click()
    menu = page.until(lambda: page.driver.find_element(By.ID, "commands").text, what="the commands menu")
    assert "/new" in menu and "填报推荐对象" in menu and "/quota" in menu
    page._then(
        lambda: next(
            i for i in page.driver.find_elements(By.CSS_SELECTOR, "#commands .item") if "/new" in i.text
        ).click(),
        None,
    )
    page.tap("五一劳动奖章", "第 1/")

    answers = medal_answers("王秀兰", id_number(1201, female=True))
    for _ in range(60):
        if page.on_summary():
            break
        key = page.step_key()
        assert key is not None and key in answers, f"no answer for the step on screen:\n{page.last_text}"
        page.give(answers[key], tmp_path)
        assert page.on_summary() or page.step_key() != key, f"the answer to {key!r} was not taken:\n{page.last_text}"
    assert page.on_summary(), page.last_text
    assert "照片：已收到" in page.last_text
    page.tap("✔ 确认保存", "已保存：#")
    toast = page.driver.find_element(By.ID, "toast").get_attribute("textContent")
    assert toast == "正在核验并保存…"  # the button's answer, shown as a toast
    assert "王秀兰 · 郑州市五一劳动奖章" in page.chat_text()
    assert "✔ 确认保存" not in [t for t, _d in page.buttons()]  # the card was replaced in place: no stale buttons

    page.type("/quota", "金水区名额情况")
    assert "郑州市五一劳动奖章" in page.last_text
    page.until(lambda: not page.driver.find_element(By.ID, "toast").is_displayed(), what="the toast to fade")
    page.screenshot("sandbox-clerk.png")

    # the clerk hands the list in, so that the office can review it
    page.type("/submit", "提交")
    page.tap("提交并放弃上述名额" if "提交并放弃上述名额" in [t for t, _d in page.buttons()] else "确定提交")
    page.until(lambda: "本单位推荐名单已提交办公室" in page.chat_text(), what="the submission")

    # the office, in the same browser: its own menu (set for its chat alone), /list
    page.person(OFFICE)
    page.driver.find_element(By.ID, "menu").click()
    menu = page.until(lambda: page.driver.find_element(By.ID, "commands").text, what="the office's menu")
    assert "/review" in menu and "/dashboard" in menu and "/export_all" in menu, menu
    page.driver.find_element(By.ID, "menu").click()
    page.type("/list", "王秀兰")
    assert "金水区" in page.last_text

    # /review → the unit → the nominee (its photo shown above the record) → 退回 with a typed reason
    page.type("/review", "请选择单位")
    page.tap("金水区", "王秀兰")
    pictures = len(photos(page))
    page.tap("王秀兰", "姓名：王秀兰")
    shown_photo(page, pictures)
    page.tap("↩ 退回修改", "请输入退回理由")
    page.type(REASON, "已退回推荐单位修改")
    assert "已通知该单位填报人（2 人）" in page.chat_text(), page.chat_text()[-1500:]  # 王静 and 刘洋

    # the dashboard: its chart shown in the chat as a picture
    pictures = len(photos(page))
    page.type("/dashboard", "推荐工作进度")
    shown_photo(page, pictures)

    # an export: the table is chosen with a button; the file the bot sends downloads
    page.type("/export", "表格")
    page.tap("2024年郑州市五一劳动奖章推荐对象情况汇总表", ".xlsx：共 1 条")
    link = page.driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot a.document")[-1]
    name = link.get_attribute("download") or ""
    assert name.endswith(".xlsx"), name
    page.driver.execute_script("arguments[0].scrollIntoView()", link)
    link.click()
    downloaded = DOWNLOADS / name
    page.until(lambda: downloaded.is_file() and downloaded.stat().st_size > 0, what=f"{name} downloaded")
    assert "王秀兰" in cells(downloaded), f"王秀兰 is not in {name}"
    page.screenshot("sandbox-office.png")

    # back to the clerk: the office's notice, with the reason, is in the chat
    page.person(JINSHUI_NEW)
    page.until(lambda: REASON in page.chat_text(), what="the office's notice")
    notice = next(r["text"] for r in reversed(page.bot_rows()) if REASON in r["text"])
    assert "王秀兰" in notice and "已退回" in notice and "/edit" in notice, notice
    page.screenshot("sandbox-clerk-returned.png")


REASON = "照片不清晰，请重新上传。"


def photos(page: Page) -> list[WebElement]:
    return page.driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot img.photo")


def shown_photo(page: Page, before: int) -> None:
    """A picture the bot sent after the ``before`` ones is in the chat, loaded and shown (not a
    download card)."""
    page.until(lambda: len(photos(page)) > before, what="a new picture in the chat")
    image = photos(page)[-1]
    page.driver.execute_script("arguments[0].scrollIntoView()", image)
    page.until(
        lambda: page.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image),
        what="the picture loaded",
    )
    assert image.is_displayed()


def cells(path: Path) -> str:
    """Every cell's text of an Excel workbook, opened with openpyxl (as an office would open it)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    finally:
        book.close()


def test_an_old_button_gets_an_alert_like_in_telegram(page: Page) -> None:
    page.person(HANGKONGGANG)  # 金水区's list is handed in (the first story): /new is closed there
    page.type("/new", "工人先锋号")
    page.type("/new", "工人先锋号")
    page.tap("五一劳动奖章", "第 1/")
    older = page.driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot .kb-button")
    next(b for b in older if "工人先锋号" in b.text).click()  # on the first menu, since replaced by a draft
    alert = page.driver.find_element(By.ID, "alert")
    page.until(alert.is_displayed, what="the alert")
    assert alert.text.startswith("此消息已过期，请在最新的消息中操作。")
    page.driver.find_element(By.ID, "alert-ok").click()
    assert not page.driver.find_element(By.ID, "alert").is_displayed()
    page.type("/cancel", "放弃")
    page.tap("放弃", "已")


def test_an_excel_file_goes_up_and_a_file_the_bot_sends_comes_down(page: Page, sandbox: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    token = _json(f"{sandbox}/api/sandbox")["token"]
    page.person(HANGKONGGANG)
    book = Workbook()
    book.active.append(["单位", "名额"])
    path = tmp_path / "名额表.xlsx"
    book.save(path)
    page.driver.find_element(By.ID, "file-input").send_keys(str(path))
    page.until(lambda: "名额表.xlsx" in page.chat_text(), what="the uploaded file in the chat")
    sent = _json(f"{sandbox}/_sandbox/{token}/messages?user_id={HANGKONGGANG}&include_user=true")["messages"]
    upload = next(m for m in sent if not m["outgoing"] and m["file"] and m["file"]["file_name"] == "名额表.xlsx")
    assert upload["message"]["document"]["mime_type"].endswith("spreadsheetml.sheet")

    # the bot sends a file (as an export would): a download card whose link gives the very bytes
    body = {"chat_id": HANGKONGGANG, "document": upload["file"]["file_id"], "caption": "导出 export"}
    request = urllib.request.Request(
        f"{sandbox}/bot{token}/sendDocument",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    page.until(lambda: "导出 export" in page.last_text, what="the bot's file")
    link = page.driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot a.document")[-1]
    assert link.get_attribute("download") == "名额表.xlsx"
    fetched = page.driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(async (r) => done("
        "[r.headers.get('Content-Disposition'), (await r.arrayBuffer()).byteLength])).catch((e) => done(String(e)));",
        link.get_attribute("href"),
    )
    assert fetched == ["attachment", path.stat().st_size]


def test_a_phone_sized_screen_shows_the_whole_chat_without_sideways_scrolling(page: Page) -> None:
    page.driver.set_window_size(390, 844)
    try:
        page.person(JINSHUI_NEW)
        width = page.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        assert page.driver.find_element(By.ID, "text").is_displayed()
        assert page.driver.find_element(By.ID, "send").is_displayed()
        page.screenshot("sandbox-phone.png")
    finally:
        page.driver.set_window_size(1000, 1000)


def test_text_that_looks_like_html_is_shown_as_text_and_never_runs(page: Page, sandbox: str) -> None:
    token = _json(f"{sandbox}/api/sandbox")["token"]
    page.person(JINSHUI)
    hostile = [
        "<script>window.__xss = 1</script>",
        '<img src=x onerror="window.__xss = 2">',
        '<a href="javascript:window.__xss = 3">点我 click</a>',
    ]
    for text in hostile:  # typed by the user: their own message, and whatever the bot answers
        page.type(text)
    # sent by the bot: the same texts as plain text, and links whose address is javascript:
    body = {
        "chat_id": JINSHUI,
        "text": "回显 echo: " + " ".join(hostile) + " 链接A 链接B",
        "entities": [
            {
                "type": "text_link",
                "offset": len("回显 echo: " + " ".join(hostile)) + 1,
                "length": 3,
                "url": "javascript:window.__xss=4",
            },
            {
                "type": "text_link",
                "offset": len("回显 echo: " + " ".join(hostile)) + 5,
                "length": 3,
                "url": "https://www.zzzgh.org.cn/",
            },
            {"type": "bold", "offset": 0, "length": 2},
        ],
    }
    request = urllib.request.Request(
        f"{sandbox}/bot{token}/sendMessage",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    page.until(lambda: "回显 echo" in page.chat_text(), what="the bot's echo")
    page.settle()

    for text in hostile:
        assert text in page.chat_text()  # shown, character for character
    messages = page.driver.find_element(By.ID, "messages")
    assert messages.find_elements(By.TAG_NAME, "script") == []
    assert [
        i.get_attribute("src")
        for i in messages.find_elements(By.TAG_NAME, "img")
        if "photo" not in (i.get_attribute("class") or "")
    ] == []
    hrefs = [a.get_attribute("href") or "" for a in messages.find_elements(By.TAG_NAME, "a")]
    assert all(re.match(r"(https?|tg):", h) or h.endswith("#") for h in hrefs), hrefs
    assert "https://www.zzzgh.org.cn/" in hrefs  # a safe link stays a link
    echo = [r for r in messages.find_elements(By.CSS_SELECTOR, ".row.bot") if "回显 echo" in r.text][-1]
    assert echo.find_element(By.TAG_NAME, "b").text == "回显"
    for span in echo.find_elements(By.TAG_NAME, "span"):
        if span.text == "链接A":
            span.click()
    assert page.driver.execute_script("return window.__xss") is None
