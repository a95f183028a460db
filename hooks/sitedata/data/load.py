"""Load every data file, run every check, and hand back the site's data or every error at once."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sitedata.constants import DATA_DIR
from sitedata.data import checks, schemas
from sitedata.data.crosschecks import cross_entry_checks
from sitedata.data.errors import DataError, DataErrors
from sitedata.data.provenance import HoursAge
from sitedata.data.yamlsource import Located, load

SHARED_SCHEMAS = ("common",)


def data_files(*, schema_dir: Path = schemas.SCHEMA_DIR) -> tuple[str, ...]:
    """Every data file has a schema in data/schema/; adding a schema adds a data file."""
    names = sorted(p.name.removesuffix(".schema.json") for p in schema_dir.glob("*.schema.json"))
    return tuple(n for n in names if n not in SHARED_SCHEMAS)


@dataclass
class SiteData:
    """All data files, validated, with lookups the pages need."""

    docs: dict[str, Located]
    today: date
    review_months: int = checks.REVIEW_MONTHS_DEFAULT
    warnings: list[DataError] = field(default_factory=list)
    hours_age: HoursAge = field(default_factory=HoursAge)
    _keyed: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)

    def entries(self, list_name: str) -> list[dict[str, Any]]:
        """The entries of a top-level list, such as 'services' or 'practices'."""
        for doc in self.docs.values():
            if isinstance(doc.data, dict) and list_name in doc.data:
                return doc.data[list_name]
        raise KeyError(list_name)

    def by_key(self, list_name: str, key: str = "id") -> dict[str, dict[str, Any]]:
        """Entries of a list keyed by their id (or other key), built once: callers look up in loops."""
        table = self._keyed.get((list_name, key))
        if table is None:
            table = self._keyed[(list_name, key)] = {e[key]: e for e in self.entries(list_name)}
        return table

    def cited_entries(self) -> list[list[dict[str, Any]]]:
        """Every list whose entries cite sources (their schema has a 'sources' field)."""
        out = []
        for name, doc in self.docs.items():
            for list_name, list_schema in schemas.load_schema(name).get("properties", {}).items():
                if "sources" in list_schema.get("items", {}).get("properties", {}) and isinstance(doc.data, dict):
                    out.append(doc.data.get(list_name) or [])
        return out

    def origin(self, list_name: str, index: int) -> str:
        """'data/helplines.yaml:12:5' for an entry, for reports that point back at the data."""
        for doc in self.docs.values():
            if isinstance(doc.data, dict) and list_name in doc.data:
                line, col = doc.at((list_name, index))
                return f"{doc.file}:{line}:{col}"
        raise KeyError(list_name)


def load_site(
    *,
    data_dir: Path = DATA_DIR,
    today: date,
    files: tuple[str, ...] | None = None,
    review_months: int = checks.REVIEW_MONTHS_DEFAULT,
    hours_age: HoursAge | None = None,
) -> SiteData:
    """Load and check all data; raise DataErrors listing every problem found."""
    with collector_paused():
        site = _load_site(data_dir=data_dir, today=today, files=data_files() if files is None else files, review_months=review_months)
    if hours_age is not None:
        site.hours_age = hours_age
    return site


def _load_site(*, data_dir: Path, today: date, files: tuple[str, ...], review_months: int) -> SiteData:
    docs: dict[str, Located] = {}
    errors: list[DataError] = []
    for name in files:
        path = data_dir / f"{name}.yaml"
        doc, problems = load(path, display=_display(path, data_dir))
        errors.extend(problems)
        if doc is None:
            continue
        docs[name] = doc
        errors.extend(checks.check_schema_comment(doc, name=name))
        errors.extend(schemas.validate(doc, name=name))
        errors.extend(checks.check_unique_keys(doc, name=name))

    nodes = [
        checks.Node(doc, name, path, value, sub)
        for name, doc in docs.items()
        for path, value, sub in schemas.iter_checked(name, doc.data)
    ]
    errors.extend(checks.check_references(nodes, vocabularies=_vocabularies(docs)))
    errors.extend(checks.check_dates(nodes, today=today))
    from sitedata.data.hours import hours_error  # here, not at the top: sitedata.data.entrywise imports this module and often needs no hours

    errors.extend(value_errors(nodes, hours_error=hours_error))
    return site_data(docs, errors=errors, today=today, review_months=review_months)


def value_errors(nodes: list[checks.Node], *, hours_error: Callable[[str], str | None]) -> list[DataError]:
    """The checks of single values that come after references and dates (load_site and make check's entry-wise path share them)."""
    return [
        *checks.check_phone_numbers(nodes),
        *checks.check_emails(nodes),
        *checks.check_urls(nodes),
        *checks.check_markdown(nodes),
        *checks.check_summaries(nodes),
        *checks.check_opening_hours(nodes, hours_error=hours_error),
    ]


def site_data(docs: dict[str, Located], *, errors: list[DataError], today: date, review_months: int) -> SiteData:
    """The SiteData of checked files, with the entries due for review as its warnings; DataErrors if any check failed.

    The cross-entry checks assume every file is valid on its own, so they run only once `errors` is empty."""
    if errors:
        raise DataErrors(errors)
    warnings = checks.review_due(docs, today=today, months=review_months)
    site = SiteData(docs=docs, today=today, review_months=review_months, warnings=warnings)
    errors = [e for check in cross_entry_checks() for e in check(site)]
    if errors:
        raise DataErrors(errors)
    return site


_cache: dict[tuple[object, ...], SiteData] = {}


def load_site_cached(
    *, data_dir: Path = DATA_DIR, today: date, review_months: int = checks.REVIEW_MONTHS_DEFAULT, hours_age: HoursAge | None = None
) -> SiteData:
    """load_site, reused while no data or schema file has changed (hooks share it; serve stays fast)."""
    # lstat: a data file that is a link (even a dangling one) is the loader's to refuse, with its line, not a traceback here.
    stamp = tuple((p.name, p.lstat().st_mtime_ns, p.lstat().st_size) for p in sorted([*data_dir.glob("*.yaml"), *schemas.SCHEMA_DIR.glob("*.json")]))
    key = (str(data_dir), today, review_months, hours_age, stamp)
    if key not in _cache:
        _cache.clear()
        _cache[key] = load_site(data_dir=data_dir, today=today, review_months=review_months, hours_age=hours_age)
    return _cache[key]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the data is read.

    Loading creates millions of small containers and no reference cycles, yet each of them counts
    towards the collector's next run, which then walks every object read so far: at 10,000 entries
    that made loading three to four times slower. Plain reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _display(path: Path, data_dir: Path) -> str:
    """The path editors see in messages: relative to the project, like data/practices.yaml."""
    try:
        # Resolve the folder, never the file: a data file that is a link must not show its target.
        return (path.parent.resolve() / path.name).relative_to(data_dir.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


def _vocabularies(docs: Mapping[str, Located]) -> dict[str, checks.Vocabulary]:
    """Known values for each list that other entries may refer to, named as the schemas name them."""
    out: dict[str, checks.Vocabulary] = {}
    for name, doc in docs.items():
        if not isinstance(doc.data, dict):
            continue
        for list_name, list_schema in schemas.load_schema(name).get("properties", {}).items():
            items = doc.data.get(list_name)
            if "x-entry" in list_schema and isinstance(items, list):
                key = list_schema.get("x-key", "id")
                values = frozenset(i[key] for i in items if isinstance(i, dict) and isinstance(i.get(key), str))
                out[list_name] = checks.Vocabulary(values=values, entry=list_schema["x-entry"], file=doc.file)
    return out
