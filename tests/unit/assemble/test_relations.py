from pathlib import Path

import pytest
import yaml

from kg.assemble import RELATION_TYPES, Assembler
from kg.models import Relation, Support
from kg.relate.model import RelationExtractor, RelationModel

pytestmark = pytest.mark.slow  # needs the tiny trained model

SCHEMA = Path(__file__).resolve().parents[3] / "ontology" / "schema.yaml"


def _item(make_item, model_dir):
    doc = make_item(
        "PMID:7",
        ["Haloperidol-induced hepatitis in rats.", "Haloperidol again preceded hepatitis.", "Tremor was absent."],
        [("Haloperidol", "Chemical", "MESH:D006220"), ("hepatitis", "Disease", "MESH:D006505"),
         ("Tremor", "Disease", "MESH:D014202")],
    )
    return next(RelationExtractor(RelationModel.load(model_dir)).pipe([doc]))


def test_typed_triples_with_one_evidence_per_stating_sentence(tiny_model_dir, make_item):
    item = _item(make_item, tiny_model_dir)
    batch = Assembler().assemble([item])
    induces = [e for e in batch.evidence if e.triple.predicate == "INDUCES"]
    pair = [e for e in induces if e.triple.object == "MESH:D006505"]
    assert {e.triple.subject for e in pair} == {"MESH:D006220"}
    (relation,) = [r for r in item.relations if r.object == "MESH:D006505" and r.task == "cid"]
    assert [e.sentence for e in pair] == [item.text[slice(*s.sentence)] for s in relation.supports]
    assert "Haloperidol-induced hepatitis in rats." in {e.sentence for e in pair}
    assert all(e.score == relation.score and e.same_sentence and e.sentence_score is not None for e in pair)
    assert len({e.key for e in batch.evidence}) == len(batch.evidence)
    assert all(e.extractor == "relations+test" and 0 < e.score <= 1 for e in induces)
    assert any(e.triple.predicate == "CO_OCCURS_WITH" for e in batch.evidence)
    assert {d.id for d in batch.documents} == {"PMID:7"} and batch.mentions


def test_cooccurrence_can_be_left_out(tiny_model_dir, make_item):
    batch = Assembler(cooccurrence=False).assemble([_item(make_item, tiny_model_dir)])
    assert batch.evidence and all(e.triple.predicate != "CO_OCCURS_WITH" for e in batch.evidence)


def test_every_predicate_is_a_schema_relationship_type():
    schema = yaml.safe_load(SCHEMA.read_text())
    for corpus_type, (predicate, biolink) in RELATION_TYPES.items():
        assert predicate in schema["relationships"], f"{corpus_type} -> {predicate} missing from schema.yaml"
        assert schema["relationships"][predicate]["biolink"] == biolink


def test_a_passage_is_marked_as_not_one_sentence(make_item):
    item = make_item("PMID:8", ["We gave lithium.", "Tremor followed."],
                     [("lithium", "Chemical", "MESH:D008094"), ("Tremor", "Disease", "MESH:D014202")])
    li, tremor = item.mentions
    item.relations = (Relation(subject=li.concept_id, object=tremor.concept_id, type="CID", score=0.4, task="cid",
                               supports=(Support(sentence=(0, len(item.text)), subject_span=(li.start, li.end),
                                                 object_span=(tremor.start, tremor.end), same_sentence=False),)),)
    (evidence,) = [e for e in Assembler().assemble([item]).evidence if e.triple.predicate == "INDUCES"]
    assert evidence.sentence == "We gave lithium. Tremor followed." and not evidence.same_sentence
    assert evidence.sentence_score is None and evidence.score == 0.4
