"""`make check` entry by entry: parse and check again only the entries whose text changed since the last run.

Each item of a top-level list ('x-entry' in its schema) is a block of lines starting at its '- '
(sitedata.data.segments). What a block reads as (its value, the position of every value in it, relative
to its first line) and what the checks that judge values alone found in it are kept in a cache, keyed by
a hash of the block's text and of everything else they depend on: the schemas, the code of this layer,
the versions of the libraries that parse and check, Python's. The checks that need more than one entry
or today's date (unique keys, references, dates, review dates, the cross-entry checks) run every time,
over the whole data, from the cached values and the few facts they need about each entry.

The result is the one `load_site` gives, value for value and error for error; tests/unit/test_entrywise.py
compares them. Whenever the fast reading is unsure it reads the whole file as load_site does: a file
whose layout is unusual, whose skeleton or one of whose entries does not parse cleanly on its own, or
whose schema cannot be checked entry by entry. A file that fails validation is validated whole too.

The cache is plain data read with `marshal` (values, positions, flags: never code, never pickle), one file
per data file, checked against a hash of its contents: a cache that is missing, corrupt, stale or written
by another version is ignored and rebuilt. Data files are read as load_site reads them (never through a link).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml

from sitedata.constants import DATA_DIR, PROJECT_DIR, SCHEMA_DIR
from sitedata.data import characters, checks, schemas
from sitedata.data.errors import DataError
from sitedata.data.load import SiteData, _display, _vocabularies, collector_paused, data_files, site_data, value_errors
from sitedata.data.segments import Layout, segment
from sitedata.data.yamlsource import EntryPositions, EntryTables, Located, Path_, Tables, parse, parse_bytes, parse_entry, read_limited

CACHE_DIR = PROJECT_DIR / ".cache" / "sitedata-check"
CACHE_FORMAT = 2
_MAGIC = b"sitedata entry cache\n"
_HEADER = 8  # bytes giving the length of the marshalled header that follows the magic line
# Caches of this many data folders are kept (the project's, the benchmark's, tests'); the least recently used goes.
KEEP_FOLDERS = 4
# Below this many entries to read, a second process costs more than it saves.
PARALLEL_FROM = 400
_CODE = (PROJECT_DIR / "hooks" / "sitedata" / "data", PROJECT_DIR / "hooks" / "sitedata" / "text.py", PROJECT_DIR / "hooks" / "sitedata" / "constants.py")

# What one entry reads as: (value, position tables, valid against its list's items, passes the value checks,
# references (path, value, vocabulary), dates (path, value)); paths are relative to the entry.
Reading = tuple[Any, Tables, bool, bool, tuple[tuple[Path_, str, str], ...], tuple[tuple[Path_, str], ...]]


@dataclass
class Stats:
    """What one run did: entries read (parsed and checked), entries taken from the cache, files read whole."""

    read: int = 0
    cached: int = 0
    whole: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    key: bytes
    value: Any
    positions: EntryPositions
    valid: bool
    clean: bool
    refs: tuple[tuple[Path_, str, str], ...]
    dates: tuple[tuple[Path_, str], ...]
    blob: bytes | None = None  # its cache record, once it has one


@dataclass
class _File:
    name: str
    display: str
    raw: bytes
    layout: Layout | None = None
    keys: list[list[bytes]] = field(default_factory=list)  # per section, per entry
    entries: list[list[_Entry | None]] = field(default_factory=list)
    cached: dict[bytes, bytes] = field(default_factory=dict)
    doc: Located | None = None
    whole: bool = False  # read as load_site reads it
    problems: list[DataError] = field(default_factory=list)


def load_site_entrywise(
    *,
    data_dir: Path = DATA_DIR,
    today: date,
    review_months: int = checks.REVIEW_MONTHS_DEFAULT,
    cache_dir: Path | None = CACHE_DIR,
    files: tuple[str, ...] | None = None,
    workers: int = 1,
    stats: Stats | None = None,
) -> SiteData:
    """What load_site(data_dir=..., today=..., review_months=...) gives, reading only changed entries; raises the same DataErrors."""
    with collector_paused():
        files = data_files() if files is None else files
        return _load(data_dir=data_dir, today=today, review_months=review_months, cache_dir=cache_dir, files=files, workers=workers, stats=stats or Stats())


def _load(*, data_dir: Path, today: date, review_months: int, cache_dir: Path | None, files: tuple[str, ...], workers: int, stats: Stats) -> SiteData:
    context = _context() if cache_dir is not None else b""
    store = _Store(cache_dir, data_dir=data_dir, context=context) if cache_dir is not None else None
    plans: list[_File] = []
    errors: list[DataError] = []
    for name in files:
        path = data_dir / f"{name}.yaml"
        display = _display(path, data_dir)
        raw, problem = read_limited(path, display=display)
        if problem is not None:
            errors.append(problem)
            continue
        assert raw is not None
        plan = _File(name=name, display=display, raw=raw)
        plans.append(plan)
        lists = schemas.entry_lists(name)
        plan.layout = segment(raw, lists) if lists and schemas.splittable(name) else None
        if plan.layout is None:
            continue
        plan.cached = store.read(name) if store is not None else {}
        view = memoryview(raw)
        for section in plan.layout.sections:
            # The key: the list's name, then the entry's lines (hashed where they lie, not copied).
            named = hashlib.blake2b(section.name.encode() + b"\0", digest_size=16)
            row = []
            for i in range(len(section.starts)):
                h = named.copy()
                h.update(view[slice(*section.bounds(i))])
                row.append(h.digest())
            plan.keys.append(row)

    # Every entry not in the cache is read and checked, on two cores when there are many.
    jobs: list[tuple[_File, int, int]] = []
    for plan in plans:
        if plan.layout is None:
            continue
        for s, section in enumerate(plan.layout.sections):
            row: list[_Entry | None] = []
            for i, key in enumerate(plan.keys[s]):
                entry = _from_cache(plan.cached.get(key), key=key, positions=EntryPositions(section.lines[i], source=plan.raw, bounds=section.bounds(i)))
                if entry is None:
                    jobs.append((plan, s, i))
                row.append(entry)
            plan.entries.append(row)
    stats.read = len(jobs)
    stats.cached = sum(len(row) for plan in plans for row in plan.entries) - len(jobs)
    readings = _read_all([_job_args(plan, s, i) for plan, s, i in jobs], workers=workers)
    for (plan, s, i), reading in zip(jobs, readings, strict=True):
        assert plan.layout is not None
        section = plan.layout.sections[s]
        key = plan.keys[s][i]
        if isinstance(reading, bytes):
            entry = _from_cache(reading, key=key, positions=EntryPositions(section.lines[i], source=plan.raw, bounds=section.bounds(i)))
        elif reading is not None:
            value, tables, valid, clean, refs, dates = reading
            entry = _Entry(key, value, EntryPositions(section.lines[i], tables=tables), valid, clean, refs, dates)
        else:
            entry = None
        if entry is None:
            plan.whole = True
        plan.entries[s][i] = entry

    docs: dict[str, Located] = {}
    units: dict[str, list[checks.Node | tuple[str, int, _Entry]]] = {}
    for plan in plans:
        doc = _assemble(plan) if plan.layout is not None and not plan.whole else None
        if doc is None:
            plan.whole = True
            stats.whole.append(plan.name)
            doc, problems = parse_bytes(plan.raw, display=plan.display)
            errors.extend(problems)
            if doc is None:
                continue
        docs[plan.name] = plan.doc = doc
        errors.extend(checks.check_schema_comment(doc, name=plan.name))
        errors.extend(_validate(plan, doc))
        errors.extend(checks.check_unique_keys(doc, name=plan.name))
        units[plan.name] = list(_units(plan, doc))
    if store is not None:
        for plan in plans:
            if plan.layout is not None and not plan.whole:
                store.write(plan)

    nodes = [u for name in docs for u in units[name] if isinstance(u, checks.Node)]
    facts = [(name, u) for name in docs for u in units[name] if not isinstance(u, checks.Node)]
    vocabularies = _vocabularies(docs)
    errors.extend(checks.check_references(nodes, vocabularies=vocabularies))
    for name, (list_name, i, entry) in facts:
        for path, value, vocab in entry.refs:
            known = vocabularies.get(vocab)
            if known is not None and value not in known.values:  # the test reference_problem starts with, inlined: it runs 100,000s of times
                problem = checks.reference_problem(value, vocab, vocabularies=vocabularies)
                assert problem is not None
                errors.append(checks.Node(docs[name], name, (list_name, i, *path), value, {}).error(problem))
    errors.extend(checks.check_dates(nodes, today=today))
    today_text = today.isoformat()
    for name, (list_name, i, entry) in facts:
        for path, value in entry.dates:
            # The entry passed the value checks, so each of its dates is a real day or fails the schema's pattern;
            # for a real day written in ASCII digits, comparing the text is comparing the dates.
            if value > today_text or not value.isascii():
                problem = checks.date_problem(value, today=today)
                if problem:
                    errors.append(checks.Node(docs[name], name, (list_name, i, *path), value, {}).error(problem))
    errors.extend(value_errors(nodes, hours_error=hours_error))
    return site_data(docs, errors=errors, today=today, review_months=review_months)


@lru_cache(maxsize=65_536)  # a pure function of the text, and a few hundred expressions recur across thousands of services
def hours_error(expr: str) -> str | None:
    """sitedata.data.hours.hours_error, imported when first needed: a run with no changed entry never needs it."""
    from sitedata.data.hours import hours_error as judge

    return judge(expr)


def _job_args(plan: _File, s: int, i: int) -> tuple[str, str, bytes]:
    assert plan.layout is not None
    section = plan.layout.sections[s]
    start, end = section.bounds(i)
    return plan.name, section.name, plan.raw[start:end]


def read_entry(name: str, list_name: str, raw: bytes) -> Reading | None:
    """Parse one entry's lines and run the checks that judge values alone; None if it must be read with its whole file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if characters.FORBIDDEN.search(text):
        return None
    parsed = parse_entry(text)
    if parsed is None:
        return None
    value, tables = parsed
    try:
        schemas.fast_item_validator(name, list_name)(value)
        valid = True
    except schemas.fastjsonschema.JsonSchemaValueException:
        valid = False
    items = schemas.load_schema(name)["properties"][list_name]["items"]
    clean = True
    refs: list[tuple[Path_, str, str]] = []
    dates: list[tuple[Path_, str]] = []
    for path, node_value, sub in schemas._walk_checked(items, value, ()):
        vocab = sub.get("x-vocabulary")
        if vocab and isinstance(node_value, str):
            refs.append((path, node_value, vocab))
        if sub.get("format") == "date" and isinstance(node_value, str):
            dates.append((path, node_value))
        if clean and not checks.passes_value_checks(node_value, sub, hours_error=hours_error):
            clean = False
    return value, tables, valid, clean, tuple(refs), tuple(dates)


