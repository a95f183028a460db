"""Check a built site's links: pages, anchors, tel: and mailto: always; external URLs on request."""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import ipaddress
import json
import math
import os
import posixpath
import re
import socket
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from html import escape as html_escape
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpcore
import httpx
import phonenumbers
from phonenumbers.shortnumberinfo import is_valid_short_number_for_region
from selectolax.lexbor import LexborHTMLParser

from sitedata.constants import LONDON, PROJECT_DIR
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site

DEFAULT_SITE = PROJECT_DIR / "site"
DEFAULT_CACHE = PROJECT_DIR / ".cache" / "links.json"
DEFAULT_ALLOWLIST = PROJECT_DIR / "data" / "link-allowlist.yaml"
ALLOWLIST_NAME = "link-allowlist"
SWITCH = "CHECK_EXTERNAL_LINKS"
USER_AGENT = "Mozilla/5.0 (compatible; site-link-checker/1.0; weekly check of links we publish)"
CACHE_VERSION = 1
CANCEL_GRACE = 1.0  # seconds for cancelled checks to unwind after the deadline

OK = "ok"
REDIRECT = "redirect"
BROKEN = "broken"
FLAKY = "flaky"
NOT_CHECKED = "not-checked"
VERDICTS = (BROKEN, REDIRECT, FLAKY, NOT_CHECKED, OK)
NO_NETWORK = "no network"
MAX_URL_CHARS = 2000
# Markdown punctuation that could make a link, an image, a mention, emphasis, a code span or a new table cell
# ('<' and '>' are escaped as HTML).
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|!~@]")

PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
SHORT_NUMBER = re.compile(r"[1-9][0-9]{2,5}")
REGION = "GB"
EMAIL = re.compile(r"[^\s@,]+@[^\s@.,]+(\.[^\s@.,]+)+")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Attributes that point at something, per tag; None means "on any tag".
LINK_ATTRS = {"href": None, "src": None, "srcset": {"img", "source"}, "poster": {"video"}}
# Only these carry links an editor wrote to another site; <link>/<script> are theme assets.
EXTERNAL_TAGS = frozenset({"a", "area", "img", "iframe", "audio", "video", "source"})


# ---------------------------------------------------------------- internal links


@dataclass(frozen=True)
class Problem:
    """One bad link in a generated page, located by line and column."""

    page: str
    line: int
    column: int
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}:{self.column}: link '{self.link}': {self.reason}"


@dataclass
class _Page:
    ids: set[str] = field(default_factory=set)
    # (tag, url) for every linking attribute, in document order.
    links: list[tuple[str, str]] = field(default_factory=list)


def _parse_page(html: str) -> _Page:
    """Ids and linking attributes of one page (Lexbor: ~5x faster than html.parser on our pages)."""
    page = _Page()
    tree = LexborHTMLParser(html)
    for node in tree.css("[id], a[name]"):
        attrs = node.attributes
        page.ids.update(v for v in (attrs.get("id"), attrs.get("name") if node.tag == "a" else None) if v)
    for node in tree.css("[href], [src], img[srcset], source[srcset], video[poster]"):
        tag, attrs = node.tag, node.attributes
        for name, only in LINK_ATTRS.items():
            value = attrs.get(name)
            if not value or (only is not None and tag not in only):
                continue
            if name == "srcset":
                page.links.extend((tag, c.strip().split(" ", 1)[0]) for c in value.split(",") if c.strip())
            else:
                page.links.append((tag, value.strip()))
    return page


def _locate(path: Path, url: str) -> tuple[int, int]:
    """Line and column of a link in a page's source, looked up only for the few links that fail."""
    text = path.read_text(encoding="utf-8", errors="replace")
    index = -1
    for quoted in (f'"{url}"', f"'{url}'", f'"{html_escape(url)}"', url):
        index = text.find(quoted)
        if index >= 0:
            break
    if index < 0:
        return 1, 1
    start = text.rfind("<", 0, index)
    start = start if start >= 0 else index
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


