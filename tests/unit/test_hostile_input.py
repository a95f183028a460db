"""Issue 16: hostile data files get one located refusal, quickly and in bounded memory, never a traceback or a hang.

Each test names the numbered failure of the issue it reproduces. The memory-bound tests run `make check`'s
code path (`python -m sitedata check`) in a child process whose address space is capped, so a loader that
expanded aliases or recursed without limit would die there rather than take the machine with it.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys

import pytest

from conftest import ROOT, TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.data.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, parse
from sitedata.views.exports import services_csv

HEADER = "# yaml-language-server: $schema=schema/tags.schema.json\n"
# Address space for the child: Python with PyYAML and jsonschema needs a few hundred MB; the alias
# bomb needed 7.7 GB before the fix.
MEMORY_CAP = 1024 * 2**20


def errors_of(data: DataCopy) -> list[str]:
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    return [str(e) for e in info.value.errors]


def check_in_child(data: DataCopy, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m sitedata check` on the copy, with its memory capped and a time limit."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks")}
    return subprocess.run(
        [sys.executable, "-m", "sitedata", "check", "--data", str(data.path), "--today", TODAY.isoformat()],
        capture_output=True, text=True, timeout=timeout, preexec_fn=cap, env=env, cwd=ROOT,
    )  # fmt: skip


def billion_laughs(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- 1. alias expansion


def test_failure_1_alias_bomb_is_refused_in_bounded_memory(data: DataCopy) -> None:
    bomb = billion_laughs()
    assert len(bomb.encode()) < 700  # the 600-byte file expanded to 7.7 GB
    data.write("tags.yaml", HEADER + "tags: []\n" + bomb)
    result = check_in_child(data)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "data/tags.yaml:3:5: '&a0' is an anchor; anchors and aliases are not used in these files "
        "(they can make a small file expand without limit); write the value out in full"
    )


def test_an_alias_is_refused_where_it_is_written() -> None:
    _doc, errors = parse("a: 1\nb:\n  - *x\n", display="data/tags.yaml")
    assert [str(e) for e in errors] == [
        "data/tags.yaml:3:5: '*x' is an alias; anchors and aliases are not used in these files "
        "(they can make a small file expand without limit); write the value out in full"
    ]


# ---------------------------------------------------------------- 2. deep nesting, self-reference, huge integers


@pytest.mark.parametrize("levels", [500, 100_000])
def test_failure_2_deep_flow_nesting_is_located(data: DataCopy, levels: int) -> None:
    data.write("tags.yaml", HEADER + "tags: " + "[" * levels + "]" * levels + "\n")
    result = check_in_child(data)  # 100,000 levels crashed the C composer (segmentation fault)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"data/tags.yaml:2:{7 + MAX_DEPTH - 1}: nested more than {MAX_DEPTH} levels deep; "
        "the data files are never this deep; check the indentation, and look for '[' or '{' that are never closed"
    )


def test_deep_block_nesting_is_located_too() -> None:
    text = "tags:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(50)) + "  " * 51 + "v: 1\n"
    _doc, errors = parse(text, display="data/tags.yaml")
    (error,) = errors
    assert str(error).startswith(f"data/tags.yaml:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep")


def test_failure_2_self_referencing_alias_is_located(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + "tags: &t\n  - *t\n")
    assert errors_of(data) == [
        "data/tags.yaml:2:7: '&t' is an anchor; anchors and aliases are not used in these files "
        "(they can make a small file expand without limit); write the value out in full"
    ]


def test_failure_2_hundred_thousand_digit_integer_is_located(data: DataCopy) -> None:
    line = data.replace("tags.yaml", "    name: Helplines\n", "    name: Helplines\n    count: " + "9" * 100_000 + "\n") + 1
    errors = errors_of(data)
    assert f"data/tags.yaml:{line}:12: a number 100,000 digits long is too long to read; check it, or put it in quotes if it is text" in errors
    assert all(e.startswith("data/tags.yaml:") for e in errors)


# ---------------------------------------------------------------- 4. files that are not regular files


def test_failure_4_symlink_to_a_system_file_is_refused_without_reading_it(data: DataCopy) -> None:
    (data.path / "tags.yaml").unlink()
    (data.path / "tags.yaml").symlink_to("/etc/passwd")
    (error,) = errors_of(data)
    assert error == (
        "data/tags.yaml:1:1: is a symbolic link; data files must be ordinary files kept in data/: replace the link with the file itself"
    )
    assert "root" not in error


def test_failure_4_symlink_to_dev_zero_is_refused(data: DataCopy) -> None:
    (data.path / "tags.yaml").unlink()
    (data.path / "tags.yaml").symlink_to("/dev/zero")
    result = check_in_child(data)
    assert result.returncode == 1
    assert result.stderr.startswith("data/tags.yaml:1:1: is a symbolic link;")


def test_failure_4_fifo_is_refused_without_hanging(data: DataCopy) -> None:
    (data.path / "tags.yaml").unlink()
    os.mkfifo(data.path / "tags.yaml")
    result = check_in_child(data, timeout=30)  # opening the pipe for reading would wait for a writer forever
    assert result.returncode == 1
    assert result.stderr.startswith("data/tags.yaml:1:1: is a named pipe (FIFO), not a file; data files must be ordinary files kept in data/")


def test_failure_4_directory_is_refused(data: DataCopy) -> None:
    (data.path / "tags.yaml").unlink()
    (data.path / "tags.yaml").mkdir()
    assert errors_of(data) == ["data/tags.yaml:1:1: is a folder, not a file; data files must be ordinary files kept in data/"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(data: DataCopy) -> None:
    with open(data.path / "tags.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    (error,) = errors_of(data)
    assert error == (
        f"data/tags.yaml:1:1: file is larger than 32 MiB ({MAX_FILE_BYTES + 1:,} bytes read), the limit for one data file; "
        "split it or remove what does not belong in it"
    )


# ---------------------------------------------------------------- 10. exact positions


def test_failure_10_nul_byte_is_reported_at_its_line_and_column(data: DataCopy) -> None:
    line = data.replace("tags.yaml", "    name: Helplines\n", "    name: Help\x00lines\n")
    assert errors_of(data) == [
        f"data/tags.yaml:{line}:15: control character U+0000 (NUL) here; it is invisible in most editors and is not allowed in data files: "
        "delete it (retype the text around it if you cannot see it)"
    ]


def test_failure_10_esc_byte_is_reported_at_its_line_and_column(data: DataCopy) -> None:
    line = data.replace("tags.yaml", "    description: Services to call.\n", "    description: Services \x1b[31mto call.\n")
    (error,) = errors_of(data)
    assert error.startswith(f"data/tags.yaml:{line}:27: control character U+001B (ESC) here;")


def test_failure_10_invalid_utf8_mid_file_is_reported_where_it_is(data: DataCopy) -> None:
    path = data.path / "tags.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[4] = "    description: Caf\xe9"  # written below as Latin-1: one byte 0xe9, not UTF-8
    path.write_bytes("\n".join(lines).encode("latin-1"))
    assert errors_of(data) == ["data/tags.yaml:5:21: file is not UTF-8 text (byte e9: invalid continuation byte); save it as UTF-8"]


def test_failure_10_unclosed_quote_is_reported_where_it_opens(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + 'tags:\n  - id: "a\n    name: A\n  - id: b\n    name: B\n')
    assert errors_of(data) == [
        "data/tags.yaml:3:9: not valid YAML: the quote opened here is not closed (the parser gave up at line 7, column 1: "
        "found unexpected end of stream); close it on this line or check the lines up to there"
    ]


def test_failure_10_unclosed_bracket_is_reported_where_it_opens(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + "tags: [\n  {id: a, name: A},\n  {id: b, name: B}\nother: 1\n")
    (error,) = errors_of(data)
    assert error.startswith("data/tags.yaml:2:7: not valid YAML: the '[' opened here is not closed (the parser gave up at line 5")


# ---------------------------------------------------------------- 7. invisible characters, raw or escaped


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ('"Help\\0lines"', "control character U+0000 (NUL) written as an escape (such as \\0 or \\u0000)"),
        ('"Help\\u202elines"', "bidirectional-text control U+202E (RIGHT-TO-LEFT OVERRIDE) written as an escape (such as \\0 or \\u202e)"),
        ('"Help\\u200blines"', "invisible character U+200B (ZERO WIDTH SPACE) written as an escape (such as \\0 or \\u200b)"),
        ('"Help\\x1blines"', "control character U+001B (ESC) written as an escape (such as \\0 or \\u001b)"),
    ],
)
def test_failure_7_escaped_invisible_characters_are_refused(data: DataCopy, written: str, shown: str) -> None:
    line = data.replace("tags.yaml", "    name: Helplines\n", f"    name: {written}\n")
    assert errors_of(data) == [
        f"data/tags.yaml:{line}:11: {shown}; it would be invisible on the page and is not allowed in data files: remove the escape"
    ]


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\ufeff", "\x7f"])
def test_raw_invisible_characters_are_refused_even_in_comments(data: DataCopy, char: str) -> None:
    line = data.replace("tags.yaml", "    name: Helplines\n", f"    # a comment{char}\n    name: Helplines\n")
    (error,) = errors_of(data)
    assert error.startswith(f"data/tags.yaml:{line}:16: ")
    assert "is not allowed in data files" in error


def test_a_byte_order_mark_at_the_start_is_allowed() -> None:
    doc, errors = parse("\ufeffa: 1\n", display="data/x.yaml")
    assert errors == [] and doc is not None and doc.data == {"a": 1}


def test_many_bad_characters_give_a_bounded_list() -> None:
    _doc, errors = parse("a: " + "\u200b" * 10_000 + "\n", display="data/x.yaml")
    assert len(errors) == 10


def test_every_real_data_file_loads_without_complaint_and_every_value_is_located() -> None:
    def paths(value: object, path: tuple = ()) -> list[tuple]:
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        return [path, *(p for key, child in children for p in paths(child, (*path, key)))]

    for file in sorted((ROOT / "data").glob("*.yaml")):
        doc, errors = parse(file.read_text(encoding="utf-8"), display=f"data/{file.name}")
        assert errors == [] and doc is not None, file
        assert set(paths(doc.data)) == set(doc.values), file


def test_sizes_and_depths_of_the_real_data_are_well_inside_the_limits() -> None:
    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    for path in (ROOT / "data").glob("*.yaml"):
        assert path.stat().st_size < MAX_FILE_BYTES // 100
        doc, _ = parse(path.read_text(encoding="utf-8"), display=path.name)
        assert doc is not None and depth(doc.data) <= MAX_DEPTH // 2


# ---------------------------------------------------------------- 3. links judged by the HTML Markdown renders

BODY = "      A **hub** with [a link](https://example.org.uk/hub).\n"
ENTRY = "practice 'redbridge-hub': body: "


def body_errors(data: DataCopy, body_lines: str) -> tuple[int, list[str]]:
    """Replace the fixture practice's body; return the line the new body starts on and the errors."""
    line = data.replace("practices.yaml", BODY, body_lines)
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    return line, [str(e) for e in info.value.errors]


