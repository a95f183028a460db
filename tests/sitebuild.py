"""Site builds for the tests: `mkdocs_build`, and builds shared by every test of one run.

A strict build of the real site takes seconds, and a dozen test modules read the same one. `shared_build`
makes each named build once per test run, whichever pytest-xdist worker asks first: the others wait on a
file lock and then read the same folder. A shared build is read-only for the tests that use it; a test that
changes a site builds its own with `mkdocs_build`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
# Left in a shared build's folder once it is complete: a build cut off half-way is made again, never read.
_DONE = ".complete"


def mkdocs_build(site_dir: Path, *, data_dir: Path | None = None, config: str = "mkdocs.yml") -> subprocess.CompletedProcess[str]:
    """Run a strict build of the project into `site_dir`, optionally from another data folder or config."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1")
    if data_dir is not None:
        env["SITE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `make(folder)` filled, made once per test run under the name `name` and shared by every worker."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker has its own basetemp; their parent is the run's
        base = base.parent
    folder = base / f"shared-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / _DONE).is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            (folder / _DONE).touch()
    return folder


def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strict from data/, once per run; its build log is beside it (build.log)."""

    def make(folder: Path) -> None:
        result = mkdocs_build(folder / "site")
        assert result.returncode == 0, result.stderr
        (folder / "build.log").write_text(result.stderr, encoding="utf-8")

    return shared_build(tmp_path_factory, "real-site", make) / "site"
