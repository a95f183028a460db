"""The benchmark's results, the tables printed from them, and a verdict per target."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .browser import FinderTiming, SearchTiming, Weight
from .measure import median

MB = 1024 * 1024
KB = 1024

# The targets from issue 8, on the project's 2-core machine.
REAL_BUILD_MAX_S = 5.0
DATA_LAYER_MAX_RATIO = 1.25
LINEAR_MAX_RATIO = 1.2
BIG_SIZE = 10_000
BIG_BUILD_MAX_S = 90.0
BIG_CHECK_MAX_S = 3.0
# Issue 18: `make check` against a bare libyaml parse of the same files, measured side by side.
CHECK_COLD_MAX_RATIO = 1.5
CHECK_EDIT_MAX_RATIO = 0.3
SEARCH_MAX_MS = 1000.0
HOME_MAX_BYTES = 200 * KB
OWN_JS_MAX_BYTES = 15 * KB
SERVE_SIZE = 1_000
SERVE_REBUILD_MAX_S = 5.0  # "a few seconds"

PASS = "PASS"
FAIL = "FAIL"
NOT_MEASURED = "NOT MEASURED"


@dataclass
class SizeResult:
    """Everything measured for one data set: the real data, or N synthetic services and N practices."""

    label: str
    size: int | None  # None for the real data
    services: int
    practices: int
    build_runs: list[float] = field(default_factory=list)
    build_cpu_runs: list[float] = field(default_factory=list)
    plain_runs: list[float] = field(default_factory=list)
    plain_cpu_runs: list[float] = field(default_factory=list)
    check_runs: list[float] = field(default_factory=list)  # `make check` with no cache (cold)
    check_cpu_runs: list[float] = field(default_factory=list)
    bare_runs: list[float] = field(default_factory=list)  # bare libyaml parse of the same files, in the same run
    bare_cpu_runs: list[float] = field(default_factory=list)
    edit_runs: list[float] = field(default_factory=list)  # `make check` after one entry changed, cache warm
    edit_cpu_runs: list[float] = field(default_factory=list)
    peak_rss: int = 0
    plain_peak_rss: int = 0
    pages: int = 0
    plain_pages: int = 0
    site_bytes: int = 0

    @property
    def entries(self) -> int:
        """Services plus practices."""
        return self.services + self.practices

    @property
    def build_s(self) -> float:
        """Median build time."""
        return median(self.build_runs) if self.build_runs else math.nan

    @property
    def build_cpu_s(self) -> float:
        """Median CPU time (user + system) of our build."""
        return median(self.build_cpu_runs) if self.build_cpu_runs else math.nan

    @property
    def cpu_ratio(self) -> float:
        """Our build over the plain build, in CPU time."""
        return self.build_cpu_s / median(self.plain_cpu_runs) if self.plain_cpu_runs and self.build_cpu_runs else math.nan

    @property
    def plain_s(self) -> float:
        """Median plain-Material build time."""
        return median(self.plain_runs) if self.plain_runs else math.nan

    @property
    def check_s(self) -> float:
        """Median `make check` time."""
        return median(self.check_runs) if self.check_runs else math.nan

    @property
    def bare_s(self) -> float:
        """Median bare libyaml parse time."""
        return median(self.bare_runs) if self.bare_runs else math.nan

    @property
    def edit_s(self) -> float:
        """Median `make check` time after one entry changed."""
        return median(self.edit_runs) if self.edit_runs else math.nan

    @property
    def ratio(self) -> float:
        """Our build over the plain build of the same pages."""
        return self.build_s / self.plain_s if self.plain_runs and self.build_runs else math.nan

    @property
    def ms_per_entry(self) -> float:
        """Build time divided by entries (NaN until both are known)."""
        return 1000 * self.build_s / self.entries if self.entries and self.build_runs else math.nan


@dataclass
class ServeResult:
    """`mkdocs serve` on a synthetic data copy: the first build, then rebuilds after editing one entry."""

    size: int
    first_build_s: float
    rebuild_runs: list[float]
    rebuild_cpu_runs: list[float] = field(default_factory=list)

    @property
    def rebuild_s(self) -> float:
        """Median time from saving the edit to the page showing it."""
        return median(self.rebuild_runs)


@dataclass
class Results:
    """A whole benchmark run."""

    machine: dict[str, str]
    sizes: list[SizeResult] = field(default_factory=list)
    search: SearchTiming | None = None
    finder: FinderTiming | None = None
    weights: list[tuple[str, Weight]] = field(default_factory=list)
    own_js: list[tuple[str, int]] = field(default_factory=list)
    precache: list[tuple[str, int, int]] = field(default_factory=list)  # (data, files, bytes over the wire)
    serve: ServeResult | None = None
    notes: list[str] = field(default_factory=list)

    def real(self) -> SizeResult | None:
        """The row for the real data, if it was measured."""
        return next((r for r in self.sizes if r.size is None), None)

    def at(self, size: int) -> SizeResult | None:
        """The row for one synthetic size, if it was measured."""
        return next((r for r in self.sizes if r.size == size), None)


@dataclass(frozen=True)
class Verdict:
    """One target: met or not, with the figure that decides it."""

    target: str
    status: str
    figure: str

    def line(self) -> str:
        """'PASS  real site build <= 5 s: 2.1 s'."""
        return f"{self.status:<12} {self.target}: {self.figure}"


def marginal_ms(results: Results) -> dict[str, float]:
    """Extra build time per extra entry, from the previous (smaller) row: linear growth keeps it flat."""
    rows = sorted((r for r in results.sizes if r.entries and r.build_runs), key=lambda r: r.entries)
    out: dict[str, float] = {}
    for prev, row in zip(rows, rows[1:], strict=False):
        if row.entries > prev.entries:
            out[row.label] = 1000 * (row.build_s - prev.build_s) / (row.entries - prev.entries)
    return out


def verdicts(results: Results) -> list[Verdict]:
    """Every target from issue 8, in the order the issue lists them."""
    real = results.real()
    out = [_check(f"real site full build <= {REAL_BUILD_MAX_S:g} s", real.build_s if real else None, REAL_BUILD_MAX_S, "{:.2f} s")]
    for row in results.sizes:
        target = f"data layer <= {DATA_LAYER_MAX_RATIO:g}x plain Material ({row.label})"
        detail = f" ({row.build_s:.2f} s vs {row.plain_s:.2f} s; CPU {_num(row.cpu_ratio, '{:.2f}x')})"
        out.append(_check(target, row.ratio if row.plain_runs else None, DATA_LAYER_MAX_RATIO, "{:.2f}x" + detail))
    out.append(_linear(results))
    big = results.at(BIG_SIZE)
    out.append(
        _check(f"{BIG_SIZE:,} build < {BIG_BUILD_MAX_S:g} s", big.build_s if big else None, BIG_BUILD_MAX_S, "{:.1f} s", strict=True)
    )
    check = big.check_s if big and big.check_runs else None
    out.append(_check(f"make check on {BIG_SIZE:,} <= {BIG_CHECK_MAX_S:g} s", check, BIG_CHECK_MAX_S, "{:.2f} s"))
    bare = big.bare_s if big and big.bare_runs else math.nan
    for what, value, limit in (
        ("no cache", big.check_s if big and big.check_runs else math.nan, CHECK_COLD_MAX_RATIO),
        ("after editing one entry", big.edit_s if big and big.edit_runs else math.nan, CHECK_EDIT_MAX_RATIO),
    ):
        out.append(
            _check(
                f"make check on {BIG_SIZE:,}, {what} <= {limit:g}x a bare libyaml parse",
                value / bare,
                limit,
                f"{{:.2f}}x ({value:.2f} s vs {bare:.2f} s)",
            )
        )
    search = results.search
    where = f" ({search.mode}, {results.machine.get('search_size', '?')})" if search else ""
    first = search.first_ms if search else None
    warm = search.warm_ms if search else None
    runs = len(search.warm_runs) if search else 0
    out.append(
        _check(
            f"search: first results <= {SEARCH_MAX_MS:g} ms after typing, first query{where}",
            first,
            SEARCH_MAX_MS,
            "{:.0f} ms (the index is built on first use)",
        )
    )
    out.append(
        _check(
            f"search: first results <= {SEARCH_MAX_MS:g} ms after typing, index ready{where}",
            warm,
            SEARCH_MAX_MS,
            f"{{:.0f}} ms (median of {runs} queries)",
        )
    )
    out.append(_finder_verdict(results.finder))
    home = next((w for label, w in results.weights if label == "real data" and w.url == ""), None)
    search_kb = f" (+{home.search_gz / KB:.1f} KB search index and worker)" if home else ""
    out.append(
        _check(
            f"home page <= {HOME_MAX_BYTES // KB} KB over the wire",
            home.initial_gz / KB if home else None,
            HOME_MAX_BYTES / KB,
            "{:.1f} KB gzipped" + search_kb,
        )
    )
    own = sum(n for _, n in results.own_js) / KB if results.own_js else None
    out.append(_check(f"our own JavaScript <= {OWN_JS_MAX_BYTES // KB} KB gzipped", own, OWN_JS_MAX_BYTES / KB, "{:.1f} KB"))
    serve = results.serve.rebuild_s if results.serve and results.serve.size == SERVE_SIZE else None
    out.append(
        _check(
            f"mkdocs serve: editing one entry rebuilds in <= {SERVE_REBUILD_MAX_S:g} s at {SERVE_SIZE:,}",
            serve,
            SERVE_REBUILD_MAX_S,
            "{:.1f} s",
        )
    )
    return out


def _finder_verdict(finder: FinderTiming | None) -> Verdict:
    """The finder's target, judged on its first query (lunr.js, the index and Index.load included) at 10,000 from file:// only."""
    target = f"directory finder: first results <= {SEARCH_MAX_MS:g} ms after typing ({BIG_SIZE:,}, file://)"
    if finder is None:
        return Verdict(target, NOT_MEASURED, "not measured in this run")
    figure = (
        f"{finder.first_ms:.0f} ms first query ({finder.first_from_focus_ms:.0f} ms from focus, loading included), "
        f"{_num(finder.warm_ms, '{:.0f}')} ms warm (median of {len(finder.warm_runs)})"
    )
    if finder.site != f"{BIG_SIZE:,}" or finder.mode != "file://":
        return Verdict(target, NOT_MEASURED, f"measured on {finder.site} from {finder.mode} only: {figure}")
    return Verdict(target, PASS if finder.first_ms <= SEARCH_MAX_MS else FAIL, figure)


