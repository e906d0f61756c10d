"""A retraction notice flags the paper it retracts, whichever comes first: same input, same graph."""

import pytest

from kg.assemble import Assembler
from kg.config import load_settings
from kg.graph.backends import open_store
from kg.ledger import Ledger
from kg.models import Document
from kg.pipeline import Pipeline

from fakes import word_annotator
from graph_snapshot import snapshot

PAPER = Document(id="PMID:9", source="pubmed", text="Aspirin and fever. Aspirin and headache.", metadata={"pmid": "9"})
OTHER = Document(id="PMID:5", source="pubmed", text="Aspirin and fever.", metadata={"pmid": "5"})
NOTICE = Document(id="PMID:8", source="pubmed", text="Retraction: aspirin and headache.",
                  metadata={"pmid": "8", "retraction_of": ["9"]})
ORDERS = {
    "paper, notice": [[PAPER, OTHER, NOTICE]],
    "notice, paper": [[NOTICE, OTHER, PAPER]],
    "paper; notice": [[PAPER, OTHER], [NOTICE]],
    "notice; paper": [[NOTICE], [OTHER, PAPER]],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(load_settings(data_dir=tmp_path_factory.mktemp("store"), store="falkordb",
                                  graph_name="retractions")) as store:
        store.ensure_schema()
        yield store


def test_the_graph_is_the_same_in_whichever_order_paper_and_notice_come(store, tmp_path):
    graphs = {}
    for name, runs in ORDERS.items():
        for batch_size in (1, 10):
            ledger = Ledger(tmp_path / f"{name}-{batch_size}.sqlite")
            p = Pipeline(annotator=word_annotator(), assembler=Assembler(), store=store, ledger=ledger,
                         batch_size=batch_size)
            store.query("MATCH (n) DETACH DELETE n", write=True)
            for run in runs:
                p.run(run, command="t", inputs=[])
            graphs[name, batch_size] = snapshot(store)
            again = p.run([PAPER, OTHER, NOTICE], command="t", inputs=[])  # a re-run finds nothing to redo
            assert (again.written, again.skipped) == (0, 3) and snapshot(store) == graphs[name, batch_size]
    first = graphs["paper, notice", 1]
    assert all(g == first for g in graphs.values())
    (paper,) = store.query("MATCH (d:Document {id: 'PMID:9'}) RETURN d.retracted AS r")
    assert paper["r"] is True
    edges = store.query("MATCH (:Concept)-[t:CO_OCCURS_WITH]->(o:Concept) RETURN o.name AS o, "
                        "t.retracted_count AS retracted, t.doc_count AS docs, t.max_score AS top ORDER BY o")
    # aspirin-fever: the paper's evidence counted, the other paper's scored; aspirin-headache: only the
    # paper and its notice state it, so it is counted and not scored
    assert [(e["o"], e["retracted"], e["docs"], e["top"] is None) for e in edges] == [
        ("fever", 1, 2, False), ("headache", 2, 2, True)]
