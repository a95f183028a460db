"""check_summaries: a summary is short plain text, so a deleted `body: |` line cannot pass silently."""

from __future__ import annotations

import pytest

from conftest import TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site

HINT = "if this text is the entry's body, put back the 'body: |' line above it, on its own line"


def errors_for(data: DataCopy) -> list[str]:
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    return [str(e) for e in info.value.errors]


def test_a_deleted_body_line_is_caught_at_the_summary(data: DataCopy) -> None:
    # The body's lines become a continuation of the summary when its `body: |` line is deleted.
    line = data.replace("practices.yaml", "    body: |\n", "")
    assert errors_for(data) == [
        f"data/practices.yaml:{line - 1}:14: practice 'redbridge-hub': summary: a summary is shown as plain text, "
        f"but this one holds Markdown ('**'); remove it, or {HINT}"
    ]


@pytest.mark.parametrize("markdown", ["see [the hub](https://example.org.uk)", "a `code` word", "an *emphasised* word", "an _emphasised_ word"])
def test_markdown_in_a_summary_is_refused(data: DataCopy, markdown: str) -> None:
    line = data.replace("practices.yaml", "summary: A multi-agency hub.", f"summary: A hub with {markdown}.")
    [message] = errors_for(data)
    assert message.startswith(f"data/practices.yaml:{line}:14: practice 'redbridge-hub': summary: a summary is shown as plain text, but this one holds Markdown (")
    assert message.endswith(HINT)


def test_a_summary_longer_than_three_sentences_is_refused(data: DataCopy) -> None:
    long = "A hub. It meets daily. It has a manager. It shares notes."
    line = data.replace("practices.yaml", "summary: A multi-agency hub.", f"summary: {long}")
    assert errors_for(data) == [
        f"data/practices.yaml:{line}:14: practice 'redbridge-hub': summary: a summary is at most 3 sentences, and this one runs to 4; shorten it, or {HINT}"
    ]


@pytest.mark.parametrize(
    "summary",
    [
        "A hub. It meets daily. It has a manager.",
        "Referrals rose 3.5 times, e.g. in spring, with a 24/7 line and snake_case_words.",
        "A multi-agency hub (MASH) - for all ages * including adults.",
    ],
)
def test_plain_summaries_of_up_to_three_sentences_pass(data: DataCopy, summary: str) -> None:
    data.replace("practices.yaml", "summary: A multi-agency hub.", f"summary: {summary}")
    load_site(data_dir=data.path, today=TODAY)
