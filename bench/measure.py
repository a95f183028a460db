"""Run one command in its own process and measure it: wall time and that process's peak memory."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
MKDOCS_CONFIG = PROJECT_DIR / "mkdocs.yml"
STDERR_TAIL = 4000


class RunFailed(RuntimeError):
    """A measured command exited with an error; the message carries the end of its stderr."""


@dataclass(frozen=True)
class Sample:
    """One measured run."""

    seconds: float
    cpu_seconds: float  # user + system: less sensitive than wall time to other work on the machine
    peak_rss_bytes: int


def base_env(**extra: str) -> dict[str, str]:
    """The environment the Makefile gives builds: hooks importable, no MkDocs 2 banner."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR / "hooks"), NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run_measured(cmd: Sequence[str], *, env: Mapping[str, str], cwd: Path = PROJECT_DIR, log: Path) -> Sample:
    """Run `cmd` to completion; its own CPU time and peak RSS come from wait4, so every run is measured on its own."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_bytes()[-STDERR_TAIL:].decode("utf-8", "replace")
        raise RunFailed(f"{' '.join(cmd)} exited with {proc.returncode}; the end of its output:\n{tail}")
    return Sample(seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime, peak_rss_bytes=usage.ru_maxrss * 1024)  # kilobytes on Linux


def mkdocs_build_cmd(*, site_dir: Path, config: Path = MKDOCS_CONFIG) -> list[str]:
    """A strict build, as `make build` runs it, into a site folder of our own."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site_dir)]


def check_cmd(*, data_dir: Path, cache_dir: Path | None = None) -> list[str]:
    """`make check` on another data folder (keeping its cache in `cache_dir` rather than .cache/)."""
    return [sys.executable, "-m", "sitedata", "check", "--data", str(data_dir), *(["--cache-dir", str(cache_dir)] if cache_dir else [])]


# The floor `make check` is judged against: PyYAML's C parser (libyaml) reading every data file into plain
# Python, the cyclic collector off as the check runs it, and nothing else (no positions, no checks).
BARE_PARSE = """\
import gc, sys
from pathlib import Path
import yaml
gc.disable()
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""


def bare_parse_cmd(*, data_dir: Path) -> list[str]:
    """A process that only parses the data folder's YAML files with yaml.CSafeLoader (BARE_PARSE)."""
    return [sys.executable, "-c", BARE_PARSE, str(data_dir)]


def edit_one_entry(data_dir: Path, *, run: int) -> None:
    """Change the title of the practice in the middle of practices.yaml, as an editor would: one entry's text changes."""
    path = data_dir / "practices.yaml"
    text = path.read_text(encoding="utf-8")
    listed = re.search(r"^practices:[^\n]*\n(?:\s*#[^\n]*\n|\s*\n)*( *)- ", text, re.M)
    if listed is None:
        raise RunFailed(f"{path} has no block list of practices to edit")
    indent = listed.group(1)
    starts = [m.start() for m in re.finditer(rf"^{indent}- ", text, re.M)]
    middle = starts[len(starts) // 2]
    title = re.compile(rf"^{indent}  title: .*$", re.M).search(text, middle)
    if title is None:
        raise RunFailed(f"{path}: the practice at character {middle} has no title line")
    path.write_text(f"{text[: title.start()]}{indent}  title: Edited title {run}{text[title.end() :]}", encoding="utf-8")


def median(values: Sequence[float]) -> float:
    """The median; what every timing in the table reports."""
    return statistics.median(values)


def site_stats(site_dir: Path) -> tuple[int, int]:
    """(HTML pages, bytes on disk) of a built site."""
    pages = 0
    size = 0
    for path in site_dir.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            pages += path.suffix == ".html"
    return pages, size
