"""The inventory of the five source documents: every entry derived from each seed is in data/ and cites it.

The lists below are the inventory written out in data/INVENTORY.md. They are literal on purpose:
if an entry is renamed, removed or stops citing its seed, a test here fails and says which. The
strict build then shows every initiative in its area and theme listings, and every entry in
the search index.
"""

from __future__ import annotations

import pytest

from conftest import REAL_DATA_TODAY
from sitedata.data.load import load_site

REAL_TODAY = REAL_DATA_TODAY
# Lists whose entries this inventory owns: every entry in them that cites a seed must be listed here.
OWNED_LISTS = ("practices", "prompt_sets", "advice", "resources", "terms", "evidence_groups", "figures", "evidence_tables")

INVENTORY: dict[str, dict[str, list[str]]] = {
    # 001_608fda4c534f21be.txt, London practice paper (April 2020)
    "london-practice-paper-2020": {
        "practices": [
            "redbridge-hub-process",
            "marac-case-reviews",
            "havering-noise-complaints",
            "virtual-maracs",
            "london-respite-accommodation-trial",
            "internal-communications-vawg",
            "external-communications-awareness",
            "webinars-and-e-training",
        ],
        "prompt_sets": [
            "lockdown-risk-and-safety-plans",
            "safer-contact-and-risk-assessment",
        ],
        "advice": [
            "living-with-an-abuser",
        ],
        "resources": [
            "gov-uk-domestic-abuse-get-help",
            "womens-aid-covid-safety-advice",
            "solace-staying-safe",
            "safelives-staying-safe-covid",
            "lga-tackling-da-covid",
            "standing-together-covid-guidance",
            "surviving-economic-abuse-resources",
            "mhclg-safe-accommodation-covid",
            "flic-homelessness-settings-guide",
            "home-office-you-are-not-alone",
        ],
        "services": [
            "police-emergency-999",
            "national-domestic-abuse-helpline",
            "galop-lgbt-helpline",
            "mens-advice-line",
            "womens-aid-live-chat",
            "bright-sky-app",
        ],
        "terms": [
            "coercive-control",
            "domestic-abuse",
            "dva",
            "liia",
            "marac",
            "mhclg",
            "silent-solution",
            "vawg",
        ],
        "evidence_groups": [
            "london-covid-surveys-2020",
        ],
    },
    # 000_18680ab0420bca9e.txt, ALDCS paper (October 2020)
    "aldcs-covid-da-paper-2020": {
        "practices": [
            "aldcs-mopac-early-intervention-project",
            "worcestershire-family-safeguarding-pilot",
        ],
        "prompt_sets": [
            "helping-victims-disclose",
            "front-door-police-notifications",
            "child-and-adolescent-to-parent-violence",
            "work-with-people-who-harm",
            "schools-and-early-years-settings",
            "whole-family-work",
            "working-with-specialist-da-services",
            "knowing-your-local-picture",
        ],
        "resources": [
            "ofsted-jtai-children-living-with-domestic-abuse-2017",
        ],
        "terms": [
            "aldcs",
            "capva",
            "dcs",
            "domestic-abuse",
            "early-help",
            "family-safeguarding",
            "hocs",
            "idva",
            "isa-mou",
            "liia",
            "merlin",
            "mopac",
            "police-notification",
            "vaw",
        ],
        "evidence_groups": [
            "london-covid-surveys-2020",
            "london-early-intervention-project-2020",
        ],
        "figures": [
            "london-da-contacts-increase",
            "london-da-merlins-increase",
            "london-da-referrals-decrease",
            "london-marac-referrals",
            "london-idva-referrals",
            "london-police-da-incidents-increase",
            "london-police-da-offences-decrease",
            "london-police-da-violence-with-injury-decrease",
            "early-intervention-boroughs-interested",
            "early-intervention-boroughs-signed-up",
            "early-intervention-referrals",
        ],
    },
    # 002_6042d111a4fc1fd2.txt, Worcestershire scrutiny report (3 November 2022)
    "worcestershire-scrutiny-2022": {
        "practices": [
            "worcestershire-domestic-abuse-strategy",
            "worcestershire-commissioned-da-services",
            "worcestershire-sanctuary",
            "worcestershire-drive-perpetrator-programme",
            "wmwa-domestic-abuse-advice-and-support-service",
            "wmwa-refuge-childrens-worker",
            "wmwa-counselling-for-children-in-refuge",
            "wmwa-recovery-toolkit-groups",
            "wmwa-nurture-programme",
            "worcestershire-da-training-modules",
            "worcestershire-lived-experience-advisory-group",
            "worcestershire-family-front-door-da-capacity",
            "worcestershire-da-notification-analysis",
            "worcestershire-front-door-da-audits",
            "worcestershire-marac-records",
            "worcestershire-family-safeguarding-pilot",
            "worcestershire-operation-encompass",
            "worcestershire-operation-encompass-early-years",
        ],
        "prompt_sets": [
            "front-door-police-notifications",
            "child-and-adolescent-to-parent-violence",
            "work-with-people-who-harm",
            "recognising-coercive-control",
            "schools-and-early-years-settings",
            "what-children-affected-by-domestic-abuse-need",
            "knowing-your-local-picture",
        ],
        "resources": [
            "worcestershire-domestic-abuse-strategy-document",
        ],
        "terms": [
            "aces",
            "child-in-need",
            "daass",
            "dapb",
            "designated-safeguarding-lead",
            "dluhc",
            "domestic-abuse-act-2021",
            "domestic-homicide-review",
            "drive",
            "early-help",
            "family-front-door",
            "family-safeguarding",
            "idva",
            "liquid-logic",
            "marac",
            "mash",
            "operation-encompass",
            "pcc",
            "police-notification",
            "recovery-toolkit",
            "safe-accommodation",
            "sanctuary",
            "wcf",
            "wmwa",
        ],
        "evidence_groups": [
            "worcestershire-police-figures",
            "worcestershire-funding-and-services",
            "worcestershire-front-door",
            "worcestershire-family-safeguarding",
            "worcestershire-operation-encompass",
        ],
        "figures": [
            "worcestershire-da-grant-county",
            "worcestershire-da-grant-districts",
            "worcestershire-dispersed-units-funded",
            "worcestershire-dispersed-units-commissioned",
            "drive-perpetrators",
            "drive-associated-victims",
            "drive-associated-children",
            "wmwa-refuge-counselling-spaces",
            "wmwa-trauma-support-referrals",
            "wmwa-nurture-programmes",
            "wmwa-nurture-participants",
            "wcf-staff-booked-on-training",
            "wcf-police-contacts-q1",
            "wcf-police-contacts-q2",
            "wcf-oversight-compliance-january-2022",
            "wcf-oversight-compliance-september-2022",
            "police-notification-timeliness-january-2022",
            "police-notification-timeliness-september-2022",
            "family-safeguarding-children",
            "family-safeguarding-care-prevention",
            "family-safeguarding-reducing-risk",
            "family-safeguarding-decreasing-need",
            "family-safeguarding-maintained-plan",
            "encompass-notifications-to-schools",
            "encompass-daily-notifications",
            "encompass-one-in-five-children",
            "encompass-early-years-settings",
            "encompass-early-years-children",
        ],
        "evidence_tables": [
            "west-mercia-police-da-figures",
            "wmwa-services-2021-22",
            "wcf-training-places-2022",
        ],
    },
    # 003_f4260f29551b06e9.txt, Domestic Abuse Commissioner's response (2023)
    "da-commissioner-stable-homes-2023": {
        "practices": [
            "cornwall-marac-representatives-and-champions",
            "safe-and-together-london",
            "drive-restart-pilot",
            "cheshire-east-recovery-and-change-work",
        ],
        "prompt_sets": [
            "lockdown-risk-and-safety-plans",
            "helping-victims-disclose",
            "front-door-police-notifications",
            "child-and-adolescent-to-parent-violence",
            "holding-perpetrators-to-account",
            "children-as-victims-in-their-own-right",
            "recognising-coercive-control",
            "parental-conflict-or-domestic-abuse",
            "language-that-does-not-blame-victims",
            "kinship-care-risks",
            "victim-led-main-contact",
            "schools-and-early-years-settings",
            "whole-family-work",
            "working-with-specialist-da-services",
            "knowing-your-local-picture",
        ],
        "resources": [
            "csprp-multi-agency-safeguarding-and-domestic-abuse-2022",
            "dac-patchwork-of-provision-2022",
            "dfe-characteristics-of-children-in-need-2022",
            "dickens-serious-case-reviews-2017-2019",
            "nspcc-child-abuse-and-neglect-in-the-uk-today-2011",
            "safelives-in-plain-sight-2014",
            "safelives-investing-to-save-2021",
            "barnardos-not-just-collateral-damage",
            "stanley-children-experiencing-domestic-violence-2011",
            "felitti-adult-health-and-childhood-abuse-1998",
            "james-domestic-violence-as-child-abuse-1994",
            "stiles-witnessing-domestic-violence-2002",
            "bmj-open-burden-of-adverse-childhood-experiences",
            "ava-staying-mum-2022",
            "safe-and-together-model",
            "family-hub-service-expectations",
        ],
        "terms": [
            "aces",
            "child-in-need",
            "coercive-control",
            "coordinated-community-response",
            "csc",
            "cspr-panel",
            "dash",
            "domestic-abuse-act-2021",
            "domestic-abuse-commissioner",
            "drive",
            "family-help",
            "family-hubs",
            "honour-based-abuse",
            "kinship-care",
            "mappa",
            "marac",
            "mash",
            "mopac",
            "parental-conflict",
            "perpetrator",
            "safe-and-together",
            "scr",
            "vru",
        ],
        "evidence_groups": [
            "national-figures",
        ],
        "figures": [
            "nspcc-one-in-five-children",
            "half-of-childrens-social-care-assessments",
            "child-in-need-assessments-2022",
            "school-adjustment-difficulties",
            "vru-serious-violence-domestic-abuse",
            "mappa-cases-domestic-abuse",
            "abuse-before-marac-referral",
            "cashable-saving-early-intervention",
            "mental-health-condition-from-exposure",
            "mental-health-unit-cost",
            "mental-health-economic-impact",
            "physical-aggression-from-exposure",
            "physical-aggression-unit-cost",
            "school-drop-out-lifetime-cost",
            "physical-aggression-cost-to-government",
            "survivors-able-to-get-support-for-children",
            "staffordshire-expected-referral-uplift",
            "high-risk-children-not-known",
        ],
    },
    # 004_f306439902fc0b18.txt, Cheshire East scrutiny report (23 March 2020)
    "cheshire-east-scrutiny-2020": {
        "practices": [
            "cheshire-east-dasv-partnership",
            "cheshire-east-domestic-abuse-hub",
            "cheshire-east-emarac",
            "cheshire-east-idva-high-risk-team",
            "cheshire-east-mycwa-whole-family-service",
            "cheshire-east-lifeline-programme",
            "cheshire-east-co-located-specialist-staff",
            "cheshire-east-service-user-co-production",
            "cheshire-east-specialists-at-icpcs",
            "cheshire-east-recovery-and-change-work",
            "cheshire-east-operation-encompass",
            "cheshire-east-training-and-tools",
            "cheshire-east-complex-needs-outreach",
            "cheshire-east-police-domestic-abuse-team",
        ],
        "prompt_sets": [
            "front-door-police-notifications",
            "child-and-adolescent-to-parent-violence",
            "work-with-people-who-harm",
            "language-that-does-not-blame-victims",
            "schools-and-early-years-settings",
            "what-children-affected-by-domestic-abuse-need",
            "whole-family-work",
            "working-with-specialist-da-services",
        ],
        "resources": [
            "cheshire-east-dasv-partnership-documents",
            "cheshire-east-do-you-feel-what-i-feel",
            "cheshire-east-capva-and-teen-relationship-abuse-guidance",
            "cheshire-east-motivating-those-who-harm",
        ],
        "terms": [
            "capva",
            "emarac",
            "icpc",
            "idva",
            "integrated-front-door",
            "liquid-logic",
            "mycwa",
            "operation-encompass",
            "pcc",
            "perpetrator",
        ],
        "evidence_groups": [
            "cheshire-east-services",
        ],
        "figures": [
            "cheshire-east-specialist-services-cost",
            "cheshire-east-hub-referrals",
            "cheshire-east-marac-idva-referrals-rise",
            "cheshire-east-idva-engagement",
            "mycwa-adult-victims",
            "mycwa-referrals-for-those-who-harm",
            "lifeline-completions",
            "mycwa-children-supported",
            "mycwa-children-positive-outcomes",
            "cheshire-east-victims-into-training-or-employment",
        ],
        "evidence_tables": [
            "cheshire-east-specialist-services-funding",
        ],
    },
}


