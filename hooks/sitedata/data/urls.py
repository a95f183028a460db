"""Which web addresses and links the data may hold: judged one address at a time, as a browser would read it.

Allowed: https: addresses of public host names (no user name before the host, no IP address, a valid
port); plain mailto: with one address and nothing after it; tel: with a valid UK number; links to
our own pages. Everything else is refused with the reason and the fix, because every link on the
site is followed by a practitioner, sometimes with a person at risk beside them.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote, urlsplit

from sitedata.data.errors import describe
from sitedata.data.phones import phone_problem

# A dotted host name whose last label is letters (or an IDN's punycode): no IP addresses, no single labels.
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
# Names that never reach the public internet (RFC 6761, RFC 6762, RFC 8375 and common private suffixes).
_PRIVATE_SUFFIXES = ("localhost", "local", "internal", "intranet", "lan", "home.arpa", "test", "example", "invalid", "corp", "onion")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# What a browser strips before it reads a link: ASCII tab and newlines anywhere, controls and spaces at the ends.
_STRIPPED_ANYWHERE = re.compile(r"[\t\n\r]")


def https_problem(url: str) -> str | None:
    """Why `url` is not an https address of a public web site, or None."""
    if any(c.isspace() for c in url):
        return f"{describe(url)} contains a space; remove it or write it as %20"
    parts = urlsplit(url)
    if parts.scheme == "http":
        return f"{describe(url)} uses http; use 'https://{url[7:]}' (check the page opens with https first)"
    if parts.scheme != "https":
        return f"{describe(url)} is not a full web address; it must start with https://"
    return _web_problem(url, parts.netloc)


def link_problem(href: str) -> str | None:
    """Why a link's target (an href in the rendered HTML) is not allowed, or None."""
    target = _STRIPPED_ANYWHERE.sub("", href).strip("\x00- ")
    if "\\" in target:
        return f"link {describe(href)} contains '\\', which browsers read as '/'; write the address with '/'"
    if target.startswith("//"):
        return (
            f"link {describe(href)} starts with '//', which a browser reads as another web site; "
            "write it in full with https://, or as a path on this site without the leading '//'"
        )
    scheme = _SCHEME.match(target)
    if scheme is None:
        return None  # a page or anchor on this site; the build's link check finds missing ones
    name = scheme.group(1).lower()
    if name == "https":
        problem = https_problem(target)
        return f"link {problem}" if problem else None
    if name == "mailto":
        return mailto_problem(target)
    if name == "tel":
        return tel_problem(target)
    if name == "http":
        return f"link {describe(href)} uses http; use https:// (check the page opens with https first)"
    return f"link {describe(href)} uses '{name}:'; links may only be https://, mailto:, tel: or a page on this site"


def image_problem(src: str) -> str | None:
    """Images come from this site only: the Content-Security-Policy blocks others, and they would tell another site who reads the page."""
    target = _STRIPPED_ANYWHERE.sub("", src).strip("\x00- ")
    if _SCHEME.match(target) or target.startswith(("//", "\\", "/\\")) or "\\" in target:
        return f"image {describe(src)} is not on this site; put the image in docs/ and link to it by its path"
    return None


def mailto_problem(url: str) -> str | None:
    """A mailto: link is one plain address: no '?cc=', '?bcc=' or '?body=' that would add recipients or text."""
    address = url.split(":", 1)[1]
    if "?" in address or "&" in address:
        return (
            f"link {describe(url)} has something after the address ('?...'); write a plain mailto:name@example.org.uk: "
            "'?bcc=' or '?cc=' would copy a practitioner's email to someone else"
        )
    decoded = unquote(address)
    if not _EMAIL.match(decoded):
        return f"link {describe(url)} is not one well-formed email address; it should look like mailto:name@example.org.uk"
    return None


def tel_problem(url: str) -> str | None:
    """A tel: link dials a valid UK number, written in digits."""
    number = unquote(url.split(":", 1)[1])
    if number.startswith("+44"):
        number = "0" + number[3:]
    problem = phone_problem(number)
    return f"link {describe(url)}: {problem}" if problem else None


def _web_problem(url: str, netloc: str) -> str | None:
    if "@" in netloc:
        host = netloc.rsplit("@", 1)[1].split(":", 1)[0]
        return (
            f"{describe(url)} has a user name before its host ('...@'); a browser would go to {describe(host)}, not to the site it appears "
            "to name; remove everything between https:// and the '@'"
        )
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return f"{describe(url)} has an invalid port after the host name; remove the ':' and what follows it up to the next '/'"
    if netloc.endswith(":") or port == 0:
        return f"{describe(url)} has an invalid port after the host name; remove the ':' and what follows it up to the next '/'"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return f"{describe(url)} has no valid host name after https://"
    if _is_ip(host):
        return f"{describe(url)} uses an IP address; use the web site's name, such as https://www.example.org.uk/"
    if host.split(".")[-1] in _PRIVATE_SUFFIXES or any(host.endswith("." + s) for s in _PRIVATE_SUFFIXES):
        return f"{describe(url)} names a host that is not on the public internet; link to a public web site"
    if not _HOST.match(host):
        return f"{describe(url)} has no valid host name after https://"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.startswith("[")
    return True
