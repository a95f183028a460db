"""Tests for the link checker: internal links on a tiny site, external links against a local server."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from linkserver import LinkServer
from sitedata.adapters.mkdocs_plugin import SitePlugin
from sitedata.build import Build, Message, Settings
from sitedata.constants import LONDON
from sitedata.data.errors import DataErrors
from sitedata.postbuild import links

ROOT = Path(__file__).resolve().parents[2]

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=links.LONDON)
# Small limits so every failure mode resolves in about two seconds.
FAST = links.CheckSettings(
    total_time=6.0, request_timeout=1.0, per_host=2, max_concurrent=16,
    max_retries=2, backoff=0.1, max_retry_wait=3.0, max_redirects=5,
    public_addresses_only=False,  # the test server is on 127.0.0.1
)
MARGIN = 1.0


@pytest.fixture
def server() -> LinkServer:
    with LinkServer() as running:
        yield running


def _check(origins: dict[str, list[str]], **kwargs: object) -> dict[str, links.LinkResult]:
    kwargs.setdefault("settings", FAST)
    kwargs.setdefault("cache_path", None)
    results = links.check_external(origins, now=kwargs.pop("now", NOW), trust_env=False, **kwargs)
    return {r.url: r for r in results}


# ---------------------------------------------------------------- external: every failure mode


def test_every_verdict_within_the_time_bound(server: LinkServer) -> None:
    expected = {
        server.url("/ok"): ("ok", 200, "200 OK", None),
        server.url("/moved"): ("redirect", 301, "moved permanently (301 Moved Permanently)", server.url("/ok")),
        server.url("/chain"): ("redirect", 301, "moved permanently (301 Moved Permanently)", server.url("/temp")),
        server.url("/temp"): ("ok", 200, "200 OK", server.url("/ok")),
        server.url("/loop-a"): ("broken", 302, "redirect loop (4 hops, back to " + server.url("/loop-a") + ")", server.url("/loop-b")),
        server.url("/self"): ("ok", 200, "200 OK", server.url("/self")),
        server.url("/status?code=404"): ("broken", 404, "404 Not Found", None),
        server.url("/status?code=410"): ("broken", 410, "410 Gone", None),
        server.url("/once?code=429&after=1"): ("ok", 200, "200 OK", None),
        server.url("/limited?after=86400"): ("not-checked", 429, "rate limited, retry after 86400 s", None),
        server.url("/once?code=500"): ("ok", 200, "200 OK", None),
        server.url("/status?code=500"): ("broken", 500, "500 Internal Server Error after 2 retries", None),
        server.url("/slow?s=3"): ("broken", None, "timed out after 1 s", None),
        server.url("/head-405"): ("ok", 200, "200 OK", None),
        server.silent_url: ("broken", None, "timed out after 1 s", None),
        server.refused_url: ("broken", None, "connection refused", None),
    }
    seen: list[tuple[int, int]] = []
    started = time.monotonic()
    results = _check({url: ["page.html"] for url in expected}, progress=lambda done, total: seen.append((done, total)))
    elapsed = time.monotonic() - started

    got = {url: (r.verdict, r.status, r.detail, r.final_url) for url, r in results.items()}
    assert got == expected
    assert elapsed < FAST.total_time + MARGIN, f"took {elapsed:.2f} s"
    assert server.hits("/once?code=429&after=1") == 2  # waited for Retry-After, then retried once
    assert server.hits("/status?code=500") == 3  # first try and two retries
    assert server.hits("/limited?after=86400") == 1  # never sleeps for a day
    assert seen[-1] == (len(expected), len(expected))


def test_deadline_reports_unfinished_checks_as_not_checked(server: LinkServer) -> None:
    settings = links.CheckSettings(total_time=1.5, request_timeout=5.0, max_retry_wait=60.0, public_addresses_only=False)
    started = time.monotonic()
    results = _check(
        {server.url("/slow?s=5"): ["a.html"], server.url("/limited?after=30"): ["b.html"], server.url("/ok"): ["c.html"]},
        settings=settings,
    )
    elapsed = time.monotonic() - started

    assert elapsed < settings.total_time + MARGIN, f"took {elapsed:.2f} s"
    assert (results[server.url("/slow?s=5")].verdict, results[server.url("/slow?s=5")].detail) == ("not-checked", "time limit")
    limited = results[server.url("/limited?after=30")]
    assert (limited.verdict, limited.detail) == ("not-checked", "rate limited, retry after 30 s")
    assert results[server.url("/ok")].verdict == "ok"


def test_retry_after_as_an_http_date(server: LinkServer) -> None:
    url = server.url("/limited?in=7200")
    # The server dates its header by the real clock, so this run's "now" must be the real one too.
    result = _check({url: ["a.html"]}, now=datetime.now(UTC))[url]
    assert result.verdict == "not-checked"
    # HTTP dates have whole seconds and the two clocks are read at different moments: allow a little either way.
    match = re.fullmatch(r"rate limited, retry after (\d+) s", result.detail)
    assert match and 7195 <= int(match.group(1)) <= 7201, result.detail


def test_retry_after_seconds_parses_both_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert links.retry_after_seconds("120", now=now) == 120.0
    assert links.retry_after_seconds("Thu, 01 Jan 2026 12:02:00 GMT", now=now) == 120.0
    assert links.retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert links.retry_after_seconds("soon", now=now) is None


def test_at_most_per_host_requests_at_once(server: LinkServer) -> None:
    settings = links.CheckSettings(total_time=5.0, request_timeout=2.0, per_host=2, public_addresses_only=False)
    urls = [server.url(f"/slow?s=0.2&n={n}") for n in range(6)]
    results = _check({url: ["a.html"] for url in urls}, settings=settings)
    assert {r.verdict for r in results.values()} == {"ok"}
    assert server.max_in_flight == 2


def test_too_many_redirects(server: LinkServer) -> None:
    settings = links.CheckSettings(total_time=5.0, request_timeout=1.0, max_redirects=1, public_addresses_only=False)
    url = server.url("/chain")  # /chain -> /temp -> /ok is two hops
    result = _check({url: ["a.html"]}, settings=settings)[url]
    assert (result.verdict, result.detail) == ("broken", "too many redirects (more than 1)")


# ---------------------------------------------------------------- cache


def test_cache_skips_fresh_ok_links_and_rechecks_broken_and_expired(server: LinkServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "links.json"
    ok, moved, missing = server.url("/ok"), server.url("/moved"), server.url("/status?code=404")
    origins = {ok: ["a.html"], moved: ["b.html"], missing: ["c.html"]}

    _check(origins, cache_path=cache, now=NOW)
    assert (server.hits("/ok"), server.hits("/moved"), server.hits("/status?code=404")) == (2, 1, 2)

    again = _check(origins, cache_path=cache, now=NOW + timedelta(days=6))
    assert (server.hits("/ok"), server.hits("/moved"), server.hits("/status?code=404")) == (2, 1, 4)
    assert again[ok].verdict == "ok" and again[ok].origins == ["a.html"]
    assert (again[moved].verdict, again[moved].final_url) == ("redirect", ok)
    assert again[missing].verdict == "broken"

    _check(origins, cache_path=cache, now=NOW + timedelta(days=7, seconds=1))
    assert server.hits("/ok") == 4  # expired, so fetched again (the redirect target counts too)


def test_damaged_cache_is_ignored(server: LinkServer, tmp_path: Path) -> None:
    cache = tmp_path / "links.json"
    cache.write_text("{not json", encoding="utf-8")
    url = server.url("/ok")
    assert _check({url: ["a.html"]}, cache_path=cache)[url].verdict == "ok"
    assert url in cache.read_text(encoding="utf-8")


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        links.check_external({}, now=datetime(2026, 1, 1), cache_path=None)  # noqa: DTZ001


# ---------------------------------------------------------------- allowlist


def _allowlist(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "link-allowlist.yaml"
    path.write_text("# yaml-language-server: $schema=schema/link-allowlist.schema.json\n" + body, encoding="utf-8")
    return path


def test_failure_on_allowlisted_host_is_flaky_with_reason(server: LinkServer, tmp_path: Path) -> None:
    path = _allowlist(tmp_path, "hosts:\n  - host: 127.0.0.1\n    reason: Blocks robots at weekends.\n    until: 2026-12-31\n")
    allowlist = links.load_allowlist(path=path, today=NOW.date())
    missing, ok = server.url("/status?code=404"), server.url("/ok")

    results = _check({missing: ["a.html"], ok: ["b.html"]}, allowlist=allowlist)

    assert results[missing].verdict == "flaky"
    assert results[missing].detail == "404 Not Found; known flaky host: Blocks robots at weekends."
    assert results[ok].verdict == "ok"
    assert links.format_report(results.values()).splitlines()[0] == (
        f"a.html: warning: link {missing} failed (404 Not Found; known flaky host: Blocks robots at weekends.)"
    )


def test_allowlist_entry_lapses_after_until(tmp_path: Path) -> None:
    path = _allowlist(tmp_path, "hosts:\n  - host: www.example.org\n    reason: Slow.\n    until: 2026-03-01\n")
    assert links.load_allowlist(path=path, today=date(2026, 3, 1)) != {}
    assert links.load_allowlist(path=path, today=date(2026, 3, 2)) == {}


def test_invalid_allowlist_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = _allowlist(
        tmp_path,
        "hosts:\n  - host: www.example.org\n  - host: https://example.org/x\n    reason: Slow.\n    until: 31/12/2026\n",
    )
    with pytest.raises(DataErrors) as caught:
        links.load_allowlist(path=path, today=NOW.date())
    messages = [str(e) for e in caught.value.errors]
    shown = f"{path.parent.name}/{path.name}"  # as every data file is shown: from the data folder's parent
    assert any(m.startswith(f"{shown}:3:5: host 'www.example.org': ") and "'reason'" in m for m in messages), messages
    assert any(m.startswith(f"{shown}:4:11: host 'https://example.org/x': host: ") for m in messages), messages
    assert any(m.startswith(f"{shown}:6:12: host 'https://example.org/x': until: ") and "YYYY-MM-DD" in m for m in messages), messages


def test_duplicate_and_impossible_dates_are_reported(tmp_path: Path) -> None:
    path = _allowlist(
        tmp_path,
        "hosts:\n  - host: a.example.org\n    reason: x\n    until: 2026-02-30\n  - host: a.example.org\n    reason: y\n",
    )
    with pytest.raises(DataErrors) as caught:
        links.load_allowlist(path=path, today=NOW.date())
    messages = [str(e) for e in caught.value.errors]
    shown = f"{path.parent.name}/{path.name}"
    assert any(m.startswith(f"{shown}:6:11: host 'a.example.org': host: ") for m in messages), messages
    assert f"{shown}:5:12: host 'a.example.org': until: '2026-02-30' is not a real date; check the month and day" in messages


def test_shipped_allowlist_is_valid() -> None:
    links.load_allowlist(today=NOW.date())


# ---------------------------------------------------------------- reports


def _sample_results() -> list[links.LinkResult]:
    origin = "data/helplines.yaml:31:9: service 'galop'"
    return [
        links.LinkResult("https://galop.example/help", "broken", 404, "404 Not Found", None, [origin, "directory/index.html"]),
        links.LinkResult(
            "http://old.example/", "redirect", 301, "moved permanently (301 Moved Permanently)", "https://new.example/", ["a/index.html"]
        ),
        links.LinkResult("https://slow.example/", "not-checked", None, "time limit", None, ["b/index.html"]),
        links.LinkResult("https://fine.example/", "ok", 200, "200 OK", None, ["c/index.html"]),
    ]


def test_format_report_is_compiler_style() -> None:
    assert links.format_report(_sample_results()).splitlines() == [
        "data/helplines.yaml:31:9: service 'galop': link https://galop.example/help is broken (404 Not Found)",
        "directory/index.html: link https://galop.example/help is broken (404 Not Found)",
        "a/index.html: link http://old.example/ has moved permanently (301); change it to https://new.example/",
        "b/index.html: link https://slow.example/ was not checked (time limit)",
        "4 external links: 1 ok, 1 redirect, 1 broken, 0 flaky, 1 not-checked",
    ]


def test_markdown_report_for_the_issue() -> None:
    text = links.markdown_report(_sample_results(), now=NOW)
    assert text.startswith("External link check of 2026-03-02 09:30 GMT: 4 external links:")
    assert "## Broken links (1)" in text
    assert "| https://galop.example/help | 404 Not Found | `data/helplines.yaml:31:9: service 'galop'`<br>`directory/index.html` |" in text
    assert "| http://old.example/ | https://new.example/ | `a/index.html` |" in text
    assert "## Not checked (1)" in text
    assert "fine.example" not in text


# ---------------------------------------------------------------- internal links


INDEX = """<!doctype html>
<html><head><link rel="stylesheet" href="assets/site.css"></head>
<body>
<h1 id="intro">Hello</h1>
<a href="about/">About</a> <a href="about/#team">Team</a> <a href="#intro">Intro</a> <a href="#top">Top</a>
<a href="missing/">Missing</a>
<a href="about/#nobody">Nobody</a>
<a href="tel:+442079460000">Call</a> <a href="tel:020 7946 0000">Call badly</a>
<a href="mailto:help@example.org?subject=Hi%20there">Mail</a>
<a href="mailto:help@example">Mail badly</a>
<a href="javascript:alert(1)">Run</a>
<a href="https://example.org/page#frag">Away</a> <img src="data:image/gif;base64,R0lGOD" alt="">
<img src="assets/nope.png" alt=""> <a href="../elsewhere/">Out</a> <a href="/about/">Root</a>
</body></html>
"""
ABOUT = """<html><body><h2 id="team">Team</h2><a href="../#intro">Home</a> <a href="../index.html#gone">Home</a>
<a name="old-anchor"></a><a href="#old-anchor">Old</a> <a href="https://example.org/other">Other</a></body></html>
"""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "index.html").write_text(INDEX, encoding="utf-8")
    (site / "about" / "index.html").write_text(ABOUT, encoding="utf-8")
    (site / "assets" / "site.css").write_text("", encoding="utf-8")
    return site


def test_internal_problems_are_located_and_explained(tmp_path: Path) -> None:
    problems = [str(p) for p in links.check_site(_site(tmp_path))]
    assert problems == [
        "about/index.html:1:65: link '../index.html#gone': no anchor '#gone' in page 'index.html'",
        "index.html:6:1: link 'missing/': no such page",
        "index.html:7:1: link 'about/#nobody': no anchor '#nobody' in page 'about/index.html'",
        "index.html:8:38: link 'tel:020 7946 0000': tel: number '020 7946 0000' is not in E.164 form; "
        "write tel:+ then the country code and number, 8 to 15 digits, no spaces or punctuation (for example tel:+442079460000), "
        "or a UK short number such as tel:999",
        "index.html:10:1: link 'mailto:help@example': 'help@example' is not a well-formed email address "
        "(expected one @, no spaces, and a dot in the domain, for example help@example.org.uk)",
        "index.html:11:1: link 'javascript:alert(1)': javascript: links are not allowed; link to a page or use a button",
        "index.html:13:1: link 'assets/nope.png': no such file",
        "index.html:13:36: link '../elsewhere/': points outside the site",
    ]


def test_site_under_a_path(tmp_path: Path) -> None:
    site = _site(tmp_path)
    reasons = {p.link: p.reason for p in links.check_site(site, base_path="/help/")}
    assert reasons["/about/"] == "points outside the site (its pages are under '/help/')"
    (site / "index.html").write_text('<p id="intro"><a href="/help/about/#team">x</a><a href="/help/">y</a>', encoding="utf-8")
    assert [p.link for p in links.check_site(site, base_path="/help")] == ["../index.html#gone"]


def test_a_check_that_reuses_parsed_pages_sees_every_rewritten_and_removed_page(tmp_path: Path) -> None:
    # As under `mkdocs serve --dirty`: the same site folder checked again after some pages were rewritten or removed.
    site = _site(tmp_path)
    parsed = links.ParsedPages()
    first = [str(p) for p in links.check_site(site, parsed=parsed)]
    assert first == [str(p) for p in links.check_site(site)]
    (site / "index.html").write_text('<p id="intro"><span id="gone"></span><a href="about/">about</a></p>', encoding="utf-8")
    assert [str(p) for p in links.check_site(site, parsed=parsed)] == []
    (site / "about" / "index.html").unlink()
    assert [(p.link, p.reason) for p in links.check_site(site, parsed=parsed)] == [("about/", "no such page")]
    (site / "about" / "index.html").write_text('<a href="../index.html#elsewhere">home</a>', encoding="utf-8")
    assert [p.reason for p in links.check_site(site, parsed=parsed)] == ["no anchor '#elsewhere' in page 'index.html'"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("tel:+442079460000", True), ("tel:+4420794", False), ("tel:+1234567890123456", False),
        ("tel:+44-20-7946-0000", False), ("tel:02079460000", False), ("tel:+0442079460000", False),
        ("tel:999", True), ("tel:116123", True), ("tel:998", False), ("tel:0999", False),
    ],
)
def test_tel_links_must_be_e164(url: str, ok: bool) -> None:
    assert (links.tel_problem(url) is None) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("mailto:help@example.org.uk", True), ("mailto:a@example.org,b@example.org?cc=c@example.org", True),
        ("mailto:a%40b@example.org", False), ("mailto:help at example.org", False), ("mailto:", False),
        ("mailto:help@@example.org", False), ("mailto:help@example.", False), ("mailto:?subject=x", False),
    ],
)
def test_mailto_links_must_be_well_formed(url: str, ok: bool) -> None:
    assert (links.mailto_problem(url) is None) is ok


def test_external_links_in_site_lists_pages_per_url(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "about" / "index.html").write_text(
        ABOUT + '<link rel="preconnect" href="https://fonts.example"><a href="https://me.example/help/x">Self</a>',
        encoding="utf-8",
    )
    assert links.external_links_in_site(site, site_url="https://me.example/help/") == {
        "https://example.org/other": ["about/index.html"],
        "https://example.org/page": ["index.html"],
    }


# ---------------------------------------------------------------- the build's post-build step and the MkDocs adapter


def _build() -> Build:
    """A build of the real data as `mkdocs serve` makes it (no service worker), its plan made."""
    build = Build(Settings(built=datetime(2026, 12, 2, 12, tzinfo=LONDON), serving=True))
    build.plan(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*") if p.is_file())
    return build


def _post_build(site: Path) -> list[Message]:
    """The core's post-build steps on `site`; the messages they log."""
    logged: list[Message] = []
    _build().post_build(site, log=logged.append)
    return logged


