"""Material for MkDocs' search, re-done in Python over a built search_index.json, and the search quality score.

Follows Material 9.8's search worker (src/templates/assets/javascripts/integrations/search/ in
the theme's source map) step by step, with the `lunr` package standing in for lunr.js 2.3.9:
- index: b(0), ref "location", the fields and boosts from the index's own config, a document's
  `boost`, Material's tokenizer (text between HTML tags, split at config.separator, lower-cased),
  the pipeline functions named in config.pipeline;
- query: Material's transformSearchQuery (quotes to "+", each word split at the separator and
  given a trailing "*"), lunr's query parser, then Material's post-query boost
  score * (1 + boost**2), boost = 1 for a page (not a section) + the share of query words found;
- results: sorted by score, grouped by page in order of each page's best result, each group shown
  as the page and then its sections by score (renderSearchResultItem).

The ranking used for the score is what the search box shows before anything is clicked:
group by group, the page (only if it matched the query itself; otherwise it is just the group's
heading) and the sections that share the group's best score. Material folds a group's other
sections under "N more on this page", so they are not counted. A result for an entry already
listed (a practice page, then its "Figures" section) is not counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lunr
import lunr.exceptions
import yaml
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.query import Query as Query_
from lunr.query_lexer import QueryLexer
from lunr.query_parser import QueryParser
from lunr.stemmer import stemmer
from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.stop_word_filter import stop_word_filter

from sitedata.load import SiteData
from sitedata.search import entry_refs, read_index

QUERIES = Path(__file__).resolve().parent / "search_queries.yaml"
TOP = 3
_TAG = re.compile(r"<[^>]*>")
_JS_NON_WORD = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Query:
    """One query of the suite: what someone types; the entries that must all be in the first three results, or of which one must be."""

    text: str
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    expect_area: str = ""
    why: str = ""


@dataclass(frozen=True)
class Suite:
    """The query suite and the score it must not fall below."""

    baseline: int
    queries: tuple[Query, ...]


@dataclass
class Outcome:
    """How one query did: the first results as entries or locations, and whether every expected one is in the top three."""

    query: Query
    top: list[frozenset[str]]
    missing: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing


def load_suite(path: Path = QUERIES) -> Suite:
    """The query suite from tests/search_queries.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = tuple(
        Query(
            text=q["query"],
            expect=tuple(q.get("expect", ())),
            expect_any=tuple(q.get("expect_any", ())),
            expect_area=q.get("expect_area", ""),
            why=q.get("why", ""),
        )
        for q in data["queries"]
    )
    return Suite(baseline=int(data["baseline"]), queries=queries)