def test_failure_3_javascript_in_a_reference_style_link_is_refused_at_its_line(data: DataCopy) -> None:
    line, errors = body_errors(data, "      A hub with [a link][r].\n\n      [r]: javascript:alert(1)\n")
    assert errors == [
        f"data/practices.yaml:{line + 2}:11: {ENTRY}link 'javascript:alert(1)' uses 'javascript:'; "
        "links may only be https://, mailto:, tel: or a page on this site"
    ]


def test_failure_3_mailto_with_bcc_is_refused(data: DataCopy) -> None:
    line, errors = body_errors(data, "      Write to [the hub](mailto:hub@example.org.uk?bcc=someone@elsewhere.example).\n")
    assert errors == [
        f"data/practices.yaml:{line}:11: {ENTRY}link 'mailto:hub@example.org.uk?bcc=someone@elsewhere.example' has something after the "
        "address ('?...'); write a plain mailto:name@example.org.uk: '?bcc=' or '?cc=' would copy a practitioner's email to someone else"
    ]


def test_failure_3_protocol_relative_link_is_refused(data: DataCopy) -> None:
    line, errors = body_errors(data, "      See [this](//evil.example.com/x).\n")
    assert errors == [
        f"data/practices.yaml:{line}:11: {ENTRY}link '//evil.example.com/x' starts with '//', which a browser reads as another web site; "
        "write it in full with https://, or as a path on this site without the leading '//'"
    ]