def _adapter_post_build(site: Path) -> None:
    """The MkDocs adapter's post-build on `site`."""
    plugin = SitePlugin()
    plugin.built = _build()
    plugin.on_post_build(config=SimpleNamespace(site_dir=str(site), site_url=None))  # type: ignore[arg-type]


def test_a_file_written_after_the_check_started_is_no_problem(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "index.html").write_text('<a href="sw.js">worker</a> <a href="late/">late</a> <a href="never/">never</a>', encoding="utf-8")
    found = [p for p in links.check_site(site) if p.page == "index.html"]
    assert [(p.link, p.reason) for p in found] == [("sw.js", "no such file"), ("late/", "no such page"), ("never/", "no such page")]
    (site / "sw.js").write_text("", encoding="utf-8")
    (site / "late").mkdir()
    (site / "late" / "index.html").write_text("<p>late</p>", encoding="utf-8")
    assert [str(p) for p in links.confirm_problems(found, site_dir=site)] == ["index.html:1:53: link 'never/': no such page"]


def test_post_build_reports_each_problem_as_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(links.SWITCH, raising=False)
    monkeypatch.setattr(links, "check_external", _no_network)
    warnings = [m.text for m in _post_build(_site(tmp_path)) if m.level == logging.WARNING]
    assert len(warnings) == 8
    assert warnings[1] == "index.html:6:1: link 'missing/': no such page"


