"""The site builds the same with ProperDocs, the maintained fork of MkDocs 1.x, as with MkDocs itself.

Material for MkDocs ends in May 2027 and MkDocs 1.x is frozen; ProperDocs keeps plugins and hooks, so
it is the nearest way out. Only the generator meta tag may differ, and with it the service worker's
version, which is a hash of the files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.build

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
SW_VERSION = re.compile(rb'"version":"[0-9a-f]+"')


def build(generator: str, site_dir: Path) -> dict[str, bytes]:
    """A strict build with `python -m <generator>`; every file of the site, keyed by its path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", generator, "build", "--strict", "--site-dir", str(site_dir)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{generator}: {result.stderr}"
    return {str(p.relative_to(site_dir)): p.read_bytes() for p in sorted(site_dir.rglob("*")) if p.is_file()}


def normalised(content: bytes) -> bytes:
    return SW_VERSION.sub(b'"version":"-"', GENERATOR.sub(b"<meta generator>", content))


def test_properdocs_builds_the_same_site(tmp_path: Path) -> None:
    mkdocs = build("mkdocs", tmp_path / "mkdocs")
    properdocs = build("properdocs", tmp_path / "properdocs")
    assert sorted(properdocs) == sorted(mkdocs)
    assert b"ProperDocs" in properdocs["index.html"] and b"ProperDocs" not in mkdocs["index.html"]
    differ = [path for path in mkdocs if normalised(mkdocs[path]) != normalised(properdocs[path])]
    assert differ == []
