"""The dashboard in a real browser (Debian's chromium, driven by Playwright with that
executable): sign in through the link the interactive `rounds console` prints, see the overview
with its chart, open each programme's page, filter a table, download its CSV and read it back,
and sign out. A screenshot of each page goes to the test's temporary directory; assertions are
on text and structure, never on pixels."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.harness import free_port
from web.tables import csv_rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)",
)
ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/dashboard/login/[0-9a-f]{64})")
TIMEOUT = 30.0
COMMUNITY = """\
clock 2026-03-02 09:00 UTC
join amara
join ben
join cara
amara: /rounds config channel qa #questions
amara: /rounds config channel events #events
amara: /rounds config manager add @ben
ben: /rounds ask title="How do I negotiate protected time?"
amara: /rounds event create title="Journal club" when="2026-03-10 18:00" capacity=2
cara: click "Going"
amara: /rounds network join
ben: /rounds network join
cara: /rounds network join
amara: /rounds dashboard
"""
PAGES = {
    "Networking rounds": "The last 12 rounds",
    "Mentorship": "Current pairs",
    "Events": "Event 1 (workshop)",
    "Q&A": "How do I negotiate protected time?",
    "Audit log": "added ben as a manager",
}


class Console:
    """`rounds console` as a newcomer runs it, typing into its standard input."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
        env |= {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/console.db",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(port),
        }
        env.pop("PUBLIC_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "console"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text)
        self.process.stdin.flush()

    def wait_for(self, pattern: re.Pattern[str]) -> str:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError("".join(seen)) from None
            seen.append(line)
            if found := pattern.search(line):
                return found.group(1)

    def quit(self) -> None:
        self.type("quit\n")
        try:
            self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    running = Console(tmp_path, free_port())
    yield running
    running.quit()


def test_a_manager_reads_the_dashboard_in_a_real_browser(console: Console, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    console.type(COMMUNITY)
    link = console.wait_for(LINK)
    shots = tmp_path / "screenshots"
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        # a refused resource (the favicon, the page after signing out) is not a problem here;
        # a script error or a Content-Security-Policy violation is
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(link)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == "Overview"
        assert "Signed in as amara" in page.inner_text("header")
        # the chart is drawn on the server (matplotlib loads on the first one): wait for it
        page.wait_for_function(
            "() => { const i = document.querySelector('figure.chart img');"
            " return i.complete && i.naturalWidth > 0; }",
            timeout=TIMEOUT * 1000,
        )
        assert "Activity, the last 12 weeks" in page.inner_text("figure.chart figcaption")
        assert "Members" in page.inner_text("section.figures")
        page.screenshot(path=str(shots / "overview.png"), full_page=True)

        for title, text in PAGES.items():
            page.get_by_role("navigation").get_by_role("link", name=title).click()
            page.wait_for_selector(f"h1:text-is('{title}')")
            assert text in page.inner_text("main"), title
            assert page.get_by_role("link", name=title).get_attribute("aria-current") == "page"
            page.screenshot(path=str(shots / f"{title.split()[0].lower()}.png"), full_page=True)

        # the audit table filters as one types (no reload), and the CSV is what it shows
        before = page.locator("#changes tbody tr:visible").count()
        page.get_by_label("Filter").fill("manager")
        shown = page.locator("#changes tbody tr:visible")
        assert 0 < shown.count() < before
        assert page.url.endswith("changes-q=manager")
        cells = [row.split("\t") for row in shown.all_inner_texts()]
        with page.expect_download() as download:
            page.locator("#changes a.csv").click()
        rows = csv_rows(Path(download.value.path()).read_bytes())
        assert rows[0] == ["When", "Who", "What", "Detail"]
        assert rows[1:] == cells
        assert download.value.suggested_filename == "audit-changes.csv"

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("h1:text-is('Signed out')")
        page.screenshot(path=str(shots / "signed-out.png"))
        page.goto(link.split("/dashboard/")[0] + "/dashboard/1/")
        assert page.inner_text("h1") == "Please sign in"
        browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation
    assert len(list(shots.glob("*.png"))) == len(PAGES) + 2
