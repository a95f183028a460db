"""The provenance model: `verified` kept apart from `last_reviewed`, and how old a service's hours are."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.data.provenance import CONFIRMED, STALE, VERY_STALE, HoursAge, aged_state, hours_age, hours_since, months_since
from sitedata.views.directory import directory_context

LAST_REVIEWED = '    last_reviewed: "2026-01-10"'


def errors_for(data: DataCopy) -> list[str]:
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    return [str(e) for e in info.value.errors]


def _verify(data: DataCopy, record: str) -> int:
    return data.replace("helplines.yaml", LAST_REVIEWED, f"{LAST_REVIEWED}\n    verified:\n{record}") + 2


# The thresholds.


@pytest.mark.parametrize(
    ("since", "today", "months"),
    [
        (date(2020, 4, 1), date(2020, 4, 1), 0),
        (date(2020, 4, 1), date(2021, 3, 31), 11),
        (date(2020, 4, 1), date(2021, 4, 1), 12),
        (date(2025, 12, 15), date(2026, 12, 14), 11),
        (date(2025, 12, 15), date(2026, 12, 15), 12),
        (date(2020, 4, 1), date(2026, 12, 2), 80),
    ],
)
def test_months_since_counts_whole_calendar_months(since: date, today: date, months: int) -> None:
    assert months_since(since, today=today) == months


@pytest.mark.parametrize(
    ("today", "age"),
    [
        (date(2026, 3, 14), CONFIRMED),
        (date(2026, 3, 15), STALE),  # twelve months to the day
        (date(2027, 3, 14), STALE),
        (date(2027, 3, 15), VERY_STALE),  # twenty-four months to the day
    ],
)
def test_hours_age_at_each_threshold(today: date, age: str) -> None:
    assert hours_age(since=date(2025, 3, 15), today=today, policy=HoursAge(stale_months=12, very_stale_months=24)) == age


def test_aged_state_keeps_or_drops_the_state() -> None:
    note = "hours as published April 2020, not confirmed since"
    assert aged_state(state="open", label="Open now · closes 16:00", age=CONFIRMED, note=note) == ("open", "Open now · closes 16:00")
    assert aged_state(state="open", label="Open now · closes 16:00", age=STALE, note=note) == (
        "open",
        "Open now · closes 16:00 (hours as published April 2020, not confirmed since)",
    )
    assert aged_state(state="closed", label="Closed · opens 10:00", age=VERY_STALE, note=note) == (
        "unknown",
        "Check before you rely on this: hours as published April 2020, not confirmed since",
    )


# Where the hours date from.


def test_unverified_hours_date_from_the_main_sources_publication() -> None:
    sources = {"paper": {"published": "2020-04"}, "act": {"published": "2021"}}
    service = {"sources": [{"id": "paper"}, {"id": "act"}]}
    assert hours_since(service, sources=sources) == ("2020-04-01", "hours as published April 2020, not confirmed since")
    assert hours_since({"sources": [{"id": "act"}]}, sources=sources) == ("2021-01-01", "hours as published 2021, not confirmed since")


def test_verified_hours_date_from_the_verification() -> None:
    service = {"sources": [{"id": "paper"}], "verified": {"date": "2026-03-03", "method": "phoned the service", "by": "A. Editor"}}
    assert hours_since(service, sources={"paper": {"published": "2020-04"}}) == (
        "2026-03-03",
        "hours confirmed with the service 3 March 2026, not since",
    )


def test_undated_source_uses_the_day_it_was_read() -> None:
    service = {"sources": [{"id": "page"}]}
    assert hours_since(service, sources={"page": {"accessed": "2026-12-02"}}) == (
        "2026-12-02",
        "hours from an undated page read December 2026, not confirmed with the service",
    )


def test_card_context_carries_the_markup_contract(data: DataCopy) -> None:
    site = load_site(data_dir=data.path, today=TODAY)
    (card,) = directory_context(site, start=TODAY)["services"]
    assert (card["verified_date"], card["hours_since"], card["hours_note"]) == ("", "2020-04-01", "hours as published April 2020, not confirmed since")
    _verify(data, '      date: "2026-01-20"\n      method: phoned the service\n      by: A. Editor')
    site = load_site(data_dir=data.path, today=TODAY, hours_age=HoursAge(stale_months=6, very_stale_months=18))
    (card,) = directory_context(site, start=TODAY)["services"]
    assert (card["verified_date"], card["hours_since"]) == ("2026-01-20", "2026-01-20")
    # The thresholds and the "check before you rely on this" wording are the same for every card: they reach
    # the browser once, in site-constants.js (tests/unit/test_browser_constants.py), not on each card.
    assert not {"hours_stale_months", "hours_very_stale_months", "hours_check_label"} & card.keys()


# The verified record in data/helplines.yaml.


def test_a_complete_verified_record_loads(data: DataCopy) -> None:
    _verify(data, '      date: "2026-01-20"\n      method: the service\'s own current web page\n      by: A. Editor\n      url: https://example.org.uk/hours')
    (service,) = load_site(data_dir=data.path, today=TODAY).entries("services")
    assert service["verified"]["date"] == "2026-01-20"
    assert service["last_reviewed"] == "2026-01-10"  # the two dates stay apart


def test_verified_needs_how_and_by_whom(data: DataCopy) -> None:
    line = _verify(data, '      date: "2026-01-20"')
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:7: service 'example-helpline': verified: missing required field 'by'; add 'by:' (see CONTRIBUTING.md for an example)",
        f"data/helplines.yaml:{line}:7: service 'example-helpline': verified: missing required field 'method'; add 'method:' (see CONTRIBUTING.md for an example)",
    ]


def test_verified_method_is_one_of_three(data: DataCopy) -> None:
    line = _verify(data, '      date: "2026-01-20"\n      method: checked it\n      by: A. Editor')
    assert errors_for(data) == [
        f"data/helplines.yaml:{line + 1}:15: service 'example-helpline': verified.method: 'checked it' is not allowed; expected one of: "
        "phoned the service, emailed the service, the service's own current web page"
    ]


def test_a_web_page_verification_names_the_page(data: DataCopy) -> None:
    line = _verify(data, '      date: "2026-01-20"\n      method: the service\'s own current web page\n      by: A. Editor')
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:7: service 'example-helpline': verified: missing required field 'url'; add 'url:' (see CONTRIBUTING.md for an example)"
    ]


def test_verified_date_cannot_be_in_the_future(data: DataCopy) -> None:
    line = _verify(data, '      date: "2026-03-01"\n      method: phoned the service\n      by: A. Editor')
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:13: service 'example-helpline': verified.date: '2026-03-01' is in the future (today is 2026-02-01); use the date you actually checked it"
    ]


def test_a_source_needs_a_publication_date_or_the_day_it_was_read(data: DataCopy) -> None:
    line = data.replace("sources.yaml", '    published: "2020-04"\n', "")
    assert errors_for(data) == [
        f"data/sources.yaml:{line - 3}:5: source 'paper': give 'published' (the document's date) or, for an undated web page, 'accessed' (the day you read it)"
    ]
    data.replace("sources.yaml", "    last_reviewed:", '    accessed: "2026-01-10"\n    last_reviewed:')
    assert load_site(data_dir=data.path, today=TODAY).by_key("sources")["paper"]["accessed"] == "2026-01-10"


# The thresholds in mkdocs.yml.


def test_the_thresholds_come_from_mkdocs_yml_and_bad_ones_stop_the_build() -> None:
    from datetime import datetime

    from sitedata.build import Settings, SettingsError
    from sitedata.constants import LONDON

    built = datetime(2026, 12, 2, 12, tzinfo=LONDON)
    assert Settings.from_extra({}, built=built).hours_age == HoursAge(stale_months=12, very_stale_months=24)
    assert Settings.from_extra({"hours_stale_months": 6, "hours_very_stale_months": 9}, built=built).hours_age == HoursAge(6, 9)
    with pytest.raises(SettingsError, match=r"extra.hours_stale_months must be a whole number of months, at least 1"):
        Settings.from_extra({"hours_stale_months": "twelve"}, built=built)
    with pytest.raises(SettingsError, match=r"hours_very_stale_months \(12\) must be more than extra.hours_stale_months \(12\)"):
        Settings.from_extra({"hours_stale_months": 12, "hours_very_stale_months": 12}, built=built)


def test_mkdocs_yml_sets_the_thresholds_the_docs_justify() -> None:
    import yaml

    from conftest import ROOT

    extra = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nmarkdown_extensions:")[0])["extra"]
    assert (extra["hours_stale_months"], extra["hours_very_stale_months"]) == (12, 24)
    about = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    assert "## How old the opening hours are" in about and "**12 months or more**" in about and "**24 months or more**" in about
