"""Help now: the large call buttons on the home and safety pages come from data/helplines.yaml (help_now: true)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.views.pages import Views, help_now_calls

TODAY = date(2026, 12, 2)


def _html(data: DataCopy) -> str:
    return Views(load_site(data_dir=data.path, today=TODAY)).help_now(link=lambda src: "/" + src.removesuffix(".md") + "/")


def test_the_buttons_are_the_marked_services_numbers_in_file_order(real_data: DataCopy) -> None:
    site = load_site(data_dir=real_data.path, today=TODAY)
    marked = [s for s in site.entries("services") if s.get("help_now")]
    assert [c["service"]["id"] for c in help_now_calls(site)] == [s["id"] for s in marked]
    html = _html(real_data)
    tel = re.findall(r'<a class="dv-call[^"]*" href="(tel:[^"]+)" data-call-service="([^"]+)">', html)
    assert tel == [("tel:999", "police-emergency-999"), ("tel:+448082000247", "national-domestic-abuse-helpline")]
    assert "Call 999</span>" in html and "Call 0808 2000 247</span>" in html
    assert "National Domestic Abuse Helpline. Open 24/7" in html
    assert "press 55" in html  # the 999 channel's own note, from the data
    assert 'href="/directory/"' in html and "call history" in html


def test_a_number_changed_in_the_data_changes_the_button(real_data: DataCopy) -> None:
    real_data.replace("helplines.yaml", '"0808 2000 247"', '"0808 2000 248"')
    assert 'href="tel:+448082000248"' in _html(real_data)


def test_unmarking_a_service_removes_its_button(real_data: DataCopy) -> None:
    real_data.replace("helplines.yaml", "    help_now: true\n", "")
    real_data.replace("helplines.yaml", "    help_now: true\n", "")
    html = _html(real_data)
    assert "tel:" not in html and 'href="/directory/"' in html


def test_a_marked_service_without_a_phone_is_a_data_error(real_data: DataCopy) -> None:
    text = (real_data.path / "helplines.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: womens-aid-live-chat")
    at = text.index("    sources:", start)
    real_data.write("helplines.yaml", text[:at] + "    help_now: true\n" + text[at:])
    with pytest.raises(DataErrors) as caught:
        load_site(data_dir=real_data.path, today=TODAY)
    message = str(caught.value)
    assert "helplines.yaml:" in message
    assert "service 'womens-aid-live-chat': channels: has no phone channel, but help_now: true makes its first phone number a call button" in message
