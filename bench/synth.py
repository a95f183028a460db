"""Synthetic data for benchmarks: a complete, schema-valid data folder with N services and N practices.

Everything is fake and meant to stay obviously so: phone numbers come from Ofcom's ranges reserved
for drama (they pass the UK validity check but ring nobody), email addresses are @example.org.uk,
web addresses are https://example.org.uk/... and are never fetched, and places are made-up names.
The real data's reference files (tags, vocabularies, sources, areas, prompts, ...) are copied as
they are; the real services and practices come first, then synthetic ones up to the size asked for.
A fixed seed makes every run write the same data for the same size and day.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
SEED = 20261122
SCHEMA_COMMENT = "# yaml-language-server: $schema=schema/{name}.schema.json\n"
AREAS_PER_ENTRY = 50  # one made-up area per 50 services, so area lists grow with the data
SOURCES_PER_ENTRY = 100  # one made-up source document per 100 entries
CHECKED_WITHIN_DAYS = 330  # inside the 12-month review window: no review warnings

# Ofcom's numbers for TV, radio and film (drama): valid UK numbers that are never allocated.
# 0115 496 0xxx, 01632 960xxx and 07700 900xxx are drama ranges too but fail libphonenumber's check.
DRAMA_RANGES = (
    "020 7946 0{:03d}",
    "0113 496 0{:03d}",
    "0114 496 0{:03d}",
    "0116 496 0{:03d}",
    "0117 496 0{:03d}",
    "0118 496 0{:03d}",
    "0121 496 0{:03d}",
    "0131 496 0{:03d}",
    "0141 496 0{:03d}",
    "0151 496 0{:03d}",
    "0161 496 0{:03d}",
    "0191 498 0{:03d}",
    "029 2018 0{:03d}",
    "0808 157 0{:03d}",
    "0306 999 0{:03d}",
)

# Opening hours people actually publish, with the wording a source would use.
COMMON_HOURS = (
    ("24/7", "Open 24 hours, every day"),
    ("Mo-Fr 09:00-17:00; PH off", "Monday to Friday, 9am to 5pm, closed on bank holidays"),
    ("Mo-Fr 10:00-12:30,13:30-16:00; PH unknown", "Monday to Friday 10am to 12.30pm and 1.30pm to 4pm"),
    ("Mo-Fr 09:00-17:00; Sa 10:00-13:00; PH off", "Weekdays 9am to 5pm, Saturday mornings 10am to 1pm"),
    ("Mo,We 09:00-20:00; Tu,Th,Fr 09:00-17:00; PH unknown", "Monday and Wednesday 9am to 8pm; other weekdays 9am to 5pm"),
    ("Mo-Su 08:00-20:00; PH unknown", "Every day, 8am to 8pm"),
    ("Mo-Fr 18:00-22:00; Sa,Su 10:00-22:00; PH unknown", "Weekday evenings 6pm to 10pm; weekends 10am to 10pm"),
    ("Fr 20:00-02:00; PH unknown", "Friday nights, 8pm to 2am"),
    ("Mo-Th 09:30-16:30; Fr 09:30-15:00; PH off", "Monday to Thursday 9.30am to 4.30pm; Friday 9.30am to 3pm"),
    ("Mo-Fr 09:00-21:00; Sa,Su 09:00-17:00; PH 10:00-14:00", "Weekdays 9am to 9pm; weekends 9am to 5pm; bank holidays 10am to 2pm"),
    ("Tu 17:00-19:00; PH unknown", "Tuesday evenings, 5pm to 7pm"),
    ("Mo-Fr 08:30-17:30; PH off", "Monday to Friday, 8.30am to 5.30pm"),
)
DAY_SETS = ("Mo-Fr", "Mo-Th", "Mo-Sa", "Mo-Su", "Mo,We,Fr", "Tu-Th", "Mo-Fr", "Mo-Fr")

PLACE_STARTS = (
    "Ash",
    "Bram",
    "Cald",
    "Dun",
    "Elm",
    "Fen",
    "Gar",
    "Hollin",
    "Ivy",
    "Kes",
    "Lark",
    "Mar",
    "Nether",
    "Oak",
    "Pen",
    "Quen",
    "Rook",
    "Sel",
    "Thorn",
    "Wex",
    "Yarrow",
    "Brack",
    "Cole",
    "Dray",
)
PLACE_ENDS = ("bury", "combe", "field", "ford", "ham", "holme", "ley", "mouth", "stead", "thorpe", "ton", "wick", "worth")
SERVICE_KINDS = (
    "Domestic Abuse Helpline",
    "Women's Aid",
    "Family Support Line",
    "Outreach Service",
    "IDVA Service",
    "Men's Support Line",
    "Young People's Service",
    "Refuge Service",
    "Recovery Programme",
    "Sanctuary Scheme",
    "Advice Line",
    "Children's Support Service",
)
OPERATOR_KINDS = (
    "Women's Aid",
    "Borough Council",
    "Community Trust",
    "Family Services",
    "Domestic Abuse Partnership",
    "Housing Association",
)
PRACTICE_KINDS = (
    "multi-agency hub",
    "risk triage panel",
    "virtual MARAC",
    "schools notification scheme",
    "perpetrator programme",
    "safe accommodation pathway",
    "children's recovery group",
    "specialist worker co-location",
    "helpline for professionals",
    "domestic abuse champions network",
    "noise complaint screening",
    "early help pilot",
    "safety planning toolkit",
)
VERBS = ("coordinates", "reviews", "supports", "identifies", "strengthens", "brings together", "follows up", "tracks")
OBJECTS = (
    "high-risk cases",
    "police notifications",
    "families on the child protection list",
    "children missing from school",
    "referrals from health visitors",
    "repeat callers",
    "families in temporary accommodation",
    "young people at risk",
)
PARTNERS = (
    "children's services",
    "the police",
    "health visitors",
    "schools",
    "housing",
    "the local IDVA service",
    "adult social care",
    "community safety",
    "probation",
    "GP practices",
)
LANGUAGES = ("Arabic", "Bengali", "Polish", "Punjabi", "Romanian", "Somali", "Urdu", "Welsh", "Turkish", "Portuguese")
PERIODS = ("From spring 2020", "2021 to 2023", "Since 2019", "April 2022", "From autumn 2023", "2024 pilot year")
WORDS = (
    "safety",
    "support",
    "referral",
    "family",
    "children",
    "risk",
    "advice",
    "confidential",
    "specialist",
    "partnership",
    "outreach",
    "assessment",
    "housing",
    "recovery",
    "planning",
    "school",
    "helpline",
)


@dataclass(frozen=True)
class Counts:
    """How many entries a synthetic data folder holds."""

    services: int
    practices: int
    areas: int
    sources: int

    @property
    def entries(self) -> int:
        """Services and practices: the entries the benchmark scales."""
        return self.services + self.practices


def write_data(*, dest: Path, size: int, today: date, seed: int = SEED, source: Path = DATA_DIR) -> Counts:
    """Write a complete data folder at `dest` with `size` services and `size` practices (real ones first)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("schema", "README.md"))
    rng = random.Random(f"{seed}:{size}")
    docs = {name: _read(dest / f"{name}.yaml") for name in ("areas", "sources", "tags", "vocabularies", "helplines", "practices")}
    gen = _Generator(
        rng=rng,
        today=today,
        tags=[t["id"] for t in docs["tags"]["tags"]],
        audiences=[a["id"] for a in docs["vocabularies"]["audiences"]],
        statuses=[s["id"] for s in docs["vocabularies"]["statuses"]],
    )

    new_areas = gen.areas(count=max(2, size // AREAS_PER_ENTRY), taken={a["name"] for a in docs["areas"]["areas"]})
    areas = docs["areas"]["areas"] + new_areas
    new_sources = gen.sources(count=max(1, (2 * size) // SOURCES_PER_ENTRY))
    gen.area_names = [a["name"] for a in new_areas] + [a["name"] for a in areas[:4]]
    gen.source_ids = [s["id"] for s in new_sources]

    services = docs["helplines"]["services"]
    services = services + [gen.service(i) for i in range(max(0, size - len(services)))]
    practices = docs["practices"]["practices"]
    missing = max(0, size - len(practices))
    titles = [gen.practice_title() for _ in range(missing)]
    ids = [f"{_slug(title)}-{i + 1}" for i, title in enumerate(titles)]
    practices = practices + [
        gen.practice(i, practice_id=pid, title=title, all_ids=ids) for i, (pid, title) in enumerate(zip(ids, titles, strict=True))
    ]

    _write(dest, "areas", {"areas": areas})
    _write(dest, "sources", {"sources": docs["sources"]["sources"] + new_sources})
    _write(dest, "helplines", {"services": services})
    _write(dest, "practices", {"practices": practices})
    return Counts(
        services=len(services), practices=len(practices), areas=len(areas), sources=len(docs["sources"]["sources"]) + len(new_sources)
    )


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(dest: Path, name: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    (dest / f"{name}.yaml").write_text(SCHEMA_COMMENT.format(name=name) + text, encoding="utf-8")


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:60].strip("-")


class _Generator:
    """Makes plausible fake entries; every choice comes from one seeded random generator."""

    def __init__(self, *, rng: random.Random, today: date, tags: list[str], audiences: list[str], statuses: list[str]) -> None:
        self.rng = rng
        self.today = today
        self.tags = tags
        self.audiences = audiences
        self.statuses = statuses
        self.area_names: list[str] = []
        self.source_ids: list[str] = []
        self._phone_next = 0

    def areas(self, *, count: int, taken: set[str]) -> list[dict[str, Any]]:
        names = [s + e for s in PLACE_STARTS for e in PLACE_ENDS]
        self.rng.shuffle(names)
        picked = [n for n in names if n not in taken][:count]
        picked += [f"{n} {side}" for side in ("North", "South", "East", "West") for n in names][: max(0, count - len(picked))]
        kinds = ("unitary-authority", "county", "police-force-area")
        return [{"name": n, "slug": _slug(n), "kind": kinds[i % len(kinds)], "within": "England"} for i, n in enumerate(picked)]

    def sources(self, *, count: int) -> list[dict[str, Any]]:
        out = []
        for i in range(count):
            place = self._place()
            year = self.rng.choice(range(2019, self.today.year + 1))
            kind = self.rng.choice(("annual report", "needs assessment", "scrutiny review", "strategy", "practice briefing"))
            out.append(
                {
                    "id": f"synthetic-{_slug(place)}-{_slug(kind)}-{i + 1}",
                    "title": f"{place} domestic abuse {kind} {year}",
                    "short_title": f"{place} {kind}",
                    "publisher": f"{place} {self.rng.choice(OPERATOR_KINDS)}",
                    "published": f"{year}-{self.rng.randint(1, 12):02d}" if year < self.today.year else str(year),
                    "summary": self._sentence(12),
                    "url": f"https://example.org.uk/{_slug(place)}/{_slug(kind)}-{year}",
                    "last_reviewed": self._checked(),
                }
            )
        return out

    def service(self, i: int) -> dict[str, Any]:
        place = self._place()
        kind = self.rng.choice(SERVICE_KINDS)
        name = f"{place} {kind}"
        sid = f"{_slug(name)}-{i + 1}"
        entry: dict[str, Any] = {
            "id": sid,
            "name": name,
            "operator": f"{place} {self.rng.choice(OPERATOR_KINDS)}",
            "summary": f"{name} {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)} with {self.rng.choice(PARTNERS)}. {self._sentence(14)}",
            "audiences": self.rng.sample(self.audiences, k=self.rng.randint(1, 3)),
            "coverage": [self.rng.choice(self.area_names)],
            "channels": self._channels(sid),
        }
        if self.rng.random() < 0.3:
            entry["short_names"] = ["".join(w[0] for w in name.split() if w[0].isupper())]
        if self.rng.random() < 0.3:
            entry["languages"] = self.rng.sample(LANGUAGES, k=self.rng.randint(1, 4))
        if self.rng.random() < 0.2:
            entry["accessibility"] = self.rng.sample(["bsl", "text-relay", "interpreters"], k=self.rng.randint(1, 2))
        if self.rng.random() < 0.3:
            entry["cost"] = "Free from landlines and mobiles; the number does not show on most phone bills."
        if self.rng.random() < 0.2:
            entry["notes"] = [self._sentence(16)]
        entry["tags"] = self.rng.sample(self.tags, k=self.rng.randint(1, 3))
        entry["keywords"] = self.rng.sample(WORDS, k=self.rng.randint(1, 4))
        entry["sources"] = self._sources()
        entry["last_reviewed"] = self._checked()
        return entry

    def practice_title(self) -> str:
        return f"{self._place()} {self.rng.choice(PRACTICE_KINDS)}"

    def practice(self, i: int, *, practice_id: str, title: str, all_ids: list[str]) -> dict[str, Any]:
        place = title.split()[0]
        entry: dict[str, Any] = {
            "id": practice_id,
            "title": title,
            "summary": f"{place} set up a {self.rng.choice(PRACTICE_KINDS)} that {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}.",
            "body": self._body(place),
            "areas": self.rng.sample(self.area_names, k=self.rng.randint(1, 2)),
            "tags": self.rng.sample(self.tags, k=self.rng.randint(1, 4)),
            "status": self.rng.choice(self.statuses),
            "period": self.rng.choice(PERIODS),
            "organisations": [f"{place} {p}" for p in self.rng.sample(PARTNERS, k=self.rng.randint(2, 5))],
        }
        if self.rng.random() < 0.4:
            entry["figures"] = [{"value": f"{self.rng.randint(2, 400)}", "label": f"{self.rng.choice(OBJECTS)} reviewed in the first year"}]
        if self.rng.random() < 0.5:
            entry["contacts"] = [{"label": f"{place} team", "phone": self._phone(), "email": f"team{i + 1}@example.org.uk"}]
        if self.rng.random() < 0.4:
            entry["links"] = [{"title": f"{place} partnership page", "url": f"https://example.org.uk/practice/{practice_id}"}]
        others = [p for p in self.rng.sample(all_ids, k=min(3, len(all_ids))) if p != practice_id][:2]
        if others and self.rng.random() < 0.5:
            entry["related"] = others
        entry["keywords"] = self.rng.sample(WORDS, k=self.rng.randint(1, 4))
        entry["sources"] = self._sources()
        entry["last_reviewed"] = self._checked()
        return entry

    def _channels(self, sid: str) -> list[dict[str, Any]]:
        channels: list[dict[str, Any]] = []
        hours, hours_text = self._hours()
        phone: dict[str, Any] = {"type": "phone", "number": self._phone(), "hours": hours}
        if hours_text:
            phone["hours_text"] = hours_text
        channels.append(phone)
        extra = self.rng.sample(["email", "webchat", "text", "website", "webform"], k=self.rng.randint(0, 2))
        for kind in extra:
            if kind == "email":
                channels.append({"type": "email", "email": f"{sid[:40].strip('-')}@example.org.uk"})
            elif kind == "text":
                channels.append({"type": "text", "number": self._phone(), "hours": hours})
            else:
                channels.append({"type": kind, "url": f"https://example.org.uk/services/{sid}/{kind}"})
        return channels

    def _hours(self) -> tuple[str, str | None]:
        """Most services share common hours; the rest get their own, as a large real directory would."""
        if self.rng.random() < 0.6:
            return self.rng.choice(COMMON_HOURS)
        days = self.rng.choice(DAY_SETS)
        start = self.rng.randint(14, 22) * 30
        end = start + self.rng.randint(8, 22) * 30
        end = min(end, 23 * 60 + 30)
        span = f"{_hhmm(start)}-{_hhmm(end)}"
        if self.rng.random() < 0.3 and end - start > 6 * 60:
            lunch = start + 3 * 60
            span = f"{_hhmm(start)}-{_hhmm(lunch)},{_hhmm(lunch + 60)}-{_hhmm(end)}"
        expr = f"{days} {span}"
        if self.rng.random() < 0.3:
            expr += f"; Sa {_hhmm(self.rng.randint(18, 22) * 30)}-{_hhmm(26 * 30)}"
        expr += self.rng.choice(("; PH off", "; PH unknown", "; PH 10:00-14:00"))  # make check asks for a PH rule
        return expr, None

    def _phone(self) -> str:
        pattern = DRAMA_RANGES[self._phone_next % len(DRAMA_RANGES)]
        number = pattern.format((self._phone_next // len(DRAMA_RANGES)) % 1000)
        self._phone_next += 1
        return number

    def _sources(self) -> list[dict[str, str]]:
        return [{"id": self.rng.choice(self.source_ids), "section": f"para {self.rng.randint(1, 80)}"}]

    def _checked(self) -> str:
        return (self.today - timedelta(days=self.rng.randint(0, CHECKED_WITHIN_DAYS))).isoformat()

    def _place(self) -> str:
        return self.rng.choice(PLACE_STARTS) + self.rng.choice(PLACE_ENDS)

    def _sentence(self, words: int) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(words))
        return text[0].upper() + text[1:] + "."

    def _body(self, place: str) -> str:
        partners = self.rng.sample(PARTNERS, k=3)
        paragraphs = [
            f"{place} introduced a **{self.rng.choice(PRACTICE_KINDS)}** that {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}. "
            f"It was designed with {partners[0]}, {partners[1]} and {partners[2]}.",
            self._sentence(30),
        ]
        if self.rng.random() < 0.4:
            paragraphs.append("\n".join(f"- {self._sentence(6)}" for _ in range(3)))
        if self.rng.random() < 0.3:
            paragraphs.append(f"More detail is in the [partnership's report](https://example.org.uk/{_slug(place)}/report).")
        return "\n\n".join(paragraphs) + "\n"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