def format_report(results: Results, *, heading: str = "##") -> str:
    """The tables, then one verdict line per target (Markdown, readable in a terminal)."""
    h = heading
    slopes = marginal_ms(results)
    lines = [f"{h} Builds", "", *_table(BUILD_COLUMNS, [_build_row(r, slopes) for r in results.sizes])]
    checked = [r for r in results.sizes if r.bare_runs or r.edit_runs]
    if checked:
        lines += ["", f"{h} make check against a bare libyaml parse (medians, same run)", "", *_table(CHECK_COLUMNS, [_check_row(r) for r in checked])]
    if results.search:
        s = results.search
        header = ["site", "opened from", "first query", "first results ms", "warm ms (median)", "warm runs ms", "index KB gz"]
        row = [
            results.machine.get("search_size", "?"),
            s.mode,
            repr(s.first_query),
            f"{s.first_ms:.0f}",
            _num(s.warm_ms, "{:.0f}"),
            ", ".join(f"{t:.0f}" for t in s.warm_runs),
            f"{s.index_gz / KB:.0f}",
        ]
        lines += ["", f"{h} Search in the browser", "", *_table(header, [row])]
    if results.finder:
        f = results.finder
        header = [
            "site", "opened from", "first query", "first results ms", "from focus ms", "warm ms (median)", "warm runs ms",
            "index MB", "index KB gz", "lunr.js KB gz",
        ]
        row = [
            f.site,
            f.mode,
            repr(f.first_query),
            f"{f.first_ms:.0f}",
            f"{f.first_from_focus_ms:.0f}",
            _num(f.warm_ms, "{:.0f}"),
            ", ".join(f"{t:.0f}" for t in f.warm_runs),
            f"{f.index_raw / MB:.1f}",
            f"{f.index_gz / KB:.0f}",
            f"{f.lunr_gz / KB:.1f}",
        ]
        lines += ["", f"{h} Directory finder in the browser (prebuilt index; the first query loads lunr.js and the index)", ""]
        lines += _table(header, [row])
    if results.weights:
        header = ["site", "page", "requests", "raw KB", "over the wire KB", "search index + worker KB"]
        rows = [
            [label, "/" + w.url, str(len(w.resources)), f"{w.initial_raw / KB:.1f}", f"{w.initial_gz / KB:.1f}", f"{w.search_gz / KB:.1f}"]
            for label, w in results.weights
        ]
        lines += ["", f"{h} Page weight (gzip -9 per resource; already-compressed formats at their own size)", "", *_table(header, rows)]
    if results.precache:
        rows = [[label, f"{n:,}", f"{b / MB:.2f}"] for label, n, b in results.precache]
        lines += ["", "What the service worker downloads in the background after the first visit (every file in its manifest):", ""]
        lines += _table(["site", "files", "over the wire MB"], rows)
    if results.own_js:
        rows = [[name, f"{n / KB:.2f}"] for name, n in results.own_js] + [["total", f"{sum(n for _, n in results.own_js) / KB:.2f}"]]
        lines += ["", f"{h} Our own JavaScript", "", *_table(["script", "KB gz"], rows)]
    if results.serve:
        sv = results.serve
        header = ["data", "first build s", "rebuild after editing one entry s (median)", "runs s", "CPU s per rebuild"]
        row = [
            f"{sv.size:,}",
            f"{sv.first_build_s:.1f}",
            f"{sv.rebuild_s:.2f}",
            ", ".join(f"{t:.2f}" for t in sv.rebuild_runs),
            ", ".join(f"{t:.2f}" for t in sv.rebuild_cpu_runs),
        ]
        lines += ["", f"{h} mkdocs serve", "", *_table(header, [row])]
    lines += ["", f"{h} Targets", "", "```", *(v.line() for v in verdicts(results)), "```"]
    if results.notes:
        lines += ["", f"{h} Notes", "", *(f"- {n}" for n in results.notes)]
    return "\n".join(lines) + "\n"