def _read_all(jobs: list[tuple[str, str, bytes]], *, workers: int) -> list[Reading | bytes | None]:
    """read_entry for every job: readings from this process, cache records (bytes) from the second one."""
    # Forking a process that runs other threads (mkdocs serve, a test runner) can leave the copy waiting on a
    # lock one of them held: then everything is read here.
    if workers < 2 or len(jobs) < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return [read_entry(*job) for job in jobs]
    import sitedata.data.hours  # noqa: F401 - imported before the fork, so the second process never takes the import lock
    theirs, mine = _halves(jobs)
    got = _in_child([jobs[i] for i in theirs])
    out: list[Reading | bytes | None] = [None] * len(jobs)
    for i in mine:
        out[i] = read_entry(*jobs[i])
    records = got() if got is not None else None
    if records is None:
        records = [read_entry(*jobs[i]) for i in theirs]  # the second process failed: do its share here
    for i, record in zip(theirs, records, strict=True):
        out[i] = record
    return out


def _halves(jobs: list[tuple[str, str, bytes]]) -> tuple[list[int], list[int]]:
    """Two shares of about the same size, whole files where possible: each process then compiles only its files' validators."""
    files: dict[str, list[int]] = {}
    for i, job in enumerate(jobs):
        files.setdefault(job[0], []).append(i)
    shares: tuple[list[int], list[int]] = ([], [])
    sizes = [0, 0]
    for indexes in sorted(files.values(), key=lambda ix: -sum(len(jobs[i][2]) for i in ix)):
        k = 0 if sizes[0] <= sizes[1] else 1
        shares[k].extend(indexes)
        sizes[k] += sum(len(jobs[i][2]) for i in indexes)
    if max(sizes) > 0.65 * sum(sizes):  # one file holds most of the work: share its entries instead
        every = list(range(len(jobs)))
        return every[1::2], every[0::2]
    return shares


