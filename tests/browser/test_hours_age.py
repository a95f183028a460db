"""How old the hours are, in the open-now label: confirmed, stale and very stale, on devices in other time zones.

The age is judged in the browser against the page's clock, read as a London date like the open-now
state (hooks/sitedata/data/provenance.py hours_age is the reference). The real data has no verified
service and its hours date from April 2020, so every timed card must say "check before you rely on
this" and show no state. A second build gives services verified dates that land on each side of the
thresholds (mkdocs.yml extra.hours_stale_months and extra.hours_very_stale_months).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sitedata.data.hours import england_bank_holidays, timetable_json
from sitedata.data.provenance import HoursAge, hours_age
from sitedata.text import month_year

from .directory_site import LONDON, build_date, build_verified_site, card_state, expected_states, next_weekday, open_directory, shown_states
from .harness import OpenPage, open_now_script, serve
from .test_finder import _names, _status, _type

pytestmark = pytest.mark.browser

GALOP = "galop-lgbt-helpline"
MENS_ADVICE_LINE = "mens-advice-line"
WOMENS_AID = "womens-aid-live-chat"
NDAH = "national-domestic-abuse-helpline"
POLICE = "police-emergency-999"
UNVERIFIED_CHECK = "Check before you rely on this: hours as published April 2020, not confirmed since"
AGE_JS = "els => els.map(el => [el.closest('[data-service-id]').getAttribute('data-service-id'), el.getAttribute('data-hours-age')])"


def _today() -> date:
    return datetime.now(LONDON).date()


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _threshold_day() -> date:
    """A day inside the compiled window on which the NDAH's hours (verified twelve months before) turn stale."""
    day = _today() + timedelta(days=10)
    return day if day.day <= 28 else day + timedelta(days=5)


def _wednesday_noon() -> datetime:
    """An ordinary Wednesday at 12:00 London time: Galop and the Men's Advice Line are open."""
    today = _today()
    holidays = england_bank_holidays(first=today, last=today + timedelta(days=60))
    return datetime.combine(next_weekday(today, weekday=2, avoid=holidays), time(12), tzinfo=LONDON)


