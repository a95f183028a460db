"""What each page shows: view models built from SiteData, rendered through data templates."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import escape

from sitedata.data.load import SiteData
from sitedata.views.render import render

Link = Callable[[str], str]
"""Turns a docs-relative source path ('practices/x.md') into a URL relative to the current page."""

PRACTICE_DIR = "practices"
AREA_KIND_ORDER = ("country", "nation", "region", "county", "unitary-authority", "london-borough", "police-force-area")


@dataclass(frozen=True)
class GeneratedPage:
    """A page made from one data entry, kept out of the navigation."""

    src_uri: str
    title: str
    description: str
    html: str

    def front_matter(self) -> str:
        """The page's title and description as escaped YAML front matter (its body is the finished HTML, kept aside)."""
        # JSON strings are YAML double-quoted scalars, and json.dumps is far cheaper than a YAML
        # emitter for one page in a build of 10,000.
        title, description = (_yaml_string(str(escape(text))) for text in (self.title, self.description))
        return f"---\ntitle: {title}\ndescription: {description}\n---\n"

    def markdown(self) -> str:
        """The page as Markdown, for a generator that renders it: the front matter, then one raw HTML block."""
        return f"{self.front_matter()}\n{self.html}\n"


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax), with the characters YAML reads as line breaks escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.translate(_YAML_BREAKS)


_YAML_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"})


def practice_src(practice_id: str) -> str:
    """Where a practice's generated page lives in the docs tree."""
    return f"{PRACTICE_DIR}/{practice_id}.md"


class Views:
    """Builds the context each template needs; templates only loop and branch."""

    def __init__(self, site: SiteData, *, repo_url: str | None = None) -> None:
        self.site = site
        self.repo_url = repo_url
        self.tags = site.by_key("tags")
        self.areas = site.by_key("areas", "name")
        self.sources = site.by_key("sources")
        self.audiences = site.by_key("audiences")
        self.statuses = site.by_key("statuses")
        self.practices = site.by_key("practices")

    def lookups(self) -> dict[str, Any]:
        """Name tables shared by every template."""
        return {
            "tags": self.tags,
            "areas": self.areas,
            "sources": self.sources,
            "audiences": self.audiences,
            "statuses": self.statuses,
            "practices": self.practices,
        }

    def render(self, template: str, *, link: Link, **context: Any) -> str:
        """Render a data template with the lookups and a page-relative linker."""
        def correction(kind: str, entry: Mapping[str, Any]) -> str:
            return correction_url(repo_url=self.repo_url, kind=kind, entry=entry) or link("about.md") + "#suggest-a-correction"

        return render(template, lk=self.lookups(), link=link, today=self.site.today, correction=correction, **context)

    # Index pages, called from Markdown pages in docs/ through macros.

    def home(self, *, link: Link) -> str:
        """The home page's one-tap routes and headline counts."""
        counts = {
            "services": len(self.site.entries("services")),
            "practices": len(self.site.entries("practices")),
            "prompt_sets": len(self.site.entries("prompt_sets")),
            "glossary_terms": len(self.site.entries("terms")),
        }
        return self.render("home.html", link=link, counts=counts)

    def help_now(self, *, link: Link) -> str:
        """Large call buttons for the services marked help_now in data/helplines.yaml, then the directory."""
        return self.render("help_now.html", link=link, calls=help_now_calls(self.site))

    def prompts(self, *, link: Link) -> str:
        """Prompt sets grouped under their theme, themes in vocabulary order."""
        groups = _group(self.site.entries("prompt_sets"), key=lambda p: [p["theme"]], order=list(self.tags))
        return self.render("prompts.html", link=link, groups=[(self.tags[t], items) for t, items in groups])

    def practices_index(self, *, link: Link) -> str:
        """Initiatives listed by area and by theme."""
        practices = sorted(self.site.entries("practices"), key=lambda p: p["title"].lower())
        area_order = sorted(self.areas, key=str.lower)  # alphabetical: a reader looks for a place by its name
        by_area = _group(practices, key=lambda p: p.get("areas", []), order=area_order)
        by_theme = _group(practices, key=lambda p: p["tags"], order=sorted(self.tags, key=lambda t: self.tags[t]["name"]))
        return self.render(
            "practices_index.html",
            link=link,
            by_area=[(self.areas[a], items) for a, items in by_area],
            area_not_given=[p for p in practices if not p.get("areas")],
            by_theme=[(self.tags[t], items) for t, items in by_theme],
            filters=self.practice_filters(),
            tokens=self.practice_tokens,
            practice_src=practice_src,
        )

    # Good practice filters without JavaScript: each option is a radio button, and a stylesheet made from the data
    # (practice_filter_css) hides every item and group whose data-pf tokens lack the ticked option's token.

    def practice_filters(self) -> list[dict[str, Any]]:
        """The filter groups (legend, name, options with token and label) for the practices index, options in use only."""
        practices = self.site.entries("practices")
        used = {t for p in practices for t in self.practice_tokens([p]).split()}
        groups = [
            ("Area", "area", sorted(((f"area-{self.areas[a]['slug']}", a) for a in self.areas), key=lambda o: o[1].lower())),
            ("Theme", "theme", sorted(((f"theme-{t}", self.tags[t]["name"]) for t in self.tags), key=lambda o: o[1].lower())),
            ("Status", "status", [(f"status-{k}", v["name"]) for k, v in self.statuses.items()]),
        ]
        return [
            {"legend": legend, "name": name, "options": [{"token": t, "label": label} for t, label in options if t in used]}
            for legend, name, options in groups
        ]

    def practice_tokens(self, practices: list[dict[str, Any]]) -> str:
        """The filter tokens of one or more practices ('area-london theme-safety-planning status-pilot ...')."""
        tokens: dict[str, None] = {}
        for p in practices:
            tokens.update(dict.fromkeys(f"area-{self.areas[a]['slug']}" for a in p.get("areas", [])))
            tokens.update(dict.fromkeys(f"theme-{t}" for t in p.get("tags", [])))
            tokens[f"status-{p['status']}"] = None
        return " ".join(tokens)

    def practice_filter_css(self) -> str:
        """One rule per filter option: while it is ticked, items and groups without its token are hidden."""
        rules = [
            f'.dv-practices-page:has(#pf-{o["token"]}:checked) [data-pf]:not([data-pf~="{o["token"]}"]) {{ display: none; }}'
            for group in self.practice_filters()
            for o in group["options"]
        ]
        return "/* Made by the build from data/ (sitedata/pages.py, Views.practice_filter_css): the good practice filters. */\n" + "\n".join(rules) + "\n"

    def safety(self, *, link: Link) -> str:
        """Safety advice, then the safety guides published by specialist organisations."""
        guides = [r for r in self.site.entries("resources") if r["kind"] == "safety-guide"]
        return self.render("safety.html", link=link, advice=self.site.entries("advice"), guides=guides)

    def resources(self, *, link: Link) -> str:
        """Guidance and signposting for professionals, grouped by kind."""
        kinds = ("professional-guidance", "signposting", "training", "strategy", "report", "campaign")
        for_professionals = [r for r in self.site.entries("resources") if r["kind"] in kinds]
        groups = _group(for_professionals, key=lambda r: [r["kind"]], order=list(kinds))
        return self.render("resources.html", link=link, groups=groups)

    def sources_list(self, *, link: Link) -> str:
        """Every source document and how many entries cite it."""
        cited: dict[str, int] = {s: 0 for s in self.sources}
        for entries in self.site.cited_entries():
            for entry in entries:
                for ref in {s["id"] for s in entry["sources"]}:
                    cited[ref] += 1
        return self.render("sources.html", link=link, cited=cited)

    # Per-entry pages, added to the site by the hook and kept out of the navigation.

    def practice_srcs(self) -> list[str]:
        """Source paths of the generated initiative pages."""
        return [practice_src(p) for p in self.practices]

    def practice_pages(self, *, link_for: Callable[[str], Link]) -> list[GeneratedPage]:
        """One page per initiative."""
        out = []
        for practice in self.site.entries("practices"):
            src = practice_src(practice["id"])
            html = self.render("practice.html", link=link_for(src), p=practice, practice_src=practice_src)
            out.append(GeneratedPage(src_uri=src, title=practice["title"], description=practice["summary"], html=html))
        return out


