"""The helpline directory: each service's card context, the filter facets, and the hours checks.

Each channel's hours are compiled once per build (sitedata.data.hours.compile_all); the cards read
the compiled timetables, and ``open-now.js`` only looks minutes up in them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sitedata.data.checks import Node
from sitedata.data.errors import SEVERITY_WARNING, DataError
from sitedata.data.hours import claims_24_7, compile_all, compiled_hours, hours_24_7_warning, is_24_7
from sitedata.data.load import SiteData
from sitedata.data.provenance import service_provenance
from sitedata.views.pages import AREA_KIND_ORDER, Views

Link = Callable[[str], str]

SERVICES_LIST = "services"
CHANNEL_NAMES = {
    "phone": "Phone",
    "text": "Text message",
    "email": "Email",
    "webchat": "Web chat",
    "app": "App",
    "webform": "Online form",
    "website": "Website",
}
ACCESSIBILITY_NAMES = {"bsl": "British Sign Language (BSL)", "text-relay": "Text relay", "interpreters": "Interpreters"}
EXPORTS = (
    ("exports/services.json", "Services (JSON)"),
    ("exports/services.csv", "Services (CSV, one row per contact channel)"),
    ("exports/hsds/services.json", "Open Referral HSDS 3.0: full service records (JSON)"),
    ("exports/hsds/datapackage.json", "Open Referral HSDS 3.0: tables (CSV files described by this datapackage.json)"),
)
EXPORTS_DOC = "exports.md"
DIRECTORY_SRC = "directory.md"
AREA_PAGES_DIR = "directory/areas"
# Past this many services the directory becomes one page per area (mkdocs.yml: extra.directory_page_size).
PAGE_SIZE_DEFAULT = 200
AREA_KIND_NAMES = {
    "country": "The whole UK",
    "nation": "Nations",
    "region": "Regions",
    "county": "Counties",
    "unitary-authority": "Unitary authorities",
    "london-borough": "London boroughs",
    "police-force-area": "Police force areas",
}



@dataclass(frozen=True)
class AreaPage:
    """One page of a directory too big for one page: the cards of the services listed first under one area."""

    area: Mapping[str, Any]
    src: str
    services: list[Mapping[str, Any]]
    also: list[Mapping[str, Any]]  # services that cover the area too, whose cards are on another area's page


def directory_html(site: SiteData, *, link: Link, start: date, page_size: int = PAGE_SIZE_DEFAULT, repo_url: str | None = None) -> str:
    """The directory page: every card with filters and downloads, or, past page_size services, the list of area pages."""
    pages = area_pages(site, page_size=page_size)
    if pages:
        return Views(site, repo_url=repo_url).render(
            "directory_index.html",
            link=link,
            groups=_by_kind(pages),
            count=len(site.entries(SERVICES_LIST)),
            exports=EXPORTS,
            exports_doc=EXPORTS_DOC,
        )
    view = directory_context(site, start=start)
    return Views(site, repo_url=repo_url).render("directory.html", link=link, exports=EXPORTS, exports_doc=EXPORTS_DOC, **view)


def area_pages(site: SiteData, *, page_size: int = PAGE_SIZE_DEFAULT) -> list[AreaPage]:
    """No pages while every service fits on the directory page; past page_size, one page per area.

    A card sits on the page of the first area its service covers, so each service has one card and
    one search result; the pages of the other areas it covers link to that card. No page then holds
    thousands of cards: Material's search plugin takes time quadratic in the cards on one page.
    """
    services = site.entries(SERVICES_LIST)
    if len(services) <= page_size:
        return []
    areas = site.by_key("areas", "name")
    home: dict[str, list[Mapping[str, Any]]] = {}
    also: dict[str, list[Mapping[str, Any]]] = {}
    for service in services:
        first, *others = service["coverage"]
        home.setdefault(first, []).append(service)
        for area in others:
            also.setdefault(area, []).append(service)
    order = sorted({*home, *also}, key=lambda a: (AREA_KIND_ORDER.index(areas[a]["kind"]), a))
    return [AreaPage(area=areas[a], src=area_page_src(areas[a]), services=home.get(a, []), also=also.get(a, [])) for a in order]


def area_page_src(area: Mapping[str, Any]) -> str:
    """Where an area's directory page lives in the docs tree."""
    return f"{AREA_PAGES_DIR}/{area['slug']}.md"


def service_pages(site: SiteData, *, page_size: int = PAGE_SIZE_DEFAULT) -> dict[str, str]:
    """Each service id -> the page its card is on (docs-relative source path)."""
    services = site.entries(SERVICES_LIST)
    if len(services) <= page_size:
        return {s["id"]: DIRECTORY_SRC for s in services}
    areas = site.by_key("areas", "name")
    return {s["id"]: area_page_src(areas[s["coverage"][0]]) for s in services}


def area_page_html(
    site: SiteData, *, page: AreaPage, link: Link, start: date, page_size: int = PAGE_SIZE_DEFAULT, repo_url: str | None = None
) -> str:
    """One area's page: its cards with filters, then links to the cards of other services that cover it."""
    view = directory_context(site, start=start, services=page.services)
    where = service_pages(site, page_size=page_size) if page.also else {}
    also = [(s, where[s["id"]]) for s in page.also]
    return Views(site, repo_url=repo_url).render("directory_area.html", link=link, area=page.area, also=also, directory_src=DIRECTORY_SRC, exports=(), **view)