def _cites(entry: dict, source_id: str) -> bool:
    refs = list(entry["sources"]) + [r for finding in entry.get("findings", []) for r in finding["sources"]]
    return any(r["id"] == source_id for r in refs)


@pytest.fixture(scope="module")
def site():
    return load_site(today=REAL_TODAY)


@pytest.mark.parametrize(("source_id", "list_name"), [(s, n) for s, lists in INVENTORY.items() for n in lists])
def test_every_inventory_entry_is_in_the_data_and_cites_its_seed(site, source_id: str, list_name: str) -> None:
    entries = site.by_key(list_name)
    missing = [i for i in INVENTORY[source_id][list_name] if i not in entries]
    assert not missing, f"{list_name} from {source_id} missing from data/: {missing}"
    uncited = [i for i in INVENTORY[source_id][list_name] if not _cites(entries[i], source_id)]
    assert not uncited, f"{list_name} no longer citing {source_id}: {uncited}"


def test_every_entry_citing_a_seed_is_in_the_inventory(site) -> None:
    """New entries go into data/INVENTORY.md and this test's lists too, so the counts stay true."""
    unlisted = [
        f"{name}/{entry['id']} cites {source_id}"
        for source_id, lists in INVENTORY.items()
        for name in OWNED_LISTS
        for entry in site.entries(name)
        if _cites(entry, source_id) and entry["id"] not in lists.get(name, [])
    ]
    assert not unlisted, unlisted


def test_every_seed_is_a_source() -> None:
    site = load_site(today=REAL_TODAY)
    assert set(INVENTORY) <= set(site.by_key("sources"))
    assert all(site.by_key("sources")[s]["reference"].endswith(".txt") for s in INVENTORY)


# The strict build of the real site (the session fixture real_site, conftest.py).






