"""A new HR officer's first quarter, in real headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium) against the service on a loopback port:
sign in → import a workbook → run → a person's explanation → download the report.

`make test` installs Chromium when it is missing (see the Makefile)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from selenium import webdriver
from selenium.common.exceptions import (
    JavascriptException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.platform.db.helpers import editable, people_copy, save
from tests.web.conftest import PASSWORD, Site
from tests.web.test_rule_pages import second_version

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60


@pytest.fixture
def served(site: Site) -> Iterator[str]:
    """The app on uvicorn on a free loopback port, for the time of the test."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(site.app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[WebDriver, Path]]:
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), (
        "Chromium is needed: apt-get install -y chromium chromium-driver (make test does it)"
    )
    downloads = tmp_path / "tai_ve"
    downloads.mkdir()
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=vi-VN",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver, downloads
    finally:
        driver.quit()


# A job's page reloads itself while the job runs, and a form's submit replaces the page: an
# element found just before is gone after. Chrome reports that either as a stale element or as
# "Node with given id does not belong to the document" (a plain WebDriverException), so waits
# read the page's text in one script call and clicks are tried again.
STALE = (StaleElementReferenceException, JavascriptException)


def page_text(driver: WebDriver) -> str:
    text = driver.execute_script("return document.body ? document.body.innerText : '';")
    return str(text)


def wait_for_text(driver: WebDriver, text: str) -> None:
    WebDriverWait(driver, WAIT, ignored_exceptions=STALE).until(
        lambda d: text in page_text(d),
        f"'{text}' never appeared",
    )


def click(driver: WebDriver, by: str, value: str) -> None:
    def clicked(d: WebDriver) -> bool:
        d.find_element(by, value).click()
        return True

    retried = (*STALE, NoSuchElementException, WebDriverException)
    WebDriverWait(driver, WAIT, ignored_exceptions=retried).until(
        clicked, f"could not click {value!r}"
    )


def click_button(driver: WebDriver, label: str) -> None:
    xpath = f"//button[normalize-space(.)={label!r}] | //a[normalize-space(.)={label!r}]"
    click(driver, By.XPATH, xpath)


def test_login_import_run_explanation_and_report(
    site: Site, served: str, browser: tuple[WebDriver, Path]
) -> None:
    driver, downloads = browser
    mine = [p for p in people_copy() if p.unit.startswith("SNV")]
    rows = editable(mine)
    rows["subjects"][2][5] = 9  # A1's chinh_tri: 10 -> 9
    book = save(site.folder / "quy1_phong.xlsx", rows)

    # A visitor is sent to the sign-in page.
    driver.get(served + "/")
    wait_for_text(driver, "Đăng nhập")
    driver.find_element(By.NAME, "username").send_keys("tcsnv")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_button(driver, "Đăng nhập")
    wait_for_text(driver, "Các bước của một kỳ đánh giá")

    # 1. Import: upload, read the check, confirm.
    click(driver, By.LINK_TEXT, "Nhập dữ liệu")
    wait_for_text(driver, "Tải lên sổ tính Excel")
    Select(driver.find_element(By.NAME, "period")).select_by_value("2026-Q1")
    driver.find_element(By.NAME, "file").send_keys(str(book))
    click_button(driver, "Tải lên và kiểm tra")
    wait_for_text(driver, "hợp lệ: 11 người")
    click_button(driver, "Xác nhận nhập dữ liệu")
    wait_for_text(driver, "Đã nhập: 11 người")

    # 2. Run the quarter for their units.
    click(driver, By.LINK_TEXT, "Chạy đánh giá kỳ này")
    wait_for_text(driver, "Bộ tiêu chí")
    click_button(driver, "Chạy đánh giá")
    wait_for_text(driver, "Đã đánh giá xong")
    click(driver, By.PARTIAL_LINK_TEXT, "Kết quả lần đánh giá")
    wait_for_text(driver, "11 kết quả")
    assert "Lý Văn Phúc" not in driver.page_source  # another department's

    # 3. A person's explanation.
    click(driver, By.LINK_TEXT, "A2")
    wait_for_text(driver, "Cách tính (lời giải thích)")
    text = driver.find_element(By.ID, "giai-thich").text
    assert "Hạn mức" in text and "xếp thứ" in text and "chinh_tri" not in text  # folded

    # 4. The report.
    driver.back()
    wait_for_text(driver, "Tải báo cáo Excel")
    click(driver, By.PARTIAL_LINK_TEXT, "Tải báo cáo Excel")
    deadline = time.monotonic() + WAIT
    while True:
        done = [p for p in downloads.glob("*.xlsx")]
        if done:
            break
        assert time.monotonic() < deadline, f"no report downloaded: {list(downloads.iterdir())}"
        time.sleep(0.2)
    (report,) = done
    workbook = load_workbook(report, read_only=True)
    assert "Tổng hợp" in workbook.sheetnames
    workbook.close()


# ---------------------------------------------------------------- every page, two widths

LAPTOP = (1366, 768)
PHONE = (390, 844)
ERROR_TITLES = ("Không có quyền", "Không tìm thấy", "Lỗi máy chủ", "Không thực hiện được")