class ParsedPages:
    """Pages parsed by earlier checks of one site folder, reused while a page's file is unchanged.

    A dirty rebuild (`mkdocs serve --dirty`) rewrites a few pages of a site whose other pages stay as
    they were: the check parses only the rewritten ones, then checks every link of every page again.
    """

    def __init__(self) -> None:
        self._pages: dict[str, tuple[tuple[int, int, int], _Page]] = {}

    def parse(self, path: str) -> _Page:
        """The page at `path`, parsed again only if its file changed since it was last parsed."""
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = self._pages.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        with open(path, encoding="utf-8", errors="replace") as handle:
            page = _parse_page(handle.read())
        self._pages[path] = (stamp, page)
        return page

    def keep_only(self, paths: set[str]) -> None:
        """Forget pages no longer in the site."""
        self._pages = {path: known for path, known in self._pages.items() if path in paths}


def check_site(site_dir: Path, *, base_path: str = "/", parsed: ParsedPages | None = None) -> list[Problem]:
    """Every broken internal link, missing anchor, bad tel:/mailto: and javascript: link in a built site."""
    pages, files, dirs = _scan_site(site_dir, parsed=parsed)
    base = _base(base_path)
    problems: list[Problem] = []
    for page_path in sorted(pages):
        for _tag, url in pages[page_path].links:
            reason = _link_problem(url, page=page_path, base=base, pages=pages, files=files, dirs=dirs)
            if reason:
                line, column = _locate(site_dir / page_path, url)
                problems.append(Problem(page_path, line, column, url, reason))
    return problems


MISSING_TARGET = ("no such page", "no such file")


def confirm_problems(problems: Iterable[Problem], *, site_dir: Path, base_path: str = "/", parsed: ParsedPages | None = None) -> list[Problem]:
    """The problems that still stand in the site as it is now.

    check_site can run while the last files are still being written (the service worker, the
    offline copy's search script): pages no longer change then, but files only appear. So only a
    missing target can be out of date, and each is looked up again.
    """
    problems = list(problems)
    if not any(p.reason in MISSING_TARGET for p in problems):
        return problems
    pages, files, dirs = _scan_site(site_dir, parsed=parsed)
    base = _base(base_path)
    kept = []
    for problem in problems:
        if problem.reason in MISSING_TARGET:
            reason = _link_problem(problem.link, page=problem.page, base=base, pages=pages, files=files, dirs=dirs)
            if reason is None:
                continue
            problem = replace(problem, reason=reason)
        kept.append(problem)
    return kept


def tel_problem(url: str) -> str | None:
    """Why a tel: link is neither E.164 nor a UK short number such as 999, or None."""
    number = url.split(":", 1)[1]
    if E164.fullmatch(number):
        return None
    # Emergency and short numbers (999, 116 123) have no E.164 form; phones dial them as they are.
    if SHORT_NUMBER.fullmatch(number) and is_valid_short_number_for_region(phonenumbers.parse(number, REGION), REGION):
        return None
    return (
        f"tel: number '{number}' is not in E.164 form; write tel:+ then the country code and number, "
        "8 to 15 digits, no spaces or punctuation (for example tel:+442079460000), or a UK short number such as tel:999"
    )


def mailto_problem(url: str) -> str | None:
    """Why a mailto: link is not a well-formed address, or None."""
    addresses = url.split(":", 1)[1].split("?", 1)[0]
    if not addresses:
        return "mailto: link has no email address"
    for address in unquote(addresses).split(","):
        if not EMAIL.fullmatch(address):
            return (
                f"'{address}' is not a well-formed email address "
                "(expected one @, no spaces, and a dot in the domain, for example help@example.org.uk)"
            )
    return None


def external_links_in_site(site_dir: Path, *, site_url: str | None = None) -> dict[str, list[str]]:
    """External http(s) URLs in a built site, each with the site-relative pages that link to it."""
    pages, _files, _dirs = _scan_site(site_dir)
    own = site_url.rstrip("/") + "/" if site_url else None
    found: dict[str, set[str]] = {}
    for page_path, page in pages.items():
        for tag, url in page.links:
            if tag not in EXTERNAL_TAGS:
                continue
            target = _external_url(url)
            if target is None or (own is not None and (target + "/").startswith(own)):
                continue
            found.setdefault(target, set()).add(page_path)
    return {url: sorted(where) for url, where in sorted(found.items())}


