"""Each correction of issue 12, pinned against the real data so that a later edit cannot quietly undo it.

data/INVENTORY.md ("Corrections of December 2026") lists them with their public sources.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REAL_DATA_TODAY, ROOT
from sitedata.data.load import SiteData, load_site

# Ten seconds read aloud at about three words a second: the most any one Silent Solution text may take.
SPOKEN_WORDS_IN_TEN_SECONDS = 30
HOME = ROOT / "docs" / "index.md"


@pytest.fixture(scope="module")
def site() -> SiteData:
    return load_site(today=REAL_DATA_TODAY)


def _entry(site: SiteData, list_name: str, entry_id: str) -> dict[str, Any]:
    return site.by_key(list_name)[entry_id]


def _cites(entry: dict[str, Any]) -> list[str]:
    return [s["id"] for s in entry["sources"]]


def _words(text: str) -> int:
    return len(text.split())


def _home_silent_call_text() -> str:
    block = re.search(r'!!! danger "If someone on a 999 call cannot speak"\n((?:    .*\n)+)', HOME.read_text(encoding="utf-8"))
    assert block, "the home page's 999 box is missing"
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", "", " ".join(line.strip() for line in block.group(1).splitlines())).strip()


# The Silent Solution.


def _silent_texts(site: SiteData) -> dict[str, str]:
    advice = _entry(site, "advice", "living-with-an-abuser")
    police = _entry(site, "services", "police-emergency-999")
    texts = {f"advice item {i}": item for i, item in enumerate(advice["items"]) if re.search(r"999|55|emergencySMS|speak", item)}
    texts["999 summary"] = police["summary"]
    texts.update({f"999 channel {c['type']}": c["note"] for c in police["channels"]})
    texts["glossary"] = _entry(site, "terms", "silent-solution")["definition"]
    texts["home page"] = _home_silent_call_text()
    return texts


def test_no_page_says_press_55_after_any_999_call(site: SiteData) -> None:
    everything = " ".join(_silent_texts(site).values())
    assert "then press 55" not in everything and "999 and then 55" not in everything
    for path in [*ROOT.joinpath("data").glob("*.yaml"), *ROOT.joinpath("docs").rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        # Only the notes that quote the seed's wording in order to correct it may contain it, in quotes.
        assert not re.search(r"(?<!')(?<!'call )999,? (and )?then (press )?55", text), path


def test_55_is_for_mobiles_when_prompted_and_gives_no_location(site: SiteData) -> None:
    items = _entry(site, "advice", "living-with-an-abuser")["items"]
    mobile = [i for i in items if "55" in i and "mobile" in i]
    assert mobile == ["On a mobile, press 55 when a recording asks. It tells the police the call is real, not where you are."]
    assert any("cough or tap" in i for i in items)
    assert any(i.startswith("On a landline, there is no 55.") and "where you are" in i for i in items)
    assert any("emergencySMS" in i and "'register' to 999" in i for i in items)
    police = _entry(site, "services", "police-emergency-999")
    assert "On a mobile, press 55 when a recording asks." in police["summary"]
    assert "not where you are" in police["channels"][0]["note"] and "landline has no 55" in police["channels"][0]["note"]
    assert (police["channels"][1]["type"], police["channels"][1]["number"]) == ("text", "999")
    assert "emergencySMS" in police["channels"][1]["label"] and "'register' to 999" in police["channels"][1]["note"]
    glossary = _entry(site, "terms", "silent-solution")["definition"]
    assert "On a mobile, press 55 when a recording asks" in glossary and "does not give your location" in glossary
    assert "Landlines have no 55" in glossary
    home = _home_silent_call_text()
    assert "On a mobile, press 55 when a recording asks" in home and "55 does not tell the police where they are" in home
    assert "silent-999-calls-guidance" in _cites(police) and "silent-999-calls-guidance" in _cites(_entry(site, "advice", "living-with-an-abuser"))


def test_each_silent_call_text_reads_aloud_in_ten_seconds(site: SiteData) -> None:
    texts = _silent_texts(site)
    assert len(texts) >= 9
    too_long = {where: _words(text) for where, text in texts.items() if _words(text) > SPOKEN_WORDS_IN_TEN_SECONDS}
    assert too_long == {}


# Who the National Domestic Abuse Helpline is for; men go to the Men's Advice Line.


def test_ndah_is_for_women_and_those_who_support_them(site: SiteData) -> None:
    ndah = _entry(site, "services", "national-domestic-abuse-helpline")
    assert ndah["audiences"] == ["women", "family-friends", "professionals"]
    assert ndah["summary"].startswith("The national helpline for women experiencing domestic abuse")
    assert "Men experiencing domestic abuse can contact the Men's Advice Line." in ndah["notes"]
    assert "ndah-who-it-is-for" in _cites(ndah)


def test_a_man_is_sent_to_the_mens_advice_line(site: SiteData) -> None:
    for_men = [s["id"] for s in site.entries("services") if "men" in s["audiences"]]
    assert for_men == ["mens-advice-line"]
    assert "women" in {a["id"] for a in site.entries("audiences")}


# Glossary.


def test_domestic_abuse_is_the_2021_act_definition(site: SiteData) -> None:
    da = _entry(site, "terms", "domestic-abuse")
    text = da["definition"] + " " + " ".join(da["details"])
    for phrase in ("Domestic Abuse Act 2021", "16 or over", "personally connected", "One incident is enough", "section 3", "in their own right",
                   "civil partners", "engaged to marry", "parental responsibility", "relatives", "economic abuse", "controlling or coercive",
                   "single incident or a course of conduct"):  # fmt: skip
        assert phrase in text, phrase
    assert _cites(da)[0] == "domestic-abuse-act-2021"


def test_child_in_need_is_the_section_17_10_test(site: SiteData) -> None:
    cin = _entry(site, "terms", "child-in-need")
    text = cin["definition"] + " " + " ".join(cin["details"])
    for phrase in ("section 17(10)", "reasonable standard of health or development", "significantly impaired, or further impaired", "disabled", "section 47"):
        assert phrase in text, phrase
    assert "to be safe" not in text  # safety from significant harm is a section 47 matter, not part of this test
    assert _cites(cin)[0] == "children-act-1989"


def test_capva_dluhc_and_family_help(site: SiteData) -> None:
    capva = _entry(site, "terms", "capva")["definition"]
    assert "under 16 is outside the Domestic Abuse Act 2021's definition" in capva
    dluhc = _entry(site, "terms", "dluhc")
    assert "Ministry of Housing, Communities and Local Government (MHCLG)" in dluhc["definition"] and "July 2024" in dluhc["definition"]
    assert "mhclg-name-2024" in _cites(dluhc)
    assert "Family Help" not in _entry(site, "terms", "family-hubs")["matches"]
    assert _entry(site, "terms", "family-help")["matches"] == ["Family Help"]
    assert "Family Hubs" in _entry(site, "terms", "family-help")["definition"]


# Prompts.


def test_the_triggers_prompt_puts_responsibility_on_the_harm_doer(site: SiteData) -> None:
    lockdown = _entry(site, "prompt_sets", "lockdown-risk-and-safety-plans")
    assert not any("what can the family do to reduce" in p for p in lockdown["prompts"])
    (reworded,) = [p for p in lockdown["prompts"] if "pressures of lockdown" in p]
    assert "person causing harm" in reworded and "keep the victim and the children safe" in reworded
    assert "responsibility of the person causing it" in reworded
    assert "da-commissioner-stable-homes-2023" in _cites(lockdown)


def test_harmful_behaviour_by_both_always_carries_the_caution(site: SiteData) -> None:
    found = []
    for entries in site.cited_entries():
        for entry in entries:
            text = str(entry)
            if "behaviour by both" in text:
                found.append(entry["id"])
                assert "primary perpetrator" in text and "coercive control" in text, entry["id"]
                assert "da-commissioner-stable-homes-2023" in _cites(entry), entry["id"]
    assert sorted(found) == ["cheshire-east-recovery-and-change-work", "whole-family-work"]


# Claims no stronger than their sources.


def test_claims_say_what_their_sources_say(site: SiteData) -> None:
    respite = _entry(site, "practices", "london-respite-accommodation-trial")
    assert respite["status"] == "in-development" and "being developed" in respite["summary"]
    news = _entry(site, "practices", "internal-communications-vawg")
    assert news["summary"].startswith("Internal newsletters told council staff about VAWG services") and "The aim was" in news["summary"]
    assert "start to think about how they could" in _entry(site, "practices", "wmwa-refuge-childrens-worker")["body"]
    marac = _entry(site, "practices", "worcestershire-marac-records")
    assert "separately, a Liquid Logic form holds the record of each MARAC meeting" in marac["summary"]
    assert "Separately, a specific **Liquid Logic form holds the record of each MARAC meeting**" in marac["body"]
    assert "meant to be told promptly, on the next school day" in _entry(site, "practices", "worcestershire-operation-encompass")["summary"]
    assert "the intention, not a guarantee" in _entry(site, "terms", "operation-encompass")["definition"]
    cheshire = _entry(site, "practices", "cheshire-east-operation-encompass")
    assert cheshire["status"] == "in-development" and "was implementing" in cheshire["summary"]
    drive = _entry(site, "practices", "drive-restart-pilot")
    assert "areas" not in drive and "does not say where the pilot runs" in drive["body"]
    assert _entry(site, "practices", "worcestershire-da-notification-analysis")["period"].startswith("Quarters 1 and 2 (the source gives no year")
    assert not any("2022 (quarters" in str(p.get("period")) for p in site.entries("practices"))
    safe = _entry(site, "practices", "safe-and-together-london")
    assert safe["title"].startswith("Work to roll out") and "to roll out Safe and Together" in safe["summary"]
    assert "work by Waltham Forest, Hackney and MOPAC to roll it out" in _entry(site, "terms", "safe-and-together")["definition"]
    assert _entry(site, "sources", "london-practice-paper-2020")["publisher"] == "A small group of children's services leaders"
    jtai = _entry(site, "resources", "ofsted-jtai-children-living-with-domestic-abuse-2017")
    assert jtai["title"] == "The multi-agency response to children living with domestic abuse: Prevent, protect and repair"


def test_a_self_contradicting_figure_is_shown_as_printed_with_a_note(site: SiteData) -> None:
    figure = _entry(site, "figures", "wcf-oversight-compliance-september-2022")
    assert figure["value"] == "95% (18 cases)"  # never change a figure the source gives
    assert "18 of 20 is 90%, not 95%" in figure["note"]
    audits = _entry(site, "practices", "worcestershire-front-door-da-audits")
    assert "18 of the 20 cases audited is 90%" in audits["summary"]
    assert any(f["value"] == "95% (18 cases)" and "18 of the 20 cases audited is 90%" in f["label"] for f in audits["figures"])


# Items that were left out without a reason.


def test_items_once_left_out_are_now_on_the_site(site: SiteData) -> None:
    def prompts(set_id: str) -> str:
        return " ".join(_entry(site, "prompt_sets", set_id)["prompts"])

    victims = prompts("children-as-victims-in-their-own-right")
    assert "Child Safeguarding Practice Review Panel's survey" in victims and "referred for a safeguarding assessment" in victims
    assert "gang membership" in victims and "adolescence" in victims
    assert "removed where other support and intervention might have worked" in prompts("holding-perpetrators-to-account")
    assert "very high traffic on domestic abuse organisations' websites" in prompts("helping-victims-disclose")
    needs = _entry(site, "prompt_sets", "what-children-affected-by-domestic-abuse-need")
    assert "reduces immediate harm" in " ".join(needs["prompts"]) and "5.1" in needs["sources"][0]["section"]
    early = _entry(site, "practices", "aldcs-mopac-early-intervention-project")
    assert any("SafeLives expected referrals to increase" in f["label"] for f in early["figures"])
    dasv = _entry(site, "practices", "cheshire-east-dasv-partnership")
    assert "major advances locally in working" in dasv["body"] and "5.2-5.7" in dasv["sources"][0]["section"]


# Sources.


def test_corrections_cite_public_documents_not_internal_notes(site: SiteData) -> None:
    sources = site.by_key("sources")
    for source_id in ("silent-999-calls-guidance", "domestic-abuse-act-2021", "children-act-1989", "mhclg-name-2024", "ndah-who-it-is-for"):
        source = sources[source_id]
        assert source.get("published") or source.get("accessed") == "2026-12-02", source_id
        assert "corrections.md" not in str(source), source_id
    assert not any("corrections.md" in Path(p).read_text(encoding="utf-8") for p in ROOT.joinpath("data").glob("*.yaml"))
