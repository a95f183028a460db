"""`python -m sitedata new practice|service`: add a valid entry from a few questions or from flags.

The entry goes at the end of data/practices.yaml or data/helplines.yaml; the rest of the file,
comments included, is left exactly as it was. Nothing is written unless the whole data set
still passes every check with the new entry in it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from sitedata.data.checks import phone_problem, url_problem
from sitedata.data.errors import DataErrors, describe, did_you_mean
from sitedata.data.hours import hours_error
from sitedata.data.load import DATA_DIR, SiteData, load_site
from sitedata.data.schemas import load_schema
from sitedata.tools import fmt

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_MAX = 80
SLUG_MAX = 60
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command ended by Ctrl-C

PHONE_CHANNELS = ("phone", "text")
URL_CHANNELS = ("webchat", "webform", "website")
# Lists that read best on one line, as the existing files write them.
FLOW_LISTS = ("areas", "tags", "audiences", "coverage", "keywords")

Answers = dict[str, Any]


def _always(_answers: Mapping[str, Any]) -> bool:
    return True


def _never(_answers: Mapping[str, Any]) -> bool:
    return False


@dataclass(frozen=True)
class Question:
    """One field of a new entry: its flag, how to ask for it, and what it accepts."""

    key: str
    flag: str
    prompt: str
    hint: str = ""
    vocabulary: str | None = None
    multiple: bool = False
    required: Callable[[Mapping[str, Any]], bool] = _always
    asked: Callable[[Mapping[str, Any]], bool] = _always
    check: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class Kind:
    """What `new` can add: where it goes and what it asks."""

    name: str
    file: str
    list_name: str
    title_key: str
    questions: tuple[Question, ...]


def _id_problem(value: str) -> str | None:
    if not ID_PATTERN.match(value) or len(value) > ID_MAX:
        return (
            f"{describe(value)} is not a valid id; use lower-case letters, digits and single hyphens, for example 'redbridge-hub-process'"
        )
    return None


def _length_check(limit: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return f"is {len(value)} characters long; keep it to {limit} or fewer" if len(value) > limit else None

    return check


_ID = Question(
    "id", "--id", "Id (part of the page address)", hint="leave it out to make one from the title", required=_never, check=_id_problem
)
_SOURCE = Question("source", "--source", "Source document", hint="the id of a document in data/sources.yaml", vocabulary="sources")
_SECTION = Question("section", "--section", "Where in the source", hint="a paragraph or heading, for example 'para 9'")

PRACTICE = Kind(
    name="practice",
    file="practices",
    list_name="practices",
    title_key="title",
    questions=(
        Question("title", "--title", "Title", hint="up to 120 characters", check=_length_check(120)),
        Question(
            "summary", "--summary", "Summary", hint="one or two sentences in your own words, up to 400 characters", check=_length_check(400)
        ),
        Question("body", "--body", "Fuller description", hint="Markdown", required=_never),
        Question("areas", "--area", "Areas", hint="where it happens", vocabulary="areas", multiple=True),
        Question("tags", "--tag", "Themes", vocabulary="tags", multiple=True),
        Question("status", "--status", "Status", vocabulary="statuses"),
        Question("period", "--period", "When it ran", hint="as the source gives it, for example 'From spring 2020'", required=_never),
        _SOURCE,
        _SECTION,
        _ID,
    ),
)

SERVICE = Kind(
    name="service",
    file="helplines",
    list_name="services",
    title_key="name",
    questions=(
        Question("name", "--title", "Name of the service", hint="up to 120 characters", check=_length_check(120)),
        Question("operator", "--operator", "Organisation that runs it"),
        Question(
            "summary", "--summary", "Summary", hint="one or two sentences in your own words, up to 400 characters", check=_length_check(400)
        ),
        Question("audiences", "--audience", "Who it is for", vocabulary="audiences", multiple=True),
        Question(
            "coverage",
            "--coverage",
            "Where it is available",
            hint="an area from data/areas.yaml, such as England or London",
            vocabulary="areas",
            multiple=True,
        ),
        Question("channel", "--channel", "How to contact it", hint="add more ways later by editing the file", vocabulary="channel types"),
        Question(
            "number",
            "--number",
            "Phone number",
            hint="exactly as the source publishes it, for example '0808 2000 247'",
            asked=lambda a: a.get("channel") in PHONE_CHANNELS,
            check=phone_problem,
        ),
        Question("email", "--email", "Email address", asked=lambda a: a.get("channel") == "email"),
        Question(
            "url",
            "--url",
            "Web address",
            hint="starting with https://",
            required=lambda a: a.get("channel") in URL_CHANNELS,
            asked=lambda a: a.get("channel") in (*URL_CHANNELS, "app"),
            check=url_problem,
        ),
        Question(
            "hours",
            "--hours",
            "Opening hours",
            hint="OpenStreetMap syntax, for example 'Mo-Fr 10:00-16:00; PH unknown' or '24/7'",
            required=_never,
            check=hours_error,
        ),
        Question("hours_text", "--hours-text", "Opening hours in the source's words", required=_never),
        Question("tags", "--tag", "Themes", vocabulary="tags", multiple=True, required=_never),
        _SOURCE,
        _SECTION,
        _ID,
    ),
)

KINDS = {k.name: k for k in (PRACTICE, SERVICE)}
_TITLE_HELP = "the title of a practice, or the name of a service"


# ---------------------------------------------------------------- ids


def slugify(text: str) -> str:
    """A page-address id made from a title: 'Men's Advice Line' -> 'mens-advice-line'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"['’]", "", ascii_text.replace("&", " and "))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX] else slug[:SLUG_MAX]
    return slug or "entry"


