"""The plain-tree adapter: the whole page plan as a plain docs tree that any generator builds with no hooks and no macros.

`python -m sitedata prebuild DIR` writes:
- DIR/docs/: every file of docs/, with the data macros of `render_macros: true` pages already rendered
  into their Markdown; every generated page as Markdown (front matter, then its finished HTML as one raw
  HTML block); every generated file (exports, stylesheets, lunr.js);
- DIR/mkdocs.yml: the project's config without hooks, without the `macros` and `sitedata` plugins, with
  the values the theme reads (`extra`) filled in;
- DIR/sitedata.json: what the post-build step needs to make the same Build again.

Then a plain build (`mkdocs build -f DIR/mkdocs.yml`, Material and nothing else of ours) and
`python -m sitedata postbuild DIR SITE_DIR` give the same site as the normal build: the post-build step
adds the glossary definitions and the security policy to every written page, the search index, the
link check and the service worker (tests/integration/test_generators.py compares the two in CI).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import yaml

from sitedata.build import Build, Message, Settings
from sitedata.constants import DATA_DIR, PROJECT_DIR
from sitedata.views.paths import dest_path

CONFIG = PROJECT_DIR / "mkdocs.yml"
STATE_FILE = "sitedata.json"
# Our plugins: the plain build has neither (the macros are rendered into the tree, the rest is in the plan).
OUR_PLUGINS = ("macros", "sitedata")
_FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


def theme_dirs(config: dict[str, Any], *, config_dir: Path) -> tuple[Path, ...]:
    """The theme's folders, as MkDocs searches them: the custom_dir first, then Material's own templates."""
    theme = config.get("theme") or {}
    dirs = [(config_dir / theme["custom_dir"]).resolve()] if isinstance(theme, dict) and theme.get("custom_dir") else []
    spec = importlib.util.find_spec("material")
    if spec is not None and spec.origin is not None:
        dirs.append(Path(spec.origin).parent / "templates")
    return tuple(dirs)


def read_config(path: Path = CONFIG) -> dict[str, Any]:
    """The project's mkdocs.yml as plain data (it uses no YAML tags), with the file it INHERITs merged in, as MkDocs merges it."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of settings")
    parent = loaded.pop("INHERIT", None)
    return _merged(read_config(path.parent / parent), loaded) if parent else loaded


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def prebuild(dest: Path, *, built: datetime, config_path: Path = CONFIG, data_dir: Path = DATA_DIR, progress: Callable[[str], None] = print) -> Path:
    """Write the plain docs tree and its config into `dest` (emptied first); return the config's path."""
    config = read_config(config_path)
    config_dir = config_path.parent.resolve()
    docs_dir = (config_dir / config.get("docs_dir", "docs")).resolve()
    build = Build(_settings(config, config_dir=config_dir, docs_dir=docs_dir, data_dir=data_dir, built=built))
    for message in build.messages():
        progress(f"{logging.getLevelName(message.level)}: {message.text}")
    own = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file())
    plan = build.plan(own)
    if dest.exists():
        shutil.rmtree(dest)
    tree = dest / "docs"
    macros = build.macros()
    rendered = 0
    for src in own:
        target = tree / src
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (docs_dir / src).read_text(encoding="utf-8") if src.endswith(".md") else None
        if text is not None and _renders_macros(text):
            target.write_text(_render_macros(text, macros=macros, here=plan.urls[src]), encoding="utf-8")
            rendered += 1
        else:
            shutil.copyfile(docs_dir / src, target)
    for planned_file in plan.files:
        target = tree / planned_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if planned_file.text is not None:
            target.write_text(planned_file.text, encoding="utf-8")
        else:
            shutil.copyfile(planned_file.source, target)  # type: ignore[arg-type]
    for planned in plan.pages.values():
        target = tree / planned.src
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(planned.page.markdown(), encoding="utf-8")
    plain = _plain_config(config, config_dir=config_dir, extra=build.theme_extra((config.get("extra") or {}).get("polyfills") or []))
    config_file = dest / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(plain, sort_keys=False, allow_unicode=True), encoding="utf-8")
    state = {"config": str(config_path.resolve()), "data_dir": str(data_dir.resolve()), "built": build.settings.built.isoformat()}
    (dest / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    progress(
        f"prebuild: {len(own)} files of docs/ ({rendered} with their macros rendered), {len(plan.pages)} generated pages and "
        f"{len(plan.files)} generated files in {tree}; build it with: mkdocs build -f {config_file}"
    )
    return config_file


def postbuild(dest: Path, site_dir: Path, *, log: Callable[[Message], None]) -> int:
    """The core's post-build steps on a site built from the tree in `dest`; the number of pages finished."""
    state = json.loads((dest / STATE_FILE).read_text(encoding="utf-8"))
    config_path = Path(state["config"])
    config = read_config(config_path)
    config_dir = config_path.parent
    docs_dir = (config_dir / config.get("docs_dir", "docs")).resolve()
    plain = read_config(dest / "mkdocs.yml")
    settings = _settings(
        config, config_dir=config_dir, docs_dir=docs_dir, data_dir=Path(state["data_dir"]), built=datetime.fromisoformat(state["built"]),
        use_directory_urls=plain.get("use_directory_urls", True), offline=_offline_on(plain),
    )
    build = Build(settings)
    tree = dest / "docs"
    own = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file())
    build.plan(own)
    pages = {
        dest_path(p.relative_to(tree).as_posix(), use_directory_urls=settings.use_directory_urls): p.relative_to(tree).as_posix()
        for p in tree.rglob("*.md")
    }
    finished = 0
    for html_file in sorted(site_dir.rglob("*.html")):
        rel = html_file.relative_to(site_dir).as_posix()
        where = pages.get(rel, rel)  # a page's source ('about.md'), or a theme page as itself ('404.html')
        html_file.write_text(build.finish_page(html_file.read_text(encoding="utf-8"), where=where), encoding="utf-8")
        finished += 1
    build.post_build(site_dir, log=log)
    return finished