def _scan_site(site_dir: Path, *, parsed: ParsedPages | None = None) -> tuple[dict[str, _Page], set[str], set[str]]:
    pages: dict[str, _Page] = {}
    files: set[str] = set()
    dirs: set[str] = {""}
    root = str(site_dir)
    seen: set[str] = set()
    for here, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(here, root)
        rel = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        dirs.update(rel + d for d in dirnames)
        for name in filenames:
            files.add(rel + name)
            if name.endswith(".html"):
                path = os.path.join(here, name)
                if parsed is not None:
                    seen.add(path)
                    pages[rel + name] = parsed.parse(path)
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    pages[rel + name] = _parse_page(handle.read())
    if parsed is not None:
        parsed.keep_only(seen)
    return pages, files, dirs


def _base(base_path: str) -> str:
    path = "/" + base_path.strip("/")
    return path if path == "/" else path + "/"


def _link_problem(url: str, *, page: str, base: str, pages: Mapping[str, _Page], files: set[str], dirs: set[str]) -> str | None:
    if not url:
        return None
    scheme_match = SCHEME.match(url)
    if scheme_match:
        scheme = scheme_match.group()[:-1].lower()
        if scheme == "javascript":
            return "javascript: links are not allowed; link to a page or use a button"
        if scheme == "tel":
            return tel_problem(url)
        if scheme == "mailto":
            return mailto_problem(url)
        return None  # http(s) is the external pass; data: and other schemes are not checked
    if url.startswith("//"):
        return None
    parts = urlsplit(url)
    fragment = unquote(parts.fragment)
    if not parts.path:
        target = page
    else:
        path = unquote(parts.path)
        if path.startswith("/"):
            if not (path + "/").startswith(base) and path != base.rstrip("/"):
                return f"points outside the site (its pages are under '{base}')"
            joined = path[len(base):]
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        wants_dir = path.endswith("/")
        rel = posixpath.normpath(joined) if joined else "."
        if rel == ".." or rel.startswith("../"):
            return "points outside the site"
        rel = "" if rel == "." else rel
        target = _existing(rel, wants_dir=wants_dir, files=files, dirs=dirs)
        if target is None:
            looks_like_page = wants_dir or not posixpath.splitext(rel)[1] or rel.endswith(".html")
            return "no such page" if looks_like_page else "no such file"
    if fragment and target in pages and fragment not in pages[target].ids and fragment.lower() != "top":
        return f"no anchor '#{fragment}' in page '{target}'"
    return None


def _existing(rel: str, *, wants_dir: bool, files: set[str], dirs: set[str]) -> str | None:
    if not wants_dir and rel in files:
        return rel
    if rel in dirs:
        index = f"{rel}/index.html" if rel else "index.html"
        return index if index in files else None
    return None


def _external_url(url: str) -> str | None:
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Fragments are not sent to servers, so one check covers every anchor on a page.
    return urlunsplit(parts._replace(fragment=""))


# ---------------------------------------------------------------- allowlist


@dataclass(frozen=True)
class AllowedHost:
    """A known-flaky host and why."""

    host: str
    reason: str
    until: date | None = None


def load_allowlist(*, today: date, path: Path = DEFAULT_ALLOWLIST) -> dict[str, AllowedHost]:
    """Known-flaky hosts still in force today; raises DataErrors if the file is invalid.

    The file goes through the one pipeline every data file goes through (sitedata.data.load.load_site,
    which `make check` runs on it too), not a second validator of its own.
    """
    if path.name != f"{ALLOWLIST_NAME}.yaml":
        raise ValueError(f"{path}: the allowlist file must be named {ALLOWLIST_NAME}.yaml (its schema is data/schema/{ALLOWLIST_NAME}.schema.json)")
    site = load_site(data_dir=path.parent, today=today, files=(ALLOWLIST_NAME,))
    hosts: dict[str, AllowedHost] = {}
    for item in site.entries("hosts"):
        until = date.fromisoformat(item["until"]) if "until" in item else None
        if until is None or today <= until:
            hosts[item["host"]] = AllowedHost(item["host"], item["reason"], until)
    return hosts


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- external links