def correction_url(*, repo_url: str | None, kind: str, entry: Mapping[str, Any]) -> str | None:
    """A prefilled 'new issue' form for one entry on the repository's issue tracker (None when mkdocs.yml has no repo_url)."""
    if not repo_url:
        return None
    name = entry.get("name") or entry.get("title") or entry.get("term") or entry["id"]
    if kind == "service":  # .github/ISSUE_TEMPLATE/report-service.yml, its "service" field filled in
        query = {"template": "report-service.yml", "title": f"Service details: {name}", "service": name}
    else:
        query = {"title": f"Correction: {name} ({kind} '{entry['id']}')", "labels": "data"}
    return repo_url.rstrip("/") + "/issues/new?" + urlencode(query)


def help_now_calls(site: SiteData) -> list[dict[str, Any]]:
    """The first phone channel of each service marked help_now, in file order (a help_now service has a phone)."""
    calls = []
    for service in site.entries("services"):
        phones = [c for c in service["channels"] if c["type"] == "phone"]
        if service.get("help_now") and phones:
            calls.append({"service": service, "channel": phones[0]})
    return calls


def _group(items: list[dict[str, Any]], *, key: Callable[[dict[str, Any]], list[str]], order: list[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Group items under each of their keys, groups in `order`, empty groups left out."""
    buckets: dict[str, list[dict[str, Any]]] = {k: [] for k in order}
    for item in items:
        for k in key(item):
            buckets.setdefault(k, []).append(item)
    return [(k, v) for k, v in buckets.items() if v]
