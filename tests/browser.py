"""Helpers for the browser tests: a Streamlit server on a free port and Debian's headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "tests" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, page: str = "app.py", **env_vars: str):
    """Start ``streamlit run`` on the database ``db``; yield its base URL; stop it."""
    port = free_port()
    env = {**os.environ, "PHM_DB": str(db), **env_vars}
    command = ([sys.executable, "-m", "phm_profile", "serve"] if page == "app.py"  # as scripts/run.sh starts it
               else [sys.executable, "-m", "streamlit", "run", str(ROOT / page)])
    process = subprocess.Popen(
        [*command, "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"streamlit did not start: {process.stdout.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_CACHE_HOME"] = home
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the script has finished running (and has started at least once)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    # attached, not necessarily visible: workshop mode folds the sidebar away
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=timeout, state="attached")


def selected(page, label: str) -> str:
    """The text shown in the selectbox labelled ``label`` (Streamlit's selectbox is an ARIA combobox)."""
    return page.get_by_role("combobox", name=label).first.input_value()


def select_option(page, label: str, option_text: str) -> None:
    """Choose the option containing ``option_text`` in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).first.click()
    page.get_by_role("option").filter(has_text=option_text).first.click()