def _in_child(jobs: list[tuple[str, str, bytes]]) -> Callable[[], list[bytes | None] | None] | None:
    """Start read_entry on `jobs` in a forked process; the returned function waits for its cache records (None if it failed)."""
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_fd)
            payload = marshal.dumps([None if r is None else _blob(r) for r in (read_entry(*job) for job in jobs)])
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)

    def wait() -> list[bytes | None] | None:
        chunks = []
        with os.fdopen(read_fd, "rb") as pipe:
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            records = marshal.loads(b"".join(chunks))
        except (ValueError, EOFError, TypeError):
            return None
        if not isinstance(records, list) or len(records) != len(jobs) or not all(r is None or isinstance(r, bytes) for r in records):
            return None
        return records

    return wait


def _blob(reading: Reading) -> bytes:
    value, _, valid, clean, refs, dates = reading
    return marshal.dumps((CACHE_FORMAT, value, valid, clean, refs, dates))


def _from_cache(blob: bytes | None, *, key: bytes, positions: EntryPositions) -> _Entry | None:
    if blob is None:
        return None
    try:
        fmt, value, valid, clean, refs, dates = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return None
    if fmt != CACHE_FORMAT or type(valid) is not bool or type(clean) is not bool or not isinstance(refs, tuple) or not isinstance(dates, tuple):
        return None
    return _Entry(key, value, positions, valid, clean, refs, dates, blob=blob)


