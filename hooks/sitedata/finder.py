"""The directory finder: a lunr index of the services, built once at build time, searched in the browser.

Material's site search builds its lunr index in the browser on first use, which takes seconds
at thousands of services. The finder's index is built here with lunr.py, serialised in the format
lunr.js 2.3.9 loads with `lunr.Index.load`, and written into one script that sets a global
(`self.DV_FINDER`): from file:// Chromium blocks fetch(), but a <script src> still loads.
hooks/finder.py is the adapter; overrides/assets/javascripts/finder.js searches it.

Words are split and normalised here and in finder.js by the same rules (`words`): lower case,
apostrophes dropped ("men's" is "mens"), split at anything that is not a letter or a digit, lunr's
stop words and single characters left out, and a final "s" dropped ("refuges" is "refuge"). So the
lunr pipelines are empty: nothing is stemmed, and a word typed half-way matches as a prefix.

The index is lean on purpose (it is read whole before the first result): a document's reference
is its position in the service table in base 36, each word is kept in the first field it appears
in, phone numbers are left out, and scores keep one decimal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.index import Index
from lunr.query import Query, QueryPresence
from lunr.stop_word_filter import WORDS as STOP_WORDS

from . import npm
from .load import SiteData, collector_paused
from .search import KEYWORDS_FIELD, TOPICS_FIELD, entry_keywords

PROJECT_DIR = Path(__file__).resolve().parents[2]
LUNR_PACKAGE = "lunr"
LUNR_VERSION = "2.3.9"  # the lunr.js version whose index format lunr.py writes (lunr.__TARGET_JS_VERSION__)
LUNR_IN_PACKAGE = "lunr.min.js"
# Where the two generated files go in the built site (finder.js has the same two paths).
LUNR_SITE_PATH = "assets/javascripts/finder/lunr.min.js"
INDEX_SITE_PATH = "assets/javascripts/finder/services-index.js"
GLOBAL_NAME = "DV_FINDER"
# Fields in the order a word is kept in (a word is only indexed in the first field it appears in), with their boosts.
FIELDS = (("name", 10), ("who", 3), ("where", 3), ("keywords", 2), ("about", 1))
SCORE_DECIMALS = 1
RESULTS_SHOWN = 10
# Query clauses as finder.js makes them: an exact word counts ten times a word it starts.
EXACT_BOOST = 10
# entry_keywords gives phone numbers as digits; people look services up by what they do, not their number.
_PHONE_NUMBER = re.compile(r"\d{8,}")
_APOSTROPHE = re.compile(r"['’]")
_WORD = re.compile(r"[^\W_]+")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SCRIPT = re.compile(r"^(?:/\*.*?\*/\n)?self\.(?P<name>\w+)=JSON\.parse\('(?P<json>(?:[^'\\]|\\.)*)'\);\n$", re.DOTALL)


class FinderError(ValueError):
    """The finder cannot be built; the message says what to do."""


def words(phrases: Iterable[str]) -> list[str]:
    """The searchable words of some phrases, each once, normalised as finder.js normalises what is typed."""
    return list(dict.fromkeys(word for phrase in phrases for word in _phrase_words(phrase)))


@lru_cache(maxsize=65_536)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    """Worked out once per phrase: services share most of theirs (themes, audiences, channels, areas)."""
    found = _WORD.findall(_APOSTROPHE.sub("", phrase.lower()))
    return tuple(fold(w) for w in found if len(w) > 1 and w not in STOP_WORDS and not _PHONE_NUMBER.fullmatch(w))


def fold(word: str) -> str:
    """A word without its final 's' ("refuges" -> "refuge"; not "bus", "address" or "MAL")."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def documents(site: SiteData) -> list[dict[str, Any]]:
    """One document per service, in directory order, ref = its position in base 36, each field a list of words."""
    audiences = site.by_key("audiences")
    areas = site.by_key("areas", "name")
    docs = []
    for position, service in enumerate(site.entries("services")):
        found = entry_keywords(site=site, ref=f"services/{service['id']}")
        who = [p for a in service["audiences"] for p in (audiences[a]["name"], *audiences[a].get("keywords", []))]
        where = [p for a in service["coverage"] for p in (a, *areas[a].get("aliases", []))]
        fields = {
            "name": [service["name"], *service.get("short_names", [])],
            "who": who,
            "where": where,
            "keywords": [*found[KEYWORDS_FIELD], *found[TOPICS_FIELD]],
            "about": [service["summary"]],
        }
        seen: set[str] = set()
        doc: dict[str, Any] = {"ref": ref(position)}
        for name, _boost in FIELDS:
            doc[name] = [w for w in words(fields[name]) if w not in seen]
            seen.update(doc[name])
        docs.append(doc)
    return docs


def build_index(docs: Iterable[Mapping[str, Any]]) -> Index:
    """The lunr index of the documents: empty pipelines, since the words are normalised already."""
    builder = Builder()
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for doc in docs:
        builder.add(doc)
    return builder.build()