def test_failure_3_look_alike_address_with_user_info_is_refused(data: DataCopy) -> None:
    line, errors = body_errors(data, "      Call [the helpline](https://www.nationaldahelpline.org.uk@elsewhere.example.com/).\n")
    assert errors == [
        f"data/practices.yaml:{line}:11: {ENTRY}link 'https://www.nationaldahelpline.org.uk@elsewhere.example.com/' has a user name before "
        "its host ('...@'); a browser would go to 'elsewhere.example.com', not to the site it appears to name; remove everything between https:// and the '@'"
    ]


@pytest.mark.parametrize("url", ["https://example.org.uk:99999/", "https://example.org.uk:0/", "https://example.org.uk:/", "https://example.org.uk:8o/"])
def test_failure_3_invalid_ports_are_refused(data: DataCopy, url: str) -> None:
    line, errors = body_errors(data, f"      See [this]({url}).\n")
    assert errors == [
        f"data/practices.yaml:{line}:11: {ENTRY}link '{url}' has an invalid port after the host name; remove the ':' and what follows it up to the next '/'"
    ]


@pytest.mark.parametrize("url", ["https://169.254.169.254/latest/", "https://10.0.0.1/", "https://[::1]/", "https://127.0.0.1:8000/"])
def test_failure_3_ip_literal_hosts_are_refused(data: DataCopy, url: str) -> None:
    line, errors = body_errors(data, f"      See [this]({url}).\n")
    assert errors == [
        f"data/practices.yaml:{line}:11: {ENTRY}link '{url}' uses an IP address; use the web site's name, such as https://www.example.org.uk/"
    ]