@dataclass
class LinkResult:
    """The outcome for one external URL.

    final_url is where a redirect chain ended; for a 'redirect' verdict it is the address
    reached through permanent redirects only, i.e. what editors should write instead.
    """

    url: str
    verdict: str
    status: int | None = None
    detail: str = ""
    final_url: str | None = None
    origins: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckSettings:
    """Limits for the external check; the defaults suit the weekly run."""

    total_time: float = 120.0
    request_timeout: float = 10.0
    per_host: int = 2
    max_concurrent: int = 16
    max_retries: int = 3
    backoff: float = 1.0
    max_retry_wait: float = 30.0
    max_redirects: int = 10
    max_age: timedelta = timedelta(days=7)
    # Connect only to public addresses. Tests turn this off, explicitly, for their servers on 127.0.0.1.
    public_addresses_only: bool = True


DEFAULT_SETTINGS = CheckSettings()


def external_switched_on(environ: Mapping[str, str]) -> bool:
    """Whether CHECK_EXTERNAL_LINKS=1 asks for the network check."""
    return environ.get(SWITCH, "") == "1"


def check_external(
    origins: Mapping[str, Sequence[str]],
    *,
    now: datetime,
    settings: CheckSettings = DEFAULT_SETTINGS,
    cache_path: Path | None = DEFAULT_CACHE,
    allowlist: Mapping[str, AllowedHost] | None = None,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    trust_env: bool = True,
) -> list[LinkResult]:
    """Check external URLs concurrently, within settings.total_time; one result per URL."""
    return asyncio.run(
        check_external_async(
            origins, now=now, settings=settings, cache_path=cache_path,
            allowlist=allowlist, progress=progress, sleep=sleep, trust_env=trust_env,
        )
    )


