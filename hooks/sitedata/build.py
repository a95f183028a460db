"""One build of the site, made once per build: the data, its date, the page plan, the macros, the files and the post-build.

Everything the site is made of is made here, as plain files and strings, with no generator imported:
- the checked data (`SiteData`), the build's date and the review and page-size policy (`Settings`);
- the compiled opening hours;
- the page plan: every generated page with its URL, the entry it shows and its finished HTML;
- the macros that prose pages in docs/ call, each a function of the page's URL;
- the generated files (exports, the good practice filters' stylesheet, the browser's constants, lunr.js, the
  offline shim or zip);
- the background jobs (the search index, the link check) and the post-build steps on the written site
  (glossary definitions and the security policy on every page, the search index, the service worker,
  the offline copy's stamp, the link check);
- one warnings policy.

A generator only renders pages into the theme: the MkDocs adapter (sitedata.adapters.mkdocs_plugin) hands
files in and takes pages out, and `python -m sitedata prebuild DIR` (sitedata.adapters.plain_tree) writes the
same plan as a plain docs tree that MkDocs with no hooks, or another generator, can build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sitedata.background import Job, worth_a_process
from sitedata.constants import DATA_DIR, LONDON, PROJECT_DIR, TEMPLATE_DIR
from sitedata.data.checks import REVIEW_MONTHS_DEFAULT, warning_level
from sitedata.data.errors import DataError
from sitedata.data.load import SiteData, load_site_cached
from sitedata.data.provenance import STALE_MONTHS_DEFAULT, VERY_STALE_MONTHS_DEFAULT, HoursAge
from sitedata.postbuild import links, offline
from sitedata.postbuild.hardening import Origin, check_exit_url, harden_page, trusted_scripts
from sitedata.postbuild.offline import DEFAULT_ZIP
from sitedata.views import browser_constants, directory, exports, search
from sitedata.views.directory import compile_site_hours
from sitedata.views.evidence import evidence_page
from sitedata.views.glossary import glossary_page, term_marker
from sitedata.views.pages import GeneratedPage, Views, practice_src
from sitedata.views.paths import Link, linker, page_url
from sitedata.views.render import render
from sitedata.views.review import review_due, unverified_services

PRACTICE_FILTER_CSS = "assets/stylesheets/practice-filters.css"
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
PAGE_SIZE_DEFAULT = directory.PAGE_SIZE_DEFAULT


class SettingsError(ValueError):
    """A setting in mkdocs.yml (extra:) that the build cannot use; the message names it and says what is allowed."""


@dataclass(frozen=True)
class Settings:
    """What one build needs to know beyond the data: its time, its policies, and where and how the site is served."""

    built: datetime
    data_dir: Path = DATA_DIR
    docs_dir: Path = PROJECT_DIR / "docs"
    theme_dirs: tuple[Path, ...] = (PROJECT_DIR / "overrides",)
    review_months: int = REVIEW_MONTHS_DEFAULT
    page_size: int = PAGE_SIZE_DEFAULT
    hours_age: HoursAge = field(default_factory=HoursAge)
    repo_url: str | None = None
    site_url: str | None = None
    use_directory_urls: bool = True
    quick_exit_url: str = DEFAULT_EXIT_URL
    offline: bool = False
    serving: bool = False
    zip_path: Path = DEFAULT_ZIP

    @property
    def today(self) -> date:
        return self.built.date()

    @property
    def base_path(self) -> str:
        """The path the site is served under ('/' unless site_url says otherwise)."""
        from urllib.parse import urlsplit

        return urlsplit(self.site_url or "").path or "/"

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any], *, built: datetime, **given: Any) -> Settings:
        """Settings from mkdocs.yml's `extra:` block (the same keys in any generator's config), every value checked."""
        stale = _months(extra, "hours_stale_months", STALE_MONTHS_DEFAULT)
        very = _months(extra, "hours_very_stale_months", VERY_STALE_MONTHS_DEFAULT)
        if very <= stale:
            raise SettingsError(f"mkdocs.yml: extra.hours_very_stale_months ({very}) must be more than extra.hours_stale_months ({stale})")
        size = extra.get("directory_page_size", PAGE_SIZE_DEFAULT)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SettingsError(
                f"mkdocs.yml: extra.directory_page_size must be a whole number of services, at least 1 (for example {PAGE_SIZE_DEFAULT}), not {size!r}"
            )
        try:
            exit_url = check_exit_url(extra.get("quick_exit_url", DEFAULT_EXIT_URL))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        if built.tzinfo is None:
            raise SettingsError("the build time must carry its time zone")
        return cls(
            built=built.astimezone(LONDON),
            review_months=_months(extra, "review_months", REVIEW_MONTHS_DEFAULT),
            page_size=size,
            hours_age=HoursAge(stale_months=stale, very_stale_months=very),
            quick_exit_url=exit_url,
            **given,
        )


def _months(extra: Mapping[str, Any], name: str, default: int) -> int:
    value = extra.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"mkdocs.yml: extra.{name} must be a whole number of months, at least 1 (for example 12), not {value!r}")
    return value


@dataclass(frozen=True)
class PlannedFile:
    """A file the build adds to the docs tree: its text, or the path of a file to copy."""

    path: str
    text: str | None = None
    source: Path | None = None


def digest(*parts: str) -> str:
    """A fingerprint of some strings, to tell whether what a page is made from changed between two builds."""
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


@dataclass(frozen=True)
class PlannedPage:
    """A page made from the data: where it lives, its address, the entry it shows, and its finished HTML."""

    src: str
    url: str
    entry: str
    page: GeneratedPage

    def digest(self) -> str:
        """A fingerprint of everything the page shows of its own (its front matter and its HTML)."""
        return digest(self.page.front_matter(), self.page.html)


@dataclass(frozen=True)
class Plan:
    """Every page and file the build adds, and the address of every page and file of the site."""

    pages: dict[str, PlannedPage]
    files: list[PlannedFile]
    urls: dict[str, str]

    def link(self, *, here: str) -> Link:
        """Docs paths as links relative to the page at `here` (a URL from the site root)."""
        return linker(self.urls, here=here)


@dataclass(frozen=True)
class Message:
    """A line for the build's log: 'warning' fails a strict build; 'info' is for editors to read."""

    level: int
    text: str