def finder_data(site: SiteData, *, urls: Mapping[str, str]) -> dict[str, Any]:
    """What the finder loads: the serialised index, and per ref (list position) [name, URL from the site root, areas].

    `urls` maps each service id to the built URL of the page its card is on ('directory/').
    """
    return _data(documents(site), table=services_table(site, urls=urls))


def services_table(site: SiteData, *, urls: Mapping[str, str]) -> list[list[str]]:
    """Per ref (list position): [name, URL of its card from the site root, areas]."""
    services = site.entries("services")
    missing = [s["id"] for s in services if s["id"] not in urls]
    if missing:
        raise FinderError(f"no directory page holds the card of service '{missing[0]}' ({len(missing)} in all)")
    return [[s["name"], f"{urls[s['id']]}#{s['id']}", ", ".join(s["coverage"])] for s in services]


def finder_script(site: SiteData, *, urls: Mapping[str, str]) -> str:
    """The index script for the site: finder_data, then index_script."""
    return script_from_documents(documents(site), table=services_table(site, urls=urls))


def script_from_documents(docs: list[dict[str, Any]], *, table: list[list[str]]) -> str:
    """The index script from the documents and the table: plain data in, text out, so it can run in another process.

    The garbage collector is paused as load_site pauses it: lunr.py makes millions of small
    containers and no reference cycles, and at 10,000 services the collector's runs over them took
    longer than building the index.
    """
    with collector_paused():
        return index_script(_data(docs, table=table))


def _data(docs: list[dict[str, Any]], *, table: list[list[str]]) -> dict[str, Any]:
    index = build_index(docs).serialize()
    for _ref, vector in index["fieldVectors"]:
        vector[1::2] = [round(score, SCORE_DECIMALS) for score in vector[1::2]]
    return {"index": index, "services": table}


def index_script(data: Mapping[str, Any]) -> str:
    """The data as one script that sets self.DV_FINDER: JSON.parse of a string, which Chromium reads far faster than an object literal."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    literal = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"/* The directory finder's index (hooks/sitedata/finder.py). */\nself.{GLOBAL_NAME}=JSON.parse('{literal}');\n"


def read_index_script(text: str) -> dict[str, Any]:
    """The data back from a script written by index_script (for tests and the benchmark)."""
    match = _SCRIPT.match(text)
    if match is None or match["name"] != GLOBAL_NAME:
        raise FinderError(f"not a finder index script (it should start 'self.{GLOBAL_NAME}=JSON.parse(')")
    return json.loads(re.sub(r"\\(.)", r"\1", match["json"], flags=re.DOTALL))


def search(index: Index, text: str, *, limit: int | None = RESULTS_SHOWN) -> list[str]:
    """The refs finder.js shows for `text`, best first: every word must match, as itself or as the start of a word."""
    typed = [w for w in _WORD.findall(_APOSTROPHE.sub("", text.lower())) if len(w) > 1]
    still_typing = not text[-1:].isspace()
    query = index.create_query()
    for i, word in enumerate(typed):
        stop = word in STOP_WORDS
        last = still_typing and i == len(typed) - 1
        if stop and not last:
            continue  # "help for men": "for" says nothing, but "for" as it is typed may become "forced"
        term = word if stop else fold(word)
        presence = QueryPresence.OPTIONAL if stop else QueryPresence.REQUIRED
        query.term(term, use_pipeline=False, wildcard=Query.WILDCARD_TRAILING, presence=presence)
        if not stop:
            query.term(term, use_pipeline=False, boost=EXACT_BOOST)
    if not query.clauses:
        return []
    found = [match["ref"] for match in index.query(query)]
    return found if limit is None else found[:limit]


def ref(position: int) -> str:
    """A document reference: the service's position in the table, in base 36 ('0', 'a', '7ps')."""
    digits = ""
    while True:
        position, digit = divmod(position, 36)
        digits = _BASE36[digit] + digits
        if not position:
            return digits


def lunr_file(*, project_dir: Path | None = None) -> Path:
    """lunr.js 2.3.9 as npm installed it, or a FinderError that says to run `npm ci`."""
    project_dir = PROJECT_DIR if project_dir is None else project_dir
    version = npm.pinned(LUNR_PACKAGE, project_dir=project_dir)
    if version != LUNR_VERSION:
        raise FinderError(
            f"package.json must pin {LUNR_PACKAGE} {LUNR_VERSION}, the version whose index format lunr.py writes, "
            f"not {version!r}: run `npm install --save-exact {LUNR_PACKAGE}@{LUNR_VERSION}` in {project_dir}"
        )
    found = npm.installed_file(LUNR_PACKAGE, LUNR_IN_PACKAGE, version=LUNR_VERSION, project_dir=project_dir)
    if isinstance(found, str):
        raise FinderError(found)
    return found