def _assemble(plan: _File) -> Located | None:
    """The file's Located from its skeleton and entries, or None if the skeleton does not confirm the layout."""
    layout = plan.layout
    assert layout is not None
    try:
        text = layout.skeleton.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if characters.FORBIDDEN.search(text):
        return None
    skeleton, problems = parse(text, display=plan.display)
    if problems or skeleton is None or not isinstance(skeleton.data, dict):
        return None
    data = skeleton.data
    lists: dict[str, list[EntryPositions]] = {}
    for section, row in zip(layout.sections, plan.entries, strict=True):
        if data.get(section.name) != [] or skeleton.values.get((section.name,)) != section.placeholder:
            return None
        if skeleton.keys.get((section.name,)) != (section.key_line, 1):
            return None
        entries = [e for e in row if e is not None]
        if len(entries) != len(row):
            return None
        data[section.name] = [e.value for e in entries]
        skeleton.values[(section.name,)] = (section.lines[0], section.indent + 1)  # type: ignore[index]
        lists[section.name] = [e.positions for e in entries]
    first_line = text.split("\n", 1)[0]
    return Located(
        file=plan.display,
        data=data,
        values=EntryTables(dict(skeleton.values), lists, 0),
        keys=EntryTables(dict(skeleton.keys), lists, 1),
        first_line=first_line,
        styles=EntryTables(dict(skeleton.styles), lists, 2),
    )


def _validate(plan: _File, doc: Located) -> list[DataError]:
    """schemas.validate(doc): from each entry's result when all are valid, else the whole file as load_site does."""
    if plan.whole:
        return schemas.validate(doc, name=plan.name)
    assert plan.layout is not None
    cut = {section.name for section in plan.layout.sections}
    # The shallow validator skips the items of every entry list: each list with items must have been cut into entries.
    every_list_cut = all(name in cut or not doc.data.get(name) for name in schemas.entry_lists(plan.name))
    if every_list_cut and all(e is not None and e.valid for row in plan.entries for e in row):
        try:
            schemas.fast_shallow_validator(plan.name)(doc.data)
            return []
        except schemas.fastjsonschema.JsonSchemaValueException:
            pass
    return schemas.validate(doc, name=plan.name)


def _units(plan: _File, doc: Located) -> Iterator[checks.Node | tuple[str, int, _Entry]]:
    """The nodes the named checks judge, in load_site's order; an entry whose values passed them stands for its nodes."""
    if plan.whole:
        for path, value, sub in schemas.iter_checked(plan.name, doc.data):
            yield checks.Node(doc, plan.name, path, value, sub)
        return
    assert plan.layout is not None
    by_list = {section.name: row for section, row in zip(plan.layout.sections, plan.entries, strict=True)}
    schema = schemas.load_schema(plan.name)
    if any(a in schema for a in schemas.ANNOTATIONS):
        yield checks.Node(doc, plan.name, (), doc.data, schema)
    props = schema.get("properties", {})
    for key, value in doc.data.items():
        sub = props.get(key)
        if sub is None or not schemas._has_annotation(sub):
            continue
        if key not in by_list:
            for path, v, s in schemas._walk_checked(sub, value, (key,)):
                yield checks.Node(doc, plan.name, path, v, s)
            continue
        if any(a in sub for a in schemas.ANNOTATIONS):
            yield checks.Node(doc, plan.name, (key,), value, sub)
        items = sub["items"]
        for i, entry in enumerate(by_list[key]):
            assert entry is not None
            if entry.clean:
                yield key, i, entry
            else:
                for path, v, s in schemas._walk_checked(items, entry.value, (key, i)):
                    yield checks.Node(doc, plan.name, path, v, s)