BUILD_COLUMNS = [
    "data",
    "services",
    "practices",
    "build s (median)",
    "CPU s",
    "runs",
    "peak MB",
    "pages",
    "site MB",
    "ms/entry",
    "marginal ms/entry",
    "plain s",
    "ours/plain",
    "ours/plain CPU",
    "check s",
    "check CPU s",
]


CHECK_COLUMNS = ["data", "bare parse s", "check, no cache s", "x bare", "check after one edit s", "x bare", "runs", "CPU s: bare / no cache / edit"]


def _check_row(r: SizeResult) -> list[str]:
    cpu = " / ".join(_num(median(runs) if runs else None, "{:.2f}") for runs in (r.bare_cpu_runs, r.check_cpu_runs, r.edit_cpu_runs))
    return [
        r.label,
        _num(r.bare_s, "{:.2f}"),
        _num(r.check_s, "{:.2f}"),
        _num(r.check_s / r.bare_s if r.bare_runs and r.check_runs else None, "{:.2f}x"),
        _num(r.edit_s, "{:.2f}"),
        _num(r.edit_s / r.bare_s if r.bare_runs and r.edit_runs else None, "{:.2f}x"),
        str(len(r.check_runs)),
        cpu,
    ]


def _build_row(r: SizeResult, slopes: dict[str, float]) -> list[str]:
    check_cpu = median(r.check_cpu_runs) if r.check_cpu_runs else None
    return [
        r.label,
        f"{r.services:,}",
        f"{r.practices:,}",
        _num(r.build_s, "{:.2f}"),
        _num(r.build_cpu_s, "{:.2f}"),
        str(len(r.build_runs)),
        f"{r.peak_rss / MB:.0f}",
        f"{r.pages:,}",
        f"{r.site_bytes / MB:.1f}",
        _num(r.ms_per_entry, "{:.2f}"),
        _num(slopes.get(r.label), "{:.2f}"),
        _num(r.plain_s, "{:.2f}"),
        _num(r.ratio, "{:.2f}x"),
        _num(r.cpu_ratio, "{:.2f}x"),
        _num(r.check_s, "{:.2f}"),
        _num(check_cpu, "{:.2f}"),
    ]