@pytest.mark.parametrize("url", ["https://localhost/", "https://printer.local/", "https://wiki.internal/", "https://intranet/"])
def test_private_host_names_are_refused(data: DataCopy, url: str) -> None:
    _line, errors = body_errors(data, f"      See [this]({url}).\n")
    assert len(errors) == 1 and ("not on the public internet" in errors[0] or "no valid host name" in errors[0])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[x](JavaScript:alert(1))", "uses 'javascript:'"),
        ("[x](java&#x09;script:alert(1))", ""),  # an entity is escaped by the renderer: a harmless relative path
        ("[x](data:text/html,hi)", "uses 'data:'"),
        ("[x](http://example.org.uk/)", "uses http"),
        ("[x](tel:0800ABCDEF)", "has letters in it"),
        ("[x](tel:+448082000247)", ""),
        ("[x](mailto:hub@example.org.uk)", ""),
        ("[x](mailto:a@example.org.uk,b@example.org.uk)", "is not one well-formed email address"),
        ("[x](/\\\\evil.example.com/)", "contains '\\'"),
        ("![x](https://tracker.example.com/pixel.png)", "image 'https://tracker.example.com/pixel.png' is not on this site"),
        ("![x](../assets/images/logo.svg)", ""),
        ("[x](../directory/#refuge)", ""),
        ("[x](#top)", ""),
    ],
)
def test_links_are_judged_as_rendered(data: DataCopy, body: str, problem: str) -> None:
    line = data.replace("practices.yaml", BODY, f"      See {body} here.\n")
    if not problem:
        load_site(data_dir=data.path, today=TODAY)
        return
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    (error,) = [str(e) for e in info.value.errors]
    assert error.startswith(f"data/practices.yaml:{line}:11: {ENTRY}") and problem in error


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://www.nationaldahelpline.org.uk@elsewhere.example.com/", "has a user name before its host"),
        ("https://169.254.169.254/", "uses an IP address"),
        ("https://example.org.uk:99999/", "has an invalid port"),
        ("https://localhost/chat", "names a host that is not on the public internet"),
        ("javascript:alert(1)", "is not a full web address"),
    ],
)
def test_url_fields_follow_the_same_rules(data: DataCopy, url: str, problem: str) -> None:
    line = data.replace("helplines.yaml", "url: https://example.org.uk/chat", f"url: {url}")
    (error,) = errors_of(data)
    assert error.startswith(f"data/helplines.yaml:{line}:14: service 'example-helpline': channels[1].url: '{url}' {problem}")