def directory_context(site: SiteData, *, start: date, services: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Services (all, or the ones given) with their card context, and the filter facets drawn from them."""
    areas = site.by_key("areas", "name")
    chosen = site.entries(SERVICES_LIST) if services is None else services
    sources = site.by_key("sources")
    views = [dict(s, **service_extra(s, start=start, areas=areas), **service_provenance(s, sources=sources)) for s in chosen]
    return {"services": views, "facets": facets(views, audiences=site.by_key("audiences"), areas=areas)}


def _by_kind(pages: list[AreaPage]) -> list[tuple[str, list[AreaPage]]]:
    groups: dict[str, list[AreaPage]] = {}
    for page in pages:
        groups.setdefault(page.area["kind"], []).append(page)
    return [(AREA_KIND_NAMES[kind], items) for kind, items in groups.items()]


def service_extra(service: Mapping[str, Any], *, start: date, areas: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What a card needs beyond the data: channels with compiled hours, filter attributes, display names."""
    channels = [channel_view(c, start=start) for c in service["channels"]]
    return {
        "channel_views": channels,
        "timed": any(c["timetable"] for c in channels),
        "filter_audiences": " ".join(service["audiences"]),
        "filter_channels": " ".join(dict.fromkeys(c["type"] for c in service["channels"])),
        "filter_coverage": " ".join(areas[a]["slug"] for a in service["coverage"]),
        "accessibility_names": [ACCESSIBILITY_NAMES[a] for a in service.get("accessibility", [])],
    }


def channel_view(channel: Mapping[str, Any], *, start: date) -> dict[str, Any]:
    """One channel: its name, and for timed channels the compiled timetable and the usual week."""
    out: dict[str, Any] = {**channel, "type_name": CHANNEL_NAMES[channel["type"]], "timetable": "", "week": []}
    hours = channel.get("hours")
    if hours:
        compiled = compiled_hours(hours, start=start)
        out["timetable"], out["week"] = compiled.json, compiled.week
    return out


def facets(
    services: Iterable[Mapping[str, Any]], *, audiences: Mapping[str, Mapping[str, Any]], areas: Mapping[str, Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Filter options drawn from the data: audiences, channel types and coverage areas that services have."""
    services = list(services)
    audience_options = [{"value": a, "name": audiences[a]["name"], "count": sum(a in s["audiences"] for s in services)} for a in audiences]
    channel_options = [
        {"value": t, "name": name, "count": sum(any(c["type"] == t for c in s["channels"]) for s in services)}
        for t, name in CHANNEL_NAMES.items()
    ]
    # Which services cover each area, so an area's count is a union of a few sets (its own and its
    # ancestors'), not a pass over every service for every area.
    covering: dict[str, set[int]] = {}
    for index, service in enumerate(services):
        for area in service["coverage"]:
            covering.setdefault(area, set()).add(index)
    order = sorted(covering, key=lambda a: (AREA_KIND_ORDER.index(areas[a]["kind"]), a))
    area_options = []
    for name in order:
        within = _with_ancestors(name, areas=areas)
        slugs = [areas[a]["slug"] for a in within]
        count = len(set().union(*(covering.get(a, ()) for a in within)))
        area_options.append({"value": areas[name]["slug"], "name": name, "within": " ".join(slugs), "count": count})
    return {
        "audiences": [o for o in audience_options if o["count"]],
        "channels": [o for o in channel_options if o["count"]],
        "areas": area_options,
    }


def hours_warnings(site: SiteData) -> list[DataError]:
    """Warnings where a service's words say 24/7 but its hours do not."""
    out: list[DataError] = []
    for node, service in _service_nodes(site):
        timed = [(j, c) for j, c in enumerate(service["channels"]) if c.get("hours")]
        for j, channel in timed:
            for field in ("hours_text", "label", "note"):
                text = channel.get(field)
                problem = hours_24_7_warning(text=text, hours=channel["hours"]) if text else None
                if problem:
                    out.append(_at(node, ("channels", j, field), text, problem))
        summary = service["summary"]
        if timed and claims_24_7(summary) and not any(is_24_7(c["hours"]) for _, c in timed):
            hours = "; ".join(f"{c['type']}: '{c['hours']}'" for _, c in timed)
            message = (
                f"the summary says it is open round the clock but no channel's hours are '24/7' ({hours}); correct the summary or the hours"
            )
            out.append(_at(node, ("summary",), summary, message))
    return out


def _service_nodes(site: SiteData) -> Iterable[tuple[Node, Mapping[str, Any]]]:
    for name, doc in site.docs.items():
        if not isinstance(doc.data, dict) or SERVICES_LIST not in doc.data:
            continue
        for i, service in enumerate(doc.data[SERVICES_LIST]):
            yield Node(doc, name, (SERVICES_LIST, i), service, {}), service


def _at(node: Node, path: tuple[str | int, ...], value: Any, message: str) -> DataError:
    return Node(node.doc, node.name, node.path + path, value, {}).error(message, severity=SEVERITY_WARNING)


def _with_ancestors(name: str, *, areas: Mapping[str, Mapping[str, Any]]) -> list[str]:
    out = [name]
    while areas[out[-1]].get("within") and areas[out[-1]]["within"] not in out:
        out.append(areas[out[-1]]["within"])
    return out


def compile_site_hours(site: SiteData, *, start: date) -> int:
    """compile_all for every channel's hours in the directory."""
    return compile_all((c["hours"] for s in site.entries(SERVICES_LIST) for c in s["channels"] if c.get("hours")), start=start)