def set_viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    """A viewport of exactly this size. Not a mobile emulation: a phone's browser widens its
    layout to a page too wide for it, which would hide the very overflow measured here."""
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def sign_in(driver: WebDriver, served: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(served + "/dang-nhap")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_button(driver, "Đăng nhập")
    wait_for_text(driver, "Tổng quan")


def start_job(driver: WebDriver, served: str) -> str:
    """Start a run from its form; the path of the job's page."""
    driver.get(served + "/lan-chay/moi")
    click_button(driver, "Chạy đánh giá")
    WebDriverWait(driver, WAIT).until(lambda d: "/cong-viec/" in d.current_url)
    path = "/cong-viec/" + driver.current_url.split("/cong-viec/", 1)[1]
    wait_for_text(driver, "Đã đánh giá xong")
    return path


MEASURE = """
const header = document.querySelector('header.top');
const nav = document.querySelector('nav.menu');
const bar = document.querySelector('.bars svg');
return {
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  innerHeight: window.innerHeight,
  header: header ? header.getBoundingClientRect().height : 0,
  menuShown: !!(nav && nav.offsetParent !== null && nav.getBoundingClientRect().height > 0),
  bar: bar ? bar.getBoundingClientRect().width : null,
  title: document.querySelector('h1') ? document.querySelector('h1').innerText : '',
  wide: Array.from(document.querySelectorAll('main *')).filter(
    e => e.getBoundingClientRect().right > window.innerWidth + 1
      && !e.closest('table, pre, .scroll')
  ).slice(0, 3).map(e => e.tagName + '.' + e.className + ': ' + e.innerText.slice(0, 40)),
};
"""


def test_every_page_fits_a_laptop_and_a_phone(
    site: Site, served: str, browser: tuple[WebDriver, Path]
) -> None:
    """Every page an administrator and an HR officer open, at 1366 × 768 and at a phone's
    390 px: nothing makes the page scroll sideways at 390 (wide tables scroll in their own
    box or are cards), the menu is folded behind its button there and does not fill the first
    screen, the grade bars keep a visible width, and the shipped font is the one drawn."""
    driver, _ = browser
    old, new, _ = second_version(site)
    run = site.run_id
    common = [
        "/tong-quan",
        "/tong-quan?xep=xuat_sac",
        "/don-vi",
        "/don-vi/SNV",
        "/don-vi/SNV-TH",
        "/tim-kiem?q=nguyen",
        "/nguoi/A1",
        f"/ket-qua/{run}/A2",
        "/lan-chay",
        f"/lan-chay/{run}",
        f"/lan-chay/{run}?xep=tot",
        "/lan-chay/moi",
        "/nhap-du-lieu",
        "/quy-tac",
        f"/quy-tac/{old}",
        f"/quy-tac/so-sanh?a={old}&b={new}",
        f"/quy-tac/anh-huong?a={old}&b={new}&ky=2026-Q1",
        "/tai-lieu",
        f"/tai-lieu/{old}",
        "/ky",
    ]
    accounts = ["/nguoi-dung", "/nguoi-dung/don-vi/SNV-TH", "/dang-nhap-lan-dau"]
    # Pages for someone not signed in yet: the sign-in page's frame, without the menu.
    no_menu = {"/dang-nhap-lan-dau"}
    pages = {"admin": [*common, "/nhat-ky", *accounts], "tcsnv": [*common, *accounts]}
    problems: list[str] = []
    for username, paths in pages.items():
        set_viewport(driver, LAPTOP)
        sign_in(driver, served, username)
        job = start_job(driver, served)
        for path in [*paths, job]:
            for size in (LAPTOP, PHONE):
                set_viewport(driver, size)
                driver.get(served + path)
                seen = driver.execute_script(MEASURE)
                where = f"{username} {path} at {size[0]} px"
                assert not seen["title"].startswith(ERROR_TITLES), (where, seen["title"])
                if size == LAPTOP:
                    assert seen["menuShown"] != (path in no_menu), f"{where}: the menu"
                    continue
                assert seen["innerWidth"] == PHONE[0], where
                if seen["scrollWidth"] > seen["innerWidth"]:
                    problems.append(f"{where}: {seen['scrollWidth']} px wide {seen['wide']}")
                assert not seen["menuShown"], f"{where}: the menu is not folded or not gone"
                assert seen["header"] < seen["innerHeight"] / 5, (where, seen["header"])
                if seen["bar"] is not None:
                    assert seen["bar"] > 100, f"{where}: grade bars {seen['bar']} px wide"
    assert not problems, "\n".join(problems)

    # The menu opens from its button on a phone and its links work.
    set_viewport(driver, PHONE)
    driver.get(served + "/tong-quan")
    click(driver, By.CSS_SELECTOR, "label.menu-button")
    seen = driver.execute_script(MEASURE)
    assert seen["menuShown"] and seen["header"] < seen["innerHeight"], seen
    click(driver, By.LINK_TEXT, "Cách chấm điểm")
    wait_for_text(driver, "Các bộ tiêu chí đánh giá, xếp loại")

    # The documentation is styled by the app's own stylesheet (the CSP allows no other).
    color = driver.execute_script(
        "return getComputedStyle(document.querySelector('.doc th')).backgroundColor;"
    )
    assert color == "rgb(238, 242, 246)", color

    # The shipped fonts are drawn, the monospace one with every Vietnamese mark.
    driver.get(served + f"/ket-qua/{run}/A2")
    # The monospace trace is folded under "Cho người kiểm tra": the font loads once it opens.
    click(driver, By.XPATH, "//summary[contains(., 'Cho người kiểm tra')]")
    fonts = driver.execute_script(
        "return document.fonts.ready.then(() => ["
        "document.fonts.check('15px \"Noto Sans\"', 'Nguyễn Sở ố'),"
        "document.fonts.check('13px \"Noto Sans Mono\"', 'Nguyễn Sở ố'),"
        "Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)]);"
    )
    assert fonts[0] and fonts[1], fonts
    assert {'"Noto Sans"', '"Noto Sans Mono"'} <= set(fonts[2]) or {
        "Noto Sans",
        "Noto Sans Mono",
    } <= set(fonts[2]), fonts