@pytest.fixture(scope="module")
def verified_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real site with made-up verified dates: Galop today, the Men's Advice Line 13 months ago, Women's Aid 25 months ago,
    the NDAH twelve months before _threshold_day. The 999 card and Bright Sky stay unverified."""
    today = _today()
    on = {
        GALOP: today,
        MENS_ADVICE_LINE: _months_before(today, 13),
        WOMENS_AID: _months_before(today, 25),
        NDAH: _months_before(_threshold_day(), 12),
    }
    with serve(build_verified_site(tmp_path_factory.mktemp("aged-site"), on=on)) as url:
        yield url


def _labels(page: Page) -> dict[str, tuple[str, str]]:
    return {row["service"]: (row["state"], row["label"]) for row in shown_states(page)}


def _ages(page: Page) -> dict[str, str]:
    return dict(page.eval_on_selector_all("[data-service-id] [data-open-state][data-timetable]", AGE_JS))


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Pacific/Auckland"])
def test_real_data_hours_are_too_old_to_say_open(open_page: OpenPage, site_url: str, site_dir: Path, zone: str) -> None:
    at = _wednesday_noon()
    assert at.date() >= build_date(site_dir)
    watched = open_directory(open_page, site_url, at=at, timezone_id=zone)
    page = watched.page
    timed = [row for row in shown_states(page) if row["timetable"]]
    assert {row["service"] for row in timed} == {POLICE, NDAH, GALOP, MENS_ADVICE_LINE, WOMENS_AID}
    assert {(row["state"], row["label"]) for row in timed} == {("unknown", UNVERIFIED_CHECK)}
    assert set(_ages(page).values()) == {"very-stale"}
    assert shown_states(page) == expected_states(page, now=at)
    for row in timed:
        assert page.locator(f"[data-service-id='{row['service']}'] [data-weekly-hours]").first.is_visible()
    # Nothing on the page is verified, and every card says so.
    cards = page.locator("[data-service-id]")
    assert cards.count() == 6
    assert set(page.eval_on_selector_all("[data-service-id]", "cs => cs.map(c => c.getAttribute('data-verified'))")) == {""}
    assert page.locator("[data-verified-note]").all_inner_texts() == ["Confirmed with the service: not yet."] * 6
    assert watched.problems() == []


def test_the_open_now_filter_keeps_hours_too_old_to_judge(open_page: OpenPage, site_url: str) -> None:
    page = open_directory(open_page, site_url, at=_wednesday_noon()).page
    page.get_by_label("Only show services open now (UK time)").check()
    shown = page.eval_on_selector_all("[data-service-id]", "cs => cs.filter(c => c.checkVisibility()).map(c => c.getAttribute('data-service-id'))")
    assert sorted(shown) == sorted([POLICE, NDAH, GALOP, MENS_ADVICE_LINE, WOMENS_AID])  # Bright Sky has no hours
    assert all(card_state(page, s) == "unknown" for s in shown)
    assert page.locator("[data-service-id]:visible [data-open-state]").all_inner_texts() == [UNVERIFIED_CHECK] * 5


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Auckland"])
def test_confirmed_stale_and_very_stale_labels(open_page: OpenPage, verified_url: str, zone: str) -> None:
    at = _wednesday_noon()
    watched = open_directory(open_page, verified_url, at=at, timezone_id=zone)
    page = watched.page
    labels = _labels(page)
    today = _today()
    assert labels[GALOP] == ("open", "Open now · closes 12:30")
    assert labels[MENS_ADVICE_LINE] == (
        "open",
        f"Open now · closes 20:00 (hours confirmed with the service {month_year(_months_before(today, 13).isoformat())}, not since)",
    )
    assert labels[WOMENS_AID] == (
        "unknown",
        f"Check before you rely on this: hours confirmed with the service {month_year(_months_before(today, 25).isoformat())}, not since",
    )
    assert labels[POLICE] == ("unknown", UNVERIFIED_CHECK)
    ages = _ages(page)
    assert (ages[GALOP], ages[MENS_ADVICE_LINE], ages[WOMENS_AID], ages[POLICE]) == ("confirmed", "stale", "very-stale", "very-stale")
    assert card_state(page, MENS_ADVICE_LINE) == "open"  # stale hours keep their state: the label says how old they are
    assert card_state(page, WOMENS_AID) == "unknown"
    assert page.locator(f"[data-service-id='{GALOP}']").get_attribute("data-verified") == today.isoformat()
    assert shown_states(page) == expected_states(page, now=at)
    assert watched.problems() == []


@pytest.mark.parametrize(
    ("zone", "london_time", "age"),
    [
        # 23:30 in London the day before: already the threshold day in Auckland, but not in London.
        ("Pacific/Auckland", "before", "confirmed"),
        # 00:30 in London on the threshold day: still the day before in Los Angeles.
        ("America/Los_Angeles", "after", "stale"),
    ],
)
def test_the_threshold_follows_the_london_date_not_the_device_zone(
    open_page: OpenPage, verified_url: str, zone: str, london_time: str, age: str
) -> None:
    day = _threshold_day()
    at = datetime.combine(day - timedelta(days=1), time(23, 30), tzinfo=LONDON) if london_time == "before" else datetime.combine(day, time(0, 30), tzinfo=LONDON)
    page = open_directory(open_page, verified_url, at=at, timezone_id=zone).page
    local_day = page.evaluate("() => new Date().toLocaleDateString('en-CA')")
    assert local_day != at.date().isoformat()  # the device's own calendar is on the other side of the threshold
    assert _ages(page)[NDAH] == age
    state, label = _labels(page)[NDAH]
    assert state == "open"
    assert label.endswith("not since)") == (age == "stale")
    assert shown_states(page) == expected_states(page, now=at)


SINCE_DATES = [
    date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 31), date(2024, 2, 29), date(2024, 3, 1),
    date(2026, 2, 28), date(2026, 3, 1), date(2026, 2, 1), date(2025, 12, 31), date(2026, 1, 1), date(2027, 2, 28),
]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "zone"),
    [
        (datetime(2027, 2, 28, 23, 30, tzinfo=LONDON), "Pacific/Auckland"),
        (datetime(2027, 3, 1, 0, 30, tzinfo=LONDON), "America/Los_Angeles"),
        (datetime(2028, 2, 29, 12, 0, tzinfo=LONDON), "Asia/Kolkata"),
        (datetime(2027, 3, 31, 23, 59, tzinfo=LONDON), "Europe/London"),
    ],
)
def test_the_script_counts_months_as_python_does(open_page: OpenPage, now: datetime, zone: str) -> None:
    """Month ends, leap days and both thresholds: open-now.js hoursAge against provenance.hours_age, card by card."""
    policy = HoursAge()
    timetable = html.escape(timetable_json("24/7", start=now.date() - timedelta(days=1), days=7))
    cards = "".join(
        f'<article data-service-id="s{i}" data-verified="" data-hours-since="{since.isoformat()}" data-hours-note="note {i}">'
        f'<p data-open-state="unknown" data-timetable="{timetable}">no script</p></article>'
        for i, since in enumerate(SINCE_DATES)
    )
    page = open_page(None, timezone_id=zone).page
    page.clock.install(time=now - timedelta(minutes=1))
    page.clock.pause_at(now)
    page.set_content(f"<!doctype html><html lang='en'><title>t</title><body>{cards}</body></html>")
    page.add_script_tag(content=open_now_script(hours_age=policy))
    shown = dict(page.eval_on_selector_all("[data-open-state]", AGE_JS))
    expected = {f"s{i}": hours_age(since=since, today=now.date(), policy=policy) for i, since in enumerate(SINCE_DATES) if since <= now.date()}
    assert {k: shown[k] for k in expected} == expected
    assert len(set(expected.values())) >= 2  # each instant sits between cards on both sides of a threshold


def test_the_open_now_filter_shows_stale_hours_with_their_age(open_page: OpenPage, verified_url: str) -> None:
    page = open_directory(open_page, verified_url, at=_wednesday_noon()).page
    page.get_by_label("Only show services open now (UK time)").check()
    shown = page.eval_on_selector_all("[data-service-id]", "cs => cs.filter(c => c.checkVisibility()).map(c => c.getAttribute('data-service-id'))")
    assert GALOP in shown and MENS_ADVICE_LINE in shown and WOMENS_AID in shown  # open, open but stale, too old to judge
    label = page.locator(f"[data-service-id='{MENS_ADVICE_LINE}'] [data-open-state]").first.inner_text()
    assert label.startswith("Open now · closes 20:00 (hours confirmed with the service ") and label.endswith(", not since)")


# A finder or search result carries the service's name as its title and its first timed channel's state.
RESULT_JS = """els => els.map(el => {
  const state = el.querySelector('[data-open-state][data-timetable]');
  return {name: el.querySelector('.dv-search__title').textContent, state: state && state.getAttribute('data-open-state'),
          label: state && state.textContent.trim(), age: state && state.getAttribute('data-hours-age')};
})"""
CARD_JS = """cards => cards.map(card => {
  const state = card.querySelector('[data-open-state][data-timetable]');
  return {name: card.querySelector('#' + CSS.escape(card.id + '-name')).textContent.trim(), state: state && state.getAttribute('data-open-state'),
          label: state && state.textContent.trim(), age: state && state.getAttribute('data-hours-age')};
})"""


def _results_and_cards(page: Page) -> tuple[list[dict[str, str | None]], dict[str, dict[str, str | None]]]:
    results = page.eval_on_selector_all("[data-finder-result]", RESULT_JS)
    cards = {card["name"]: card for card in page.eval_on_selector_all("article[data-service-id]", CARD_JS)}
    return results, cards


def _wednesday_at_three() -> datetime:
    """03:00 London on the first ordinary Wednesday after today: the 24-hour lines are open, the day lines closed."""
    return _wednesday_noon().replace(hour=3)


@pytest.mark.parametrize("site", ["real", "verified"])
def test_finder_results_show_the_state_and_age_their_cards_show(open_page: OpenPage, site_url: str, verified_url: str, site: str) -> None:
    """A result is judged like its card: the 2020 hours of the real data never say "Open now" in the finder either."""
    page = open_directory(open_page, site_url if site == "real" else verified_url, at=_wednesday_noon()).page
    _type(page, "line")
    results, cards = _results_and_cards(page)
    timed = [r for r in results if r["state"] is not None]
    assert len(timed) >= 3
    for result in timed:
        assert result == cards[result["name"]], result["name"]
    if site == "real":
        assert {(r["state"], r["label"], r["age"]) for r in timed} == {("unknown", UNVERIFIED_CHECK, "very-stale")}
    else:
        assert {r["age"] for r in timed} == {"confirmed", "stale", "very-stale"}
        assert "open" in {r["state"] for r in timed}


def test_the_finder_open_now_filter_keeps_open_services_and_hours_too_old_to_judge(open_page: OpenPage, verified_url: str) -> None:
    """As the directory's own filter: open now (stale or not), or too old to judge; closed services go."""
    page = open_directory(open_page, verified_url, at=_wednesday_at_three()).page
    _type(page, "line")
    before, _ = _results_and_cards(page)
    kept = [r["name"] for r in before if r["state"] == "open" or r["age"] == "very-stale"]
    dropped = [r["name"] for r in before if r["name"] not in kept]
    assert kept and dropped and any(r["state"] == "open" for r in before)
    assert "Galop LGBT+ domestic abuse helpline" in dropped  # confirmed today, closed at 03:00
    page.get_by_label("Only show services open now (UK time)").check()
    expect(_status(page)).to_contain_text("open now or with hours too old to judge")
    expect(page.locator("[data-finder-result] .dv-search__title")).to_have_count(len(kept))
    assert _names(page.locator("[data-finder-result] .dv-search__title")) == kept
    page.get_by_label("Only show services open now (UK time)").uncheck()
    expect(page.locator("[data-finder-result]")).to_have_count(len(before))
