"""`python -m sitedata check|new|fmt|import-hsds|prebuild|postbuild`: validate the data, add an entry, format the files, import an
HSDS feed, write the site as a plain docs tree for any generator and finish the site built from it."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from datetime import date, datetime
from pathlib import Path

from sitedata.constants import LONDON
from sitedata.data.checks import REVIEW_MONTHS_DEFAULT
from sitedata.data.entrywise import CACHE_DIR, load_site_entrywise
from sitedata.data.errors import DataErrors
from sitedata.data.load import DATA_DIR, load_site


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m sitedata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the data files")
    check.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    check.add_argument("--today", type=date.fromisoformat, help="treat this date as today (YYYY-MM-DD)")
    check.add_argument("--github", action="store_true", help="also print GitHub Actions annotations")
    check.add_argument(
        "--cache-dir", type=Path, default=CACHE_DIR,
        help="where to keep what each entry read as and the checks found, so the next check reads only changed entries (default: .cache/sitedata-check)",
    )
    check.add_argument("--no-cache", action="store_true", help="read and check every file whole, as the build does; no cache read or written")
    check.add_argument(
        "--review-months", type=int, default=REVIEW_MONTHS_DEFAULT,
        help=f"months after last_reviewed before an entry is due for review (default {REVIEW_MONTHS_DEFAULT}, as extra.review_months in mkdocs.yml)",
    )
    if argv[:1] != ["check"]:  # the editors' tools take a tenth of a second to import, which `make check` need not wait for
        from sitedata.adapters import plain_tree
        from sitedata.tools import fmt, hsds_import, scaffold

        scaffold.add_parser(sub)
        fmt.add_parser(sub)
        hsds_import.add_parser(sub)
        plain_tree.add_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "fmt":
        return fmt.main(args)
    if args.command in ("prebuild", "postbuild"):
        from sitedata.adapters import plain_tree

        return plain_tree.main(args, now=datetime.now(LONDON))
    today = getattr(args, "today", None) or datetime.now(LONDON).date()
    if args.command == "new":
        return scaffold.main(args, today=today)
    if args.command == "import-hsds":
        return hsds_import.main(args, today=today)
    return _check(data_dir=args.data, today=today, github=args.github, review_months=args.review_months, cache_dir=None if args.no_cache else args.cache_dir)


def _check(*, data_dir: Path, today: date, github: bool, review_months: int, cache_dir: Path | None) -> int:
    # A short-lived process: the cyclic collector would only walk the millions of objects read, to free nothing.
    gc.disable()
    try:
        if cache_dir is None:
            site = load_site(data_dir=data_dir, today=today, review_months=review_months)
        else:
            workers = 2 if (os.cpu_count() or 1) > 1 else 1
            site = load_site_entrywise(data_dir=data_dir, today=today, review_months=review_months, cache_dir=cache_dir, workers=workers)
    except DataErrors as exc:
        print(exc.report(outcome="fix them and run make check again."), file=sys.stderr)
        if github:
            for error in exc.errors:
                print(error.github_annotation())
        return 1
    for warning in site.warnings:
        print(warning, file=sys.stderr)
        if github:
            print(warning.github_annotation())
    counts = ", ".join(f"{len(site.entries(n))} {n.replace('_', ' ')}" for n in ("services", "practices", "prompt_sets", "advice", "resources"))
    review = f"; {len(site.warnings)} due for review (also listed on the editors' page /editors/review-due/)" if site.warnings else ""
    print(f"data OK: {counts}{review}")
    return 0
