"""Time `mkdocs serve`: how long after an editor saves one entry the served page shows the change.

It runs the real `mkdocs serve` on 127.0.0.1 with a free port against a copy of a synthetic data
folder (watched with `-w`, as mkdocs.yml's `watch:` would), edits one practice's title, and polls
the practice's page until the new title is there. `--dirty`, as `make serve` runs it, unless told
otherwise. The server answers a page only once the rebuild has finished, so the time is the whole
rebuild, the post-build steps included.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .measure import PROJECT_DIR, base_env
from .report import ServeResult

POLL_S = 0.05
FIRST_BUILD_TIMEOUT_S = 900.0
REBUILD_TIMEOUT_S = 300.0
_TITLE = re.compile(r"^(  title: )(.+)$", re.MULTILINE)
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy: 127.0.0.1 only


def time_serve(*, data_dir: Path, size: int, edits: int, log: Path, dirty: bool = True) -> ServeResult:
    """Start `mkdocs serve` (`--dirty` as `make serve`, or not), wait for the first build, then time `edits` rebuilds after editing one entry."""
    practices = data_dir / "practices.yaml"
    text = practices.read_text(encoding="utf-8")
    last_title = list(_TITLE.finditer(text))[-1]
    practice_id = re.findall(r"^- id: (\S+)$", text[: last_title.start()], re.MULTILINE)[-1]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    page = f"{base}practices/{practice_id}/"
    cmd = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--watch", str(data_dir), "--no-strict"]
    if dirty:
        cmd.append("--dirty")
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=base_env(SITE_DATA_DIR=str(data_dir)), stdout=out, stderr=subprocess.STDOUT)
        try:
            start = time.perf_counter()
            _wait_for(page, marker=None, proc=proc, timeout=FIRST_BUILD_TIMEOUT_S, log=log)
            first = time.perf_counter() - start
            runs: list[float] = []
            cpu_runs: list[float] = []
            for i in range(edits):
                marker = f"edited{i}x{port}"
                edited = text[: last_title.start(2)] + _with_marker(last_title.group(2), marker) + text[last_title.end(2) :]
                cpu_before = _cpu_seconds(proc.pid)
                saved = time.perf_counter()
                practices.write_text(edited, encoding="utf-8")
                _wait_for(page, marker=marker, proc=proc, timeout=REBUILD_TIMEOUT_S, log=log)
                runs.append(time.perf_counter() - saved)
                cpu_runs.append(_cpu_seconds(proc.pid) - cpu_before)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            practices.write_text(text, encoding="utf-8")
    return ServeResult(size=size, first_build_s=first, rebuild_runs=runs, rebuild_cpu_runs=cpu_runs)


def _wait_for(url: str, *, marker: str | None, proc: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve stopped (exit {proc.returncode}); see {log}")
        try:
            with _LOCAL.open(url, timeout=5) as response:
                body = response.read().decode("utf-8", "replace")
            if marker is None or marker in body:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"mkdocs serve did not show {url}{' with ' + marker if marker else ''} within {timeout:.0f} s; see {log}")


def _with_marker(value: str, marker: str) -> str:
    """The YAML title with a word added, inside its quotes if it has them."""
    return f"{value[:-1]} {marker}{value[-1]}" if value[:1] in ("'", '"') else f"{value} {marker}"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the serve process and its finished worker processes have used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
