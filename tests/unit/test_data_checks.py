"""Each data check: one valid fixture, then one fixture per way of failing, asserting the exact message."""

from __future__ import annotations

import pytest

from conftest import TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site


def errors_for(data: DataCopy) -> list[str]:
    """Every error message the loader reports for this data, in order."""
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    return [str(e) for e in info.value.errors]


def test_valid_fixture_loads(data: DataCopy) -> None:
    site = load_site(data_dir=data.path, today=TODAY)
    assert [p["id"] for p in site.entries("practices")] == ["redbridge-hub"]
    assert site.by_key("areas", "name")["Redbridge"]["within"] == "England"
    assert site.origin("services", 0) == "data/helplines.yaml:3:5"
    assert site.warnings == []


def test_unknown_area_suggests_the_nearest(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "areas: [Redbridge]", "areas: [Redbrige]")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:13: practice 'redbridge-hub': areas[0]: 'Redbrige' is not a known area (did you mean 'Redbridge'?)"
    ]


def test_unknown_tag_is_rejected(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "tags: [multi-agency]", "tags: [multi-agncy]")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:12: practice 'redbridge-hub': tags[0]: 'multi-agncy' is not a known tag (did you mean 'multi-agency'?)"
    ]


def test_unknown_tag_with_no_near_match_says_where_to_add_it(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "tags: [multi-agency]", "tags: [zzz]")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:12: practice 'redbridge-hub': tags[0]: 'zzz' is not a known tag; use one listed in data/tags.yaml, or add it there first"
    ]


def test_unknown_source_is_rejected(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", "      - id: paper", "      - id: papr")
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:13: service 'example-helpline': sources[0].id: 'papr' is not a known source (did you mean 'paper'?)"
    ]


def test_duplicate_id_names_the_first_use(data: DataCopy) -> None:
    text = (data.path / "practices.yaml").read_text()
    entry = text.split("practices:\n", 1)[1]
    data.write("practices.yaml", text + entry)
    second = text.count("\n") + 1
    assert errors_for(data) == [
        f"data/practices.yaml:{second}:9: practice 'redbridge-hub': id: 'redbridge-hub' is already used by the practice on line 3; give this practice a different id"
    ]


def test_date_in_the_future(data: DataCopy) -> None:
    line = data.replace("resources.yaml", 'last_reviewed: "2026-01-10"', 'last_reviewed: "2026-03-01"')
    assert errors_for(data) == [
        f"data/resources.yaml:{line}:20: resource 'get-help': last_reviewed: '2026-03-01' is in the future (today is 2026-02-01); use the date you actually checked it"
    ]


def test_impossible_date(data: DataCopy) -> None:
    line = data.replace("resources.yaml", 'last_reviewed: "2026-01-10"', 'last_reviewed: "2026-01-32"')
    assert errors_for(data) == [
        f"data/resources.yaml:{line}:20: resource 'get-help': last_reviewed: '2026-01-32' is not a real date; check the month and day"
    ]


def test_badly_written_date(data: DataCopy) -> None:
    line = data.replace("resources.yaml", 'last_reviewed: "2026-01-10"', "last_reviewed: 10/01/2026")
    assert errors_for(data) == [
        f"data/resources.yaml:{line}:20: resource 'get-help': last_reviewed: '10/01/2026' is not valid: write the date as YYYY-MM-DD, for example '2026-11-22'"
    ]


def test_invalid_uk_phone_number(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", '"0808 2000 247"', '"0808 2000 24"')
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:17: service 'example-helpline': channels[0].number: '0808 2000 24' is not a valid UK phone number; check the digits (UK numbers have 10 digits after the leading 0)"
    ]


def test_phone_number_that_is_not_a_number(data: DataCopy) -> None:
    line = data.replace("practices.yaml", '"020 8708 7000"', '"call the hub"')
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:16: practice 'redbridge-hub': contacts[0].phone: 'call the hub' is not a phone number; write it as published, for example '0808 2000 247'"
    ]


def test_uk_short_code_is_accepted(data: DataCopy) -> None:
    data.replace("helplines.yaml", '"0808 2000 247"', '"999"')
    load_site(data_dir=data.path, today=TODAY)


def test_malformed_email(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "hub@example.org.uk", "hub@example")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:16: practice 'redbridge-hub': contacts[0].email: 'hub@example' is not a well-formed email address; it should look like name@example.org.uk"
    ]