def unique_id(base: str, *, taken: set[str] | frozenset[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------- choices


def choices(site: SiteData) -> dict[str, dict[str, str]]:
    """Allowed values for each vocabulary, with a label to show beside each."""
    channel_types = load_schema("helplines")["properties"]["services"]["items"]["properties"]["channels"]["items"]["properties"]["type"][
        "enum"
    ]
    return {
        "areas": {a["name"]: a["kind"].replace("-", " ") for a in site.entries("areas")},
        "tags": {t["id"]: t["name"] for t in site.entries("tags")},
        "statuses": {s["id"]: s["name"] for s in site.entries("statuses")},
        "audiences": {a["id"]: a["name"] for a in site.entries("audiences")},
        "sources": {s["id"]: s.get("short_title") or s["title"] for s in site.entries("sources")},
        "channel types": {c: c for c in channel_types},
    }


def vocabulary_problem(value: str, *, question: Question, known: Mapping[str, str]) -> str | None:
    """Why `value` is not one of the allowed values, with the nearest one when there is one."""
    if value in known:
        return None
    singular = {
        "areas": "area",
        "tags": "theme (tag)",
        "statuses": "status",
        "audiences": "audience",
        "sources": "source",
        "channel types": "channel type",
        "kinds": "kind",
    }
    hint = did_you_mean(value, sorted(known))
    if not hint:
        listed = ", ".join(sorted(known)) if len(known) <= 25 else ", ".join(sorted(known)[:25]) + ", ..."
        hint = f"; choose one of: {listed}"
    return f"{describe(value)} is not a known {singular.get(question.vocabulary or '', question.vocabulary)}{hint}"


def split_values(text: str) -> list[str]:
    """'Hackney, Haringey' -> ['Hackney', 'Haringey']."""
    return [part.strip() for part in text.split(",") if part.strip()]


# ---------------------------------------------------------------- building the entry


def build_entry(kind: Kind, answers: Mapping[str, Any], *, today: date) -> CommentedMap:
    """The new entry, fields in schema order, written the way the existing files write them."""
    values: dict[str, Any] = {"id": answers["id"]}
    for question in kind.questions:
        value = answers.get(question.key)
        if question.key in ("id", "source", "section", "channel", "number", "email", "url", "hours", "hours_text") or value in (
            None,
            "",
            [],
        ):
            continue
        if question.key == "body":
            value = LiteralScalarString(str(value).strip("\n") + "\n")
        values[question.key] = _flow(value) if question.key in FLOW_LISTS else value
    if kind is SERVICE:
        channel = CommentedMap(type=answers["channel"])
        for key in ("number", "email", "url", "hours", "hours_text"):
            if answers.get(key):
                quoted = key in ("number", "hours")
                channel[key] = DoubleQuotedScalarString(answers[key]) if quoted else answers[key]
        values["channels"] = CommentedSeq([channel])
    values["sources"] = CommentedSeq([CommentedMap(id=answers["source"], section=answers["section"])])
    values["last_reviewed"] = DoubleQuotedScalarString(today.isoformat())
    entry = CommentedMap(values)
    fmt.order_keys(CommentedMap({kind.list_name: CommentedSeq([entry])}), name=kind.file)
    return entry


def _flow(items: Sequence[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


@dataclass(frozen=True)
class Added:
    """Where the new entry went."""

    kind: Kind
    entry_id: str
    file: str
    origin: str


def add_entry(kind: Kind, entry: CommentedMap, *, data_dir: Path, today: date) -> Added:
    """Append `entry` to its data file if the whole data set still passes; raises DataErrors if not."""
    path = data_dir / f"{kind.file}.yaml"
    display = f"{data_dir.name}/{path.name}"
    # Read, check and replace under the data folder's lock, and only if nobody saved the file meanwhile:
    # three `make new` at once used to keep one entry and lose two, each having said "Added".
    with fmt.data_lock(data_dir):
        before = fmt.read_text(path, display=display)
        doc = fmt.round_trip_yaml().load(before)
        doc[kind.list_name].append(entry)
        text = fmt.keep_escapes(before, fmt.dump(doc))
        with tempfile.TemporaryDirectory(prefix="sitedata-new-") as scratch:
            trial = Path(scratch) / data_dir.name
            shutil.copytree(data_dir, trial, ignore=shutil.ignore_patterns("schema", "*.md", ".*"))
            (trial / path.name).write_text(text, encoding="utf-8")
            site = load_site(data_dir=trial, today=today)
        fmt.replace_if_unchanged(path, expected=before, text=text, display=display)
    index = len(site.entries(kind.list_name)) - 1
    origin = site.origin(kind.list_name, index)
    return Added(kind=kind, entry_id=entry["id"], file=origin.split(":", 1)[0], origin=origin)


# ---------------------------------------------------------------- asking


@dataclass
class Prompter:
    """Asks for missing fields in a terminal, offering the allowed values and re-asking on a mistake."""

    read: Callable[[str], str] = input
    out: TextIO = field(default_factory=lambda: sys.stdout)

    def ask(self, question: Question, *, known: Mapping[str, str] | None, required: bool) -> Any:
        """One answer, checked: a string, a list of strings, or None when skipped."""
        self._introduce(question, known=known, required=required)
        while True:
            raw = self.read(f"{question.prompt}: ").strip()
            if not raw:
                if not required:
                    return [] if question.multiple else None
                print("  This is required.", file=self.out)
                continue
            values = split_values(raw) if question.multiple else [raw]
            if known is not None:
                values = [_pick_by_number(v, known) for v in values]
            problems = [p for v in values if (p := answer_problem(question, v, known=known))]
            if problems:
                for problem in problems:
                    print(f"  {problem}", file=self.out)
                continue
            return values if question.multiple else values[0]

    def _introduce(self, question: Question, *, known: Mapping[str, str] | None, required: bool) -> None:
        print(f"\n{question.prompt}{f' ({question.hint})' if question.hint else ''}", file=self.out)
        if known:
            how = "one or more (separate them with commas)" if question.multiple else "one"
            print(f"  Choose {how}, by name or number:", file=self.out)
            for n, (value, label) in enumerate(known.items(), start=1):
                shown = f"{value} - {label}" if label != value else value
                print(f"  {n:>3}. {shown}", file=self.out)
        if not required:
            print("  Optional: press Enter to skip.", file=self.out)


def _pick_by_number(value: str, known: Mapping[str, str]) -> str:
    if value.isdigit() and 1 <= int(value) <= len(known):
        return list(known)[int(value) - 1]
    return value


def answer_problem(question: Question, value: str, *, known: Mapping[str, str] | None) -> str | None:
    """What is wrong with one answer, or None."""
    if known is not None:
        return vocabulary_problem(value, question=question, known=known)
    if question.check is not None:
        return question.check(value)
    return None


def collect_answers(
    kind: Kind, given: Mapping[str, Any], *, known: Mapping[str, Mapping[str, str]], prompter: Prompter | None
) -> tuple[Answers, list[str]]:
    """Answers from flags, asking for the rest when a prompter is given; also every problem found."""
    answers: Answers = {}
    problems: list[str] = []
    missing: list[str] = []
    for question in kind.questions:
        value = given.get(question.key)
        if not question.asked(answers):
            if value not in (None, []):
                problems.append(f"{question.flag} does not go with --channel {answers.get('channel')}; leave it out")
            continue
        allowed = known[question.vocabulary] if question.vocabulary else None
        if value not in (None, []):
            bad = [
                f"{question.flag} {p}"
                for v in (value if question.multiple else [value])
                if (p := answer_problem(question, v, known=allowed))
            ]
            if not bad:
                answers[question.key] = value
                continue
            if prompter is None or question.key == "id":
                problems += bad
                continue
            print("\n".join(bad), file=prompter.out)
        required = question.required(answers)
        if prompter is not None and question.key != "id":
            answer = prompter.ask(question, known=allowed, required=required)
            if answer not in (None, []):
                answers[question.key] = answer
        elif required:
            missing.append(question.flag)
    if missing:
        them = "it" if len(missing) == 1 else "them"
        problems.insert(0, f"missing {', '.join(missing)}; give {them} as flags, or run 'make new' in a terminal to be asked")
    return answers, problems


# ---------------------------------------------------------------- command line


def add_parser(sub: Any) -> None:
    """Register `new` on the `python -m sitedata` command line."""
    parser = sub.add_parser(
        "new",
        help="add a practice or service entry",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Lists (--area, --tag, --audience, --coverage) take several values: repeat the flag or separate them with commas.",
    )
    parser.add_argument("kind", nargs="?", choices=sorted(KINDS), help="what to add")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    parser.add_argument("--today", type=date.fromisoformat, help="the date you checked the entry (default: today)")
    parser.add_argument("--yes", "-y", action="store_true", help="never ask; fail if a required flag is missing")
    seen: set[str] = set()
    for question in (*PRACTICE.questions, *SERVICE.questions):
        if question.flag in seen:
            continue
        seen.add(question.flag)
        names = [question.flag, "--name"] if question.flag == "--title" else [question.flag]
        kinds = [k.name for k in KINDS.values() if any(q.flag == question.flag for q in k.questions)]
        parser.add_argument(
            *names,
            dest=_dest(question.flag),
            action="append" if question.multiple else "store",
            help=_TITLE_HELP
            if question.flag == "--title"
            else f"{question.prompt.lower()}{' (' + kinds[0] + 's only)' if len(kinds) == 1 else ''}",
        )


def main(args: argparse.Namespace, *, today: date, stdin: TextIO | None = None) -> int:
    """Run `new`; returns the exit status. Ctrl-C and Ctrl-D end it with one line, not a traceback."""
    try:
        return _main(args, today=today, stdin=stdin)
    except KeyboardInterrupt:
        print("\nStopped (Ctrl-C); nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except EOFError:
        print("\nStopped (end of input, Ctrl-D); nothing was written.", file=sys.stderr)
        return EXIT_USAGE


def _main(args: argparse.Namespace, *, today: date, stdin: TextIO | None) -> int:
    stdin = stdin or sys.stdin
    prompter = None if args.yes or not stdin.isatty() else Prompter()
    kind_name = args.kind
    if kind_name is None:
        if prompter is None:
            print(
                "error: say what to add: 'python -m sitedata new practice' or 'python -m sitedata new service' "
                '(make new ARGS="practice ...")',
                file=sys.stderr,
            )
            return EXIT_USAGE
        kind_name = _ask_kind(prompter)
    kind = KINDS[kind_name]
    wrong = [
        q.flag
        for k in KINDS.values()
        if k is not kind
        for q in k.questions
        if q.flag not in {x.flag for x in kind.questions} and getattr(args, _dest(q.flag)) not in (None, [])
    ]
    if wrong:
        print(f"error: {', '.join(sorted(set(wrong)))} cannot be used for a {kind.name}", file=sys.stderr)
        return EXIT_USAGE
    try:
        site = load_site(data_dir=args.data, today=today)
    except DataErrors as exc:
        print(exc.report(), file=sys.stderr)
        print("error: the data already has the errors above; fix them first (make check), then add the entry", file=sys.stderr)
        return EXIT_DATA
    given = {q.key: _given(args, q) for q in kind.questions}
    answers, problems = collect_answers(kind, given, known=choices(site), prompter=prompter)
    taken = set(site.by_key(kind.list_name))
    if not problems:
        problems += _settle_id(answers, kind=kind, taken=taken, prompter=prompter)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return EXIT_USAGE
    entry = build_entry(kind, answers, today=today)
    try:
        added = add_entry(kind, entry, data_dir=args.data, today=today)
    except fmt.DataBusy as exc:
        print(exc.report().rsplit("\n", 1)[0], file=sys.stderr)
        print(f"error: the new {kind.name} was not added; run the same command again", file=sys.stderr)
        return EXIT_DATA
    except DataErrors as exc:
        print(exc.report().rsplit("\n", 1)[0], file=sys.stderr)
        print(
            f"error: the new {kind.name} would not be valid, so nothing was written (line numbers are where it would have gone)",
            file=sys.stderr,
        )
        return EXIT_DATA
    _print_next_steps(added)
    return 0


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _given(args: argparse.Namespace, question: Question) -> Any:
    value = getattr(args, _dest(question.flag))
    if value is None:
        return [] if question.multiple else None
    if question.multiple:
        return [v for raw in value for v in split_values(raw)]
    return value.strip()


def _ask_kind(prompter: Prompter) -> str:
    question = Question("kind", "kind", "What would you like to add", vocabulary="kinds")
    known = {"practice": "a good-practice initiative (data/practices.yaml)", "service": "a helpline or service (data/helplines.yaml)"}
    return str(prompter.ask(question, known=known, required=True))


def _settle_id(answers: Answers, *, kind: Kind, taken: set[str], prompter: Prompter | None) -> list[str]:
    """Use the given id if it is valid and free; otherwise make a unique one from the title."""
    wanted = answers.get("id")
    if wanted:
        if wanted in taken:
            return [
                f"--id '{wanted}' is already used by another {kind.name}; choose another, or leave --id out to get one made from the title"
            ]
        return []
    answers["id"] = unique_id(slugify(answers[kind.title_key]), taken=taken)
    if prompter is not None:
        print(f"The new {kind.name} gets the id '{answers['id']}'.", file=prompter.out)
    return []


def _print_next_steps(added: Added) -> None:
    where = f"practices/{added.entry_id}/" if added.kind is PRACTICE else f"directory/#{added.entry_id}"
    print(f"Added {added.kind.name} '{added.entry_id}' at {added.origin}, with last_reviewed set to today.")
    print("Next:")
    print(f"  - open {added.file} and add any optional fields (see CONTRIBUTING.md)")
    print("  - make check    check all the data again")
    print(f"  - make serve    preview it at http://127.0.0.1:8000/{where}")
