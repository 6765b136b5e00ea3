"""The data model as data, and record validation against it."""

from __future__ import annotations

import pytest

from casegraph.errors import ModelError
from casegraph.graph import model
from casegraph.ingest.validate import Validator


def test_every_relationship_type_names_known_kinds() -> None:
    for rt in model.RELATIONSHIPS.values():
        assert rt.sources <= set(model.KINDS), rt.name
        assert rt.targets <= set(model.KINDS), rt.name
        assert set(rt.identity) <= set(rt.properties), rt.name


def test_design_vocabulary_is_present() -> None:
    wanted = [
        "MEMBER_OF",
        "LEADS",
        "EMPLOYED_BY",
        "OWNS",
        "CONTROLS",
        "AFFILIATED_WITH",
        "ASSOCIATE_OF",
        "FAMILY_OF",
        "RECRUITED",
        "EXPLOITED",
        "TRAFFICKED_TO",
        "TRANSITED",
        "ORIGINATES_FROM",
        "LOCATED_IN",
        "OCCURRED_IN",
        "SUSPECT_IN",
        "VICTIM_IN",
        "WITNESS_IN",
        "INVESTIGATES",
        "CONVICTED_IN",
        "INVESTED_IN",
        "PAID",
        "MENTIONED_IN",
        "POSSIBLY_SAME_AS",
    ]
    assert set(wanted) <= set(model.RELATIONSHIPS)
    assert {"Person", "Organization", "Location", "Case", "Source"} == set(model.KINDS)


@pytest.mark.parametrize("bad", ["Person`) DETACH DELETE n //", "person", "Entity", ""])
def test_unknown_kind_is_refused(bad: str) -> None:
    with pytest.raises(ModelError):
        model.check_kind(bad)


@pytest.mark.parametrize("bad", ["LEADS]->() DELETE r //", "leads", "KNOWS"])
def test_unknown_relationship_type_is_refused(bad: str) -> None:
    with pytest.raises(ModelError):
        model.check_rel_type(bad)


def test_endpoints_are_checked() -> None:
    assert model.allowed_endpoints("TRAFFICKED_TO", "Person", "Location")
    assert not model.allowed_endpoints("TRAFFICKED_TO", "Location", "Person")
    assert not model.allowed_endpoints("VICTIM_IN", "Organization", "Case")


def test_validator_reports_line_field_and_reason() -> None:
    v = Validator()
    rec, errs = v.check(3, {"kind": "entity", "id": "p", "label": "Human", "name": ""})
    assert rec is None
    fields = {e.field for e in errs}
    assert fields == {"label", "name"}
    assert all(e.line == 3 for e in errs)


def test_validator_checks_endpoint_kinds_and_dangling_ids() -> None:
    v = Validator()
    v.check(1, {"kind": "entity", "id": "loc", "label": "Location", "name": "Almaty"})
    v.check(2, {"kind": "entity", "id": "p", "label": "Person", "name": "A"})
    v.check(3, {"kind": "relationship", "type": "TRAFFICKED_TO", "from": "loc", "to": "p"})
    v.check(4, {"kind": "relationship", "type": "LEADS", "from": "p", "to": "ghost"})
    errs = v.unresolved_errors({})
    assert [(e.line, e.field) for e in errs] == [(3, "from"), (3, "to"), (4, "to")]
    assert "ghost" in errs[2].reason


def test_validator_coerces_typed_properties() -> None:
    v = Validator()
    rec, errs = v.check(
        1,
        {
            "kind": "entity",
            "id": "p",
            "label": "Person",
            "name": "A",
            "properties": {"age": "16", "is_minor": "true"},
        },
    )
    assert errs == []
    assert rec is not None and rec.properties == {"age": 16, "is_minor": True}  # type: ignore[union-attr]
    _, errs = v.check(
        2,
        {
            "kind": "relationship",
            "type": "PAID",
            "from": "p",
            "to": "p",
            "properties": {"amount": "lots", "date": "2020-13-01"},
        },
    )
    assert {(e.field) for e in errs} == {"properties.amount", "properties.date"}
