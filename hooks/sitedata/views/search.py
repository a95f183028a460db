"""The site search: one lunr index of every page and entry, built once at build time, searched in the browser.

Material's search builds its lunr index in the browser, which at thousands of entries keeps the
page busy for seconds. This index is built here with lunr.py, serialised in the format lunr.js
2.3.9 loads with `lunr.Index.load`, and written into one script that sets a global
(`self.DV_SEARCH`): from file:// Chromium blocks fetch(), but a <script src> still loads.
sitedata.build adds it to the site; overrides/assets/javascripts/search.js searches it (the header's
search box and the directory finder alike).

What is indexed: every service, practice, prompt set, safety advice, resource and glossary term,
from the data (title, own words, shared topics, text), and each section of the prose pages in
docs/ (rendered from their Markdown, macro calls left out). Words are normalised as search.js
normalises what is typed (`words`: lower case, apostrophes dropped, split at anything that is not
a letter or a digit, lunr's stop words left out) and then stemmed with lunr's English (Porter)
stemmer; the serialised index names the stemmer as its search pipeline, so lunr.js stems the
words typed the same way. Each stem is kept in the first field it appears in, with that field's
boost.

Beside the index the script carries, per document, what a result shows (kind, title, URL, a line
such as the area or who a service is for, a short summary, a call link, the compiled opening
hours for open-now.js and, as on the service's card, how old those hours are), the search vocabulary from data/search.yaml, the fallback services with
their numbers from data/helplines.yaml, and the words offered as "did you mean".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

import markdown as md
import yaml
from lunr.builder import Builder
from lunr.index import Index
from lunr.stemmer import PorterStemmer, stemmer
from lunr.stop_word_filter import WORDS as STOP_WORDS

from sitedata import npm
from sitedata.constants import PROJECT_DIR
from sitedata.data.hours import compiled_hours
from sitedata.data.load import SiteData, collector_paused
from sitedata.data.provenance import hours_since
from sitedata.text import phone_display, tel_uri
from sitedata.views import directory

LUNR_PACKAGE = "lunr"
LUNR_VERSION = "2.3.9"  # the lunr.js version whose index format lunr.py writes (lunr.__TARGET_JS_VERSION__)
LUNR_IN_PACKAGE = "lunr.min.js"
# Where the two generated files go in the built site (search.js has the same two paths).
LUNR_SITE_PATH = "assets/javascripts/search/lunr.min.js"
INDEX_SITE_PATH = "assets/javascripts/search/site-index.js"
GLOBAL_NAME = "DV_SEARCH"
# Fields in the order a stem is kept in (a stem is only indexed in the first field it appears in), with their boosts.
FIELDS = (("title", 10), ("keywords", 5), ("topics", 2), ("body", 1))
SCORE_DECIMALS = 1
# What a result shows in its first line after the title: the kind of entry, in words people use.
KIND_NAMES = {
    "service": "Helpline or service",
    "advice": "Safety advice",
    "practice": "Good practice",
    "prompt": "Practice prompts",
    "term": "Glossary",
    "resource": "Guidance",
    "evidence": "Evidence and figures",
    "page": "Page",
}
# Data lists that are search entries, with their kind and the field that is their title.
ENTRY_LISTS = {
    "services": ("service", "name"),
    "advice": ("advice", "title"),
    "prompt_sets": ("prompt", "title"),
    "practices": ("practice", "title"),
    "terms": ("term", "term"),
    "resources": ("resource", "title"),
    "evidence_groups": ("evidence", "title"),
    "evidence_tables": ("evidence", "title"),
}
SUMMARY_CHARS = 120
# At scale, a stem found in more than this share of the documents is kept only where it says what an
# entry is (its title and own keywords), not in its shared topics or its text: at 10,000 services
# and 10,000 practices ~170 such stems ("servic", "famili", "risk") made ~3/4 of the index.
COMMON_SHARE = 0.1
COMMON_FROM_DOCS = 2_000
COMMON_KEPT_IN = ("title", "keywords")
# Words people use for each kind of channel (the channel types are fixed by data/schema/helplines.schema.json).
CHANNEL_WORDS = {
    "phone": ("phone", "call", "ring", "telephone", "helpline"),
    "text": ("text", "texting", "sms", "text message"),
    "email": ("email", "e-mail"),
    "webchat": ("chat", "web chat", "webchat", "live chat", "online chat", "text chat", "online", "typing"),
    "app": ("app", "mobile app", "smartphone"),
    "webform": ("online form", "call back", "callback", "online"),
    "website": ("website", "online"),
}
# Words for the accessibility options a service can list (fixed by the same schema).
ACCESSIBILITY_WORDS = {
    "bsl": ("BSL", "British Sign Language", "sign language", "deaf"),
    "text-relay": ("text relay", "relay", "deaf", "hard of hearing"),
    "interpreters": ("interpreter", "interpreters", "interpreting", "other languages", "translation"),
}
# Words for a channel the data says is open 24/7.
ALWAYS_OPEN_WORDS = ("24/7", "24 hours", "24 hour", "any time", "night", "overnight", "weekend")
# Area kinds whose name is worth adding to the entries of the areas inside them ("London" for a borough).
PARENT_AREA_KINDS = ("region", "county")
# Fields that are never searched: identifiers, addresses, dates and references.
_NOT_TEXT = frozenset(
    {"id", "url", "urls", "email", "number", "hours", "sources", "last_checked", "last_reviewed", "verified", "see_also", "related"}
    | {"matches", "type", "status", "group", "cells", "chart", "change", "areas", "coverage", "tags", "theme", "audiences", "accessibility", "languages"}
)
_APOSTROPHE = re.compile(r"['’]")
_WORD = re.compile(r"[^\W_]+")
_PHONE_NUMBER = re.compile(r"\d{8,}")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SCRIPT = re.compile(r"^(?:/\*.*?\*/\n)?self\.(?P<name>\w+)=JSON\.parse\('(?P<json>(?:[^'\\]|\\.)*)'\);\n$", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)
_MACRO = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_SECTION = re.compile(r"<h(?P<level>[1-3])\b[^>]*?\sid=\"(?P<id>[^\"]+)\"[^>]*>(?P<title>.*?)</h(?P=level)>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class SearchError(ValueError):
    """The search cannot be built; the message says what to do."""


@dataclass(frozen=True)
class Section:
    """A part of a prose page: its heading, its address from the site root, its text."""

    title: str
    url: str
    text: str


def words(phrases: Iterable[str]) -> list[str]:
    """The searchable words of some phrases, each once, normalised as search.js normalises what is typed (not stemmed)."""
    return list(dict.fromkeys(w for phrase in phrases for w in _phrase_words(phrase)))


@lru_cache(maxsize=65_536)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    """Worked out once per phrase: entries share most of theirs (themes, audiences, channels, areas)."""
    found = _WORD.findall(_APOSTROPHE.sub("", phrase.lower()))
    return tuple(w for w in found if len(w) > 1 and w not in STOP_WORDS and not _PHONE_NUMBER.fullmatch(w))


class _LunrJsStemmer(PorterStemmer):
    """lunr.py's Porter stemmer with lunr.js's step 1c, so the index is stemmed as lunr.js stems what is typed.

    lunr.py turns a final y into i when the stem has a vowel ('gay' -> 'gai'); lunr.js 2.3.9 does it
    only after a consonant, and not for a two-letter word ('gay' stays, 'try' -> 'tri'). Checked on
    every word of the site against lunr.js in tests/unit/test_search.py.
    """

    def step1c(self) -> None:
        if self.b[self.k] == "y" and self.k - self.k0 >= 2 and self.b[self.k - 1] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1 :]


_STEMMER = _LunrJsStemmer()


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """lunr.js's English stemmer, as the index's search pipeline applies it to what is typed."""
    return str(_STEMMER.stem(word))


def stems(phrases: Iterable[str]) -> list[str]:
    """The stems of the searchable words of some phrases, each once."""
    return list(dict.fromkeys(stem(w) for w in words(phrases)))


def entry_keywords(*, site: SiteData, ref: str) -> dict[str, list[str]]:
    """The search words for one entry ('services/galop-lgbt-helpline'), as phrases per field, from the data alone."""
    # keywords: what is the entry's own (its keywords and short names, how to contact it).
    # topics: what it shares with others (its themes, audiences, areas and status), so it ranks lower.
    list_name, entry_id = ref.split("/", 1)
    try:
        entry = site.by_key(list_name)[entry_id]
    except KeyError:
        raise KeyError(f"a page marks '{ref}' for search, but data has no {list_name} entry '{entry_id}'") from None
    tags = site.by_key("tags")
    audiences = site.by_key("audiences")
    areas = site.by_key("areas", "name")
    statuses = site.by_key("statuses")

    own: list[str] = [*entry.get("short_names", []), *entry.get("matches", []), *entry.get("keywords", [])]
    for channel in entry.get("channels", []):
        own += CHANNEL_WORDS.get(channel["type"], ())
        if channel.get("number"):
            own.append(re.sub(r"\D", "", channel["number"]))
        if channel.get("hours") == "24/7":
            own += ALWAYS_OPEN_WORDS
    for option in entry.get("accessibility", []):
        own += ACCESSIBILITY_WORDS.get(option, ())
    own += entry.get("languages", [])
    # "mens", "womens", "cant": the words typed without an apostrophe, for the shown names and the keywords.
    shown = [entry[k] for k in ("name", "title", "term", "operator", "publisher") if isinstance(entry.get(k), str)]
    own += [_APOSTROPHE.sub("", p) for p in [*shown, *own] if _APOSTROPHE.search(p)]

    shared: list[str] = []
    for tag_id in dict.fromkeys([*entry.get("tags", []), *([entry["theme"]] if "theme" in entry else [])]):
        shared += [tags[tag_id]["name"], *tags[tag_id].get("keywords", [])]
    for audience_id in entry.get("audiences", []):
        shared += [audiences[audience_id]["name"], *audiences[audience_id].get("keywords", [])]
    for area_name in [*entry.get("areas", []), *entry.get("coverage", [])]:
        shared += _area_words(area_name, areas)
    if "status" in entry:
        shared.append(statuses[entry["status"]]["name"])
    shared += [_APOSTROPHE.sub("", p) for p in shared if _APOSTROPHE.search(p)]
    return {"keywords": own, "topics": shared}


def entry_urls(site: SiteData, *, page_url: Callable[[str], str | None], page_size: int) -> dict[str, str]:
    """'list/id' -> the address of the entry from the site root, for every search entry, and 'directory'; `page_url` gives a docs path's URL."""
    out: dict[str, str] = {}

    def url(src: str) -> str:
        found = page_url(src)
        if found is None:
            raise SearchError(f"the search links entries to '{src}', which is not a page of this site")
        return found

    out["directory"] = url("directory.md")
    for service_id, src in directory.service_pages(site, page_size=page_size).items():
        out[f"services/{service_id}"] = f"{url(src)}#{service_id}"
    for practice in site.entries("practices"):
        out[f"practices/{practice['id']}"] = url(f"practices/{practice['id']}.md")
    anchors = {
        "advice": ("safety.md", ""),
        "prompt_sets": ("prompts.md", ""),
        "terms": ("glossary.md", "term-"),
        "resources": ("resources.md", ""),
        "evidence_groups": ("evidence.md", ""),
        "evidence_tables": ("evidence.md", ""),
    }
    for list_name, (src, prefix) in anchors.items():
        for entry in site.entries(list_name):
            # Safety guides from other organisations are listed with the safety advice, not with the guidance.
            page = "safety.md" if entry.get("kind") == "safety-guide" else src
            out[f"{list_name}/{entry['id']}"] = f"{url(page)}#{prefix}{entry['id']}"
    return out


