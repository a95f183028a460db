"""Issue 16: fuzzing `make check`'s code path with hypothesis.

Two sources of input: YAML-like documents built from the tokens that broke the loader before (anchors,
aliases, brackets, quotes, escapes, control and invisible characters, huge numbers, indentation), and
mutations of the real data files. For every input the check either passes or raises DataErrors; it
never raises anything else, never takes more than TIME_BOUND seconds, and every error it gives is
located in the file it read (a line inside the file, a column of at least 1).

The examples are derandomised (the same inputs on every run, no database written), so the test is a
fixed, reproducible regression set that still covers thousands of hostile files in well under a minute.
"""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TODAY
from sitedata.data.errors import DataError, DataErrors
from sitedata.data.load import data_files, load_site
from sitedata.data.yamlsource import parse

TIME_BOUND = 5.0  # seconds for one check of one file; the real ones take milliseconds
MEMORY_GROWTH_BOUND = 512 * 2**10  # KiB of peak RSS the whole fuzz run may add
FUZZ = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

REAL_FILES = {name: (ROOT / "data" / f"{name}.yaml").read_text(encoding="utf-8") for name in data_files()}
TOKENS = [
    "&a ", "*a", "&b [*a, *a, *a]", "<<: ", "? ", "- ", ": ", "[", "]", "{", "}", ",", "#", "\n", "\n  ", "\n    ", "\t",
    '"', "'", '"\\0"', '"\\u202e"', '"\\x1b"', '"\\_"', '"\\u00e9"', "\\", "|", ">", "|-\n  ", "!!python/object:os.system ", "!!binary ",
    "9" * 5000, "1e999", "0x", "~", "null", "2026-02-30", "---\n", "...\n", "%YAML 1.1\n", "\x00", "\x1b", "\u202e", "\u200b", "\ufeff",
    "\x85", "\u2028", "\uffff", "\r", "\r\n", "é", "日本", "\ud7ff", "id", "name", "tags", "services", "url: https://x.example/", "javascript:alert(1)",
    "[x][r]\n\n[r]: javascript:x", "https://a@b.example/", "0800 ABC DEF", "tel:999", "mailto:a@b.example?bcc=c@d.example",
]  # fmt: skip


def assert_located(errors: list[DataError], *, display: str, text: str) -> None:
    lines = text.count("\n") + 1
    for error in errors:
        assert error.file == display, error
        assert 1 <= error.line <= lines + 1, (error, lines)
        assert error.column >= 1, error
        assert error.message and "Traceback" not in error.message, error


def check_file(data_dir: Path, name: str, text: str) -> None:
    """Write `text` as data/<name>.yaml and run the check on it; only DataErrors may come out, located, in time."""
    (data_dir / f"{name}.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    try:
        site = load_site(data_dir=data_dir, today=TODAY, files=(name,))
        errors = site.warnings
    except DataErrors as exc:
        errors = exc.errors
    elapsed = time.monotonic() - started
    assert elapsed < TIME_BOUND, f"{elapsed:.1f} s"
    assert_located(errors, display=f"data/{name}.yaml", text=text)


@st.composite
def yaml_like(draw: st.DrawFn) -> str:
    """A document under a valid header: a few real-looking lines with hostile tokens spliced in."""
    parts = draw(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=40))
    return "# yaml-language-server: $schema=schema/tags.schema.json\ntags:\n  - id: a\n    name: " + "".join(parts) + "\n"


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str]:
    """A real data file with up to four edits: an insertion, a deletion, a line repeated or a cut."""
    name = draw(st.sampled_from(sorted(REAL_FILES)))
    text = REAL_FILES[name]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        kind = draw(st.sampled_from(["insert", "insert", "insert", "delete", "delete", "repeat-line", "cut"]))
        if kind == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4))) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=40)) :]
        elif kind == "repeat-line":
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[start:end] * draw(st.integers(min_value=1, max_value=3)) + text[end:]
        else:
            text = text[:at]
    return name, text


@FUZZ
@given(text=yaml_like())
def test_generated_documents_never_crash_the_loader_and_every_error_is_located(text: str) -> None:
    started = time.monotonic()
    doc, errors = parse(text, display="data/tags.yaml")
    assert time.monotonic() - started < TIME_BOUND
    assert_located(errors, display="data/tags.yaml", text=text)
    assert doc is not None or errors


def test_generated_documents_through_the_whole_check(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "tests" / "fixtures" / "data" / "valid", data_dir)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @settings(FUZZ, max_examples=300)
    @given(text=yaml_like())
    def run(text: str) -> None:
        check_file(data_dir, "tags", text)

    run()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < MEMORY_GROWTH_BOUND


def test_mutations_of_the_real_data_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir, ignore=shutil.ignore_patterns("schema", "*.md"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @settings(FUZZ, max_examples=300)
    @given(case=mutation())
    def run(case: tuple[str, str]) -> None:
        name, text = case
        try:
            check_file(data_dir, name, text)
        finally:
            (data_dir / f"{name}.yaml").write_text(REAL_FILES[name], encoding="utf-8")

    run()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < MEMORY_GROWTH_BOUND


def test_the_fuzzer_reaches_the_refusals_it_is_meant_to_test() -> None:
    """The token list does produce each kind of refusal (so the properties above are not vacuous)."""
    seen = set()
    for token, expected in (
        ("*a", "is an alias"),
        ("&b [*a, *a, *a]", "is an anchor"),
        ('"\\u202e"', "written as an escape"),
        ("\x00", "control character"),
        ("[" * 30, "nested more than"),
        ("9" * 5000, "digits long"),
    ):
        text = "# yaml-language-server: $schema=schema/tags.schema.json\ntags:\n  - id: a\n    name: " + token + "\n"
        _doc, errors = parse(text, display="data/tags.yaml")
        assert any(expected in e.message for e in errors), (token, errors)
        seen.add(expected)
    assert len(seen) == 6