async def check_external_async(
    origins: Mapping[str, Sequence[str]],
    *,
    now: datetime,
    settings: CheckSettings = DEFAULT_SETTINGS,
    cache_path: Path | None = DEFAULT_CACHE,
    allowlist: Mapping[str, AllowedHost] | None = None,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    trust_env: bool = True,
) -> list[LinkResult]:
    """The same as check_external, for callers already inside an event loop."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    deadline = time.monotonic() + settings.total_time
    cache = _load_cache(cache_path) if cache_path else {}
    results: dict[str, LinkResult] = {}
    todo: list[str] = []
    for url in sorted(origins):
        cached = _fresh(cache.get(url), now=now, max_age=settings.max_age)
        if cached is not None:
            results[url] = replace(cached, url=url, origins=list(origins[url]))
        else:
            todo.append(url)
    total = len(origins)
    finished = len(results)
    if progress and total:
        progress(finished, total)

    def tick(task: asyncio.Task[LinkResult]) -> None:
        nonlocal finished
        if not task.cancelled():
            finished += 1
            if progress:
                progress(finished, total)

    timeout = httpx.Timeout(settings.request_timeout)
    limits = httpx.Limits(max_connections=settings.max_concurrent, max_keepalive_connections=settings.max_concurrent)
    transport = _guarded_transport(limits=limits, trust_env=trust_env) if settings.public_addresses_only else None
    async with httpx.AsyncClient(
        timeout=timeout, limits=limits, follow_redirects=False, trust_env=trust_env, transport=transport,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    ) as client:
        checker = _Checker(client=client, settings=settings, now=now, deadline=deadline, sleep=sleep)
        tasks = {asyncio.create_task(checker.check(url)): url for url in todo}
        for task in tasks:
            task.add_done_callback(tick)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=CANCEL_GRACE)
        for task, url in tasks.items():
            if task.cancelled() or not task.done():
                results[url] = LinkResult(url, NOT_CHECKED, detail="time limit")
            else:
                results[url] = task.result()
            results[url].origins = list(origins[url])
        unreached = [url for url in todo if url in checker.unreached]
        if len(unreached) == len(todo) and len({urlsplit(u).hostname for u in todo}) >= 2:
            # Not one host could be reached: the network is down, not every link broken. Say so once.
            for url in todo:
                results[url] = LinkResult(url, NOT_CHECKED, detail=NO_NETWORK, origins=list(origins[url]))
    for result in results.values():
        _apply_allowlist(result, allowlist or {})
    if cache_path:
        checked = [results[url] for url in todo if results[url].detail != NO_NETWORK]
        _save_cache(cache_path, cache=cache, checked=checked, now=now, max_age=settings.max_age)
    return [results[url] for url in sorted(results)]


class _Checker:
    """Checks one URL at a time per task, sharing the limits and the deadline."""

    def __init__(
        self, *, client: httpx.AsyncClient, settings: CheckSettings, now: datetime, deadline: float,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.client = client
        self.settings = settings
        self.deadline = deadline
        self.sleep = sleep
        self.wall_start = now
        self.mono_start = time.monotonic()
        self.everyone = asyncio.Semaphore(settings.max_concurrent)
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.unreached: set[str] = set()  # URLs whose first request never reached a server

    async def check(self, url: str) -> LinkResult:
        """Follow one URL to a verdict: HEAD first, GET if HEAD is refused, retrying 429 and 5xx."""
        method = "HEAD"
        current = url
        visits = {url: 1}
        hops: list[tuple[int, str]] = []
        attempt = 0
        while True:
            try:
                if self.settings.public_addresses_only:
                    await _public_addresses(urlsplit(current).hostname or "", urlsplit(current).port or 443)  # the first URL and every redirect
                response = await self._request(method, current)
            except RefusedAddress as exc:
                return self._failed(url, current, hops, str(exc))
            except (TimeoutError, httpx.TimeoutException):
                return self._failed(url, current, hops, f"timed out after {self.settings.request_timeout:g} s")
            except httpx.InvalidURL as exc:
                return self._failed(url, current, hops, f"invalid URL ({exc})")
            except httpx.UnsupportedProtocol:
                return self._failed(url, current, hops, "not an http or https address")
            except (httpx.HTTPError, OSError) as exc:
                refused = _refusal_in(exc)
                if refused is not None:
                    return self._failed(url, current, hops, str(refused))
                if not hops:
                    self.unreached.add(url)
                return self._failed(url, current, hops, _connection_detail(exc))
            status = response.status_code
            if method == "HEAD" and (status in (405, 501) or (400 <= status < 500 and status != 429)):
                # Many servers mishandle HEAD; only a GET answer is trusted as a failure.
                method = "GET"
                continue
            if status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    return self._failed(url, current, hops, f"{_status_text(response)} without a Location header", status)
                target = urljoin(current, plain_text(location.strip(), limit=MAX_URL_CHARS))
                hops.append((status, target))
                visits[target] = visits.get(target, 0) + 1
                # One revisit is allowed: some sites set a cookie and redirect back to the same page.
                if visits[target] > 2:
                    return self._failed(url, current, hops, f"redirect loop ({len(hops)} hops, back to {target})", status)
                if len(hops) > self.settings.max_redirects:
                    return self._failed(url, current, hops, f"too many redirects (more than {self.settings.max_redirects})", status)
                current = target
                attempt = 0
                continue
            if status == 429 or status >= 500:
                wait, asked = self._retry_wait(response, attempt)
                too_long = wait > self.settings.max_retry_wait or time.monotonic() + wait > self.deadline
                if asked and too_long:
                    word = "rate limited" if status == 429 else _status_text(response)
                    return LinkResult(url, NOT_CHECKED, status, f"{word}, retry after {math.ceil(wait)} s", _end(current, hops))
                if attempt >= self.settings.max_retries or too_long:
                    tries = f" after {attempt} {'retry' if attempt == 1 else 'retries'}" if attempt else ""
                    if status == 429:
                        return LinkResult(url, NOT_CHECKED, status, f"rate limited ({_status_text(response)}){tries}", _end(current, hops))
                    return self._failed(url, current, hops, f"{_status_text(response)}{tries}", status)
                await self.sleep(wait)
                attempt += 1
                continue
            if status >= 400:
                return self._failed(url, current, hops, _status_text(response), status)
            return _success(url, current, hops, response)

    async def _request(self, method: str, url: str) -> httpx.Response:
        host = (urlsplit(url).hostname or "").lower()
        limit = self.hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with limit, self.everyone:
            # httpx's timeouts are per operation; this bounds the whole request, however it trickles.
            async with asyncio.timeout(self.settings.request_timeout):
                response = await self.client.send(self.client.build_request(method, url), stream=True)
                await response.aclose()
                return response

    def _retry_wait(self, response: httpx.Response, attempt: int) -> tuple[float, bool]:
        """Seconds to wait before retrying, and whether the server asked for it."""
        header = response.headers.get("retry-after")
        if header:
            wall_now = self.wall_start + timedelta(seconds=time.monotonic() - self.mono_start)
            asked = retry_after_seconds(header, now=wall_now)
            if asked is not None:
                return asked, True
        return min(self.settings.backoff * 2**attempt, self.settings.max_retry_wait), False

    def _failed(self, url: str, current: str, hops: list[tuple[int, str]], detail: str, status: int | None = None) -> LinkResult:
        return LinkResult(url, BROKEN, status, detail, _end(current, hops))


class RefusedAddress(OSError):
    """A link's host resolves to an address the checker must not connect to."""