def page_sections(text: str, *, url: str) -> list[Section]:
    """The searchable sections of a prose page from its Markdown (macro calls left out): none if its front matter says `search: exclude`."""
    front = _FRONT_MATTER.match(text)
    meta = (yaml.safe_load(front["yaml"]) or {}) if front else {}
    if (meta.get("search") or {}).get("exclude"):
        return []
    body = _MACRO.sub("", text[front.end() :] if front else text)
    html = md.markdown(body, extensions=["toc", "attr_list", "abbr", "admonition", "md_in_html", "sane_lists"])
    heads = list(_SECTION.finditer(html))
    h1 = heads[0] if heads and heads[0]["level"] == "1" else None
    rest = [h for h in heads if h["level"] != "1"]
    title = meta.get("title") or (_plain(h1["title"]) if h1 else "")
    intro = html[h1.end() if h1 else 0 : rest[0].start() if rest else len(html)]
    sections = [Section(title=title, url=url, text=_plain(intro))]
    for head, following in zip(rest, [*rest[1:], None], strict=False):
        end = following.start() if following is not None else len(html)
        sections.append(Section(title=_plain(head["title"]), url=f"{url}#{head['id']}", text=_plain(html[head.end() : end])))
    return [s for s in sections if s.title]


def documents(site: SiteData, *, urls: Mapping[str, str], sections: Iterable[Section], start: date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The index's documents (ref = position in base 36, each field a list of stems) and what the browser shows of them."""
    audiences = site.by_key("audiences")
    rows: list[list[Any]] = []
    docs: list[dict[str, Any]] = []
    positions: dict[str, int] = {}
    timetables: dict[str, int] = {}
    ages: dict[tuple[str, str], int] = {}
    sources = site.by_key("sources")
    # A figure is a line of its group's card: its statement is searched as the group's text.
    figures: dict[str, list[str]] = {}
    for figure in site.entries("figures"):
        figures.setdefault(figure["group"], []).append(figure["statement"])
    for list_name, (kind, title_field) in ENTRY_LISTS.items():
        for entry in site.entries(list_name):
            ref = f"{list_name}/{entry['id']}"
            found = entry_keywords(site=site, ref=ref)
            title = entry[title_field]
            fields = {
                "title": [title, *entry.get("short_names", []), *([entry["expansion"]] if entry.get("expansion") else [])],
                "keywords": found["keywords"],
                "topics": [*found["topics"], KIND_NAMES[kind]],
                "body": [*_texts(entry, skip={title_field, "short_names", "keywords", "expansion"}), *figures.get(entry["id"], [])],
            }
            positions[ref] = len(rows)
            docs.append(_document(len(rows), fields))
            row = _row(kind, entry, title=title, url=urls[ref], start=start, audiences=audiences, timetables=timetables)
            if kind == "service":
                # How old its hours are, as on its card (data-hours-since, data-hours-note): without it a result
                # would call 2020 hours "Open now" while the card says to check them first.
                row.append(ages.setdefault(hours_since(entry, sources=sources), len(ages)))
            rows.append(row)
    for section in sections:
        docs.append(_document(len(rows), {"title": [section.title], "keywords": [], "topics": [], "body": [section.text]}))
        rows.append(["page", section.title, section.url, KIND_NAMES["page"], _summary(section.text)])
    docs = trim_common(docs)
    shown = {
        "docs": rows,
        "timetables": list(timetables),
        "ages": [list(age) for age in ages],
        "vocabulary": vocabulary(site, positions=positions),
        "fallback": fallback(site, urls=urls, positions=positions),
        "directory": urls["directory"],
        "suggest": suggestions(site, titles=[r[1] for r in rows]),
    }
    return docs, shown


def trim_common(docs: list[dict[str, Any]], *, share: float = COMMON_SHARE, from_docs: int = COMMON_FROM_DOCS) -> list[dict[str, Any]]:
    """From `from_docs` documents up, drop the stems found in more than `share` of them from all fields but COMMON_KEPT_IN."""
    if len(docs) < from_docs:
        return docs
    df: dict[str, int] = {}
    for doc in docs:
        for name, _boost in FIELDS:
            for term in doc[name].split():
                df[term] = df.get(term, 0) + 1
    common = {term for term, n in df.items() if n > share * len(docs)}
    return [
        {k: v if k == "ref" or k in COMMON_KEPT_IN else " ".join(t for t in v.split() if t not in common) for k, v in doc.items()}
        for doc in docs
    ]


def vocabulary(site: SiteData, *, positions: Mapping[str, int]) -> list[list[Any]]:
    """data/search.yaml for the browser: per entry [typed phrases, meant phrases, help-seeking 0/1, documents put first, note]."""
    out = []
    for item in site.entries("search_words"):
        first = [positions[f"{list_name}/{i}"] for list_name in ("services", "terms", "prompt_sets") for i in item.get(list_name, [])]
        out.append([item["typed"], item.get("means", []), int(item.get("help_seeking", False)), first, item.get("note", "")])
    return out


def fallback(site: SiteData, *, urls: Mapping[str, str], positions: Mapping[str, int]) -> list[list[Any]]:
    """The services offered when nothing fits: [name, tel: URI, number as shown, the phone line's note, URL of its card, position], from data/helplines.yaml."""
    services = site.by_key("services")
    out = []
    for service_id in site.entries("fallback_services"):
        service = services[service_id]
        phone = next((c for c in service["channels"] if c["type"] == "phone" and c.get("number")), None)
        if phone is None:
            raise SearchError(f"data/search.yaml: fallback_services: '{service_id}' has no phone number in data/helplines.yaml; offer one people can call")
        ref_ = f"services/{service_id}"
        out.append([service["name"], tel_uri(phone["number"]), phone_display(phone["number"]), phone.get("note", ""), urls[ref_], positions[ref_]])
    return out


def suggestions(site: SiteData, *, titles: Iterable[str]) -> list[str]:
    """Words offered as "did you mean": those of titles, area names and the vocabulary, four letters or more."""
    phrases = [*titles]
    for area in site.entries("areas"):
        phrases += [area["name"], *area.get("aliases", [])]
    for item in site.entries("search_words"):
        phrases += [*item["typed"], *item.get("means", [])]
    return sorted(w for w in words(phrases) if len(w) >= 4 and not w.isdigit())


def build_index(docs: Iterable[Mapping[str, Any]]) -> Index:
    """The lunr index of the documents: words are stemmed already, and lunr.js stems the query with the same stemmer."""
    builder = Builder()
    builder.ref("ref")
    builder.search_pipeline.add(stemmer)
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for doc in docs:
        builder.add(doc)
    return builder.build()


def script_from_documents(docs: list[dict[str, Any]], *, shown: Mapping[str, Any]) -> str:
    """The index script: plain data in, text out, so it can run in another process.

    The garbage collector is paused as load_site pauses it: lunr.py makes millions of small
    containers and no reference cycles.
    """
    with collector_paused():
        index = build_index(docs).serialize()
        for _ref, vector in index["fieldVectors"]:
            vector[1::2] = [round(score, SCORE_DECIMALS) for score in vector[1::2]]
        return index_script({"index": index, **shown})


def index_script(data: Mapping[str, Any]) -> str:
    """The data as one script that sets self.DV_SEARCH: JSON.parse of a string, which Chromium reads far faster than an object literal."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    literal = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"/* The site search index (hooks/sitedata/views/search.py). */\nself.{GLOBAL_NAME}=JSON.parse('{literal}');\n"


def read_index_script(text: str) -> dict[str, Any]:
    """The data back from a script written by index_script (for tests and the benchmark)."""
    match = _SCRIPT.match(text)
    if match is None or match["name"] != GLOBAL_NAME:
        raise SearchError(f"not a search index script (it should start 'self.{GLOBAL_NAME}=JSON.parse(')")
    return json.loads(re.sub(r"\\(.)", r"\1", match["json"], flags=re.DOTALL))


def read_site_index(site_dir: Path) -> dict[str, Any]:
    """A built site's search data (index, docs, vocabulary...)."""
    return read_index_script((site_dir / INDEX_SITE_PATH).read_text(encoding="utf-8"))


def ref(position: int) -> str:
    """A document reference: its position in the table, in base 36 ('0', 'a', '7ps')."""
    digits = ""
    while True:
        position, digit = divmod(position, 36)
        digits = _BASE36[digit] + digits
        if not position:
            return digits


def lunr_file(*, project_dir: Path | None = None) -> Path:
    """lunr.js 2.3.9 as npm installed it, or a SearchError that says to run `npm ci`."""
    project_dir = PROJECT_DIR if project_dir is None else project_dir
    version = npm.pinned(LUNR_PACKAGE, project_dir=project_dir)
    if version != LUNR_VERSION:
        raise SearchError(
            f"package.json must pin {LUNR_PACKAGE} {LUNR_VERSION}, the version whose index format lunr.py writes, "
            f"not {version!r}: run `npm install --save-exact {LUNR_PACKAGE}@{LUNR_VERSION}` in {project_dir}"
        )
    found = npm.installed_file(LUNR_PACKAGE, LUNR_IN_PACKAGE, version=LUNR_VERSION, project_dir=project_dir)
    if isinstance(found, str):
        raise SearchError(found)
    return found


def _document(position: int, fields: Mapping[str, list[str]]) -> dict[str, Any]:
    seen: set[str] = set()
    doc: dict[str, Any] = {"ref": ref(position)}
    for name, _boost in FIELDS:
        kept = [s for s in stems(fields[name]) if s not in seen]
        seen.update(kept)
        doc[name] = " ".join(kept)
    return doc


def _row(kind: str, entry: Mapping[str, Any], *, title: str, url: str, start: date, audiences: Mapping[str, Any], timetables: dict[str, int]) -> list[Any]:
    text = entry.get("summary") or entry.get("definition") or entry.get("description")
    summary = _summary(str(text or next(iter(_texts(entry, skip={"title", "name", "term"})), "")))
    if kind == "service":
        phone = next((c for c in entry["channels"] if c["type"] == "phone" and c.get("number")), None)
        call = [tel_uri(phone["number"]), phone_display(phone["number"])] if phone else []
        hours = [timetables.setdefault(compiled_hours(c["hours"], start=start).json, len(timetables)) for c in entry["channels"] if c.get("hours")]
        meta = f"{KIND_NAMES[kind]} · " + ", ".join(entry["coverage"])
        return [kind, title, url, meta, summary, call, hours]
    if kind == "practice":
        return [kind, title, url, f"{KIND_NAMES[kind]} · " + ", ".join(entry.get("areas", [])), summary]
    return [kind, title, url, KIND_NAMES[kind], summary]


def _texts(value: Any, *, skip: Iterable[str] = ()) -> Iterable[str]:
    """Every string in an entry, outside the fields that are not text (ids, addresses, dates, references) and `skip`."""
    skipped = set(skip) | _NOT_TEXT
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in skipped:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _summary(text: str) -> str:
    plain = _SPACE.sub(" ", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("**", "").replace("`", "")).strip()
    if len(plain) <= SUMMARY_CHARS:
        return plain
    return plain[: plain.rfind(" ", 0, SUMMARY_CHARS)].rstrip(",;:") + "…"


def _plain(html: str) -> str:
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def _area_words(name: str, areas: Mapping[str, dict[str, Any]]) -> list[str]:
    area = areas[name]
    words = [name, *area.get("aliases", [])]
    parent = areas.get(area.get("within", ""))
    if parent is not None and parent["kind"] in PARENT_AREA_KINDS:
        words += [parent["name"], *parent.get("aliases", [])]
    return words
