"""Hardening of built pages: a Content-Security-Policy that hashes the theme's inline scripts, and no opener or referrer for external links.

Plain functions over the final HTML of a page, so the build (sitedata.build.Build.finish_page) stays a thin
adapter and the offline build can reuse the same policy with origin="file".

Only inline scripts that the theme's own partials/javascripts/*.html templates emit are hashed into
the policy. Any other executable inline script (an analytics snippet, a script that slipped in from
content) is an error, so the policy can never end up allowing a script injected through the data.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

Origin = Literal["server", "file"]

EXTERNAL_LINK_REL = ("noopener", "noreferrer")
# A start tag, allowing '>' inside quoted attribute values.
_TAG_BODY = r"""(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)"""
_A_TAG = re.compile(r"<a\b" + _TAG_BODY + r">", re.IGNORECASE)
# A script's text ends at the first "</script", whatever it says (as the HTML parser does).
_SCRIPT = re.compile(r"<script\b" + _TAG_BODY + r">(?P<text>.*?)</script", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""(?P<name>[^\s"'>/=]+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+)))?""")
_HEAD_OPEN = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_CHARSET_META = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
_EXTERNAL_HREF = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
# What a {{ expression }} in a theme script may have produced: a path or name, never markup or a quote.
_EXPRESSION_VALUE = r"""[^"'<>\\]*"""
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript"}
THEME_SCRIPT_GLOB = "partials/javascripts/*.html"


class UntrustedScript(ValueError):
    """An executable inline script that no theme template emits."""


def harden_page(
    page_html: str, *, trusted: Iterable[re.Pattern[str]], origin: Origin = "server", extra_script_hashes: Iterable[str] = ()
) -> str:
    """The page with rel="noopener noreferrer" on external links and a CSP meta tag that allows its theme scripts only."""
    # extra_script_hashes: inline scripts the page will create rather than contain, such as the one the
    # offline copy's iframe-worker shim writes into its iframe (sitedata.postbuild.offline.shim_csp_hashes).
    page_html = add_external_link_rel(page_html)
    patterns = tuple(trusted)
    hashes = []
    for text in inline_scripts(page_html):
        if not any(p.fullmatch(text) for p in patterns):
            raise UntrustedScript(
                f"inline <script> not emitted by the theme's {THEME_SCRIPT_GLOB}: {text[:80]!r}; "
                "put scripts in files under overrides/assets/javascripts/ (inline scripts are blocked by the Content-Security-Policy)"
            )
        hashes.append(script_hash(text))
    return insert_csp_meta(page_html, policy=content_security_policy(script_hashes=[*hashes, *extra_script_hashes], origin=origin))


def trusted_scripts(*, template_dirs: Iterable[Path]) -> tuple[re.Pattern[str], ...]:
    """Patterns for the inline scripts the theme's partials/javascripts/*.html templates can emit."""
    patterns = []
    for folder in template_dirs:
        for template in sorted(Path(folder).glob(THEME_SCRIPT_GLOB)):
            for text in inline_scripts(template.read_text(encoding="utf-8")):
                literal = map(re.escape, _JINJA_EXPRESSION.split(text))
                patterns.append(re.compile(_EXPRESSION_VALUE.join(literal), re.DOTALL))
    return tuple(patterns)


def content_security_policy(*, script_hashes: Iterable[str], origin: Origin = "server") -> str:
    """The site's policy: only our own origin, scripts from our files or with a listed hash, nothing else."""
    own = "'self'" if origin == "server" else "'self' file:"
    hashes = sorted(set(script_hashes))
    directives = {
        "default-src": own,
        "script-src": " ".join([own, *hashes]),
        "style-src": own,
        "img-src": f"{own} data:",
        "font-src": own,
        "connect-src": own,
        "worker-src": own,
        "frame-src": own,
        "manifest-src": own,
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": own,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def script_hash(text: str) -> str:
    """The CSP source expression ('sha256-...') for an inline script's text, as the browser hashes it."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")  # the HTML parser normalises newlines first
    digest = hashlib.sha256(normalised.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(page_html: str) -> list[str]:
    """The text of every executable <script> element without a src attribute, exactly as written (data blocks are skipped)."""
    found = []
    for match in _SCRIPT.finditer(page_html):
        attrs = dict(_attributes(match["attrs"]))
        if "src" not in attrs and (attrs.get("type") or "").strip().lower() in _JS_TYPES:
            found.append(match["text"])
    return found


def add_external_link_rel(page_html: str) -> str:
    """Add rel="noopener noreferrer" to every link whose href leaves the site, keeping any rel tokens it had."""
    return _A_TAG.sub(_with_external_rel, page_html)


def insert_csp_meta(page_html: str, *, policy: str) -> str:
    """Put the policy in a meta tag before anything that could load or run: after <meta charset>, else after <head>."""
    content = html.escape(policy, quote=False).replace('"', "&quot;")  # keep the policy's single quotes readable
    tag = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    anchor = _CHARSET_META.search(page_html) or _HEAD_OPEN.search(page_html)
    if anchor is None:
        raise ValueError("the page has no <head> to put the Content-Security-Policy in")
    return f"{page_html[: anchor.end()]}\n{tag}{page_html[anchor.end() :]}"


def check_exit_url(url: object) -> str:
    """The quick-exit destination if it is an absolute https URL; otherwise a ValueError saying what to write."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"extra.quick_exit_url: {url!r} is not an absolute https URL (write one like 'https://www.example.com/weather')")
    return url  # type: ignore[return-value]


def _attributes(attrs: str) -> Iterator[tuple[str, str | None]]:
    for m in _ATTR.finditer(attrs):
        value = next((v for v in (m["dq"], m["sq"], m["bare"]) if v is not None), None)
        yield m["name"].lower(), value


def _with_external_rel(match: re.Match[str]) -> str:
    attrs = match["attrs"]
    if "//" not in attrs and "&" not in attrs:
        return match[0]  # no href in it can start with // or http(s)://, even once unescaped: most links, cheaply
    found = dict(_attributes(attrs))
    if not _EXTERNAL_HREF.match(html.unescape(found.get("href") or "")):
        return match[0]
    existing = (found.get("rel") or "").split()
    tokens = existing + [t for t in EXTERNAL_LINK_REL if t not in existing]
    rel = f'rel="{" ".join(tokens)}"'
    rel_attr = next((m for m in _ATTR.finditer(attrs) if m["name"].lower() == "rel"), None)
    if rel_attr is None:
        return f"<a{attrs.rstrip()} {rel}>"
    return f"<a{attrs[: rel_attr.start()]}{rel}{attrs[rel_attr.end() :]}>"
