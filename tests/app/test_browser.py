"""The app in a real headless Chromium: every page renders its main element with no error box,
and the hostile message injects nothing. Screenshots go to ``$MINER_SCREENSHOTS`` (else a tmp
folder).

Needs Debian's ``chromium`` and ``chromium-driver``; skipped without them unless
``MINER_REQUIRE_BROWSER=1``.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app.conftest import EMB_DIM, PAGES, ROOT

pytestmark = pytest.mark.browser
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
URL_PATH = {p: p for p in PAGES} | {"overview": ""}


def _need_browser() -> None:
    missing = [p for p in (CHROMIUM, DRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        if os.environ.get("MINER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MINER_REQUIRE_BROWSER=1 but {', '.join(missing)} missing")
        pytest.skip(f"no browser: {', '.join(missing)} missing (apt-get install chromium "
                    "chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_ws):
    _need_browser()
    port = _free_port()
    env = dict(os.environ, MINER_APP_EMBEDDER="hashing", MINER_APP_EMBEDDER_DIM=str(EMB_DIM))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
           "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
           "--", "--workspace", str(demo_ws)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not serve /_stcore/health within 60 s")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1800"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield d
    d.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    d = Path(os.environ.get("MINER_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _wait(driver, css: str, timeout: float = 60.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def _settled(driver, timeout: float = 60.0) -> None:
    """Wait until the script run is over (Streamlit's status widget gone) and the page stable."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        running = driver.find_elements("css selector", '[data-testid="stStatusWidget"], '
                                       '[data-testid="stSkeleton"]')
        html = driver.page_source
        if not running and html == last:
            return
        last = html
        time.sleep(0.7)


@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(server, driver, shots, page):
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/{URL_PATH[page]}")
    main = _wait(driver, '[data-testid="stMain"]')
    h1 = _wait(driver, '[data-testid="stMain"] h1')
    _settled(driver)
    assert page.capitalize() in h1.text
    errors = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert not errors, errors[0].text[:500]
    assert main.is_displayed()
    # the hostile message injected no element (and no alert() fired: selenium would raise)
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"], iframe, svg[onload]')
    assert "alert(" not in " ".join(s.get_attribute("innerHTML") or "" for s in
                                    driver.find_elements(By.TAG_NAME, "script"))
    driver.save_screenshot(str(shots / f"{page}.png"))
    assert (shots / f"{page}.png").stat().st_size > 10_000


def test_search_in_browser(server, driver, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{server}/search")
    box = _wait(driver, '[data-testid="stMain"] input[type="text"]')
    box.send_keys("young voters elections", Keys.ENTER)
    _wait(driver, '[data-testid="stDownloadButton"]')
    _settled(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"], iframe')
    driver.save_screenshot(str(shots / "search-results.png"))


def _click(driver, xpath: str, timeout: float = 60.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    el = WebDriverWait(driver, timeout).until(EC.element_to_be_clickable((By.XPATH, xpath)))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
    el.click()
    return el


def test_reply_builder_and_network_in_browser(server, driver, shots):
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/discussion")
    _wait(driver, '[data-testid="stMain"] h1')
    _settled(driver)
    _click(driver, '//*[@role="tab"][contains(., "Consolidated reply")]')
    time.sleep(1)
    driver.save_screenshot(str(shots / "discussion-reply-tab.png"))
    _click(driver, '//button[contains(., "Generate the draft")]')
    _wait(driver, '[data-testid="stDownloadButton"]', timeout=180)
    _settled(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    driver.save_screenshot(str(shots / "discussion-reply.png"))

    driver.get(f"{server}/experts")
    _wait(driver, '[data-testid="stMain"] h1')
    _settled(driver)
    _click(driver, '//*[@role="tab"][contains(., "Reply network")]')
    _wait(driver, '[data-testid="stVegaLiteChart"], .vega-embed')
    _settled(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    driver.save_screenshot(str(shots / "experts-network.png"))
