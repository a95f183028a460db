"""Issue 16, failure 6: the external link checker connects only to public addresses, on every redirect, escapes
what servers send before it reaches the report, and says "no network" once when nothing can be reached.

The test server listens on 127.0.0.1. Tests that need to reach it with the guard on allow exactly that
address (monkeypatching address_refusal), so a redirect to any other loopback address still meets the guard.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

import pytest

from linkserver import LinkServer
from sitedata.postbuild import links

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=links.LONDON)
GUARDED = links.CheckSettings(total_time=8.0, request_timeout=2.0, max_retries=0, backoff=0.1)
UNGUARDED = links.CheckSettings(total_time=8.0, request_timeout=2.0, max_retries=0, backoff=0.1, public_addresses_only=False)


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with LinkServer() as running:
        yield running


def check(urls: list[str], settings: links.CheckSettings) -> dict[str, links.LinkResult]:
    results = links.check_external({u: ["index.html"] for u in urls}, now=NOW, settings=settings, cache_path=None, trust_env=False)
    return {r.url: r for r in results}


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("::1", "a loopback"),
        ("10.1.2.3", "a private"),
        ("192.168.0.1", "a private"),
        ("169.254.169.254", "a link-local"),
        ("fe80::1", "a link-local"),
        ("224.0.0.1", "a multicast"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("0.0.0.0", "a private"),
        ("100.64.0.1", "a reserved"),
    ],
)
def test_non_public_addresses_are_named(ip: str, kind: str) -> None:
    assert (links.address_refusal(ip) or "").startswith(kind)


@pytest.mark.parametrize("ip", ["93.184.215.14", "2606:4700::6810:85e5"])
def test_public_addresses_pass(ip: str) -> None:
    assert links.address_refusal(ip) is None


def test_failure_6_loopback_is_refused_after_dns(server: LinkServer) -> None:
    by_name = server.url("/ok").replace("127.0.0.1", "localhost")  # resolves (from /etc/hosts) to loopback
    result = check([by_name, server.url("/ok")], GUARDED)
    for url, outcome in result.items():
        assert outcome.verdict == links.BROKEN, url
        assert "resolves to a loopback address (127.0.0.1)" in outcome.detail or "resolves to a loopback address (::1)" in outcome.detail
        assert "never connects to loopback, private, link-local or multicast addresses" in outcome.detail
    assert server.hits("/ok") == 0  # nothing was sent


def test_failure_6_a_redirect_to_another_address_is_refused(server: LinkServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = links.address_refusal
    monkeypatch.setattr(links, "address_refusal", lambda ip: None if ip == "127.0.0.1" else real(ip))
    port = server.url("/").split(":")[2].split("/")[0]
    targets = {
        "loopback": f"http://127.0.0.2:{port}/ok",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private": "http://10.0.0.1/admin",
    }
    urls = {name: server.url("/redirect?to=" + quote(target, safe="")) for name, target in targets.items()}
    result = check(list(urls.values()), GUARDED)
    assert "resolves to a loopback address (127.0.0.2)" in result[urls["loopback"]].detail
    assert "resolves to a link-local address (169.254.169.254)" in result[urls["metadata"]].detail
    assert "resolves to a private address (10.0.0.1)" in result[urls["private"]].detail
    assert all(r.verdict == links.BROKEN for r in result.values())
    assert server.hits("/ok") == 0


def test_the_guard_lets_the_allowed_address_through(server: LinkServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path with the address allowed reaches the server, so the refusals above are the guard's doing."""
    real = links.address_refusal
    monkeypatch.setattr(links, "address_refusal", lambda ip: None if ip == "127.0.0.1" else real(ip))
    result = check([server.url("/redirect?to=%2Fok")], GUARDED)
    assert [r.verdict for r in result.values()] == [links.OK]
    assert server.hits("/ok") >= 1


HOSTILE_PHRASE = "Gone [click here](https://evil.example/) ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> @everyone | x"


def test_failure_6_a_servers_reason_phrase_is_escaped_in_the_report(server: LinkServer) -> None:
    url = server.url("/reason?code=499&phrase=" + quote(HOSTILE_PHRASE))
    (result,) = check([url], UNGUARDED).values()
    assert result.verdict == links.BROKEN
    report = links.markdown_report([result], now=NOW)
    row = next(line for line in report.splitlines() if line.startswith("| http://127.0.0.1"))
    assert "[click here](" not in row and "![x](" not in row and "<img" not in row and " @everyone" not in row
    assert "499 Gone \\[click here\\](https://evil.example/) \\!\\[x\\](https://evil.example/p.png) &lt;img src=x onerror=alert(1)&gt; \\@everyone \\| x" in row
    assert row.count(" | ") == 2  # three cells: the phrase's '|' did not make a fourth


def test_terminal_output_shows_control_characters_as_escapes() -> None:
    assert links.plain_text("404 \x1b[31mred\x1b[0m\r\nInjected: yes") == "404 \\x1b[31mred\\x1b[0m\\r\\nInjected: yes"
    assert len(links.plain_text("x" * 5000)) == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_failure_6_no_network_is_said_once() -> None:
    port = _closed_port()
    urls = [f"http://127.0.0.1:{port}/{i}" for i in range(20)] + [f"http://localhost:{port}/{i}" for i in range(20)]
    results = list(check(urls, UNGUARDED).values())
    assert {r.verdict for r in results} == {links.NOT_CHECKED}
    report = links.format_report(results).splitlines()
    assert report == [
        "no network: not one of the 40 external links could be reached, so none was checked or called broken; run the check again when online",
        "40 external links: 0 ok, 0 redirect, 0 broken, 0 flaky, 40 not-checked",
    ]
    assert sum("no network" in line for line in links.markdown_report(results, now=NOW).splitlines()) == 1


def test_one_reachable_server_means_the_network_is_up(server: LinkServer) -> None:
    port = _closed_port()
    urls = [server.url("/ok"), f"http://localhost:{port}/a", f"http://localhost:{port}/b"]
    results = check(urls, UNGUARDED)
    assert results[server.url("/ok")].verdict == links.OK
    assert [results[u].verdict for u in urls[1:]] == [links.BROKEN, links.BROKEN]