def address_refusal(ip: str) -> str | None:
    """'a private address (10.0.0.1)' for loopback, private, link-local, multicast or other non-public addresses; None if public."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, test in (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a private", address.is_private),
    ):
        if test:
            return f"{kind} address ({address})"
    return None if address.is_global else f"a reserved address ({address})"


async def _public_addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, if every one is public; RefusedAddress if any is not."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for ip in addresses:
        why = address_refusal(ip)
        if why:
            raise RefusedAddress(
                f"not checked: {plain_text(host)} resolves to {why}; the link checker never connects to loopback, private, "
                "link-local or multicast addresses"
            )
    return addresses


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving each host itself and connecting only to public addresses.

    Connecting to the address that was checked (rather than the name) leaves no gap for a second DNS
    answer to point somewhere else; TLS still verifies the certificate against the host name.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for ip in await _public_addresses(host, port):
            try:
                return await self._inner.connect_tcp(ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("the link checker does not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(*, limits: httpx.Limits, trust_env: bool) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=trust_env)
    # httpx has no public way to pass httpcore a network backend; its transport is a thin wrapper over this pool.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=trust_env),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PublicOnlyBackend(),
    )
    return transport


def _refusal_in(exc: BaseException) -> RefusedAddress | None:
    link: BaseException | None = exc
    seen: list[BaseException] = []
    while link is not None and link not in seen:
        if isinstance(link, RefusedAddress):
            return link
        seen.append(link)
        link = link.__cause__ or link.__context__
    return None


def retry_after_seconds(value: str, *, now: datetime) -> float | None:
    """A Retry-After header (seconds or HTTP-date) as seconds from now, or None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _success(url: str, current: str, hops: list[tuple[int, str]], response: httpx.Response) -> LinkResult:
    if hops and hops[0][0] in PERMANENT:
        suggested = url
        for status, target in hops:
            if status not in PERMANENT:
                break
            suggested = target
        first = hops[0][0]
        return LinkResult(url, REDIRECT, first, f"moved permanently ({first} {HTTPStatus(first).phrase})", suggested)
    return LinkResult(url, OK, response.status_code, _status_text(response), _end(current, hops))


def _end(current: str, hops: list[tuple[int, str]]) -> str | None:
    return current if hops else None


def _status_text(response: httpx.Response) -> str:
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = plain_text(response.reason_phrase)  # the server's own words: never trusted
    return f"{response.status_code} {phrase}".strip()


def _connection_detail(exc: BaseException) -> str:
    # httpx wraps the socket error two or three levels down; the innermost says what happened.
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "no such host"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"TLS error ({plain_text(str(chain[-1]))})"
    return f"could not connect ({plain_text(str(chain[-1]))})"


def _apply_allowlist(result: LinkResult, allowlist: Mapping[str, AllowedHost]) -> None:
    if result.verdict != BROKEN:
        return
    entry = allowlist.get((urlsplit(result.url).hostname or "").lower())
    if entry is not None:
        result.verdict = FLAKY
        result.detail = f"{result.detail}; known flaky host: {entry.reason}"


# ---------------------------------------------------------------- cache


