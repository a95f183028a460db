"""`python -m bench`: build the site at growing sizes, beside a plain-Material build of the same pages, and judge the targets.

Progress goes to stderr; the tables and one verdict line per target go to stdout. Results are also
written to bench-out/results.json and bench-out/results.md, and `--record` puts them in BENCHMARKS.md.
While it runs, bench-out/partial.md holds the figures measured so far.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from . import browser, plain, synth
from .measure import PROJECT_DIR, RunFailed, bare_parse_cmd, base_env, check_cmd, edit_one_entry, mkdocs_build_cmd, run_measured, site_stats
from .report import BIG_SIZE, SERVE_SIZE, Results, SizeResult, format_machine, format_report, verdicts
from .serve import time_serve

LONDON = ZoneInfo("Europe/London")
OUT_DIR = PROJECT_DIR / "bench-out"
BENCHMARKS_MD = PROJECT_DIR / "BENCHMARKS.md"
OFFLINE_CONFIG = PROJECT_DIR / "mkdocs.offline.yml"
DEFAULT_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)
SEARCH_QUERIES = ["helpline", "refuge", "outreach", "housing", "school", "recovery", "sanctuary", "partnership", "marac"]
TICK_S = 30
RECORD_START = "<!-- bench:results -->"
RECORD_END = "<!-- /bench:results -->"
PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "jsonschema", "PyYAML", "Jinja2", "Markdown", "playwright")


@dataclass
class Options:
    """What to measure and how many times."""

    sizes: list[int]
    runs: int = 5
    big_runs: int = 3
    check_runs: int = 5
    real: bool = True
    browser: bool = True
    serve: bool = True
    builds: bool = True  # False: only the `make check` figures (no capture, no builds)
    serve_edits: int = 3
    work: Path | None = None
    keep: bool = False
    out_dir: Path = OUT_DIR  # partial.md/.json while it runs


@dataclass
class _Dataset:
    row: SizeResult
    data_dir: Path | None  # None: the real data/
    site: Path
    plain_site: Path
    plain_config: Path | None = None


class _Plan:
    """Steps known up front, so progress can say '[3/12]'."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Callable[[], object]]] = []

    def add(self, label: str, step: Callable[[], object]) -> None:
        self.steps.append((label, step))

    def run(self, *, after_each: Callable[[], object] = lambda: None) -> None:
        total = len(self.steps)
        for i, (label, step) in enumerate(self.steps, 1):
            print(f"[{i}/{total}] {label}…", end="", file=sys.stderr, flush=True)
            start = time.perf_counter()
            done = threading.Event()
            ticker = threading.Thread(target=_tick, args=(done,), daemon=True)
            ticker.start()
            try:
                step()
            finally:
                done.set()
                ticker.join()
            print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
            after_each()


def _tick(done: threading.Event) -> None:
    """A dot every TICK_S seconds, so a ten-minute build visibly runs."""
    while not done.wait(TICK_S):
        print(".", end="", file=sys.stderr, flush=True)


