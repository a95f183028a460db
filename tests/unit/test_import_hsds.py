"""`python -m sitedata import-hsds`: the spec's own examples, a round trip of our export, re-imports and refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, DataCopy
from sitedata.data.load import load_site
from sitedata.tools.fmt import format_text
from sitedata.tools.hsds_import import Options, import_feed, read_feed
from sitedata.views import hsds

RETRIEVED = date(2026, 12, 2)
EXAMPLES = ROOT / "tests" / "fixtures" / "hsds" / "examples"
COUNSELLING = "ac148810-d857-441c-9679-408f346de14b"


def _services(data: DataCopy) -> list[dict[str, Any]]:
    return yaml.safe_load((data.path / "helplines.yaml").read_text(encoding="utf-8"))["services"]


def _run(*args: str, data: DataCopy) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sitedata", "import-hsds", *args, "--data", str(data.path), "--retrieved", RETRIEVED.isoformat()]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})


def _check(data: DataCopy) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sitedata", "check", "--data", str(data.path), "--today", RETRIEVED.isoformat()]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})


# The specification's examples


def test_service_full_imports_into_data_that_passes_check(real_data: DataCopy) -> None:
    result = _run(str(EXAMPLES / "service_full.json"), "--area", "London", "--audience", "survivors", "--upgrade-http", data=real_data)
    assert result.returncode == 0, result.stderr
    assert "service_full.json: added 1, updated 0, not imported 0" in result.stdout
    assert _check(real_data).returncode == 0
    (entry,) = [s for s in _services(real_data) if s.get("hsds_id") == COUNSELLING]
    assert (entry["id"], entry["name"], entry["operator"], entry["coverage"], entry["audiences"]) == (
        "community-counselling", "Community Counselling", "Example Organization Inc.", ["London"], ["survivors"],
    )  # fmt: skip
    phone = entry["channels"][0]
    assert (phone["number"], phone["label"]) == ("+44 1234 234567", "Extension 100")  # the quotes the example puts round it are gone
    assert "hours" not in phone  # byweekno cannot be said in opening_hours: the publisher's words are kept instead
    assert phone["hours_text"] == "The service is available from 10 am to 6pm weekdays. The service is not available on public holidays."
    assert entry["channels"][2] == {"type": "website", "url": "https://example.com/counselling"}
    assert "verified" not in entry
    assert entry["sources"] == [{"id": "hsds-service-full", "section": f"service {COUNSELLING}"}]
    assert entry["last_reviewed"] == "2026-12-02"
    assert any(n.startswith("Who it is for (as the publisher says): This service is intended for all people aged 12") for n in entry["notes"])
    source = next(s for s in yaml.safe_load((real_data.path / "sources.yaml").read_text(encoding="utf-8"))["sources"] if s["id"] == "hsds-service-full")
    assert (source["accessed"], source["last_reviewed"]) == ("2026-12-02", "2026-12-02")
    assert "published" not in source  # a feed has no publication date of its own
    for line in (
        "service_full.json: phones[0].number: note: '\"+44 1234 234567\"' has quotes or spaces around it; read it as '+44 1234 234567'",
        "service_full.json: schedules[0].byweekno: warning: byweekno '41,42' limits the weeks, which opening_hours cannot say here",
        "service_full.json: url: note: 'http://example.com/counselling' uses http; written as 'https://example.com/counselling' (--upgrade-http). Check that the page opens",
    ):
        assert line in result.stderr.splitlines()


def test_service_list_page_imports_and_locates_messages_in_contents(real_data: DataCopy) -> None:
    result = _run(str(EXAMPLES / "service_list.json"), "--area", "London", "--audience", "survivors", data=real_data)
    assert result.returncode == 0, result.stderr
    assert (
        "service_list.json: contents[0].url: warning: 'http://example.com/counselling' uses http, which this site does not link to; dropped."
        " Give --upgrade-http to write it as https://"
    ) in result.stderr
    (entry,) = [s for s in _services(real_data) if s.get("hsds_id") == COUNSELLING]
    assert entry["channels"] == [{"type": "email", "email": "email@example.com"}]  # list pages carry no phones; the http website was dropped
    assert _check(real_data).returncode == 0


def test_the_tabular_example_imports_with_row_numbers_in_messages(real_data: DataCopy) -> None:
    result = _run(str(EXAMPLES / "csv" / "datapackage.json"), "--area", "London", "--audience", "survivors", data=real_data)
    assert result.returncode == 0, result.stderr
    assert "schedules.csv:2: byweekno: warning: byweekno '41,42' limits the weeks, which opening_hours cannot say here" in result.stderr
    assert "services.csv:2: url: warning: 'http://example.com/counselling' uses http" in result.stderr
    assert [s["id"] for s in _services(real_data) if s.get("hsds_id") == COUNSELLING] == ["community-counselling"]
    assert _check(real_data).returncode == 0


def test_without_an_area_or_audience_nothing_is_written_and_the_errors_say_why(real_data: DataCopy) -> None:
    before = {p.name: p.read_bytes() for p in real_data.path.glob("*.yaml")}
    result = _run(str(EXAMPLES / "service_full.json"), data=real_data)
    assert result.returncode == 1
    assert "service_full.json: service_areas: error: no area we know, so we cannot say where the service is available; not imported. Give --area NAME for this feed" in result.stderr
    assert "service_full.json: eligibility_description: error: 'This service is intended" in result.stderr
    assert "service_full.json: added 0, updated 0, not imported 1 (see the errors above)" in result.stdout
    assert {p.name: p.read_bytes() for p in real_data.path.glob("*.yaml")} == before


def test_an_address_instead_of_a_file_is_refused_loudly(real_data: DataCopy) -> None:
    result = _run("http://example.org.uk/feed.json", data=real_data)
    assert result.returncode == 2
    assert "reads a local file; download the feed first" in result.stderr


# Our own export, back again


@pytest.mark.parametrize("form", ["json", "tabular"])
def test_a_round_trip_of_our_export_loses_no_field(real_data: DataCopy, tmp_path: Path, form: str) -> None:
    site = load_site(data_dir=real_data.path, today=RETRIEVED)
    originals = {s["id"]: s for s in site.entries("services")}
    feed = tmp_path / "feed"
    for path, text in hsds.export_files(site, generated=RETRIEVED).items():
        (feed / path).parent.mkdir(parents=True, exist_ok=True)
        (feed / path).write_text(text, encoding="utf-8")
    file = feed / (hsds.SERVICES_JSON if form == "json" else hsds.DATAPACKAGE)
    result = import_feed(file, data_dir=real_data.path, options=Options(retrieved=RETRIEVED, source_id="own-export"))
    assert (result.added, result.updated, result.skipped) == (len(originals), 0, 0), [str(m) for m in result.messages]
    assert [m for m in result.messages if m.severity != "note"] == []
    imported = [s for s in _services(real_data) if s.get("hsds_id")]
    assert len(imported) == len(originals)
    for entry in imported:
        original = originals[entry["id"].removesuffix("-2")]  # the hand-written entry keeps its id
        assert entry["sources"][0] == {"id": "own-export", "section": f"service {entry['hsds_id']}"}
        assert entry["sources"][1:] == original["sources"]
        rest = {k: v for k, v in entry.items() if k not in ("id", "hsds_id", "sources")}
        assert rest == {k: v for k, v in original.items() if k not in ("id", "sources")}, original["id"]
    assert _check(real_data).returncode == 0
    # The imported entries are written the way make fmt writes them.
    text = (real_data.path / "helplines.yaml").read_text(encoding="utf-8")
    first = f"  - id: {imported[0]['id']}\n"
    assert format_text(text, name="helplines", display="helplines.yaml").split(first, 1)[1] == text.split(first, 1)[1]


# Re-imports and hand-written entries


def test_a_re_import_updates_its_entries_and_leaves_the_rest_alone(real_data: DataCopy, tmp_path: Path) -> None:
    helplines = real_data.path / "helplines.yaml"
    helplines.write_text(helplines.read_text(encoding="utf-8").replace("services:\n", "services:\n  # A comment that must survive.\n", 1))
    hand_written = helplines.read_text(encoding="utf-8")
    options = Options(retrieved=RETRIEVED, area="London", audience="survivors")
    feed = tmp_path / "feed.json"
    record = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    feed.write_text(json.dumps([record]), encoding="utf-8")
    first = import_feed(feed, data_dir=real_data.path, options=options)
    record["name"] = "Community Counselling Service"
    feed.write_text(json.dumps([record]), encoding="utf-8")
    second = import_feed(feed, data_dir=real_data.path, options=options)
    assert (first.added, first.updated, second.added, second.updated) == (1, 0, 0, 1)
    text = helplines.read_text(encoding="utf-8")
    assert text.startswith(hand_written)  # every hand-written entry and comment, byte for byte
    assert [(s["id"], s["name"]) for s in _services(real_data) if s.get("hsds_id")] == [("community-counselling", "Community Counselling Service")]
    sources = yaml.safe_load((real_data.path / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert [s["id"] for s in sources].count("hsds-feed") == 1


def test_a_service_the_checks_refuse_is_left_out_and_the_others_written(real_data: DataCopy, tmp_path: Path) -> None:
    good = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    bad = {**good, "id": "5b4fb5b2-0000-4000-8000-000000000001", "name": "Second service", "email": "not an email"}
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([good, bad]), encoding="utf-8")
    result = import_feed(feed, data_dir=real_data.path, options=Options(retrieved=RETRIEVED, area="London", audience="survivors"))
    assert (result.added, result.skipped) == (1, 1)
    (error,) = [m for m in result.messages if m.severity == "error"]
    assert error.where == "feed.json: [1]"
    assert "not imported: 'not an email' is not a well-formed email address" in error.text
    assert [s["name"] for s in _services(real_data) if s.get("hsds_id")] == ["Community Counselling"]
    assert _check(real_data).returncode == 0


def test_weekly_schedules_in_uk_time_become_opening_hours(real_data: DataCopy, tmp_path: Path) -> None:
    record = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    weekday = {"id": "9d0a0a7e-0000-4000-8000-000000000001", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}
    saturday = {**weekday, "id": "9d0a0a7e-0000-4000-8000-000000000002", "byday": "SA", "opens_at": "10:00:00", "closes_at": "13:00:00", "description": "Saturday mornings"}
    record["schedules"] = [weekday, saturday]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(record), encoding="utf-8")
    import_feed(feed, data_dir=real_data.path, options=Options(retrieved=RETRIEVED, area="London", audience="survivors"))
    (entry,) = [s for s in _services(real_data) if s.get("hsds_id")]
    assert entry["channels"][0]["hours"] == "Mo,Tu,We,Th,Fr 09:00-17:00; Sa 10:00-13:00; PH unknown"
    assert entry["channels"][0]["hours_text"] == "Saturday mornings"


def test_a_fixed_offset_that_is_not_uk_time_is_not_read_as_uk_time(real_data: DataCopy, tmp_path: Path) -> None:
    record = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    record["schedules"] = [{"id": "9d0a0a7e-0000-4000-8000-000000000003", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00-05:00", "closes_at": "17:00-05:00"}]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(record), encoding="utf-8")
    result = import_feed(feed, data_dir=real_data.path, options=Options(retrieved=RETRIEVED, area="London", audience="survivors"))
    assert any(m.where == "feed.json: schedules[0].timezone" and "is not the UK clock" in m.text for m in result.messages)
    (entry,) = [s for s in _services(real_data) if s.get("hsds_id")]
    assert "hours" not in entry["channels"][0]


def test_read_feed_rejects_what_is_not_a_feed(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  \"id\": ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken.json:2:9: not valid JSON"):
        read_feed(broken)
    number = tmp_path / "number.json"
    number.write_text("3", encoding="utf-8")
    with pytest.raises(ValueError, match="expected an HSDS service record"):
        read_feed(number)



def test_an_update_in_the_middle_of_the_file_keeps_the_comment_and_entry_after_it(real_data: DataCopy, tmp_path: Path) -> None:
    options = Options(retrieved=RETRIEVED, area="London", audience="survivors")
    feed = tmp_path / "feed.json"
    record = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    feed.write_text(json.dumps(record), encoding="utf-8")
    import_feed(feed, data_dir=real_data.path, options=options)
    helplines = real_data.path / "helplines.yaml"
    galop = helplines.read_text(encoding="utf-8").split("  - id: galop-lgbt-helpline\n", 1)[1].split("  - id: mens-advice-line\n", 1)[0]
    after = "  # Hand-written after the import.\n  - id: galop-lgbt-helpline-copy\n" + galop.replace("helpline, by phone or email", "helpline, by phone")
    helplines.write_text(helplines.read_text(encoding="utf-8") + after, encoding="utf-8")
    record["description"] = "Counselling by trained professionals."
    feed.write_text(json.dumps(record), encoding="utf-8")
    result = import_feed(feed, data_dir=real_data.path, options=options)
    assert (result.added, result.updated) == (0, 1)
    text = helplines.read_text(encoding="utf-8")
    assert text.endswith(after)
    (entry,) = [s for s in _services(real_data) if s.get("hsds_id")]
    assert entry["summary"] == "Counselling by trained professionals."
    assert _check(real_data).returncode == 0


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"freq": "MONTHLY", "byday": "2MO"}, "schedules[0].freq", "freq is 'MONTHLY', not WEEKLY, which opening_hours cannot say here"),
        ({"interval": 2}, "schedules[0].interval", "interval 2 (every 2 weeks), which opening_hours cannot say here"),
        ({"byday": "MO,XX"}, "schedules[0].byday", "byday 'MO,XX' is not a list of days (MO,TU,...), which opening_hours cannot say here"),
    ],
)
def test_rrules_opening_hours_cannot_say_keep_the_publishers_words(real_data: DataCopy, tmp_path: Path, change: dict[str, Any], where: str, message: str) -> None:
    record = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    row = {"id": "9d0a0a7e-0000-4000-8000-000000000004", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "17:00", "description": "Mondays, as the publisher says"}
    record["schedules"] = [{**row, **change}]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(record), encoding="utf-8")
    result = import_feed(feed, data_dir=real_data.path, options=Options(retrieved=RETRIEVED, area="London", audience="survivors"), write=False)
    assert f"feed.json: {where}: warning: {message}" in [str(m) for m in result.messages]
    (entry,) = result.entries
    assert "hours" not in entry["channels"][0]
    assert entry["channels"][0]["hours_text"] == "Mondays, as the publisher says"


def test_the_feed_address_must_be_https(real_data: DataCopy) -> None:
    result = _run(str(EXAMPLES / "service_full.json"), "--url", "http://example.org.uk/feed.json", data=real_data)
    assert result.returncode == 2
    assert "--url http://example.org.uk/feed.json: error: the feed's address must start with https://" in result.stderr
