"""The hosted site offline after the first visit: the service worker in Chromium.

A build is served on 127.0.0.1 from a folder this module controls, so it can stop the server (no
signal at all, not only the browser's offline switch) and deploy a second build into the same
folder on the same address, as a real deploy does.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, Request, Route, expect

from sitebuild import mkdocs_build
from sitedata.postbuild import offline

from .harness import ROOT, is_own_url
from .offline_copy import run_search

pytestmark = pytest.mark.browser

MARKER = "Zqxjv"  # a word only the second build has, in one helpline's summary
T = TypeVar("T")


class Server:
    """A static server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        handler = functools.partial(_QuietHandler, directory=str(self.folder))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def deploy(self, build: Path) -> None:
        """Replace what is served with `build`, as a deploy does."""
        for child in self.folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(build, self.folder, dirs_exist_ok=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two builds of the site: 'a' from data/, 'b' from a copy where one helpline's summary changed."""
    work = tmp_path_factory.mktemp("sw")
    data_b = work / "data-b"
    shutil.copytree(ROOT / "data", data_b, ignore=shutil.ignore_patterns("schema", "README.md"))
    helplines = data_b / "helplines.yaml"
    text = helplines.read_text(encoding="utf-8")
    old = "summary: The national helpline for women experiencing domestic abuse"
    assert old in text, "the second build changes the national helpline's summary; update this test if the data moved"
    helplines.write_text(
        text.replace(old, f"summary: {MARKER}, the national helpline for women experiencing domestic abuse", 1), encoding="utf-8"
    )
    out = {}
    for name, data_dir in (("a", None), ("b", data_b)):
        result = mkdocs_build(work / name, data_dir=data_dir)
        assert result.returncode == 0, result.stderr
        out[name] = work / name
    return out


@pytest.fixture
def server(builds: dict[str, Path], tmp_path: Path) -> Iterator[Server]:
    served = tmp_path / "served"
    served.mkdir()
    running = Server(served)
    running.deploy(builds["a"])
    running.start()
    yield running
    running.stop()


class Visitor:
    """A browser context that allows service workers and lets no request leave 127.0.0.1."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.third_party: list[str] = []
        self.errors: list[str] = []
        self.navigations: list[str] = []
        context.route("**/*", self._only_own_hosts)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("framenavigated", lambda frame: self.navigations.append(frame.url) if frame == self.page.main_frame else None)

    def _only_own_hosts(self, route: Route, request: Request) -> None:
        if is_own_url(request.url):
            route.continue_()
        else:
            self.third_party.append(request.url)
            route.abort("blockedbyclient")

    def controlled_by(self) -> dict[str, Any]:
        """The service worker controlling the page, its scope and the caches it keeps."""
        return self.page.evaluate(
            """async () => {
              const registration = await navigator.serviceWorker.getRegistration();
              const keys = await caches.keys();
              const sizes = await Promise.all(keys.map(async key => (await (await caches.open(key)).keys()).length));
              return {
                controller: navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL,
                scope: registration && registration.scope,
                caches: Object.fromEntries(keys.map((key, i) => [key, sizes[i]])),
              };
            }"""
        )


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Visitor]:
    context = browser.new_context(service_workers="allow")
    opened = Visitor(context)
    yield opened
    context.close()
    assert opened.third_party == [], f"requests to other hosts: {opened.third_party}"
    assert opened.errors == [], opened.errors


def _manifest(build: Path) -> dict[str, Any]:
    first = (build / offline.SW_SITE_PATH).read_text(encoding="utf-8").split("\n", 1)[0]
    return json.loads(first.removeprefix("const MANIFEST = ").removesuffix(";"))


def _eventually(check: Callable[[], T], *, timeout: float = 30, what: str) -> T:
    """Poll `check` (which may fail while pages reload) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Error as exc:  # the page navigated while we looked
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last saw {last!r}")


def _first_visit(visitor: Visitor, server: Server, build: Path) -> dict[str, Any]:
    manifest = _manifest(build)
    visitor.page.goto(server.url, wait_until="load")
    expected = {f"dapg-{manifest['version']}": len(manifest["files"])}
    return _eventually(
        lambda: (state := visitor.controlled_by())["controller"] and state["caches"] == expected and state,
        what=f"the service worker to control the page with {expected}",
    )


def test_after_the_first_visit_pages_and_search_open_with_no_signal(visitor: Visitor, server: Server, builds: dict[str, Path]) -> None:
    state = _first_visit(visitor, server, builds["a"])
    assert state["controller"] == server.url + "sw.js"
    assert state["scope"] == server.url
    server.stop()
    visitor.context.set_offline(True)
    page = visitor.page
    for path, heading in (
        ("directory/", "Helplines and services"),
        ("practices/redbridge-hub-process/", "Redbridge"),
        ("prompts/", "Practice prompts"),
        ("offline/", "Download for offline use"),
        ("safety/index.html", "Safety advice"),
    ):
        page.goto(server.url + path, wait_until="load")
        expect(page.locator("h1").first).to_contain_text(heading)
    page.goto(server.url + "directory/?h=galop#galop-lgbt-helpline-name", wait_until="load")
    expect(page.locator('[data-service-id="galop-lgbt-helpline"]')).to_be_visible()
    results = run_search(page, "can't talk")
    assert any("#police-emergency-999" in r["href"] for r in results), results
    page.goto(server.url + "no-such-page/", wait_until="load")
    expect(page.locator("h1").first).to_contain_text("404")


def test_a_new_build_replaces_the_old_one_whole_with_no_mix(visitor: Visitor, server: Server, builds: dict[str, Path]) -> None:
    old = _first_visit(visitor, server, builds["a"])
    page = visitor.page
    page.goto(server.url + "directory/", wait_until="load")
    expect(page.locator("#national-domestic-abuse-helpline")).not_to_contain_text(MARKER)

    server.deploy(builds["b"])
    new_manifest = _manifest(builds["b"])
    new_cache = f"dapg-{new_manifest['version']}"
    assert new_cache not in old["caches"]
    visits = len(visitor.navigations)
    page.goto(server.url + "directory/", wait_until="load")  # the browser checks sw.js on every navigation
    _eventually(
        lambda: visitor.controlled_by()["caches"] == {new_cache: len(new_manifest["files"])},
        what=f"only the new build's cache {new_cache}",
    )
    # The worker took over and the page reloaded itself from the new build: nobody had to.
    _eventually(lambda: len(visitor.navigations) >= visits + 2, what="the page to reload itself once the new build took over")
    expect(page.locator("#national-domestic-abuse-helpline")).to_contain_text(MARKER)

    server.stop()
    visitor.context.set_offline(True)
    # Every file the worker hands out is the new build's, byte for byte.
    served = page.evaluate(
        """async files => Object.fromEntries(await Promise.all(files.map(async file => {
             const body = await (await fetch(file)).arrayBuffer();
             const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
             const hash = [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
             return [file, hash];
           })))""",
        [server.url + url for url in new_manifest["files"]],
    )
    entries = offline.precache_entries(site_dir=builds["b"], use_directory_urls=True)
    expected = {server.url + e.url: hashlib.sha256((builds["b"] / e.path).read_bytes()).hexdigest() for e in entries}
    assert served == expected
    for path in ("", "directory/", "practices/redbridge-hub-process/", "glossary/"):
        page.goto(server.url + path, wait_until="load")
        assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == server.url + "sw.js"
    results = run_search(page, MARKER)
    assert any("#national-domestic-abuse-helpline" in r["href"] for r in results), results


def test_the_worker_is_registered_only_over_http_and_handles_only_this_site() -> None:
    register = (ROOT / "overrides" / "assets" / "javascripts" / "sw-register.js").read_text(encoding="utf-8")
    assert "/^https?:$/.test(location.protocol)" in register
    assert (ROOT / "mkdocs.yml").read_text(encoding="utf-8").count("assets/javascripts/sw-register.js") == 1
