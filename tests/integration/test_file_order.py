"""Files read in any order, or read again, give the graph of the files read in their order: a stored
citation is replaced only by a record at least as recent (PubMed Version, then DateRevised), and a
deletion is remembered even when it is read before the citation it deletes."""

from itertools import permutations

import pytest

from kg.assemble import Assembler
from kg.config import load_settings
from kg.graph.backends import open_store
from kg.ledger import Ledger
from kg.pipeline import Pipeline
from kg.sources.pubmed import iter_pubmed

from fakes import word_annotator
from graph_snapshot import snapshot


def _citation(pmid: int, text: str, revised: str, version: int = 1) -> str:
    y, m, d = revised.split("-")
    return (f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID>'
            f"<DateRevised><Year>{y}</Year><Month>{m}</Month><Day>{d}</Day></DateRevised>"
            f"<Article><ArticleTitle>{text}</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")


def _deletion(*pmids: tuple[int, int]) -> str:
    return "<DeleteCitation>" + "".join(f'<PMID Version="{v}">{p}</PMID>' for p, v in pmids) + "</DeleteCitation>\n"


FILES = {
    "A": [_citation(1, "Aspirin and fever.", "2013-01-01"), _citation(2, "Aspirin and headache.", "2013-01-01"),
          _citation(3, "Fever and headache.", "2013-01-01"), _citation(4, "Aspirin relieves headache.", "2013-01-01"),
          _citation(5, "Headache and fever.", "2013-01-01"),
          *(_citation(6, t, f"201{v}-01-01", v) for v, t in ((1, "Aspirin."), (2, "Aspirin and fever."),
                                                              (3, "Aspirin, fever and headache.")))],
    # revises 1 (a later DateRevised) and 2 (Version 2), deletes 3 and 4, and Version 2 of 6 (3 is held)
    "B": [_citation(1, "Aspirin and headache.", "2020-01-01"), _citation(2, "Fever and aspirin.", "2020-01-01", 2),
          _deletion((3, 1), (4, 1), (6, 2))],
    "C": [_citation(5, "Aspirin and fever again.", "2021-01-01"), _citation(1, "Fever, aspirin and headache.", "2022-01-01")],
}
OUTCOME = [_citation(1, "Fever, aspirin and headache.", "2022-01-01"), _citation(2, "Fever and aspirin.", "2020-01-01", 2),
           _citation(5, "Aspirin and fever again.", "2021-01-01"), _citation(6, "Aspirin, fever and headache.", "2013-01-01", 3)]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(load_settings(data_dir=tmp_path_factory.mktemp("store"), store="falkordb",
                                  graph_name="file_order")) as store:
        store.ensure_schema()
        yield store


def _write(tmp_path, name, records):
    path = tmp_path / f"{name}.xml"
    path.write_text('<?xml version="1.0"?>\n<PubmedArticleSet>\n' + "".join(records) + "</PubmedArticleSet>\n")
    return path


def _ingest(store, tmp_path, name, files, batch_size=50):
    """``files`` ingested one run each into an emptied graph with a new ledger; the graph's snapshot and the summaries."""
    store.query("MATCH (n) DETACH DELETE n", write=True)
    p = Pipeline(annotator=word_annotator(), assembler=Assembler(), store=store,
                 ledger=Ledger(tmp_path / f"{name}-{batch_size}.sqlite"), batch_size=batch_size)
    summaries = [p.run(list(iter_pubmed(f)), command="t", inputs=[str(f)]) for f in files]
    assert all(s.reconciles for s in summaries)
    return snapshot(store), summaries


def test_an_older_file_read_again_or_first_changes_nothing_of_the_graph(store, tmp_path):
    files = {name: _write(tmp_path, name, records) for name, records in FILES.items()}
    outcome, _ = _ingest(store, tmp_path, "outcome", [_write(tmp_path, "outcome", OUTCOME)])
    assert len(outcome["nodes"]) > 8 and "Fever, aspirin and headache." in " ".join(outcome["nodes"])
    abc, _ = _ingest(store, tmp_path, "abc", [files["A"], files["B"], files["C"]])
    assert abc == outcome
    graph, runs = _ingest(store, tmp_path, "abca", [files[n] for n in "ABCA"])
    assert graph == outcome
    again = runs[-1]  # A again: its 3 revised records, 2 deleted ones and the 3 Versions of 6 are older
    assert (again.read, again.written, again.revised, again.skipped, again.superseded) == (8, 0, 0, 8, 7)
    graph, runs = _ingest(store, tmp_path, "bac", [files[n] for n in "BAC"])
    assert graph == outcome
    # B first: 1 and 2 written, its deletions not found (and remembered); then A's 1, 2, 3, 4 and 6 v2 are older
    assert [(s.written, s.deletions_not_found) for s in runs] == [(2, 3), (2, 0), (2, 0)]
    assert runs[1].superseded == 6  # 1, 2, 3, 4, and 6's Versions 1 and 2 (6's Version 1 also by its Version 2)
    for order in permutations("ABC"):
        for batch_size in (1, 50):
            graph, _ = _ingest(store, tmp_path, "".join(order), [files[n] for n in order], batch_size)
            assert graph == outcome, (order, batch_size)