class MaterialSearch:
    """Material's search over one built site's search index."""

    def __init__(self, index: Mapping[str, Any]) -> None:
        config = index["config"]
        if config["lang"] != ["en"]:
            raise ValueError(f"only English is modelled, the index says {config['lang']}")
        self.separator = re.compile(config["separator"])
        self.docs = list(index["docs"])
        self.by_location = {}
        self.parent: dict[str, str | None] = {}
        for doc in self.docs:
            page = doc["location"].split("#", 1)[0]
            if page not in self.by_location:
                self.by_location[page] = doc
                self.parent[doc["location"]] = None
            else:
                self.by_location[doc["location"]] = doc
                self.parent[doc["location"]] = page
        self.index = self._build(config)

    def _build(self, config: Mapping[str, Any]) -> lunr.Index:
        builder = Builder()
        builder.b(0)
        # Material removes from lunr's default pipeline (trimmer, stopWordFilter, stemmer) whatever config.pipeline leaves out.
        for name in ("trimmer", "stopWordFilter", "stemmer"):
            if name in config["pipeline"]:
                builder.pipeline.add(_PIPELINE[name])
        builder.ref("location")
        for name, spec in config["fields"].items():
            builder.field(name, boost=spec.get("boost", 1), extractor=self._extractor(name))
        for doc in self.docs:
            builder.add(doc, {"boost": doc["boost"]} if "boost" in doc else None)
        return builder.build()

    def _extractor(self, name: str) -> Callable[[Mapping[str, Any]], list[str] | None]:
        def extract(doc: Mapping[str, Any]) -> list[str] | None:
            value = doc.get(name)
            if value is None:
                return None
            return [t for v in (value if isinstance(value, list) else [value]) for t in self.tokenize(str(v))]

        return extract

    def tokenize(self, text: str) -> list[str]:
        """Material's tokenizer: the text between HTML tags, split at the separator, lower-cased."""
        return [word.lower() for block in _TAG.split(text) for word in self.separator.split(block) if word]

    def transform(self, query: str) -> str:
        """Material's transformSearchQuery."""
        query = query.strip()
        query = "".join(
            re.sub(r"^\b|^(?![^\x00-\x7F]|$)|\s+", " +", part) if i % 2 else part for i, part in enumerate(re.split(r'"([^"]+)"', query))
        )
        query = re.sub(r'"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)', "", query)
        terms: list[str] = []
        for part in re.split(r"\s+", query):
            terms += self._split_part(part)
        terms = [f"{t}1" if re.search(r"[~^]$", t) else t for t in terms]
        return " ".join(t if re.search(r"(^[+-]|[~^]\d+$)", t) else f"{t}*" for t in terms)

    def _split_part(self, part: str) -> list[str]:
        lexer = QueryLexer(part)
        lexer.run()
        out: list[str] = []
        for lexeme in lexer.lexemes:
            if lexeme["type"] == QueryLexer.FIELD:
                if lexeme["string"] not in ("title", "text", "tags"):
                    end = lexeme["end"]
                    part = part[:end] + " " + part[end + 1 :]
            elif lexeme["type"] == QueryLexer.TERM:
                start, end, term = lexeme["start"], lexeme["end"], lexeme["string"]
                for word in self.separator.split(term):
                    if word:
                        out.append(part[:start] + word + part[end:])
        return out

    def search(self, query: str) -> list[list[dict[str, Any]]]:
        """Result groups, as the worker returns them: one list per page, best page first."""
        transformed = self.transform(query)
        if not transformed:
            return []
        clauses = [c for c in self._clauses(transformed) if c["presence"] != "prohibited"]
        items = []
        try:
            results = self.index.search(transformed)
        except lunr.exceptions.BaseLunrException:
            return []  # Material shows no results for a query lunr cannot parse
        for result in results:
            doc = self.by_location[result["ref"]]
            matched = list(result["match_data"].metadata.keys())
            terms = _query_terms(clauses, matched)
            boost = (self.parent[doc["location"]] is None) + (sum(terms.values()) / len(terms) if terms else 0)
            items.append({**doc, "score": result["score"] * (1 + boost**2)})
        items.sort(key=lambda item: item["score"], reverse=True)
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            parent = self.parent[item["location"]]
            page = item["location"] if parent is None else parent  # the home page's location is "", which is falsy
            groups.setdefault(page, []).append(item)
        for page, group in groups.items():
            if not any(item["location"] == page for item in group):
                group.append({**self.by_location[page], "score": 0})
        return list(groups.values())

    def _clauses(self, transformed: str) -> list[dict[str, str]]:
        query = Query_(["title", "text", "tags"])
        QueryParser(transformed, query).parse()
        out = []
        for clause in query.clauses:
            term = clause.term
            term = term[1:] if term.startswith("*") else term
            term = term[:-1] if term.endswith("*") else term
            out.append({"term": term, "presence": clause.presence.name.lower()})
        return out

    def shown(self, query: str) -> list[tuple[str, float]]:
        """(location, score) of every result the search box shows unfolded, in order (renderSearchResultItem)."""
        out = []
        for group in self.search(query):
            threshold = group[0]["score"]
            page = next(item for item in group if "#" not in item["location"])
            out.append((page["location"], page["score"]))
            for item in (item for item in group if item is not page):
                if item["score"] < threshold:
                    break
                out.append((item["location"], item["score"]))
        return out


def ranking(shown: Iterable[tuple[str, float]], refs: Mapping[str, Sequence[str]]) -> list[frozenset[str]]:
    """The results a reader counts, each as a set of names: its entries, or else its location."""
    # A section of an entry's own page counts as that entry; unmatched group headings and repeats are left out.
    out: list[frozenset[str]] = []
    seen: set[str] = set()
    for location, score in shown:
        if score <= 0:
            continue
        page = location.split("#", 1)[0]
        names = frozenset(refs.get(location) or refs.get(page) or (location,))
        if names <= seen:
            continue
        seen |= names
        out.append(names)
    return out