# ---------------------------------------------------------------- 9. letters in phone numbers


def test_failure_9_letters_in_a_phone_number_are_refused_with_the_digits_they_mean(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", '"0808 2000 247"', '"0800 ABC DEF"')
    assert errors_of(data) == [
        f"data/helplines.yaml:{line}:17: service 'example-helpline': channels[0].number: '0800 ABC DEF' has letters in it; "
        "write the number in digits, as the phone would dial it (the letters stand for '0800 222 333'; check that is the service's number)"
    ]


def test_other_characters_in_a_phone_number_are_refused(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", '"0808 2000 247"', '"0808 2000 247 #2"')
    assert errors_of(data) == [
        f"data/helplines.yaml:{line}:17: service 'example-helpline': channels[0].number: '0808 2000 247 #2' has characters other than "
        "digits, spaces and brackets ('#'); write the number in digits"
    ]


# ---------------------------------------------------------------- 8. CSV cells that a spreadsheet would run

FORMULA = "HYPERLINK('https://example.org.uk','x')"


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "start",
    [
        "=", "+", "-", "@", "|", "%",  # ASCII triggers, DDE's '|' included
        "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c", "\uff05",  # their full-width forms
        " =", "  +", "\\t=", "\\n=", "\\r\\n@", "\u00a0=", "\u3000=",  # whitespace a spreadsheet skips first
        "\\t", "\\n",  # a leading tab or line break on its own
    ],
)  # fmt: skip
def test_failure_8_every_formula_trigger_is_neutralised(data: DataCopy, start: str) -> None:
    data.replace("helplines.yaml", "name: Example helpline", f'name: "{start}{FORMULA}"')
    site = load_site(data_dir=data.path, today=TODAY)
    (row, *_) = _csv_rows(services_csv(site, generated=TODAY))
    written = start.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")
    assert row["service_name"] == f"'{written}{FORMULA}"


@pytest.mark.parametrize("name", ["Example helpline", "24/7 line", "(Local) line", "'quoted'", "a=b"])
def test_ordinary_csv_cells_are_left_alone(data: DataCopy, name: str) -> None:
    data.replace("helplines.yaml", "name: Example helpline", f'name: "{name}"')
    site = load_site(data_dir=data.path, today=TODAY)
    (row, *_) = _csv_rows(services_csv(site, generated=TODAY))
    assert row["service_name"] == name




def test_a_dangling_link_is_refused_by_the_cached_loader_the_build_uses(data: DataCopy) -> None:
    from sitedata.data.load import load_site_cached

    (data.path / "tags.yaml").unlink()
    (data.path / "tags.yaml").symlink_to(data.path / "nowhere.yaml")
    with pytest.raises(DataErrors) as info:
        load_site_cached(data_dir=data.path, today=TODAY)
    assert [str(e) for e in info.value.errors] == [
        "data/tags.yaml:1:1: is a symbolic link; data files must be ordinary files kept in data/: replace the link with the file itself"
    ]


@pytest.mark.parametrize(("char", "column"), [("\uffff", 8), ("\ufffe", 8), ("\ud800", 8)])
def test_characters_yaml_itself_refuses_are_located_too(char: str, column: int) -> None:
    _doc, errors = parse(f"a: b\nc: dddd{char}e\n", display="data/x.yaml")
    (error,) = [str(e) for e in errors]
    assert error.startswith(f"data/x.yaml:2:{column}: character U+{ord(char):04X} is not ")
