"""The compiled fast validator and the explaining validator must agree, or errors could slip through."""

from __future__ import annotations

import fastjsonschema
import pytest

from conftest import ROOT, VALID
from sitedata.data.load import data_files
from sitedata.data.schemas import fast_validator, load_schema, validator
from sitedata.data.yamlsource import load, parse

# Schema-level mistakes an editor makes, one per keyword the schemas use.
MUTATIONS = [
    ("practices", "areas: [Redbridge]", "areas: []"),  # minItems
    ("practices", "areas: [Redbridge]", "areas: [Redbridge, Redbridge]"),  # uniqueItems
    ("practices", "    summary: A multi-agency hub.\n", ""),  # required
    ("practices", "    status: pilot\n", "    status: pilot\n    colour: red\n"),  # additionalProperties
    ("practices", "title: Redbridge hub", "title: 42"),  # type
    ("practices", "title: Redbridge hub", "title: ''"),  # minLength
    ("practices", "- id: redbridge-hub", "- id: Redbridge Hub"),  # pattern
    ("resources", "kind: signposting", "kind: signpost"),  # enum
    ("helplines", '        number: "0808 2000 247"\n', ""),  # if/then: a phone channel needs a number
    ("practices", "      - label: Hub team\n        email: hub@example.org.uk\n        phone: \"020 8708 7000\"\n", "      - label: Hub team\n"),  # minProperties
    ("sources", 'published: "2020-04"', 'published: "April 2020"'),  # pattern on a non-entry field
]


def test_every_data_file_has_a_schema_with_entries() -> None:
    names = data_files()
    assert {"helplines", "practices", "prompts", "safety", "resources", "sources", "areas", "tags", "vocabularies"} <= set(names)
    for name in names:
        assert (ROOT / "data" / f"{name}.yaml").is_file(), name
        lists = [k for k, v in load_schema(name)["properties"].items() if "x-entry" in v]
        assert lists, f"{name}: no list is marked x-entry"


@pytest.mark.parametrize("name", data_files())
def test_real_data_is_valid_for_both_validators(name: str) -> None:
    doc, errors = load(ROOT / "data" / f"{name}.yaml", display=name)
    assert doc is not None and not errors
    fast_validator(name)(doc.data)
    assert list(validator(name).iter_errors(doc.data)) == []


@pytest.mark.parametrize(("name", "old", "new"), MUTATIONS)
def test_both_validators_reject_each_mistake(name: str, old: str, new: str) -> None:
    text = (VALID / f"{name}.yaml").read_text()
    assert old in text
    doc, errors = parse(text.replace(old, new, 1), display=name)
    assert doc is not None and not errors
    assert list(validator(name).iter_errors(doc.data)), "the explaining validator accepts it"
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        fast_validator(name)(doc.data)
