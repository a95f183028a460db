"""`make check` entry by entry (sitedata.data.entrywise) gives exactly what load_site gives, whatever the cache holds.

Every test runs the reference (load_site: every file parsed whole, no cache) and the entry-wise check on the
same data, and compares the whole outcome: the SiteData (every value, every position table, the warnings)
or the DataErrors (every error, in order, and the report). The Stats of each run show which path was taken,
so a test cannot pass by quietly reading everything whole.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REAL_DATA_TODAY, ROOT, TODAY, VALID, DataCopy
from sitedata.data import entrywise
from sitedata.data.entrywise import Stats, load_site_entrywise
from sitedata.data.errors import DataErrors
from sitedata.data.load import SiteData, data_files, load_site

FILES = data_files()


def outcome(run: object) -> SiteData | DataErrors:
    try:
        return run()  # type: ignore[operator]
    except DataErrors as exc:
        return exc


def assert_same(got: SiteData | DataErrors, want: SiteData | DataErrors) -> None:
    """The two outcomes are equal in every part an editor or the build can see."""
    if isinstance(want, DataErrors):
        assert isinstance(got, DataErrors), f"expected errors, got {got!r}"
        assert [str(e) for e in got.errors] == [str(e) for e in want.errors]
        assert got.errors == want.errors
        assert got.report() == want.report()
        return
    assert isinstance(got, SiteData), f"expected data, got:\n{got}"
    assert got.warnings == want.warnings
    assert list(got.docs) == list(want.docs)
    for name, doc in want.docs.items():
        mine = got.docs[name]
        assert mine.data == doc.data, name
        assert (mine.file, mine.first_line) == (doc.file, doc.first_line)
        for table in ("values", "keys", "styles"):
            ours, theirs = getattr(mine, table), getattr(doc, table)
            assert len(ours) == len(theirs), (name, table)
            assert dict(ours.items()) == theirs, (name, table)
            for path in list(theirs)[:: max(1, len(theirs) // 50)]:  # lookups one by one, as doc.at() makes them
                assert ours[path] == theirs[path]
    assert got == want


def check(data_dir: Path, cache: Path, *, today: date = REAL_DATA_TODAY, workers: int = 1, **options: object) -> Stats:
    """Run both on the data as it is now; assert they agree; return what the entry-wise run did."""
    stats = Stats()
    want = outcome(lambda: load_site(data_dir=data_dir, today=today, **options))
    got = outcome(lambda: load_site_entrywise(data_dir=data_dir, today=today, cache_dir=cache, stats=stats, workers=workers, **options))
    assert_same(got, want)
    return stats


def total_entries(data_dir: Path) -> int:
    stats = Stats()
    outcome(lambda: load_site_entrywise(data_dir=data_dir, today=REAL_DATA_TODAY, cache_dir=None, stats=stats))
    return stats.read


def entry_of(text: str, entry_id: str) -> tuple[int, int]:
    """Character offsets of the block of the entry with this id in a file's text (real data: entries at two spaces)."""
    start = text.index(f"  - id: {entry_id}\n")
    following = re.compile(r"^  - |^\S", re.M).search(text, start + 1)
    return start, following.start() if following else len(text)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_cold_then_warm_equal_load_site_and_the_warm_run_reads_nothing(real_data: DataCopy, cache: Path) -> None:
    cold = check(real_data.path, cache)
    assert cold.whole == [] and cold.cached == 0 and cold.read == total_entries(real_data.path) > 200
    warm = check(real_data.path, cache)
    assert (warm.read, warm.cached, warm.whole) == (0, cold.read, [])


