"""Browser test fixtures: the real site built once and served on 127.0.0.1, one Chromium, and watched pages.

Helpers (serve, site_pages, neutral_site, viewports) live in harness.py; see its docstring.
Fixtures: `site_dir`, `site_url`, `browser`, `open_page`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from .harness import CHROMIUM, CHROMIUM_ARGS, SUMMARY, OpenPage, Watched, serve, watched_page


@pytest.fixture(scope="session")
def site_dir(real_site: Path) -> Path:
    """The real site, built once per run with --strict (the session fixture real_site, tests/conftest.py). Read-only."""
    return real_site


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """Base URL of the real site, served on 127.0.0.1."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium. If it is missing or cannot start, every browser test fails: none is skipped.

    Package scope, not session: Playwright's sync API keeps an event loop running while it is open,
    and tests outside tests/browser/ that use asyncio or their own Playwright must not see it."""
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run `make browser` (make test installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Factory: open_page(url=None, *, viewport=DESKTOP, bypass_csp=False, **context_options) -> Watched.

    Each call gets a fresh context (so fresh storage). At the end of the test, any request that
    tried to leave the machine fails it, even if the test itself did not look.
    """
    opened: list[Watched] = []

    def factory(url: str | None = None, **options: Any) -> Watched:
        watched = watched_page(browser, **options)
        opened.append(watched)
        if url is not None:
            watched.page.goto(url, wait_until="load")
        return watched

    yield factory
    leaks = [request for watched in opened for request in watched.third_party]
    for watched in opened:
        watched.context.close()
    assert not leaks, f"requests to other hosts (aborted): {leaks}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ as a browser test (select them with -m browser)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)




def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the browser tests measured (pages checked, violations found)."""
    if SUMMARY:
        terminalreporter.section("browser checks")
        for line in SUMMARY:
            terminalreporter.write_line(line)