def _linear(results: Results) -> Verdict:
    target = f"linear growth: cost per entry at {BIG_SIZE:,} <= {LINEAR_MAX_RATIO:g}x the cost at {SERVE_SIZE:,}"
    slopes = marginal_ms(results)
    small, big = results.at(SERVE_SIZE), results.at(BIG_SIZE)
    if not (small and big and small.label in slopes and big.label in slopes):
        return Verdict(target, NOT_MEASURED, f"needs the {SERVE_SIZE:,} and {BIG_SIZE:,} sizes and a smaller one")
    at_small, at_big = slopes[small.label], slopes[big.label]
    ratio = at_big / at_small if at_small > 0 else math.inf
    return _check(target, ratio, LINEAR_MAX_RATIO, f"{{:.2f}}x ({at_big:.2f} vs {at_small:.2f} ms per extra entry)")


def format_machine(machine: dict[str, str]) -> str:
    """The machine and versions, as a Markdown list."""
    return "\n".join(f"- {k}: {v}" for k, v in machine.items()) + "\n"


def _check(target: str, value: float | None, limit: float, figure: str, *, strict: bool = False) -> Verdict:
    """PASS when value <= limit (value < limit if strict); `figure` formats the value."""
    if value is None or math.isnan(value):
        return Verdict(target, NOT_MEASURED, "not measured in this run")
    met = value < limit if strict else value <= limit
    return Verdict(target, PASS if met else FAIL, figure.format(value))


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None or math.isnan(value) else fmt.format(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    fmt = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    return [fmt.format(*header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(fmt.format(*r) for r in rows)]