def run_bench(options: Options, *, today: date) -> Results:
    """Measure everything `options` asks for; raises RunFailed if a build or check fails."""
    work = options.work or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = Results(machine=machine_info())
    plan = _Plan()
    datasets: list[_Dataset] = []
    if options.real:
        datasets.append(_plan_dataset(plan, options, work=work, size=None, today=today))
    for size in sorted(options.sizes):
        datasets.append(_plan_dataset(plan, options, work=work, size=size, today=today))
    results.sizes = [d.row for d in datasets]
    synthetic = [d for d in datasets if d.data_dir is not None]

    if options.serve and synthetic:
        target = min(synthetic, key=lambda d: abs(d.row.size - SERVE_SIZE))  # type: ignore[operator]
        plan.add(
            f"mkdocs serve on {target.row.label}: first build, then {options.serve_edits} edits of one entry",
            lambda: _serve(results, target, options=options, work=work),
        )
    if options.browser:
        biggest = max(synthetic, key=lambda d: d.row.size or 0) if synthetic else None
        real = next((d for d in datasets if d.data_dir is None), None)
        plan.add("page weight in Chromium: home page, directory and its largest area page", lambda: _weights(results, [d for d in (real, biggest) if d]))
        # Search speed (the site search beside Material's, from file:// on a phone) is measured by
        # `python -m bench.search_speed`, which builds both offline copies; `make bench` runs it after this.
    results.own_js = browser.own_javascript()
    # A long run that is stopped half-way still leaves what it measured so far.
    plan.run(after_each=lambda: save_partial(results, out_dir=options.out_dir))
    results.machine["load average at the end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if not OFFLINE_CONFIG.exists() and options.browser:
        results.notes.append(
            "mkdocs.offline.yml does not exist yet: search was timed on the normal build served on 127.0.0.1, not the offline copy."
        )
    if not plain.project_config().get("watch"):
        results.notes.append(
            "mkdocs.yml has no `watch:` for data/: `mkdocs serve` does not rebuild when an editor saves a YAML file. "
            "The serve timing passes `--watch <data folder>`."
        )
    for row in results.sizes:
        if row.plain_pages and row.plain_pages != row.pages:
            results.notes.append(f"{row.label}: the plain build has {row.plain_pages} pages, ours {row.pages}.")
    if not options.keep and options.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return results


def save_partial(results: Results, *, out_dir: Path) -> None:
    """Write the figures so far to partial.md and partial.json (bench-out/ by default)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "partial.json").write_text(json.dumps(dataclasses.asdict(results), indent=2, default=str), encoding="utf-8")
    (out_dir / "partial.md").write_text(format_report(results), encoding="utf-8")


def _plan_dataset(plan: _Plan, options: Options, *, work: Path, size: int | None, today: date) -> _Dataset:
    label = "real data" if size is None else f"{size:,}"
    data_dir = None if size is None else work / "data" / str(size)
    key = "real" if size is None else str(size)
    ds = _Dataset(
        row=SizeResult(label=label, size=size, services=0, practices=0),
        data_dir=data_dir,
        site=work / "sites" / key,
        plain_site=work / "sites" / f"{key}-plain",
    )
    runs = options.big_runs if size is not None and size >= BIG_SIZE else options.runs
    what = "the real data" if size is None else f"{size:,} services and {size:,} practices"
    if data_dir is not None:
        plan.add(f"writing synthetic data: {what}", lambda: _generate(ds, size=size, today=today))  # type: ignore[arg-type]
    else:
        plan.add("counting the real data", lambda: _count_real(ds))
    if options.builds:
        plan.add(f"writing the prebuilt tree of {what} for plain Material (python -m sitedata prebuild)", lambda: _prebuild(ds, work=work))
    for r in range(1, (runs if options.builds else 0) + 1):
        plan.add(f"building {label} (run {r}/{runs})", lambda: _build_ours(ds, work=work))
        plan.add(f"building plain Material of {label} (run {r}/{runs})", lambda: _build_plain(ds, work=work))
    for r in range(1, options.check_runs + 1):
        n = options.check_runs
        plan.add(f"bare libyaml parse of {label} (run {r}/{n})", lambda: _bare(ds, work=work))
        plan.add(f"make check on {label}, no cache (run {r}/{n})", lambda: _check(ds, work=work))
        plan.add(f"make check on {label} after editing one entry (run {r}/{n})", lambda r=r: _check_edited(ds, work=work, run=r))
    return ds


def _env(ds: _Dataset, **extra: str) -> dict[str, str]:
    env = base_env(**extra)
    env.pop("SITE_DATA_DIR", None)
    if ds.data_dir is not None:
        env["SITE_DATA_DIR"] = str(ds.data_dir)
    return env


def _generate(ds: _Dataset, *, size: int, today: date) -> None:
    counts = synth.write_data(dest=ds.data_dir, size=size, today=today)  # type: ignore[arg-type]
    ds.row.services, ds.row.practices = counts.services, counts.practices


def _count_real(ds: _Dataset) -> None:
    for name, key in (("helplines", "services"), ("practices", "practices")):
        data = yaml.safe_load((synth.DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        setattr(ds.row, key, len(data[key]))


def _prebuild(ds: _Dataset, *, work: Path) -> None:
    ds.plain_config = plain.write_plain_project(dest=work / "plain" / (str(ds.row.size or "real")), data_dir=ds.data_dir)


def _build_ours(ds: _Dataset, *, work: Path) -> None:
    sample = run_measured(mkdocs_build_cmd(site_dir=ds.site), env=_env(ds), log=_log(work, ds, "build"))
    ds.row.build_runs.append(sample.seconds)
    ds.row.build_cpu_runs.append(sample.cpu_seconds)
    ds.row.peak_rss = max(ds.row.peak_rss, sample.peak_rss_bytes)
    ds.row.pages, ds.row.site_bytes = site_stats(ds.site)


def _build_plain(ds: _Dataset, *, work: Path) -> None:
    sample = run_measured(mkdocs_build_cmd(site_dir=ds.plain_site, config=ds.plain_config), env=_env(ds), log=_log(work, ds, "plain"))  # type: ignore[arg-type]
    ds.row.plain_runs.append(sample.seconds)
    ds.row.plain_cpu_runs.append(sample.cpu_seconds)
    ds.row.plain_peak_rss = max(ds.row.plain_peak_rss, sample.peak_rss_bytes)
    ds.row.plain_pages = site_stats(ds.plain_site)[0]


def _check_data(ds: _Dataset, *, work: Path) -> Path:
    """A copy of the data set for the checks, which edit it (the builds and the serve timing keep theirs)."""
    copy = work / "check-data" / (str(ds.row.size) if ds.row.size else "real")
    if not copy.exists():
        shutil.copytree(ds.data_dir or synth.DATA_DIR, copy, ignore=shutil.ignore_patterns("schema", "README.md", "INVENTORY.md"))
    return copy


def _check_cache(ds: _Dataset, *, work: Path) -> Path:
    return work / "check-cache" / (str(ds.row.size) if ds.row.size else "real")


def _bare(ds: _Dataset, *, work: Path) -> None:
    sample = run_measured(bare_parse_cmd(data_dir=_check_data(ds, work=work)), env=_env(ds), log=_log(work, ds, "bare"))
    ds.row.bare_runs.append(sample.seconds)
    ds.row.bare_cpu_runs.append(sample.cpu_seconds)


def _check(ds: _Dataset, *, work: Path) -> None:
    """`make check` with no cache: it reads and checks every entry (and writes the cache the next run uses)."""
    cache = _check_cache(ds, work=work)
    shutil.rmtree(cache, ignore_errors=True)
    sample = run_measured(check_cmd(data_dir=_check_data(ds, work=work), cache_dir=cache), env=_env(ds), log=_log(work, ds, "check"))
    ds.row.check_runs.append(sample.seconds)
    ds.row.check_cpu_runs.append(sample.cpu_seconds)


def _check_edited(ds: _Dataset, *, work: Path, run: int) -> None:
    """`make check` after an editor changed one entry since the last check (whose cache is there)."""
    data = _check_data(ds, work=work)
    edit_one_entry(data, run=run)
    sample = run_measured(check_cmd(data_dir=data, cache_dir=_check_cache(ds, work=work)), env=_env(ds), log=_log(work, ds, "check-edit"))
    ds.row.edit_runs.append(sample.seconds)
    ds.row.edit_cpu_runs.append(sample.cpu_seconds)


def _serve(results: Results, ds: _Dataset, *, options: Options, work: Path) -> None:
    copy = work / "serve-data"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(ds.data_dir, copy)  # type: ignore[arg-type]
    results.serve = time_serve(data_dir=copy, size=ds.row.size or 0, edits=options.serve_edits, log=work / "logs" / "serve.log")


def _weights(results: Results, datasets: list[_Dataset]) -> None:
    with browser.chromium() as chromium:
        for ds in datasets:
            with browser.serve_dir(ds.site) as base:
                for path in ("", "directory/", *_largest_area_page(ds.site)):
                    results.weights.append((ds.row.label, browser.page_weight(chromium, site_dir=ds.site, base_url=base, path=path)))
            precache = browser.precache(ds.site)
            if precache:
                results.precache.append((ds.row.label, *precache))
    for label, weight in results.weights:
        if weight.blocked:
            results.notes.append(
                f"{label} /{weight.url} tried to load {len(weight.blocked)} address(es) outside 127.0.0.1 (blocked): {weight.blocked[:3]}"
            )


def _largest_area_page(site: Path) -> list[str]:
    """The heaviest of the directory's area pages (there are some once it has too many services for one page)."""
    pages = sorted((site / "directory" / "areas").glob("*/index.html"), key=lambda p: p.stat().st_size)
    return [pages[-1].parent.relative_to(site).as_posix() + "/"] if pages else []


def _log(work: Path, ds: _Dataset, what: str) -> Path:
    folder = work / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{ds.row.size or 'real'}-{what}.log"


def machine_info() -> dict[str, str]:
    """The machine, the software and the load when the run started."""
    info = {
        "date": datetime.now(LONDON).strftime("%Y-%m-%d %H:%M %Z"),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    info["chromium"] = _chromium_version()
    info["load average at the start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        return f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        return "unknown"


def _chromium_version() -> str:
    try:
        return subprocess.run([browser.CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def record(markdown: str, *, path: Path = BENCHMARKS_MD) -> None:
    """Replace the results section of BENCHMARKS.md (between its markers) with this run's."""
    text = path.read_text(encoding="utf-8")
    if RECORD_START not in text or RECORD_END not in text:
        raise SystemExit(f"{path.name} has no {RECORD_START} ... {RECORD_END} section to replace")
    head, rest = text.split(RECORD_START, 1)
    tail = rest.split(RECORD_END, 1)[1]
    path.write_text(f"{head}{RECORD_START}\n{markdown}{RECORD_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, print; exit 1 if a target fails."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="synthetic sizes: N services and N practices each")
    parser.add_argument("--runs", type=int, default=5, help="timed builds per size below 10,000 (ours and plain, interleaved)")
    parser.add_argument("--big-runs", type=int, default=3, help="timed builds per size of 10,000 and more")
    parser.add_argument("--check-runs", type=int, default=5, help="timed `make check` runs per size")
    parser.add_argument("--quick", action="store_true", help=f"development: sizes {QUICK_SIZES}, one run of each")
    parser.add_argument("--no-real", action="store_true", help="skip the real data")
    parser.add_argument(
        "--no-browser", action="store_true", help="skip search timing and page weight (their targets are then NOT MEASURED)"
    )
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve timing")
    parser.add_argument(
        "--checks-only", action="store_true", help="only the `make check` figures (bare parse, no cache, one edit): no builds, browser or serve"
    )
    parser.add_argument("--work", type=Path, help="keep generated data and sites here (default: a temporary folder, removed at the end)")
    parser.add_argument("--record", action="store_true", help="write the results into BENCHMARKS.md")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any target fails")
    args = parser.parse_args(argv)
    options = Options(
        sizes=list(QUICK_SIZES) if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()],
        runs=1 if args.quick else args.runs,
        big_runs=1 if args.quick else args.big_runs,
        check_runs=1 if args.quick else args.check_runs,
        real=not args.no_real,
        browser=not (args.no_browser or args.checks_only),
        serve=not (args.no_serve or args.checks_only),
        builds=not args.checks_only,
        serve_edits=1 if args.quick else 3,
        work=args.work,
    )
    try:
        results = run_bench(options, today=datetime.now(LONDON).date())
    except RunFailed as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 2
    report = format_report(results)
    print(report)
    recorded = format_report(results, heading="###")
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "results.json").write_text(json.dumps(dataclasses.asdict(results), indent=2, default=str), encoding="utf-8")
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    markdown = f"Measured with `{command}`.\n\n### Machine\n\n{format_machine(results.machine)}\n{recorded}"
    (OUT_DIR / "results.md").write_text(markdown, encoding="utf-8")
    if args.record:
        record(markdown)
    return 1 if args.strict and any(v.status == "FAIL" for v in verdicts(results)) else 0
