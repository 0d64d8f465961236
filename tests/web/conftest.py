"""A live server (uvicorn in a thread) and Debian's chromium driven by Playwright.

No browser is downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run`` installs the
Debian package). A missing browser is a failure, not a skip. Screenshots go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn

from seguro_desempleo.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    running: ClassVar[dict[str, Any]] = {}        # url → app: login() creates its accounts in the app's database

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        LiveServer.running[self.url] = self.app
        return self

    def __exit__(self, *exc: object) -> None:
        LiveServer.running.pop(self.url, None)
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(secret="browser-tests")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def seeded_app(tmp: Path) -> tuple[Any, Any]:
    """The app over a freshly seeded database (see ``tests/web/seed.py``), service date pinned."""
    from tests.web.seed import TODAY, seed

    seeded = seed(tmp)
    app = create_app(db_url=seeded.url, secret="browser-tests")
    app.state.web_today = TODAY
    return app, seeded


A11Y_SCRIPT = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push('html without lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('unlabelled ' + el.tagName + ' ' + (el.name || el.id));
  }
  for (const svg of document.querySelectorAll('main svg')) {
    if (!svg.parentElement.closest('svg') && svg.getAttribute('role') !== 'img') problems.push('svg without role=img');
    if (!svg.parentElement.closest('svg') && !svg.getAttribute('aria-label')) problems.push('svg without a name');
  }
  for (const b of document.querySelectorAll('button, a[href]')) {
    if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('control without text');
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate ids');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('horizontal scroll at ' + window.innerWidth + 'px');
  return problems;
}"""


def check_a11y(page: Any) -> None:
    """WCAG 2.1 AA basics on the page as rendered: lang, one h1, a label for every field, named
    charts and controls, unique ids, no horizontal scrolling on a phone (reflow, 1.4.10)."""
    page.wait_for_load_state()
    problems = page.evaluate(A11Y_SCRIPT)
    assert not problems, f"{page.url}: {problems}"


def login(page: Any, base: str, role_label: str, subject: str = "") -> None:
    """Sign in on the page's form as the test account of the role labelled *role_label* (and the
    worker id or RUC *subject*): user name, password, second factor (tests/signin.py; the demo
    log-in is off, decision 0440)."""
    from tests import signin

    signin.browser(page, base, LiveServer.running[base], signin.LABELS_ES[role_label], subject or None)