def _load_cache(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or damaged cache only costs a full re-check
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def _fresh(entry: object, *, now: datetime, max_age: timedelta) -> LinkResult | None:
    if not isinstance(entry, dict) or entry.get("verdict") not in (OK, REDIRECT):
        return None
    try:
        checked = datetime.fromisoformat(str(entry["checked_at"]))
    except (KeyError, ValueError):
        return None
    if checked.tzinfo is None or not now - checked < max_age:
        return None
    status = entry.get("status")
    final_url = entry.get("final_url")
    return LinkResult(
        url="", verdict=str(entry["verdict"]), status=status if isinstance(status, int) else None,
        detail=f"{entry.get('detail', '')} (cached {checked.date().isoformat()})",
        final_url=final_url if isinstance(final_url, str) else None,
    )


def _save_cache(
    path: Path, *, cache: Mapping[str, dict[str, object]], checked: Iterable[LinkResult], now: datetime, max_age: timedelta
) -> None:
    """Keep fresh good entries and add this run's; broken, flaky and unchecked links are never cached."""
    entries = {url: entry for url, entry in cache.items() if _fresh(entry, now=now, max_age=max_age)}
    for result in checked:
        if result.verdict in (OK, REDIRECT):
            entries[result.url] = {
                "verdict": result.verdict, "status": result.status, "detail": result.detail,
                "final_url": result.final_url, "checked_at": now.isoformat(),
            }
        else:
            entries.pop(result.url, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps({"version": CACHE_VERSION, "entries": dict(sorted(entries.items()))}, indent=1) + "\n", encoding="utf-8")
    os.replace(scratch, path)


# ---------------------------------------------------------------- reports


def format_report(results: Iterable[LinkResult]) -> str:
    """Every result that needs attention, one compiler-style line per origin, then a count."""
    results = list(results)
    lines: list[str] = []
    offline = [r for r in results if r.detail == NO_NETWORK]
    if offline:
        lines.append(_no_network_line(len(offline)))
    for result in sorted(results, key=lambda r: (VERDICTS.index(r.verdict), r.url)):
        if result.detail != NO_NETWORK:
            lines += result_lines(result)
    lines.append(_summary(results))
    return "\n".join(lines)


def _no_network_line(count: int) -> str:
    return f"no network: not one of the {count} external links could be reached, so none was checked or called broken; run the check again when online"


def result_lines(result: LinkResult) -> list[str]:
    """One compiler-style line per origin of a result that needs attention; none for 'ok'."""
    if result.verdict == OK:
        return []
    message = _message(result)
    return [f"{origin}: {message}" for origin in result.origins or ["(unknown origin)"]]


def markdown_report(results: Iterable[LinkResult], *, now: datetime) -> str:
    """The report as Markdown, for the body of the weekly GitHub issue."""
    results = list(results)
    when = now.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z")
    out = [f"External link check of {when}: {_summary(results)}", ""]
    sections = (
        (BROKEN, "Broken links", "Fix or remove these links.", "Problem"),
        (REDIRECT, "Moved permanently", "Update these links to the new address.", "New address"),
        (FLAKY, "Failures on known-flaky hosts", "Listed in `data/link-allowlist.yaml`; check them by hand now and then.", "Problem"),
        (NOT_CHECKED, "Not checked", "These will be tried again next time.", "Why"),
    )
    offline = [r for r in results if r.detail == NO_NETWORK]
    if offline:
        out += [_no_network_line(len(offline)), ""]
    for verdict, title, advice, column in sections:
        chosen = sorted((r for r in results if r.verdict == verdict and r.detail != NO_NETWORK), key=lambda r: r.url)
        if not chosen:
            continue
        out += [f"## {title} ({len(chosen)})", "", advice, "", f"| Link | {column} | Found in |", "| --- | --- | --- |"]
        for result in chosen:
            info = result.final_url if verdict == REDIRECT and result.final_url else result.detail
            found = "<br>".join(_md_code(origin) for origin in result.origins) or "(unknown)"
            out.append(f"| {_md_cell(result.url)} | {_md_cell(info or '')} | {found} |")
        out.append("")
    if not any(r.verdict != OK for r in results):
        out += ["No problems found.", ""]
    return "\n".join(out)


def _message(result: LinkResult) -> str:
    if result.verdict == BROKEN:
        where = f" at {result.final_url}" if result.final_url else ""
        return f"link {result.url} is broken ({result.detail}{where})"
    if result.verdict == REDIRECT:
        return f"link {result.url} has moved permanently ({result.status}); change it to {result.final_url}"
    if result.verdict == FLAKY:
        return f"warning: link {result.url} failed ({result.detail})"
    return f"link {result.url} was not checked ({result.detail})"


def _summary(results: Sequence[LinkResult]) -> str:
    counts = {verdict: sum(1 for r in results if r.verdict == verdict) for verdict in VERDICTS}
    parts = ", ".join(f"{counts[v]} {v}" for v in (OK, REDIRECT, BROKEN, FLAKY, NOT_CHECKED))
    return f"{len(results)} external link{'s' if len(results) != 1 else ''}: {parts}"


def _md_cell(text: str) -> str:
    """Text for a Markdown table cell that can only ever show as text: no links, images, mentions, HTML or new cells."""
    text = html_escape(plain_text(text, limit=MAX_URL_CHARS), quote=False)
    return _MD_SPECIAL.sub(r"\\\g<0>", text)


def _md_code(text: str) -> str:
    """Our own origin (a page or a data line) as a code span, fenced by more backticks than it holds."""
    text = plain_text(text, limit=MAX_URL_CHARS).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if len(fence) > 1 else f"`{text}`"


def plain_text(text: str, *, limit: int = 200) -> str:
    """What a server sent, made safe to print: control characters shown as escapes, at most `limit` characters."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Check a built site from the command line; exit 1 if any link is broken."""
    parser = argparse.ArgumentParser(prog="python -m sitedata.postbuild.links", description=__doc__)
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="built site directory (default: site/)")
    parser.add_argument("--site-url", default=None, help="the site's own address (site_url), whose links are internal")
    parser.add_argument("--external", action="store_true", help="also check external links (network)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="external results cache (default: .cache/links.json)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST, help="known-flaky hosts (default: data/link-allowlist.yaml)")
    parser.add_argument("--total-time", type=float, default=CheckSettings.total_time, help="seconds for the whole external check")
    parser.add_argument("--timeout", type=float, default=CheckSettings.request_timeout, help="seconds for one request")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the external report as Markdown to this file")
    parser.add_argument(
        "--allow-private-addresses", action="store_true",
        help="also connect to loopback and private addresses (only for tests against a server on this machine)",
    )
    args = parser.parse_args(argv)

    if not args.site.is_dir():
        print(f"{args.site}: no such directory; build the site first (mkdocs build)", file=sys.stderr)
        return 2
    started = time.monotonic()
    problems = check_site(args.site, base_path=urlsplit(args.site_url or "").path or "/")
    for problem in problems:
        print(problem)
    print(f"checked internal links in {args.site} in {time.monotonic() - started:.1f} s: {len(problems)} problem(s)", file=sys.stderr)
    failed = bool(problems)

    if args.external:
        now = datetime.now(LONDON)
        try:
            allowlist = load_allowlist(path=args.allowlist, today=now.date())
        except DataErrors as exc:
            print(exc.report(outcome="the external link check did not run."), file=sys.stderr)
            return 2
        except ValueError as exc:  # a file not named link-allowlist.yaml
            print(f"error: {exc}", file=sys.stderr)
            return 2
        origins = external_links_in_site(args.site, site_url=args.site_url)
        settings = CheckSettings(
            total_time=args.total_time, request_timeout=args.timeout, public_addresses_only=not args.allow_private_addresses
        )
        results = check_external(
            origins, now=now, settings=settings, allowlist=allowlist,
            cache_path=None if args.no_cache else args.cache, progress=_Progress(),
        )
        print(format_report(results))
        if args.markdown:
            args.markdown.write_text(markdown_report(results, now=now), encoding="utf-8")
        failed = failed or any(r.verdict == BROKEN for r in results)
    return 1 if failed else 0


class _Progress:
    """Prints 'checked N/M links…' to stderr every few seconds and at the end."""

    def __init__(self, *, every: float = 2.0) -> None:
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        moment = time.monotonic()
        if done == total or moment - self.last >= self.every:
            self.last = moment
            print(f"checked {done}/{total} links…", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