class Build:
    """One build: made once from its settings (which raise DataErrors or SettingsError), then asked for each part."""

    def __init__(self, settings: Settings, *, previous: Build | None = None) -> None:
        """`previous`, the build before this one in the same process (`mkdocs serve`): parts whose inputs are unchanged are taken from it."""
        self.settings = settings
        self.site: SiteData = load_site_cached(
            data_dir=settings.data_dir, today=settings.today, review_months=settings.review_months, hours_age=settings.hours_age
        )
        self.views = Views(self.site, repo_url=settings.repo_url)
        self.stamp = offline.build_stamp(site=self.site, built=settings.built)
        self.lunr = search.lunr_file()
        self.shim = offline.shim_file() if settings.offline else None
        self.download = None if settings.offline else offline.read_zip(settings.zip_path)
        self._marker = term_marker(self.site)
        self._trusted = trusted_scripts(template_dirs=settings.theme_dirs)
        self._plan: Plan | None = None
        self._search: tuple[Job[str], float, int] | None = None
        self._macro_html: dict[tuple[str, str], str] = {}
        self._earlier = previous._parts if previous is not None else {}
        self._same_data = previous is not None and previous.site is self.site
        self._parts: dict[str, tuple[str | None, Any]] = dict(self._earlier)  # each is checked against its inputs when used

    @property
    def today(self) -> date:
        return self.settings.today

    @property
    def origin(self) -> Origin:
        """Pages opened from file:// (the offline copy) need file: in their policy; served pages do not."""
        return "file" if self.settings.offline else "server"

    # The log.

    def messages(self) -> list[Message]:
        """Every warning about the data, once, at the level the review policy gives it (sitedata.data.checks.warning_level)."""
        found: list[DataError] = [*self.site.warnings, *directory.hours_warnings(self.site)]
        return [Message(level=warning_level(w), text=str(w)) for w in sorted(found, key=lambda w: (w.file, w.line, w.column))]

    # The plan.

    def plan(self, docs_files: Iterable[str]) -> Plan:
        """Every generated page and file, given the docs tree's own files (docs-relative paths); made once.

        The previous build's plan is reused when nothing it was made from changed: the same data (load_site_cached
        gives the same object while no data file changes), the same settings and day, docs files and data templates.
        """
        if self._plan is not None:
            return self._plan
        docs_files = sorted(docs_files)
        key = None
        if self._same_data:
            day = replace(self.settings, built=datetime.combine(self.today, datetime.min.time(), tzinfo=LONDON))
            key = digest(repr(day), repr(self.download), repr(self.shim), *docs_files, *_stamps(TEMPLATE_DIR))
        self._plan = self._reused("plan", key, lambda: self._new_plan(docs_files))
        return self._plan

    def _reused(self, part: str, key: str | None, make: Callable[[], Any]) -> Any:
        """make(), or the previous build's value of this part when it was made from the same inputs (`key`; None: not known)."""
        earlier = self._earlier.get(part)
        value = earlier[1] if key is not None and earlier is not None and earlier[0] == key else make()
        self._parts[part] = (key, value)
        return value

    def _new_plan(self, docs_files: list[str]) -> Plan:
        compile_site_hours(self.site, start=self.today)
        urls_of = lambda srcs: {s: page_url(s, use_directory_urls=self.settings.use_directory_urls) for s in srcs}  # noqa: E731
        files = [PlannedFile(path=PRACTICE_FILTER_CSS, text=self.views.practice_filter_css())]
        # The constants the browser's scripts share with Python (mkdocs.yml lists it in extra_javascript before open-now.js).
        files.append(PlannedFile(path=browser_constants.SITE_PATH, text=browser_constants.constants_script(hours_age=self.settings.hours_age)))
        files += [PlannedFile(path=path, text=text) for path, text in self._exports().items()]
        files.append(PlannedFile(path=search.LUNR_SITE_PATH, source=self.lunr))
        if self.shim is not None:
            files.append(PlannedFile(path=offline.SHIM_SITE_PATH, source=self.shim))
        if self.download is not None:
            files.append(PlannedFile(path=offline.ZIP_SITE_PATH, source=self.download.path))
        area_pages = directory.area_pages(self.site, page_size=self.settings.page_size)
        practice_srcs = self.views.practice_srcs()
        own = [s for s in docs_files if s != offline.SW_SOURCE_PATH]
        urls = urls_of([*own, *(f.path for f in files), *practice_srcs, *(a.src for a in area_pages)])
        plan = Plan(pages={}, files=files, urls=urls)
        for page in self.views.practice_pages(link_for=lambda src: plan.link(here=urls[src])):
            plan.pages[page.src_uri] = PlannedPage(src=page.src_uri, url=urls[page.src_uri], entry=f"practices/{page.src_uri[10:-3]}", page=page)
        for area in area_pages:
            html = directory.area_page_html(
                self.site, page=area, link=plan.link(here=urls[area.src]), start=self.today, page_size=self.settings.page_size,
                repo_url=self.settings.repo_url,
            )
            name = area.area["name"]
            page = GeneratedPage(src_uri=area.src, title=f"Helplines and services: {name}", description=f"Helplines and services that cover {name}.", html=html)
            plan.pages[area.src] = PlannedPage(src=area.src, url=urls[area.src], entry=f"areas/{name}", page=page)
        return plan

    def _exports(self) -> dict[str, str]:
        """The downloads, made from the services, audiences and sources only: an edit elsewhere reuses the last build's."""
        inputs = [self.site.entries(directory.SERVICES_LIST), self.site.entries("audiences"), self.site.entries("sources")]
        key = digest(json.dumps(inputs, sort_keys=True, default=str), self.today.isoformat())
        return self._reused("exports", key, lambda: exports.export_files(self.site, generated=self.today))  # type: ignore[no-any-return]

    # The macros prose pages call ({{ name() }} in docs/*.md with render_macros: true).

    def macros(self) -> dict[str, Callable[[str], str]]:
        """Each macro as a function of the URL of the page that calls it, made once per page and build (macro_digest reads them too)."""
        return {name: self._remembered(name, make) for name, make in self._macros().items()}

    def _remembered(self, name: str, make: Callable[[str], str]) -> Callable[[str], str]:
        def macro(here: str) -> str:
            key = (name, here)
            if key not in self._macro_html:
                self._macro_html[key] = make(here)
            return self._macro_html[key]

        return macro

    def _macros(self) -> dict[str, Callable[[str], str]]:
        views = self.views

        def with_link(make: Callable[[Link], str]) -> Callable[[str], str]:
            return lambda here: make(self._require_plan().link(here=here))

        def renderer(link: Link) -> Callable[..., str]:
            return lambda template, **context: views.render(template, link=link, practice_src=practice_src, **context)

        size, today, repo = self.settings.page_size, self.today, self.settings.repo_url
        return {
            "help_now": with_link(lambda link: views.help_now(link=link)),
            "home_routes": with_link(lambda link: views.home(link=link)),
            "prompts_by_theme": with_link(lambda link: views.prompts(link=link)),
            "practices_index": with_link(lambda link: views.practices_index(link=link)),
            "safety_advice": with_link(lambda link: views.safety(link=link)),
            "professional_resources": with_link(lambda link: views.resources(link=link)),
            "sources_table": with_link(lambda link: views.sources_list(link=link)),
            "glossary_terms": with_link(lambda link: glossary_page(self.site, render_with=renderer(link))),
            "evidence_figures": with_link(lambda link: evidence_page(self.site, render_with=renderer(link))),
            "helpline_directory": with_link(
                lambda link: directory.directory_html(self.site, link=link, start=today, page_size=size, repo_url=repo)
            ),
            "review_due": with_link(
                lambda link: render(
                    "review_due.html",
                    unverified=unverified_services(self.site, page_size=size),
                    entries=review_due(self.site, page_size=size),
                    months=self.site.review_months,
                    today=self.site.today,
                    link=link,
                )
            ),
            "offline_download": lambda here: self._offline_panel(here),
        }

    # What changed since another build (a dirty rebuild under `mkdocs serve --dirty` re-renders only what did).

    def shared_digest(self) -> str:
        """A fingerprint of what this build adds to every page beyond the page's own content: the glossary
        definitions, the security policy's trusted scripts and origin, and the settings pages show."""
        marker = self._marker
        settings = self.settings
        return digest(
            marker.pattern.pattern,
            *(f"{word}\0{term}" for word, term in sorted(marker.term_of.items())),
            *(f"{term}\0{markup}" for term, markup in sorted(marker.markup_of.items())),
            *(pattern.pattern for pattern in self._trusted),
            self.origin,
            repr((settings.quick_exit_url, settings.repo_url, settings.site_url, settings.use_directory_urls, settings.offline)),
        )

    def macro_digest(self, names: Iterable[str], *, here: str) -> str:
        """A fingerprint of what the named macros give the page at `here` in this build (each made once, then reused)."""
        made = self.macros()
        return digest(*(f"{name}\0{made[name](here) if name in made else ''}" for name in sorted(set(names))))

    def _offline_panel(self, here: str) -> str:
        url = None
        if self.download is not None:
            url = self._require_plan().link(here=here)(offline.ZIP_SITE_PATH)
        return offline.offline_panel(
            mode="offline" if self.settings.offline else "hosted", stamp=self.stamp, download=self.download, download_url=url,
            site_url=self.settings.site_url or None,
        )

    def _require_plan(self) -> Plan:
        if self._plan is None:
            raise RuntimeError("Build.plan() must run before pages are rendered: it fixes every page's address")
        return self._plan

    # The search index, built beside the pages.

    def start_search(self) -> None:
        """Start building the search index from the data and the prose pages' Markdown (in another process at scale)."""
        plan = self._require_plan()

        def url_of(src: str) -> str | None:
            return plan.urls.get(src)

        docs_dir = self.settings.docs_dir
        sections = []
        for source in sorted(docs_dir.rglob("*.md")):
            url = url_of(source.relative_to(docs_dir).as_posix())
            if url is not None:
                sections += search.page_sections(source.read_text(encoding="utf-8"), url=url)
        urls = search.entry_urls(self.site, page_url=url_of, page_size=self.settings.page_size)
        docs, shown = search.documents(self.site, urls=urls, sections=sections, start=self.today)
        job = Job(search.script_from_documents, docs, shown=shown, in_background=self._at_scale())
        self._search = (job, time.perf_counter(), len(docs))

    def _at_scale(self) -> bool:
        return worth_a_process(len(self.site.entries("services")) + len(self.site.entries("practices")))

    # Each page, as the generator hands it back.

    def page_html(self, src: str) -> str | None:
        """The finished HTML of a generated page (None for a prose page, whose HTML the generator makes)."""
        planned = self._require_plan().pages.get(src)
        return None if planned is None else planned.page.html

    def page_digest(self, src: str) -> str | None:
        """The fingerprint of a generated page's own content (None for a prose page, which the generator renders)."""
        planned = self._require_plan().pages.get(src)
        return None if planned is None else planned.digest()

    def finish_page(self, html: str, *, where: str) -> str:
        """A written page: glossary definitions in every section, external links without opener, and its security policy."""
        if where.endswith(".md"):
            html = self._marker.mark_page(html)
        extra = offline.shim_csp_hashes(html) if self.settings.offline else ()
        return harden_page(html, trusted=self._trusted, origin=self.origin, extra_script_hashes=extra)

    # Once every page is written.

    def post_build(self, site_dir: Path, *, log: Callable[[Message], None], parsed: links.ParsedPages | None = None) -> None:
        """The search index, the link check (beside the last steps), the offline stamp or the service worker; then the link report.

        `parsed`: the pages an earlier check of this site folder parsed (a dirty rebuild rewrites only some): then the
        check runs here, parsing only the pages that changed, rather than in another process that would parse them all.
        """
        # A generator that copies the theme's files as they are (one with no hooks) copies the worker's source too.
        (site_dir / offline.SW_SOURCE_PATH).unlink(missing_ok=True)
        self._write_search_index(site_dir, log=log)
        base = self.settings.base_path
        check = Job(links.check_site, site_dir, base_path=base, parsed=parsed, in_background=parsed is None and self._at_scale())
        if self.settings.offline:
            (site_dir / offline.STAMP_SITE_PATH).write_text(offline.stamp_json(self.stamp), encoding="utf-8")
        elif not self.settings.serving:
            self._write_service_worker(site_dir, log=log)
        for problem in links.confirm_problems(check.result(), site_dir=site_dir, base_path=base, parsed=parsed):
            log(Message(logging.WARNING, str(problem)))

    def check_external_links(self, site_dir: Path, *, now: datetime, log: Callable[[Message], None]) -> None:
        """Every external link of the built site, over the network (CHECK_EXTERNAL_LINKS=1; the weekly workflow).

        Only broken links are warnings (a strict build fails); moves, flaky hosts and skips are for editors to read.
        """
        allowlist = links.load_allowlist(today=now.date())
        origins = links.external_links_in_site(site_dir, site_url=self.settings.site_url)
        log(Message(logging.INFO, f"Checking {len(origins)} external links ({links.SWITCH}=1)"))
        for result in links.check_external(origins, now=now, allowlist=allowlist):
            level = logging.WARNING if result.verdict == links.BROKEN else logging.INFO
            for line in links.result_lines(result):
                log(Message(level, line))

    def _write_search_index(self, site_dir: Path, *, log: Callable[[Message], None]) -> None:
        if self._search is None:
            self.start_search()
        job, started, count = self._search  # type: ignore[misc]
        self._search = None
        waited = time.perf_counter()
        script = job.result()
        target = site_dir / search.INDEX_SITE_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(script, encoding="utf-8")
        log(Message(logging.INFO, f"search: {count} pages and entries indexed ({len(script) / 1024:.0f} KB) beside the build; "
                                  f"waited {time.perf_counter() - waited:.1f} s of {time.perf_counter() - started:.1f} s"))

    def _write_service_worker(self, site_dir: Path, *, log: Callable[[Message], None]) -> None:
        source = _theme_file(self.settings.theme_dirs, offline.SW_SOURCE_PATH).read_text(encoding="utf-8")
        entries = offline.precache_entries(site_dir=site_dir, use_directory_urls=self.settings.use_directory_urls)
        version = offline.build_version(site_dir=site_dir, entries=entries)
        (site_dir / offline.SW_SITE_PATH).write_text(offline.service_worker_script(source=source, version=version, entries=entries), encoding="utf-8")
        log(Message(logging.INFO, f"service worker: {len(entries)} files precached, build {version}"))

    # Values the theme's templates read (config.extra in MkDocs).

    def theme_extra(self, polyfills: Iterable[str]) -> dict[str, Any]:
        """The checked quick-exit address, the build time and, offline, the stamp and the local shim."""
        extra: dict[str, Any] = {"quick_exit_url": self.settings.quick_exit_url, "build_time": self.settings.built.isoformat(timespec="seconds")}
        if self.settings.offline:
            # The local shim, whichever of this and Material's offline plugin (which adds the remote one) runs first.
            extra["polyfills"] = offline.local_polyfills([*polyfills, offline.SHIM_SITE_PATH])
            extra["offline_build"] = self.stamp.context()
        return extra


def _stamps(folder: Path) -> list[str]:
    """Each file under `folder` with its modification time and size."""
    return sorted(f"{p.relative_to(folder)}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in folder.rglob("*") if p.is_file())


def _theme_file(theme_dirs: Iterable[Path], path: str) -> Path:
    for folder in theme_dirs:
        if (Path(folder) / path).is_file():
            return Path(folder) / path
    raise offline.OfflineError(f"{path} is missing from the theme folders (it should be in overrides/)")
