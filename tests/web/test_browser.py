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
    assert "Hạn mức" in text and "xếp hạng" in text and "dòng 80: = chinh_tri" in text

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