def _settings(config: dict[str, Any], *, config_dir: Path, docs_dir: Path, data_dir: Path, built: datetime, **given: Any) -> Settings:
    extra = config.get("extra") or {}
    return Settings.from_extra(
        extra,
        built=built,
        data_dir=data_dir,
        docs_dir=docs_dir,
        theme_dirs=theme_dirs(config, config_dir=config_dir),
        repo_url=config.get("repo_url") or None,
        site_url=config.get("site_url") or None,
        **({"use_directory_urls": config.get("use_directory_urls", True)} | given),
    )


def _offline_on(config: dict[str, Any]) -> bool:
    plugins = config.get("plugins") or {}
    entry = plugins.get("offline") if isinstance(plugins, dict) else None
    return isinstance(entry, dict) and bool(entry.get("enabled", False))


def _renders_macros(text: str) -> bool:
    front = _FRONT_MATTER.match(text)
    return bool(front and (yaml.safe_load(front["yaml"]) or {}).get("render_macros"))


def _render_macros(text: str, *, macros: dict[str, Callable[[str], str]], here: str) -> str:
    """The page with its macro calls rendered, as mkdocs-macros renders them: the body is a Jinja template."""
    front = _FRONT_MATTER.match(text)
    head, body = (text[: front.end()], text[front.end() :]) if front else ("", text)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)  # noqa: S701 - Markdown, not HTML
    bound = {name: (lambda macro=macro: macro(here)) for name, macro in macros.items()}
    return head + env.from_string(body).render(**bound)


def _plain_config(config: dict[str, Any], *, config_dir: Path, extra: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in config.items() if k not in ("hooks", "watch", "docs_dir", "site_dir")}
    out["docs_dir"] = "docs"
    plugins = config.get("plugins") or {}
    out["plugins"] = {k: v for k, v in plugins.items() if k not in OUR_PLUGINS} if isinstance(plugins, dict) else [
        p for p in plugins if (next(iter(p)) if isinstance(p, dict) else p) not in OUR_PLUGINS
    ]
    theme = dict(config.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((config_dir / theme["custom_dir"]).resolve())
    out["theme"] = theme
    out["extra"] = {**(config.get("extra") or {}), **extra}
    return out


def add_parsers(sub: Any) -> None:
    """`prebuild DIR` and `postbuild DIR SITE_DIR` for python -m sitedata."""
    pre = sub.add_parser("prebuild", help="write the site's page plan as a plain docs tree and config that any generator can build")
    pre.add_argument("dest", type=Path, help="the folder to write (emptied first): DIR/docs, DIR/mkdocs.yml")
    pre.add_argument("--config", type=Path, default=CONFIG, help="the project's config (default: mkdocs.yml)")
    pre.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    pre.add_argument("--build-time", type=_aware, help="the build's time, ISO 8601 with its offset (default: now, in London)")
    post = sub.add_parser("postbuild", help="finish a site built from a prebuilt tree: glossary, security policy, search index, links")
    post.add_argument("dest", type=Path, help="the folder `prebuild` wrote")
    post.add_argument("site_dir", type=Path, help="the built site")


def main(args: Any, *, now: datetime) -> int:
    """Run `prebuild` or `postbuild`; the exit status (1 if the data has errors or a link is broken)."""
    from sitedata.build import SettingsError
    from sitedata.data.errors import DataErrors

    try:
        if args.command == "prebuild":
            prebuild(args.dest, built=args.build_time or now, config_path=args.config, data_dir=args.data)
            return 0
        warnings: list[str] = []

        def log(message: Message) -> None:
            print(f"{logging.getLevelName(message.level)}: {message.text}")
            if message.level >= logging.WARNING:
                warnings.append(message.text)

        count = postbuild(args.dest, args.site_dir, log=log)
        print(f"postbuild: {count} pages finished in {args.site_dir}" + (f"; {len(warnings)} warnings" if warnings else ""))
        return 1 if warnings else 0
    except DataErrors as exc:
        print(exc.report(outcome="no tree was written." if args.command == "prebuild" else "the site was not finished."), file=sys.stderr)
    except (SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 1


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no UTC offset; give one, for example 2026-12-02T12:00:00+00:00")
    return value
