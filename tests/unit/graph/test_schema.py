import pytest

from kg.errors import SchemaError
from kg.graph.schema import Schema


@pytest.fixture(scope="module")
def schema():
    return Schema.load()


def test_shipped_schema_has_the_core_whitelist(schema):
    assert schema.nodes["Document"].key == "id"
    assert schema.nodes["Evidence"].key == "key"
    assert "Disease" in schema.labels and "Concept" in schema.labels
    assert "CO_OCCURS_WITH" in schema.triple_types
    assert "MENTIONS" not in schema.triple_types  # no key, Document -> Concept
    assert schema.relationships["CO_OCCURS_WITH"].biolink.startswith("biolink:")


def test_lookups_return_known_names(schema):
    assert schema.label("Disease") == "Disease"
    assert schema.rel_type("IN_DOCUMENT") == "IN_DOCUMENT"
    assert schema.predicate("CO_OCCURS_WITH") == "CO_OCCURS_WITH"


@pytest.mark.parametrize("name", ["Drug", "Concept) DETACH DELETE (n", "disease", ""])
def test_unknown_label_raises(schema, name):
    with pytest.raises(SchemaError, match="not in the schema"):
        schema.label(name)


def test_unknown_or_non_triple_relationship_raises(schema):
    with pytest.raises(SchemaError, match="not in the schema"):
        schema.rel_type("TREATS]->() DELETE r //")
    with pytest.raises(SchemaError, match="cannot be a triple predicate"):
        schema.predicate("MENTIONS")
    with pytest.raises(SchemaError, match=r"E612: 'TREATS' .* \(predicates: .*INDUCES"):  # names the choices
        schema.predicate("TREATS")


def test_non_identifier_in_yaml_is_rejected(tmp_path):
    p = tmp_path / "schema.yaml"
    p.write_text("nodes:\n  'Bad Label':\n    key: id\nrelationships: {}\n")
    with pytest.raises(SchemaError, match="not a plain identifier"):
        Schema.load(p)


def test_relationship_to_unknown_node_is_rejected(tmp_path):
    p = tmp_path / "schema.yaml"
    p.write_text("nodes:\n  A:\n    key: id\nrelationships:\n  R:\n    from: A\n    to: B\n")
    with pytest.raises(SchemaError, match="'to' 'B' is not a node label"):
        Schema.load(p)


def test_missing_and_malformed_files_raise_schema_error(tmp_path):
    with pytest.raises(SchemaError, match="does not exist"):
        Schema.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes: [unclosed\n")
    with pytest.raises(SchemaError, match="not valid YAML"):
        Schema.load(bad)


def test_interactions_map_to_the_biolink_predicate_that_exists(schema):
    # Biolink has chemically_interacts_with (ChemicalEntity to ChemicalEntity); chemical_interacts_with is no predicate.
    assert schema.relationships["INTERACTS_WITH"].biolink == "biolink:chemically_interacts_with"
