"""MkDocs hook used only by the benchmark: save every page's final Markdown for the plain-Material build.

It runs after the macros plugin and our hooks (priority -80), so what it saves is the Markdown
MkDocs would convert: macros expanded, generated pages included. Our generated pages' HTML is saved
too: hooks/site.py hands it to the page without Python-Markdown only after this (priority -90), and
the plain build converts it as Markdown, as a site of hand-written pages would. Generated non-page files
(downloads) and static files from docs/ are saved too, and so is `extra`, which hooks fill in
and templates read. Where to save is the environment variable BENCH_CAPTURE_DIR.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

EXTRA_FILE = "extra.json"
DOCS_SUBDIR = "docs"
DROPPED_META = ("render_macros",)


def _out() -> Path:
    return Path(os.environ["BENCH_CAPTURE_DIR"])


@event_priority(-100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Save `extra` as the hooks left it."""
    _out().mkdir(parents=True, exist_ok=True)
    (_out() / EXTRA_FILE).write_text(json.dumps(dict(config.extra), default=str), encoding="utf-8")
    return config


@event_priority(-100)
def on_files(files: Files, /, *, config: MkDocsConfig) -> Files:
    """Save generated non-page files and docs/ static files: the plain site serves them as static files."""
    docs_dir = Path(config.docs_dir).resolve()
    for file in files:
        if file.is_documentation_page():
            continue
        from_docs = file.abs_src_path is not None and Path(file.abs_src_path).resolve().is_relative_to(docs_dir)
        if file.generated_by is None and not from_docs:
            continue  # theme files: the plain build gets them from the same theme
        dest = _out() / DOCS_SUBDIR / file.src_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        if from_docs and file.generated_by is None:
            shutil.copyfile(file.abs_src_path, dest)  # type: ignore[arg-type]
        else:
            dest.write_bytes(file.content_bytes)
    return files


@event_priority(-80)
def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Save the page's Markdown, with its front matter, exactly as MkDocs will convert it."""
    meta = {k: v for k, v in page.meta.items() if k not in DROPPED_META}
    front = f"---\n{yaml.safe_dump(meta, allow_unicode=True, width=1000, sort_keys=False)}---\n\n" if meta else ""
    dest = _out() / DOCS_SUBDIR / page.file.src_uri
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(front + markdown, encoding="utf-8")
    return markdown