def _context() -> bytes:
    """A hash of everything besides an entry's own text that decides what it reads as and what the value checks say.

    The installed libraries count by name and version (every *.dist-info beside PyYAML's), so installing or
    upgrading any of them starts a new cache; the code by its text; the schemas by their bytes.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CACHE_FORMAT}\0{sys.version}\0{sys.byteorder}\0{marshal.version}\0{yaml.__with_libyaml__}\0".encode())
    for folder in sorted({Path(yaml.__file__).resolve().parents[1], Path(fastjsonschema.__file__).resolve().parents[1]}):
        h.update(str(folder).encode() + b"\0")
        h.update("\0".join(sorted(n for n in os.listdir(folder) if n.endswith(".dist-info"))).encode() + b"\0")
    sources = [p for root in _CODE for p in (sorted(root.glob("*.py")) if root.is_dir() else [root])]
    for path in [*sources, *sorted(SCHEMA_DIR.glob("*.json"))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


class _Store:
    """One cache file per data file, under `root`; anything unexpected in it makes it count as empty."""

    def __init__(self, root: Path, *, data_dir: Path, context: bytes) -> None:
        self.root = root
        self.context = context
        # One folder per data folder: the benchmark's or a test's data does not evict the project's own cache.
        self.folder = root / hashlib.blake2b(str(data_dir.resolve()).encode(), digest_size=8).hexdigest()
        self.touched = False

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.cache"

    def read(self, name: str) -> dict[bytes, bytes]:
        """The records kept for data file `name` (block key -> record), or nothing."""
        try:
            fd = os.open(self._path(name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return {}
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return {}
            with os.fdopen(fd, "rb", closefd=False) as handle:
                content = handle.read()
        except OSError:
            return {}
        finally:
            os.close(fd)
        try:
            if not content.startswith(_MAGIC):
                return {}
            start = len(_MAGIC) + _HEADER
            size = int.from_bytes(content[len(_MAGIC) : start], "big")
            header = marshal.loads(content[start : start + size])
            payload = memoryview(content)[start + size :]
            if not (isinstance(header, tuple) and len(header) == 3 and header[0] == CACHE_FORMAT and header[1] == self.context):
                return {}
            if hashlib.blake2b(payload, digest_size=16).digest() != header[2]:
                return {}
            records = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return {}
        if not isinstance(records, dict) or not all(type(k) is bytes and type(v) is bytes for k, v in records.items()):
            return {}
        if not self.touched:  # recently used folders are the ones kept (see _prune)
            self.touched = True
            with contextlib.suppress(OSError):
                os.utime(self.folder)
        return records

    def write(self, plan: _File) -> None:
        """Keep exactly this run's records for the file (dropping those of entries that are gone); a failure only loses the cache."""
        records: dict[bytes, bytes] = {}
        for row in plan.entries:
            for entry in row:
                assert entry is not None
                if entry.blob is None:
                    entry.blob = marshal.dumps((CACHE_FORMAT, entry.value, entry.valid, entry.clean, entry.refs, entry.dates))
                records[entry.key] = entry.blob
        if len(records) == len(plan.cached) and all(plan.cached.get(k) is v for k, v in records.items()):
            return  # nothing changed
        payload = marshal.dumps(records)
        header = marshal.dumps((CACHE_FORMAT, self.context, hashlib.blake2b(payload, digest_size=16).digest()))
        target = self._path(plan.name)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        fd = None
        try:
            _ensure_folder(self.root)
            if not self.folder.exists():
                _prune(self.root)
            _ensure_folder(self.folder)
            # O_EXCL: never write through a link or into a file someone else made.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC + len(header).to_bytes(_HEADER, "big") + header)
                handle.write(payload)
            os.replace(temporary, target)
        except OSError:
            if fd is not None:
                temporary.unlink(missing_ok=True)


def _prune(root: Path) -> None:
    """Keep the caches of the KEEP_FOLDERS data folders used last, less one for the one about to be made."""
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP_FOLDERS - 1 :]:
        for file in old.glob("*.cache"):
            file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            old.rmdir()


def _ensure_folder(root: Path) -> None:
    """Make the cache folder; refuse one that is a link (writing through it could replace files elsewhere)."""
    root.mkdir(parents=True, exist_ok=True)
    if root.is_symlink() or not root.is_dir():
        raise OSError(f"{root} is not a plain folder")
