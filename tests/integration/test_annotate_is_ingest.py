"""`medkg annotate` and `medkg ingest` run one chain: what annotate reports for a document is what ingest writes.

The chain is the shipped CPU NER model, the linker over the fixture concept store, the assertion
tagger and the shipped relation model: real components, small inputs.
"""

from collections import Counter

import pytest

from kg.assemble import RELATION_TYPES
from kg.components import build_pipeline
from kg.config import Settings
from kg.extract.loader import DICTIONARY, default_spec
from kg.evaluate.gold import annotate_file
from kg.graph.backends import open_store
from kg.ledger import Ledger
from kg.sources.pubtator import read_pubtator
from kg.vocab.conceptstore import build_concept_store
from kg.vocab.curie import corpus_id

from fixture_store import FIXTURES, fixture_settings

pytestmark = pytest.mark.slow

TEXT = """\
1|t|Metformin and seizures in type 2 diabetes.
1|a|Metformin-induced seizures were seen in two patients with type 2 diabetes. Propofol stopped the seizures. No anemia.

2|t|Asthma after propofol.
2|a|Propofol caused asthma in one child; metformin did not.

"""


@pytest.fixture
def settings(tmp_path) -> Settings:
    spec = default_spec()  # the shipped model as ingest loads it (the BiLSTM-CRF tier since 0.2.0)
    if spec == DICTIONARY:
        pytest.skip("no shipped NER model in models/ner-cpu")
    base = fixture_settings(tmp_path)
    settings = base.model_copy(update={"ner_model": spec})
    build_concept_store(settings, ontology_dir=FIXTURES)
    return settings


def test_annotate_reports_the_mentions_and_relations_ingest_writes(settings, tmp_path):
    source = tmp_path / "in.PubTator"
    source.write_text(TEXT, encoding="utf-8")
    annotate_file(settings, source, tmp_path / "out.PubTator")
    annotated = {d.pmid: d for d in read_pubtator(tmp_path / "out.PubTator")}
    with open_store(settings) as store, Ledger(settings.ledger_path) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(settings, store=store, ledger=ledger, source_name="pubtator")
        summary = pipeline.run([d.to_document() for d in read_pubtator(source)], command="test", inputs=[])
        assert summary.written == 2
        mentions = store.query("MATCH (d:Document)-[m:MENTIONS]->(c:Concept) RETURN d.id AS d, c.id AS c, m.count AS n")
        edges = store.query("MATCH (a:Concept)-[r]->(b:Concept) WHERE type(r) <> 'CO_OCCURS_WITH' "
                            "MATCH (e:Evidence {triple_key: r.key}) "
                            "RETURN DISTINCT e.doc_id AS d, type(r) AS t, a.id AS a, b.id AS b")
    written = Counter({(r["d"], corpus_id(r["c"])): r["n"] for r in mentions})
    reported = Counter((f"PMID:{p}", a.ids[0]) for p, d in annotated.items() for a in d.annotations if a.ids[0] != "-1")
    assert len(reported) >= 4 and written == reported, (written, reported)
    typed = {t: graph_type for t, (graph_type, _) in RELATION_TYPES.items()}
    reported_relations = {(f"PMID:{p}", typed[r.type], r.id1, r.id2) for p, d in annotated.items() for r in d.relations}
    written_relations = {(r["d"], r["t"], corpus_id(r["a"]), corpus_id(r["b"])) for r in edges}
    assert written_relations == reported_relations
