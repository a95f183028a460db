"""Strict builds that stop on bad or doubtful opening hours, with the data error's location."""

from __future__ import annotations

from pathlib import Path

from conftest import DataCopy
from sitebuild import mkdocs_build


def test_build_rejects_bad_hours_with_the_data_error_shape(real_data: DataCopy, tmp_path: Path) -> None:
    line = real_data.replace("helplines.yaml", '"Mo-Fr 10:00-12:30,13:30-16:00; PH unknown"', '"Mon-Fri 10am-4pm"')
    result = mkdocs_build(tmp_path / "site", data_dir=real_data.path)
    assert result.returncode != 0
    where = f"data/helplines.yaml:{line}:16: service 'galop-lgbt-helpline': channels[0].hours:"
    assert f"{where} 'Mon-Fri 10am-4pm' is not valid OSM opening_hours syntax" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_build_fails_on_hours_warnings(real_data: DataCopy, tmp_path: Path) -> None:
    line = real_data.replace("helplines.yaml", "hours_text: Monday to Friday 10am-12pm", "hours_text: Open 24/7 by chat")
    old = real_data.replace(
        "helplines.yaml", 'last_reviewed: "2026-11-22"\n  - id: bright-sky-app', 'last_reviewed: "2020-04-01"\n  - id: bright-sky-app'
    )
    result = mkdocs_build(tmp_path / "site", data_dir=real_data.path)
    assert result.returncode != 0
    assert (
        f"WARNING -  data/helplines.yaml:{line}:21: service 'womens-aid-live-chat': channels[0].hours_text: warning: the text says '24/7'"
        in result.stderr
    )
    where = f"WARNING -  data/helplines.yaml:{old}:20: service 'womens-aid-live-chat': last_reviewed:"
    assert f"{where} warning: last reviewed 2020-04-01, more than 12 months ago" in result.stderr