class Places:
    """Which entries are in which area, from the data: an entry's areas (or a service's coverage) and the areas those are within."""

    def __init__(self, site: SiteData) -> None:
        self.areas = site.by_key("areas", "name")
        self.entry_areas: dict[str, set[str]] = {}
        for doc in site.docs.values():
            if not isinstance(doc.data, dict):
                continue
            for list_name, items in doc.data.items():
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and "id" in item:
                        self.entry_areas[f"{list_name}/{item['id']}"] = {
                            a for name in [*item.get("areas", []), *item.get("coverage", [])] for a in self._up(name)
                        }

    def _up(self, name: str) -> list[str]:
        out = []
        while name in self.areas and name not in out:
            out.append(name)
            name = self.areas[name].get("within", "")
        return out

    def covers(self, names: frozenset[str], area: str) -> bool:
        """True if a result is an entry in `area` (or in a place within it), or the list of initiatives in `area`."""
        slug = self.areas[area]["slug"]
        return any(area in self.entry_areas.get(n, set()) or n.endswith(f"#area-{slug}") for n in names)


def judge(query: Query, ranked: Sequence[frozenset[str]], *, places: Places | None = None) -> Outcome:
    """Whether the top three hold every expected entry, one of the expect_any ones, and (expect_area) only entries in that area."""
    top = list(ranked[:TOP])
    found: set[str] = set().union(*top) if top else set()
    missing = [e for e in query.expect if e not in found]
    if query.expect_any and not found.intersection(query.expect_any):
        missing.append("one of " + ", ".join(query.expect_any))
    if query.expect_area:
        if places is None:
            raise ValueError(f"{query.text!r} has expect_area; pass places")
        outside = ["|".join(sorted(names)) for names in top if not places.covers(names, query.expect_area)]
        if len(top) < TOP or outside:
            missing.append(f"only results in {query.expect_area} (not: {outside or 'fewer than three results'})")
    return Outcome(query=query, top=top, missing=missing)


def site_refs(site_dir: Path) -> dict[str, list[str]]:
    """Location -> entries, from the markers in a built site's pages."""
    return entry_refs(site_dir=site_dir, index=read_index(site_dir))


def report(outcomes: Sequence[Outcome], *, label: str) -> str:
    """The score line and one line per failed query."""
    passed = sum(o.passed for o in outcomes)
    lines = [f"search quality ({label}): {passed}/{len(outcomes)} = {100 * passed / len(outcomes):.1f}%"]
    for o in outcomes:
        if not o.passed:
            shown = ["|".join(sorted(names)) for names in o.top]
            lines.append(f"  MISS {o.query.text!r}: missing {o.missing}; top {TOP}: {shown}")
    return "\n".join(lines)


def _query_terms(clauses: Sequence[Mapping[str, str]], matched: Sequence[str]) -> dict[str, bool]:
    """Material's getSearchQueryTerms: which query words were found; unmatched stop words do not count."""
    remaining = list(clauses)
    result: dict[str, bool] = {}
    for term in matched:
        for clause in list(remaining):
            if term.startswith(clause["term"]):
                result[clause["term"]] = True
                remaining.remove(clause)
    for clause in remaining:
        if clause["term"] and clause["term"] not in STOP_WORDS:
            result[clause["term"]] = False
    return result


def _trimmer(token: Any, i: int | None = None, tokens: Any = None) -> Any:
    # lunr.js trims with /^\W+/ and /\W+$/, where \W is ASCII-only; lunr.py's own trimmer does not.
    return token.update(lambda s, metadata=None: re.sub(r"[^A-Za-z0-9_]+$", "", re.sub(r"^[^A-Za-z0-9_]+", "", s)))


Pipeline.register_function(_trimmer, "materialTrimmer")
_PIPELINE = {"trimmer": _trimmer, "stopWordFilter": stop_word_filter, "stemmer": stemmer}