def test_one_changed_entry_is_the_only_one_read(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    real_data.replace("practices.yaml", "title: Reviewing past MARAC cases with the police", "title: Reviewing past MARAC cases with the police force")
    stats = check(real_data.path, cache)
    assert (stats.read, stats.whole) == (1, [])


def test_an_entry_that_grows_shifts_every_position_below_it(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    text = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    start, end = entry_of(text, "redbridge-hub-process")
    block = text[start:end].replace("    status: ", "    # a comment the editor added\n\n    status: ", 1)
    assert block != text[start:end]
    real_data.write("practices.yaml", text[:start] + block + text[end:])
    stats = check(real_data.path, cache)
    assert (stats.read, stats.whole) == (1, [])
    site = load_site_entrywise(data_dir=real_data.path, today=REAL_DATA_TODAY, cache_dir=cache)
    last = len(site.entries("practices")) - 1
    assert site.origin("practices", last) == load_site(data_dir=real_data.path, today=REAL_DATA_TODAY).origin("practices", last)


def test_an_entry_indented_deeper_is_read_again_with_its_new_columns(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    text = (real_data.path / "helplines.yaml").read_text(encoding="utf-8")
    first = re.search(r"^  - id: (\S+)", text, re.M).group(1)
    start, end = entry_of(text, first)
    lines = text[start:end].split("\n")
    deeper = "\n".join([lines[0].replace("  - ", "  -   ", 1), *(("  " + line) if line.strip() else line for line in lines[1:])])
    real_data.write("helplines.yaml", text[:start] + deeper + text[end:])
    stats = check(real_data.path, cache)
    assert (stats.read, stats.whole) == (1, [])


def test_an_entry_out_of_line_with_its_list_is_read_with_the_whole_file(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    text = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    start, end = entry_of(text, "marac-case-reviews")
    moved = "\n".join(("  " + line) if line.strip() else line for line in text[start:end].split("\n"))
    real_data.write("practices.yaml", text[:start] + moved + text[end:])
    stats = check(real_data.path, cache)  # not valid YAML any more: the errors must be load_site's
    assert stats.whole == ["practices"]


def test_added_and_deleted_entries(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    text = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    start, end = entry_of(text, "marac-case-reviews")
    copy = text[start:end].replace("id: marac-case-reviews", "id: marac-case-reviews-again", 1)
    gone_start, gone_end = entry_of(text, "redbridge-hub-process")
    real_data.write("practices.yaml", text[:gone_start] + text[gone_end:] + copy)
    stats = check(real_data.path, cache)
    assert (stats.read, stats.whole) == (1, [])
    # And the cache now holds exactly the entries there are.
    assert check(real_data.path, cache).read == 0


def test_a_duplicated_entry_is_reported_as_load_site_reports_it(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache)
    text = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    start, end = entry_of(text, "marac-case-reviews")
    real_data.write("practices.yaml", text + text[start:end])
    stats = check(real_data.path, cache)
    assert stats.read == 0  # the copy's text is an entry already in the cache


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("practices.yaml", "tags: [multi-agency, covid-19]", "tags: [multi-agncy, covid-19]"),  # an unknown tag: a reference check
        ("practices.yaml", "    status: covid-response\n", "    status: covid-respons\n"),
        ("practices.yaml", "    period: From spring 2020\n", "    period: From spring 2020\n    colour: blue\n"),  # schema: unknown field
        ("practices.yaml", '    last_reviewed: "2026-11-22"', '    last_reviewed: "2026-02-30"'),  # not a real date
        ("practices.yaml", "    last_reviewed:", "    last_reviewed: [\n    x:"),  # not valid YAML
        ("helplines.yaml", 'hours: "24/7"', 'hours: "Mo-Fr 25:00-26:00"'),  # opening hours
        ("helplines.yaml", 'number: "999"', 'number: "0800 ABC DEF"'),  # a phone number
        ("practices.yaml", "\n  - id: marac-case-reviews\n", "\n  - id: redbridge-hub-process\n"),  # a duplicate id
        ("areas.yaml", "\n  - name: Redbridge\n", "\n  - name: Redbridg\n"),  # breaks references from other files
        ("practices.yaml", "\npractices:\n", "\npractices:\n\n  # a comment above the first entry\n"),
        ("practices.yaml", "\n", "\n\n\n"),  # every line moves
    ],
)
def test_an_edit_gives_what_load_site_gives(real_data: DataCopy, cache: Path, file: str, old: str, new: str) -> None:
    check(real_data.path, cache)
    text = (real_data.path / file).read_text(encoding="utf-8")
    if old not in text:
        pytest.fail(f"{old!r} is not in the real {file}: update this test")
    real_data.replace(file, old, new)
    check(real_data.path, cache)
    check(real_data.path, cache)  # again, now that the cache holds the edited entry
    real_data.write(file, text)
    assert check(real_data.path, cache).whole == []


def test_today_and_the_review_interval_are_not_kept_in_the_cache(real_data: DataCopy, cache: Path) -> None:
    check(real_data.path, cache, today=REAL_DATA_TODAY)
    later = check(real_data.path, cache, today=date(2028, 6, 1))  # every entry is due for review
    assert later.read == 0
    check(real_data.path, cache, today=date(2027, 12, 31), review_months=6)
    earlier = check(real_data.path, cache, today=date(2026, 6, 1))  # many last_reviewed dates are in the future
    assert earlier.read == 0


@pytest.mark.parametrize(
    "damage",
    ["truncate", "flip a byte", "garbage", "empty", "wrong magic", "header only", "folder", "link to another file", "forged record"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(real_data: DataCopy, cache: Path, damage: str) -> None:
    first = check(real_data.path, cache)
    files = sorted(cache.glob("*/practices.cache"))
    assert len(files) == 1
    target = files[0]
    content = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(content[: len(content) // 2])
    elif damage == "flip a byte":
        target.write_bytes(content[:-100] + bytes([content[-100] ^ 0x55]) + content[-99:])
    elif damage == "garbage":
        target.write_bytes(os.urandom(len(content)))
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "wrong magic":
        target.write_bytes(b"X" + content[1:])
    elif damage == "header only":
        target.write_bytes(content[:60])
    elif damage == "folder":
        target.unlink()
        target.mkdir()
    elif damage == "link to another file":
        target.unlink()
        target.symlink_to(target.with_name("helplines.cache"))
    elif damage == "forged record":
        # A well-formed cache whose records are not what entrywise writes: each must be refused, not used.
        records = entrywise._Store(cache, data_dir=real_data.path, context=entrywise._context()).read("practices")
        assert records
        entrywise._Store(cache, data_dir=real_data.path, context=entrywise._context()).write(_Forged(records))
    stats = check(real_data.path, cache)
    practices = sum(1 for _ in re.finditer(r"^  - id: ", (real_data.path / "practices.yaml").read_text(encoding="utf-8"), re.M))
    assert stats.whole == [] and stats.read == practices and stats.cached == first.read - practices
    if damage != "folder":
        assert check(real_data.path, cache).read == 0  # rebuilt


class _Forged:
    """Stands in for a file's plan when writing a forged cache: every record replaced by one of the wrong shape."""

    def __init__(self, records: dict[bytes, bytes]) -> None:
        import marshal

        self.name = "practices"
        self.cached: dict[bytes, bytes] = {}
        self.entries = [[_ForgedEntry(key, marshal.dumps((entrywise.CACHE_FORMAT, "not an entry"))) for key in records]]


class _ForgedEntry:
    def __init__(self, key: bytes, blob: bytes) -> None:
        self.key, self.blob = key, blob


def test_a_changed_schema_or_code_starts_a_new_cache(real_data: DataCopy, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema_copy = tmp_path / "schema"
    shutil.copytree(ROOT / "data" / "schema", schema_copy)
    monkeypatch.setattr(entrywise, "SCHEMA_DIR", schema_copy)
    cold = check(real_data.path, cache)
    assert check(real_data.path, cache).read == 0
    schema = schema_copy / "tags.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"description"', '"description" ', 1), encoding="utf-8")
    assert check(real_data.path, cache).read == cold.read
    code_copy = tmp_path / "code.py"
    code_copy.write_text("# another version of the code\n", encoding="utf-8")
    monkeypatch.setattr(entrywise, "_CODE", (*entrywise._CODE, code_copy))
    assert check(real_data.path, cache).read == cold.read
    assert check(real_data.path, cache).read == 0


def test_a_data_file_that_is_a_link_is_refused_as_load_site_refuses_it(real_data: DataCopy, cache: Path, tmp_path: Path) -> None:
    check(real_data.path, cache)
    outside = tmp_path / "outside.yaml"
    shutil.move(real_data.path / "practices.yaml", outside)
    (real_data.path / "practices.yaml").symlink_to(outside)
    with pytest.raises(DataErrors, match="is a symbolic link"):
        load_site_entrywise(data_dir=real_data.path, today=REAL_DATA_TODAY, cache_dir=cache)
    check(real_data.path, cache)


def test_a_cache_folder_that_is_a_link_is_not_written_through(real_data: DataCopy, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "cache-link"
    link.symlink_to(elsewhere, target_is_directory=True)
    check(real_data.path, link)
    check(real_data.path, link)
    assert list(elsewhere.iterdir()) == []


def test_two_processes_give_the_same_as_one(real_data: DataCopy, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entrywise, "PARALLEL_FROM", 1)
    # The test runner's threads would make it read everything in one process; its threads take no lock the reading needs.
    monkeypatch.setattr(entrywise.threading, "active_count", lambda: 1)
    stats = check(real_data.path, cache, workers=2)
    assert stats.read > 200 and stats.whole == []
    assert check(real_data.path, cache, workers=2).read == 0
    # The second process's records are cached like the first's; and if it fails, this process does its share.
    shutil.rmtree(cache)
    monkeypatch.setattr(entrywise, "_in_child", lambda jobs: (lambda: None))
    assert check(real_data.path, cache, workers=2).read == stats.read
    assert check(real_data.path, cache, workers=2).read == 0


def test_the_command_reads_a_first_check_on_two_cores_and_prints_the_same(tmp_path: Path, cache: Path) -> None:
    from bench import synth

    data_dir = tmp_path / "synth"
    synth.write_data(dest=data_dir, size=entrywise.PARALLEL_FROM, today=REAL_DATA_TODAY)

    def run(*extra: str) -> tuple[int, str, str]:
        command = [sys.executable, "-m", "sitedata", "check", "--data", str(data_dir), "--today", "2026-12-02", "--cache-dir", str(cache), *extra]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT / "hooks")})
        return done.returncode, done.stdout, done.stderr

    first = run()  # no cache: 2 x PARALLEL_FROM entries to read, half of them in a forked process (a plain process has one thread)
    assert first[0] == 0 and first == run("--no-cache") == run()
    assert check(data_dir, cache).read == 0  # the forked process's records were written to the cache with the others


def test_synthetic_data_with_entries_at_column_zero(tmp_path: Path, cache: Path) -> None:
    from bench import synth

    data_dir = tmp_path / "synth"
    synth.write_data(dest=data_dir, size=300, today=REAL_DATA_TODAY)
    assert check(data_dir, cache).whole == []
    text = (data_dir / "practices.yaml").read_text(encoding="utf-8")
    titles = list(re.finditer(r"^  title: .*$", text, re.M))
    middle = titles[len(titles) // 2]
    (data_dir / "practices.yaml").write_text(text[: middle.start()] + "  title: Edited\n  # an editor's note\n" + text[middle.end() + 1 :], encoding="utf-8")
    stats = check(data_dir, cache)
    assert (stats.read, stats.whole) == (1, [])


@pytest.mark.parametrize("size", [None, 120])
def test_the_benchmarks_edit_changes_exactly_one_entry(tmp_path: Path, cache: Path, size: int | None) -> None:
    from bench import synth
    from bench.measure import edit_one_entry

    data_dir = tmp_path / "data"
    if size is None:
        shutil.copytree(ROOT / "data", data_dir, ignore=shutil.ignore_patterns("schema", "README.md"))
    else:
        synth.write_data(dest=data_dir, size=size, today=REAL_DATA_TODAY)
    check(data_dir, cache)
    for run in (1, 2):
        edit_one_entry(data_dir, run=run)
        stats = check(data_dir, cache)
        assert (stats.read, stats.whole) == (1, [])
    assert "title: Edited title 2" in (data_dir / "practices.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "tail",
    [
        # A quoted value whose second line looks like the next entry: only a whole-file parse reads it right.
        '  - id: extra\n    title: "A title\n  - id: not-an-entry"\n',
        "  - id: extra\n    title: 'A title\n  - id: not-an-entry'\n",
        "  - id: extra\n    title: [A title,\n  - id: not-an-entry]\n",
        "  - id: extra\n    title: |\n      text\n  - id: second\n",
        "  -\n    id: extra\n    title: A title\n",
        "  - id: extra\r\n    title: A title\r\n",
        "  - id: extra\r    title: A title\n",
        "  - id: extra\n\ttitle: A title\n",
        "  - id: extra\n    title: A title\n---\n  - id: more\n",
        "  - &anchor\n    id: extra\n",
        "  - id: extra\n    title: A title\nareas: []\n",
        "  - id: extra\n    title: A title\n # a comment at column one\nfigures:\n",
        "  - [a, b]\n  - plain text\n  -\n",
    ],
)
def test_unusual_layouts_give_what_load_site_gives(data: DataCopy, cache: Path, tail: str) -> None:
    check(data.path, cache, today=TODAY)
    text = (data.path / "practices.yaml").read_text(encoding="utf-8")
    data.write("practices.yaml", text + tail)
    check(data.path, cache, today=TODAY)
    check(data.path, cache, today=TODAY)


def test_the_command_prints_the_same_with_and_without_the_cache(real_data: DataCopy, cache: Path) -> None:
    def run(*extra: str, today: str = "2026-12-02") -> tuple[int, str, str]:
        command = [sys.executable, "-m", "sitedata", "check", "--data", str(real_data.path), "--today", today, "--cache-dir", str(cache), *extra]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "hooks")})
        return done.returncode, done.stdout, done.stderr

    assert run() == run("--no-cache") == run()
    assert run(today="2028-01-01") == run("--no-cache", today="2028-01-01")  # warnings: every entry is due for review
    real_data.replace("practices.yaml", "tags: [multi-agency, covid-19]", "tags: [multi-agncy, covid-19]")
    status, out, err = run()
    assert status == 1 and "multi-agncy" in err
    assert (status, out, err) == run("--no-cache") == run()


# Differential fuzzing: mutations of the small valid fixture, each checked with a cache built from the fixture.
# FUZZ_EXAMPLES=2000 runs a longer (different, still derandomised) set.
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), suppress_health_check=list(HealthCheck))
PIECES = ["- ", "  - ", "    ", "\n", "\n  - id: x\n", "#", ":", '"', "'", "[", "]", "|", "\t", "\r", "é", "---\n", "&a ", "*a", "id: ", "\u200b"]


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(["practices", "helplines", "glossary", "evidence", "search"]))
    text = (VALID / f"{name}.yaml").read_text(encoding="utf-8")
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["insert", "delete", "duplicate", "indent", "dedent", "piece"]))
        if how == "insert":
            lines.insert(i, draw(st.sampled_from(lines)))
        elif how == "delete" and len(lines) > 1:
            del lines[i]
        elif how == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 6))]
        elif how == "indent":
            lines[i] = "  " + lines[i]
        elif how == "dedent":
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
        else:
            column = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:column] + draw(st.sampled_from(PIECES)) + lines[i][column:]
    return name, "\n".join(lines)


@FUZZ
@given(change=mutation())
def test_fuzzed_edits_give_what_load_site_gives(tmp_path_factory: pytest.TempPathFactory, change: tuple[str, str]) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    data_dir, cache = base / "data", base / "cache"
    shutil.copytree(VALID, data_dir)
    check(data_dir, cache, today=TODAY)
    name, text = change
    (data_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
    check(data_dir, cache, today=TODAY)
    check(data_dir, cache, today=TODAY)
