"""Unit tests for hooks/sitedata/postbuild/hardening.py: the CSP with script hashes, rel on external links, the quick-exit URL."""

from __future__ import annotations

from pathlib import Path

import material
import pytest

from sitedata.postbuild.hardening import (
    UntrustedScript,
    add_external_link_rel,
    check_exit_url,
    content_security_policy,
    harden_page,
    inline_scripts,
    insert_csp_meta,
    script_hash,
    trusted_scripts,
)

MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
MD_SCOPE = (
    '__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
    '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
    '__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}'
)
PAGE = f"""<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>t</title>
<script>{MD_SCOPE}</script>
</head><body>
<a href="https://example.org/a">out</a> <a href="../b/">in</a> <a href="tel:+448082000247">call</a>
<script id="__config" type="application/json">{{"base": "../.."}}</script>
<script src="../../assets/javascripts/bundle.js"></script>
</body></html>"""


@pytest.fixture(scope="module")
def trusted() -> tuple:
    return trusted_scripts(template_dirs=[MATERIAL_TEMPLATES])


def test_script_hash_matches_the_browsers() -> None:
    # The example in MDN's Content-Security-Policy script-src documentation.
    assert script_hash("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    assert script_hash("a\r\nb") == script_hash("a\nb")  # the HTML parser turns CRLF into LF before hashing


def test_inline_scripts_are_the_executable_ones_without_src() -> None:
    html = (
        '<script>one()</script><script type="module">two()</script>'
        '<script type="application/json">{}</script><script src="x.js"></script>'
    )
    assert inline_scripts(html) == ["one()", "two()"]


def test_the_theme_scripts_are_hashed_into_the_policy(trusted: tuple) -> None:
    out = harden_page(PAGE, trusted=trusted)
    policy = out.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert f"script-src 'self' {script_hash(MD_SCOPE)};" in policy
    assert "default-src 'self';" in policy and "object-src 'none';" in policy and "'unsafe-inline'" not in policy


def test_the_policy_comes_right_after_the_charset(trusted: tuple) -> None:
    out = harden_page(PAGE, trusted=trusted)
    assert out.index('<meta charset="utf-8">') < out.index("Content-Security-Policy") < out.index("<script")


def test_an_inline_script_the_theme_does_not_emit_stops_the_build(trusted: tuple) -> None:
    page = PAGE.replace("</body>", "<script>alert(1)</script></body>")
    with pytest.raises(UntrustedScript, match=r"inline <script> not emitted by the theme's partials/javascripts/\*\.html: 'alert\(1\)'"):
        harden_page(page, trusted=trusted)


def test_a_theme_script_with_markup_in_its_expression_is_not_trusted(trusted: tuple) -> None:
    page = PAGE.replace('new URL("../..",', 'new URL("</script><img src=x>",')
    with pytest.raises(UntrustedScript):
        harden_page(page, trusted=trusted)


def test_analytics_snippets_are_not_trusted(trusted: tuple) -> None:
    """Only partials/javascripts/ counts: Material's analytics integration would fail the build."""
    page = PAGE.replace("</body>", '<script>"undefined"!=typeof __md_analytics&&__md_analytics()</script></body>')
    with pytest.raises(UntrustedScript):
        harden_page(page, trusted=trusted)


def test_external_links_get_noopener_noreferrer_and_keep_their_rel() -> None:
    html = (
        '<a href="https://example.org/">a</a>'
        '<a rel="nofollow" href="//example.org/">b</a>'
        "<a title='x > y' href='HTTP://example.org/'>c</a>"
        '<a href="../local/">d</a><a href="tel:+44">e</a><a href="mailto:a@b.c">f</a><a name="top">g</a>'
    )
    assert add_external_link_rel(html) == (
        '<a href="https://example.org/" rel="noopener noreferrer">a</a>'
        '<a rel="nofollow noopener noreferrer" href="//example.org/">b</a>'
        "<a title='x > y' href='HTTP://example.org/' rel=\"noopener noreferrer\">c</a>"
        '<a href="../local/">d</a><a href="tel:+44">e</a><a href="mailto:a@b.c">f</a><a name="top">g</a>'
    )


def test_links_that_already_have_both_tokens_are_unchanged() -> None:
    html = '<a href="https://example.org/" rel="noreferrer noopener">a</a>'
    assert add_external_link_rel(html) == html


def test_insert_csp_meta_needs_a_head() -> None:
    assert insert_csp_meta("<html><head><title>t</title></head></html>", policy="default-src 'self'").startswith(
        "<html><head>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">"
    )
    with pytest.raises(ValueError, match="no <head>"):
        insert_csp_meta("<p>fragment</p>", policy="default-src 'self'")


def test_the_file_policy_adds_the_file_scheme() -> None:
    served = content_security_policy(script_hashes=[])
    offline = content_security_policy(script_hashes=[], origin="file")
    assert "file:" not in served
    assert "default-src 'self' file:;" in offline and "script-src 'self' file:;" in offline


@pytest.mark.parametrize("url", ["https://www.bbc.co.uk/weather", "https://example.org/"])
def test_an_https_exit_url_is_accepted(url: str) -> None:
    assert check_exit_url(url) == url


@pytest.mark.parametrize("url", ["http://www.bbc.co.uk/weather", "/weather", "javascript:alert(1)", "", None, 42])
def test_any_other_exit_url_is_refused_with_a_fix(url: object) -> None:
    with pytest.raises(ValueError, match=r"extra\.quick_exit_url: .* is not an absolute https URL \(write one like 'https://"):
        check_exit_url(url)