def test_http_url_is_rejected_with_the_https_form(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", "url: https://example.org.uk/chat", "url: http://example.org.uk/chat")
    assert errors_for(data) == [
        f"data/helplines.yaml:{line}:14: service 'example-helpline': channels[1].url: 'http://example.org.uk/chat' uses http; use 'https://example.org.uk/chat' (check the page opens with https first)"
    ]


def test_url_without_scheme(data: DataCopy) -> None:
    line = data.replace("resources.yaml", "url: https://www.gov.uk/", "url: www.gov.uk/")
    assert errors_for(data) == [
        f"data/resources.yaml:{line}:10: resource 'get-help': url: 'www.gov.uk/guidance/domestic-abuse-how-to-get-help' is not a full web address; it must start with https://"
    ]


def test_raw_html_in_markdown_field(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "body: |\n", "body: |\n      <script>alert(1)</script>\n")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:11: practice 'redbridge-hub': body: raw HTML is not allowed in Markdown fields (found '<script>'); use Markdown instead, for example **bold** or [text](https://...)"
    ]


def test_javascript_link_in_markdown_field(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "(https://example.org.uk/hub)", "(javascript:alert(1))")
    messages = errors_for(data)
    assert messages == [
        f"data/practices.yaml:{line}:11: practice 'redbridge-hub': body: link 'javascript:alert(1)' uses 'javascript:'; "
        "links may only be https://, mailto:, tel: or a page on this site"
    ]


def test_missing_required_field(data: DataCopy) -> None:
    data.replace("practices.yaml", "    summary: A multi-agency hub.\n", "")
    assert errors_for(data) == [
        "data/practices.yaml:3:5: practice 'redbridge-hub': missing required field 'summary'; add 'summary:' to practice 'redbridge-hub' (see CONTRIBUTING.md for an example)"
    ]


def test_unknown_field_suggests_the_nearest(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "    status: pilot\n", "    status: pilot\n    sumary: typo\n") + 1
    assert errors_for(data) == [f"data/practices.yaml:{line}:5: practice 'redbridge-hub': sumary: unknown field 'sumary' (did you mean 'summary'?)"]


def test_value_outside_an_enum(data: DataCopy) -> None:
    line = data.replace("resources.yaml", "kind: signposting", "kind: signpost")
    assert errors_for(data) == [
        f"data/resources.yaml:{line}:11: resource 'get-help': kind: 'signpost' is not allowed; expected one of: safety-guide, professional-guidance, signposting, campaign, training, strategy, report (did you mean 'signposting'?)"
    ]


def test_wrong_type_says_what_was_expected(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "title: Redbridge hub", "title: [Redbridge hub]")
    assert errors_for(data) == [f"data/practices.yaml:{line}:12: practice 'redbridge-hub': title: expected text, got a list"]


def test_bad_id(data: DataCopy) -> None:
    line = data.replace("practices.yaml", "- id: redbridge-hub", "- id: Redbridge Hub")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:9: practice 'Redbridge Hub': id: 'Redbridge Hub' is not valid: use lower-case letters, digits and single hyphens, for example 'redbridge-hub-process'"
    ]


def test_bad_opening_hours(data: DataCopy) -> None:
    line = data.replace("helplines.yaml", '"Mo-Fr 10:00-16:00; PH off"', '"Mo-Fr 10:00-16:00; PH of"')
    (message,) = errors_for(data)
    assert message.startswith(f"data/helplines.yaml:{line}:16: service 'example-helpline': channels[0].hours: ")
    assert "Mo-Fr 10:00-16:00; PH of" in message


def test_missing_schema_comment(data: DataCopy) -> None:
    data.replace("tags.yaml", "# yaml-language-server: $schema=schema/tags.schema.json\n", "")
    assert errors_for(data) == [
        "data/tags.yaml:1:1: the first line must be '# yaml-language-server: $schema=schema/tags.schema.json' so your editor can check the file as you type; add it"
    ]


def test_several_errors_in_one_file_come_out_in_one_run(data: DataCopy) -> None:
    a = data.replace("practices.yaml", "areas: [Redbridge]", "areas: [Redbrige]")
    b = data.replace("practices.yaml", "status: pilot", "status: pilto")
    c = data.replace("practices.yaml", "hub@example.org.uk", "hub@example")
    d = data.replace("helplines.yaml", "url: https://example.org.uk/chat", "url: http://example.org.uk/chat")
    messages = errors_for(data)
    assert [m.split(": ", 1)[0] for m in messages] == [
        f"data/helplines.yaml:{d}:14",
        f"data/practices.yaml:{a}:13",
        f"data/practices.yaml:{b}:13",
        f"data/practices.yaml:{c}:16",
    ]


def test_review_due_is_a_warning_not_an_error(data: DataCopy) -> None:
    site = load_site(data_dir=data.path, today=TODAY.replace(year=2027, month=3))
    assert len(site.warnings) == 11  # every entry of the fixture data, glossary and evidence included
    assert str(next(w for w in site.warnings if w.file == "data/helplines.yaml")) == (
        "data/helplines.yaml:19:20: service 'example-helpline': last_reviewed: warning: last reviewed 2026-01-10, more than 12 months ago; "
        "check it against its source and update the date"
    )
