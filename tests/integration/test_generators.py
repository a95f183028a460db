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

from conftest import ROOT

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


# A generator with no hooks: the page plan as a plain docs tree (python -m sitedata prebuild), built by plain
# MkDocs + Material with nothing of ours loaded, then finished by the core's post-build step.

BUILT = "2026-12-02T12:00:00+00:00"
MAIN = re.compile(r'<article class="md-content__inner md-typeset">.*?</article>', re.DOTALL)


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=env or dict(os.environ, NO_MKDOCS_2_WARNING="1"),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def _files(site_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in sorted(site_dir.rglob("*")) if p.is_file()}


def test_a_generator_with_no_hooks_builds_the_same_site_from_the_prebuilt_tree(tmp_path: Path) -> None:
    import yaml

    # The normal build, at a fixed time so that both builds date the site alike.
    fixed = ROOT / f"mkdocs.test-{tmp_path.name}.yml"
    fixed.write_text(f"INHERIT: mkdocs.yml\nextra:\n  build_time: '{BUILT}'\n", encoding="utf-8")
    try:
        _run("-m", "mkdocs", "build", "--strict", "-f", str(fixed), "--site-dir", str(tmp_path / "normal"))
    finally:
        fixed.unlink()
    # The plain route, run from outside the project, with no PYTHONPATH: MkDocs loads nothing of ours.
    tree = tmp_path / "tree"
    _run("-m", "sitedata", "prebuild", str(tree), "--build-time", BUILT)
    config = yaml.safe_load((tree / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "hooks" not in config and not {"macros", "sitedata"} & set(config["plugins"])
    rendered = [p for p in (tree / "docs").rglob("*.md") if "render_macros: true" in p.read_text(encoding="utf-8")]
    assert len(rendered) >= 10 and [p for p in rendered if "{{" in p.read_text(encoding="utf-8")] == []  # macros rendered in the tree
    plain_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"NO_MKDOCS_2_WARNING": "1"}
    _run("-m", "mkdocs", "build", "--strict", "-f", str(tree / "mkdocs.yml"), "--site-dir", str(tmp_path / "plain"), cwd=tmp_path, env=plain_env)
    finished = _run("-m", "sitedata", "postbuild", str(tree), str(tmp_path / "plain"))
    assert "pages finished" in finished.stdout

    normal, plain = _files(tmp_path / "normal"), _files(tmp_path / "plain")
    assert sorted(plain) == sorted(normal)  # the same pages and files, the service worker's source left out of both
    pages = [path for path in normal if path.endswith(".html")]
    assert len(pages) > 50
    differ = [path for path in pages if MAIN.findall(normal[path].decode()) != MAIN.findall(plain[path].decode())]
    assert differ == []
    for path in pages:  # every page finished alike: its glossary definitions and its security policy
        assert (b"Content-Security-Policy" in plain[path]) == (b"Content-Security-Policy" in normal[path]), path
    # The files the core makes are the same bytes; the worker's version is a hash of pages whose sidebars differ.
    made = [path for path in normal if not path.endswith((".html", "sw.js"))]
    assert [path for path in made if normal[path] != plain[path]] == []