def test_adapter_checks_external_links_only_when_switched_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, list[str]]] = []

    def fake_check(*args: dict[str, list[str]], **kwargs: object) -> list[links.LinkResult]:
        asked.append(args[0])
        return [links.LinkResult("https://example.org/page", "broken", 404, "404 Not Found", None, ["index.html"])]

    monkeypatch.setattr(links, "check_external", _no_network)
    monkeypatch.delenv(links.SWITCH, raising=False)
    _adapter_post_build(_site(tmp_path / "off"))
    monkeypatch.setattr(links, "check_external", fake_check)
    monkeypatch.setenv(links.SWITCH, "1")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.sitedata"):
        _adapter_post_build(_site(tmp_path / "on"))
    assert list(asked[0]) == ["https://example.org/other", "https://example.org/page"]
    assert "index.html: link https://example.org/page is broken (404 Not Found)" in [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    ]


def _no_network(*args: object, **kwargs: object) -> list[links.LinkResult]:
    raise AssertionError("the external check must not run unless CHECK_EXTERNAL_LINKS=1")


# ---------------------------------------------------------------- the command line


def test_command_line_reports_and_fails_on_broken_links(
    server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "*")  # the local server must never be reached through a proxy
    monkeypatch.delenv(links.SWITCH, raising=False)
    site = tmp_path / "site"
    site.mkdir()
    ok, missing = server.url("/ok"), server.url("/status?code=404")
    (site / "index.html").write_text(f'<a href="{ok}">a</a>\n<a href="{missing}">b</a>', encoding="utf-8")
    issue = tmp_path / "issue.md"

    code = links.main(["--site", str(site), "--external", "--no-cache", "--total-time", "5", "--timeout", "1", "--markdown", str(issue), "--allow-private-addresses"])

    out, err = capsys.readouterr()
    assert code == 1
    assert f"index.html: link {missing} is broken (404 Not Found)" in out.splitlines()
    assert "checked 2/2 links…" in err.splitlines()
    assert "## Broken links (1)" in issue.read_text(encoding="utf-8")
