"""Search that finds help by the words people type.

Every entry's template puts a marker right after the entry's heading
(`<span hidden data-entry="services/galop-lgbt-helpline"></span>`, from
overrides/partials/data/search_keywords.html). After Material has written its search index, the
hook (hooks/search.py) finds each marker's section in the built pages and gives that record two
fields made from the data: `keywords`, what is the entry's own (its keywords and short names, its
channels as people say them: "text", "chat", "app", its phone number without spaces, spellings
without apostrophes), and `topics`, what it shares with other entries (its themes and audiences
with their keywords, its areas with their aliases and region). Each field has its own boost
(mkdocs.yml, plugins.search.fields); neither is ever shown, so results stay readable.

Why fields and not hidden text on the page: hidden text would be indexed as body text (boost 1,
the same as any passing mention) and Material would print it in the result's teaser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lunr.stop_word_filter import WORDS as STOP_WORDS

from .load import SiteData

MARKER = re.compile(r'<span hidden data-entry="(?P<ref>[a-z_]+/[a-z0-9-]+)"></span>')
_HEADING_OR_MARKER = re.compile(r'<h[1-6]\b[^>]*?\sid="(?P<id>[^"]+)"[^>]*>|' + MARKER.pattern)
_APOSTROPHE = re.compile(r"['’]")
KEYWORDS_FIELD = "keywords"
TOPICS_FIELD = "topics"
# Material multiplies a page's score by up to 5 (1 + (1 + share of words found)^2) and a section's
# by up to 2 (1 + share^2); 2.5 evens that out for entries that are sections of a list page.
ENTRY_SECTION_BOOST = 2.5

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


def entry_keywords(*, site: SiteData, ref: str) -> dict[str, list[str]]:
    """The search words for one entry ('services/galop-lgbt-helpline'), as phrases per field, from the data alone."""
    # KEYWORDS_FIELD: what is the entry's own (its keywords and short names, how to contact it).
    # TOPICS_FIELD: what it shares with others (its themes, audiences, areas and status), so it ranks lower.
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
    return {KEYWORDS_FIELD: own, TOPICS_FIELD: shared}


def keyword_text(phrases: Iterable[str], *, separator: str, leave_out: Iterable[str] = ()) -> str:
    """The phrases as one line of unique lower-case words, split as Material splits them, stop words and `leave_out` left out."""
    skip = set(leave_out)
    words: dict[str, None] = {}
    for phrase in phrases:
        for word in re.split(separator, phrase):
            word = word.lower()
            if word and word not in STOP_WORDS and word not in skip and re.search(r"\w", word):
                words[word] = None
    return " ".join(words)


def record_fields(*, site: SiteData, refs: Iterable[str], separator: str) -> dict[str, str]:
    """The hidden fields of one search record for the entries marked in it; a shared word is not repeated as a topic."""
    phrases: dict[str, list[str]] = {KEYWORDS_FIELD: [], TOPICS_FIELD: []}
    for ref in refs:
        for name, found in entry_keywords(site=site, ref=ref).items():
            phrases[name] += found
    own = keyword_text(phrases[KEYWORDS_FIELD], separator=separator)
    topics = keyword_text(phrases[TOPICS_FIELD], separator=separator, leave_out=own.split())
    return {name: text for name, text in ((KEYWORDS_FIELD, own), (TOPICS_FIELD, topics)) if text}


def query_separator(base: str) -> str:
    """`base` plus lunr's stop words as whole words (lower case or capitalised): "no credit" then looks for "credit" only."""
    # Material adds a wildcard to every word typed, so a stop word left in the query would find every
    # word it starts ("no" finds "noise" and "notifications", "my" finds "myCWA").
    words = sorted(STOP_WORDS, key=lambda w: (-len(w), w))
    alternatives = "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in words)
    stop_words = f"|(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])"
    return base if base.endswith(stop_words) else base + stop_words


def entry_refs(*, site_dir: Path, index: Mapping[str, Any]) -> dict[str, list[str]]:
    """Search-index location -> the entries ('list/id') whose markers are in that section of the built pages."""
    docs = {doc["location"] for doc in index["docs"]}
    refs: dict[str, list[str]] = {}
    for html_file in sorted(site_dir.rglob("*.html")):
        page = _page_location(html_file.relative_to(site_dir).as_posix(), docs)
        if page is None:
            continue
        section = page
        first_heading = True
        for match in _HEADING_OR_MARKER.finditer(html_file.read_text(encoding="utf-8")):
            if match["id"] is not None:
                anchored = f"{page}#{match['id']}"
                # Material gives the first section of a page no anchor when the page starts with its heading.
                section = anchored if anchored in docs else (page if first_heading else anchored)
                first_heading = False
            elif section in docs:
                refs.setdefault(section, []).append(match["ref"])
            else:
                raise ValueError(f"{html_file}: marker for '{match['ref']}' is in a section the search index does not have ({section})")
    return refs


def enrich_index(*, index: Mapping[str, Any], fields: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The search index with each entry record's hidden fields and boost, and empty page records folded into their first section."""
    # `fields` is keyed by the records that hold entries. An entry that is a card on a list page (a
    # helpline, a glossary term) gets ENTRY_SECTION_BOOST, so it competes on equal terms with an
    # entry that has a page of its own (a practice).
    docs, renamed = _fold_empty_pages([dict(doc) for doc in index["docs"]])
    fields = {renamed.get(location, location): value for location, value in fields.items()}
    for doc in docs:
        location = doc["location"]
        doc.update(fields.get(location, {}))
        if "#" in location and location in fields:
            doc["boost"] = round(doc.get("boost", 1) * ENTRY_SECTION_BOOST, 3)
    return {**index, "docs": docs}


def read_index(site_dir: Path) -> dict[str, Any]:
    """A built site's search index."""
    return json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))


def write_index(site_dir: Path, index: Mapping[str, Any]) -> None:
    """Write the search index back, as compact as Material writes it."""
    (site_dir / "search" / "search_index.json").write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")


def _area_words(name: str, areas: Mapping[str, dict[str, Any]]) -> list[str]:
    area = areas[name]
    words = [name, *area.get("aliases", [])]
    parent = areas.get(area.get("within", ""))
    if parent is not None and parent["kind"] in PARENT_AREA_KINDS:
        words += [parent["name"], *parent.get("aliases", [])]
    return words


def _page_location(path: str, docs: set[str]) -> str | None:
    for candidate in (path, path.removesuffix("index.html")):
        if candidate in docs:
            return candidate
    return None


def _fold_empty_pages(docs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The records with each empty page record and its same-titled first section made one; and old -> new locations."""
    # A page that opens with a wrapper before its h1 (a practice page) gets an empty page record plus a
    # '#h1' section; one record at the page's own address is leaner and links to the top of the page.
    out: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    skip = False
    for doc, following in zip(docs, [*docs[1:], None], strict=True):
        if skip:
            skip = False
            continue
        if (
            following is not None
            and "#" not in doc["location"]
            and not doc["text"]
            and following["location"].startswith(doc["location"] + "#")
            and _plain(following["title"]) == _plain(doc["title"])
        ):
            out.append({**doc, "title": following["title"], "text": following["text"]})
            renamed[following["location"]] = doc["location"]
            skip = True
            continue
        out.append(doc)
    return out, renamed


def _plain(title: str) -> str:
    return title.replace("&#39;", "'").replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").strip()
