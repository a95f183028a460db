"""The editors' review-due list: the review warnings load_site found, joined back to their entries."""

from __future__ import annotations

from dataclasses import dataclass

from sitedata.data.load import SiteData
from sitedata.data.provenance import hours_since
from sitedata.data.schemas import load_schema
from sitedata.views.directory import PAGE_SIZE_DEFAULT, service_pages
from sitedata.views.pages import practice_src

# Where each kind of entry is shown, so the list can link to it: (page, anchor prefix).
_SHOWN_ON = {
    "prompt_sets": ("prompts.md", ""),
    "advice": ("safety.md", ""),
    "sources": ("about.md", "source-"),
}


@dataclass(frozen=True)
class DueEntry:
    """One entry whose last check is older than the review interval."""

    kind: str
    entry_id: str
    title: str
    last_reviewed: str
    where: str
    page: str | None
    anchor: str


def review_due(site: SiteData, *, page_size: int = PAGE_SIZE_DEFAULT) -> list[DueEntry]:
    """The entries behind site.warnings (the review-due warnings), oldest check first; page_size as the directory's."""
    cards = service_pages(site, page_size=page_size) if site.warnings else {}
    located = {}
    for name, doc in site.docs.items():
        if not isinstance(doc.data, dict):
            continue
        for list_name, list_schema in load_schema(name).get("properties", {}).items():
            if "x-entry" not in list_schema or not isinstance(doc.data.get(list_name), list):
                continue
            for i, item in enumerate(doc.data[list_name]):
                line, column = doc.at((list_name, i, "last_reviewed"))
                located[(doc.file, line, column)] = (list_name, list_schema, item)
    out = []
    for warning in site.warnings:
        found = located.get((warning.file, warning.line, warning.column))
        if found is None:
            continue
        list_name, list_schema, item = found
        key = list_schema.get("x-key", "id")
        page, anchor = _shown_on(list_name, item, cards=cards)
        out.append(
            DueEntry(
                kind=list_schema["x-entry"],
                entry_id=str(item[key]),
                title=str(item.get("title") or item.get("name") or item[key]),
                last_reviewed=str(item["last_reviewed"]),
                where=f"{warning.file}:{warning.line}",
                page=page,
                anchor=anchor,
            )
        )
    return sorted(out, key=lambda e: (e.last_reviewed, e.where))


@dataclass(frozen=True)
class UnverifiedService:
    """A service nobody has confirmed with the service itself (no `verified:`), and how old its hours are."""

    entry_id: str
    title: str
    hours_since: str
    hours_note: str
    where: str
    page: str
    anchor: str


def unverified_services(site: SiteData, *, page_size: int = PAGE_SIZE_DEFAULT) -> list[UnverifiedService]:
    """Every service without a `verified` record, oldest hours first: the editors' first job."""
    sources = site.by_key("sources")
    services = [s for s in site.entries("services") if not s.get("verified")]
    cards = service_pages(site, page_size=page_size) if services else {}
    index = {s["id"]: i for i, s in enumerate(site.entries("services"))}
    out = []
    for service in services:
        since, note = hours_since(service, sources=sources)
        out.append(
            UnverifiedService(
                entry_id=service["id"],
                title=service["name"],
                hours_since=since,
                hours_note=note,
                where=site.origin("services", index[service["id"]]).rsplit(":", 1)[0],
                page=cards[service["id"]],
                anchor=f"#{service['id']}",
            )
        )
    return sorted(out, key=lambda e: (e.hours_since, index[e.entry_id]))


def _shown_on(list_name: str, item: dict[str, object], *, cards: dict[str, str]) -> tuple[str | None, str]:
    entry_id = str(item.get("id", ""))
    if list_name == "services":
        return cards[entry_id], f"#{entry_id}"
    if list_name == "practices":
        return practice_src(entry_id), ""
    if list_name == "resources":
        return ("safety.md" if item.get("kind") == "safety-guide" else "resources.md"), f"#{entry_id}"
    if list_name in _SHOWN_ON:
        page, prefix = _SHOWN_ON[list_name]
        return page, f"#{prefix}{entry_id}"
    return None, ""
