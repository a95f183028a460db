"""`make new`: a valid entry with a unique id, written only when the whole data set still passes."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, DataCopy
from sitedata.data.load import load_site
from sitedata.data.yamlsource import load
from sitedata.tools import scaffold

PRACTICE_FLAGS = (
    "practice",
    "--title",
    "Scaffolded noise-complaint checks",
    "--summary",
    "Neighbours' noise complaints were checked for signs of domestic abuse.",
    "--area",
    "Havering",
    "--tag",
    "risk-assessment,family-network",
    "--status",
    "covid-response",
    "--source",
    "london-practice-paper-2020",
    "--section",
    "para 10",
    "--body",
    "Boroughs monitored **noise complaints**.\n\nA second paragraph.",
)
SERVICE_FLAGS = (
    "service",
    "--title",
    "Scaffolded test line",
    "--operator",
    "Refuge",
    "--summary",
    "A test entry made by the scaffold.",
    "--audience",
    "survivors",
    "--coverage",
    "England",
    "--channel",
    "phone",
    "--number",
    "0808 2000 247",
    "--hours",
    "24/7",
    "--hours-text",
    "Open 24/7",
    "--tag",
    "helplines",
    "--source",
    "london-practice-paper-2020",
    "--section",
    "para 19",
)


def sitedata(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sitedata ...` with no terminal attached, as in CI or `make new ARGS=...`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
    return subprocess.run(
        [sys.executable, "-m", "sitedata", *args, "--data", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def entries(path: Path, list_name: str) -> list[dict[str, object]]:
    doc, problems = load(path, display=path.name)
    assert not problems and doc is not None
    return doc.data[list_name]






def test_a_duplicate_title_gets_a_suffixed_id(real_data: DataCopy) -> None:
    # An existing practice whose id is its title made into an id, such as 'Virtual MARACs'.
    taken = next(e for e in entries(real_data.path / "practices.yaml", "practices") if scaffold.slugify(str(e["title"])) == e["id"])
    flags = [
        "practice",
        "--title",
        str(taken["title"]),
        "--summary",
        "A second initiative with the same title.",
        "--area",
        "London",
        "--tag",
        "multi-agency",
        "--status",
        "pilot",
        "--source",
        "london-practice-paper-2020",
        "--section",
        "para 9",
    ]
    first = sitedata("new", *flags, data_dir=real_data.path)
    assert first.returncode == 0, first.stderr
    second = sitedata("new", *flags, data_dir=real_data.path)
    assert second.returncode == 0, second.stderr
    ids = [e["id"] for e in entries(real_data.path / "practices.yaml", "practices")]
    assert ids[-2:] == [f"{taken['id']}-2", f"{taken['id']}-3"]
    assert len(ids) == len(set(ids))


def test_a_typo_in_an_area_suggests_the_nearest_and_writes_nothing(real_data: DataCopy) -> None:
    before = {p.name: p.read_bytes() for p in real_data.path.glob("*.yaml")}
    flags = list(PRACTICE_FLAGS)
    flags[flags.index("Havering")] = "Haverin"
    result = sitedata("new", *flags, data_dir=real_data.path)
    assert result.returncode == 2
    assert "error: --area 'Haverin' is not a known area (did you mean 'Havering'?)" in result.stderr
    assert "Nothing was written." in result.stderr
    assert {p.name: p.read_bytes() for p in real_data.path.glob("*.yaml")} == before


def test_every_missing_and_wrong_flag_is_reported_at_once(real_data: DataCopy) -> None:
    before = (real_data.path / "helplines.yaml").read_bytes()
    result = sitedata(
        "new", "service", "--title", "A line", "--audience", "survivers", "--channel", "webchat", "--yes", data_dir=real_data.path
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "error: missing --operator, --summary, --coverage, --url, --source, --section; "
        "give them as flags, or run 'make new' in a terminal to be asked"
    )
    assert "error: --audience 'survivers' is not a known audience (did you mean 'survivors'?)" in lines
    assert (real_data.path / "helplines.yaml").read_bytes() == before


def test_flags_that_do_not_fit_are_refused(real_data: DataCopy) -> None:
    wrong_kind = sitedata("new", "practice", "--operator", "Refuge", data_dir=real_data.path)
    assert wrong_kind.returncode == 2
    assert "error: --operator cannot be used for a practice" in wrong_kind.stderr
    flags = list(SERVICE_FLAGS)
    flags[flags.index("phone")] = "email"
    wrong_channel = sitedata("new", *flags, "--email", "help@example.org.uk", data_dir=real_data.path)
    assert wrong_channel.returncode == 2
    assert "error: --number does not go with --channel email; leave it out" in wrong_channel.stderr


def test_no_kind_without_a_terminal_says_what_to_type(real_data: DataCopy) -> None:
    result = sitedata("new", data_dir=real_data.path)
    assert result.returncode == 2
    assert "say what to add: 'python -m sitedata new practice'" in result.stderr


def test_an_entry_the_checks_reject_is_not_written(real_data: DataCopy) -> None:
    before = (real_data.path / "practices.yaml").read_bytes()
    flags = list(PRACTICE_FLAGS)
    flags[flags.index("--body") + 1] = "A <b>bold</b> claim."
    result = sitedata("new", *flags, data_dir=real_data.path)
    assert result.returncode == 1
    assert re.search(
        r"data/practices\.yaml:\d+:\d+: practice 'scaffolded-noise-complaint-checks': body: raw HTML is not allowed", result.stderr
    )
    assert "error: the new practice would not be valid, so nothing was written" in result.stderr
    assert (real_data.path / "practices.yaml").read_bytes() == before


def test_a_bad_phone_number_is_caught_before_anything_is_built(real_data: DataCopy) -> None:
    flags = list(SERVICE_FLAGS)
    flags[flags.index("0808 2000 247")] = "0808 2000 24"
    result = sitedata("new", *flags, data_dir=real_data.path)
    assert result.returncode == 2
    assert "error: --number '0808 2000 24' is not a valid UK phone number" in result.stderr


def test_a_taken_id_is_refused(real_data: DataCopy) -> None:
    taken = entries(real_data.path / "practices.yaml", "practices")[0]["id"]
    result = sitedata("new", *PRACTICE_FLAGS, "--id", str(taken), data_dir=real_data.path)
    assert result.returncode == 2
    assert f"error: --id '{taken}' is already used by another practice" in result.stderr


def test_existing_errors_are_reported_first(real_data: DataCopy) -> None:
    real_data.replace("tags.yaml", "  - id: risk-assessment", "  - id: risk-asessment")
    result = sitedata("new", *PRACTICE_FLAGS, data_dir=real_data.path)
    assert result.returncode == 1
    assert "the data already has the errors above; fix them first (make check)" in result.stderr


def test_the_new_entry_is_already_in_canonical_form(real_data: DataCopy) -> None:
    assert sitedata("fmt", data_dir=real_data.path).returncode == 0
    assert sitedata("new", *PRACTICE_FLAGS, data_dir=real_data.path).returncode == 0
    assert sitedata("new", *SERVICE_FLAGS, data_dir=real_data.path).returncode == 0
    check = sitedata("fmt", "--check", data_dir=real_data.path)
    assert check.returncode == 0, check.stdout


def test_the_entry_text_matches_the_house_style(data: DataCopy) -> None:
    site = load_site(data_dir=data.path, today=TODAY)
    answers = {
        "title": "Hub",
        "summary": "A hub.",
        "areas": ["Redbridge"],
        "tags": ["multi-agency"],
        "status": "pilot",
        "source": "paper",
        "section": "para 9",
        "id": "hub",
    }
    entry = scaffold.build_entry(scaffold.PRACTICE, answers, today=TODAY)
    added = scaffold.add_entry(scaffold.PRACTICE, entry, data_dir=data.path, today=TODAY)
    assert added.origin.startswith("data/practices.yaml:")
    assert (
        (data.path / "practices.yaml")
        .read_text()
        .endswith(
            "  - id: hub\n"
            "    title: Hub\n"
            "    summary: A hub.\n"
            "    areas: [Redbridge]\n"
            "    tags: [multi-agency]\n"
            "    status: pilot\n"
            "    sources:\n"
            "      - id: paper\n"
            "        section: para 9\n"
            '    last_reviewed: "2026-02-01"\n'
        )
    )
    assert len(site.entries("practices")) + 1 == len(load_site(data_dir=data.path, today=TODAY).entries("practices"))


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Men's Advice Line", "mens-advice-line"),
        ("Café & Co: a 'Hub' (2020)", "cafe-and-co-a-hub-2020"),
        ("Virtual MARACs", "virtual-maracs"),
        ("!!!", "entry"),
    ],
)
def test_slugs(title: str, slug: str) -> None:
    assert scaffold.slugify(title) == slug


def test_long_titles_make_ids_cut_at_a_word() -> None:
    slug = scaffold.slugify("Reviewing past multi-agency risk assessment conference cases with the police in lockdown")
    assert len(slug) <= scaffold.SLUG_MAX
    assert slug == "reviewing-past-multi-agency-risk-assessment-conference"


def test_unique_ids() -> None:
    assert scaffold.unique_id("hub", taken={"x"}) == "hub"
    assert scaffold.unique_id("hub", taken={"hub", "hub-2"}) == "hub-3"


def test_questions_offer_choices_and_ask_again_after_a_typo(data: DataCopy) -> None:
    site = load_site(data_dir=data.path, today=TODAY)
    answers_typed = iter(
        [
            "Redbridge hub two",  # title
            "A second hub.",  # summary
            "",  # body: skipped
            "Redbrige",  # areas: typo, asked again
            "Redbridge",
            "multi-agency",  # tags
            "1",  # status: by number
            "",  # period: skipped
            "paper",  # source
            "para 9",  # section
        ]
    )
    out = io.StringIO()
    prompter = scaffold.Prompter(read=lambda _prompt: next(answers_typed), out=out)
    answers, problems = scaffold.collect_answers(
        scaffold.PRACTICE, {"tags": [], "areas": []}, known=scaffold.choices(site), prompter=prompter
    )
    assert problems == []
    statuses = [s["id"] for s in site.entries("statuses")]
    assert answers == {
        "title": "Redbridge hub two",
        "summary": "A second hub.",
        "areas": ["Redbridge"],
        "tags": ["multi-agency"],
        "status": statuses[0],
        "source": "paper",
        "section": "para 9",
    }
    shown = out.getvalue()
    assert "'Redbrige' is not a known area (did you mean 'Redbridge'?)" in shown
    assert "Areas (where it happens)\n  Choose one or more (separate them with commas), by name or number:" in shown
    assert "Fuller description (Markdown)\n  Optional: press Enter to skip." in shown
    assert f"  1. {statuses[0]} - " in shown
    with pytest.raises(StopIteration):
        next(answers_typed)


def test_make_new_asks_in_a_terminal(real_data: DataCopy) -> None:
    """The interactive path end to end, through a pseudo-terminal as `make new` gets from a shell."""
    answers = [
        "service",
        "Terminal test line",
        "Refuge",
        "A line added through the questions.",
        "survivors",
        "England",
        "phone",
        "0808 2000 247",
        "24/7",
        "",
        "",
        "london-practice-paper-2020",
        "para 19",
    ]
    transcript = run_in_terminal(["-m", "sitedata", "new", "--data", str(real_data.path)], answers=answers)
    assert "Added service 'terminal-test-line'" in transcript, transcript
    new = entries(real_data.path / "helplines.yaml", "services")[-1]
    assert new["id"] == "terminal-test-line"
    assert new["channels"] == [{"type": "phone", "number": "0808 2000 247", "hours": "24/7"}]
    assert "tags" not in new


def run_in_terminal(args: list[str], *, answers: list[str], timeout: float = 120) -> str:
    """Run python with a pseudo-terminal as stdin/stdout, typing each answer after each prompt."""
    main, child = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdin=child, stdout=child, stderr=child, close_fds=True)
    os.close(child)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
                # A prompt ends with ": " and waits; answer it.
                if pending and output.rstrip(b" ").endswith(b":") and output.endswith(b": "):
                    os.write(main, pending.pop(0).encode() + b"\n")
            elif proc.poll() is not None:
                break
    finally:
        proc.wait(timeout=10)
        os.close(main)
    return output.decode(errors="replace")
