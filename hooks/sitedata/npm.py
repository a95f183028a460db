"""Files the site serves from npm packages pinned in package.json and installed by `npm ci` (never copied into the repo)."""

from __future__ import annotations

import json
from pathlib import Path


def pinned(package: str, *, project_dir: Path) -> str | None:
    """The version package.json pins for `package`, or None."""
    manifest = project_dir / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("dependencies", {}).get(package)  # type: ignore[no-any-return]


def installed_file(package: str, path: str, *, version: str, project_dir: Path) -> Path | str:
    """node_modules/<package>/<path> when `version` is installed; otherwise what to tell the user, as a str."""
    folder = project_dir / "node_modules" / package
    file = folder / path
    if not file.is_file():
        return f"node_modules/{package}/{path} is missing: run `npm ci` in {project_dir} to install the pinned npm packages, then build again"
    found = json.loads((folder / "package.json").read_text(encoding="utf-8")).get("version")
    if found != version:
        return f"node_modules has {package} {found} but package.json pins {version}: run `npm ci` in {project_dir}, then build again"
    return file
