"""`medkg discover`: Swanson ABC hypotheses for one concept, on the tiny store graph (conftest).

Diabetes Mellitus, Type 2 is linked to Metformin only; Metformin to Lactic Acidosis (a claim, PMID:1) and
Lactic Acid (a co-mention, PMID:3). So for type 2 diabetes, lactic acid and lactic acidosis are two hops
away through Metformin and never named with it: the hypotheses.
"""

import json
import sys

import networkx as nx
import pytest

from kg import cli
from kg.models import Document, GraphBatch
from kg.reason import closure, hypotheses as hyp
from kg.reason.hypotheses import hypotheses, to_json, to_text

from clirun import medkg

DM = "MESH:D003920"  # Diabetes Mellitus: what type 2 diabetes is a kind of


@pytest.fixture
def cli_env(store, settings, monkeypatch):
    """The CLI reads the tiny graph: its data dir, graph name and (store-less) cache dir."""
    monkeypatch.setenv("MEDKG_GRAPH_NAME", settings.graph_name)
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(settings.cache_dir))
    return ["--data-dir", str(settings.data_dir)]


def add_diabetes(store, tiny):
    """Diabetes Mellitus, said to be treated with metformin (PMID:9), never named with type 2 diabetes."""
    from kg.models import Concept, Triple

    dm = Concept(id=DM, name="Diabetes Mellitus", type="Disease", source="MeSH", release="2025")
    treats = tiny.predicate(store.schema, "biolink:negatively_correlated_with")
    e = tiny.ev(Triple(subject=tiny.MET.id, predicate=treats, object=DM), "PMID:9", "Metformin treats diabetes.", 0.8)
    doc = Document(id="PMID:9", source="pubmed", text="x", title="Paper 9", metadata={"year": 2009})
    from kg.models import MentionLink

    mentions = tuple(MentionLink(doc_id="PMID:9", concept_id=c, count=1, texts=("x",), max_score=1.0, affirmed=1,
                                 extractor="test", extractor_version="1") for c in (tiny.MET.id, DM))
    store.write(GraphBatch(documents=(doc,), concepts=(dm,), mentions=mentions, evidence=(e,)))
    store.refresh_statistics()


def test_a_concept_linked_only_through_a_bridge_is_proposed_with_the_bridge_and_its_papers(store, tiny):
    found = hypotheses(store, tiny.DM2.id)
    assert [(d.concept, round(d.score, 3)) for d in found.found] == [(tiny.LAC.id, 0.85), (tiny.LA.id, 0.765)]
    la = found.found[1]
    [bridge] = la.bridges
    assert bridge.concept == tiny.MET.id and (bridge.score_ab, bridge.score_bc) == (pytest.approx(0.85),
                                                                                    pytest.approx(0.9))
    assert [c.doc_id for c in found.cites[bridge.key_bc]] == ["PMID:1"]  # the affirmed sentence, not the negated
    assert [c.doc_id for c in found.cites[bridge.key_ab]] == ["PMID:4"]
    text = to_text(found)
    assert text.startswith("Hypotheses for Diabetes Mellitus, Type 2 (MESH:D003924, Disease) by Swanson ABC")
    assert "hypotheses to check, not findings" in text and "sum over bridges B of s(A,B) x s(B,C)" in text
    assert "2. Acidosis, Lactic (MESH:D000140, Disease): score 0.765 from 1 bridge(s)" in text
    assert "   - via Metformin (MESH:D008687, Chemical): 0.850 x 0.900 = 0.765" in text
    assert '- PMID:1 (2001): "Metformin induced lactic acidosis in an elderly patient."' in text
    assert "Metformin -[CO_OCCURS_WITH]-> Lactic Acid (same sentence, not a claimed relation), score 1.000" in text
    assert "no usable concept store" in text  # the fixture's cache dir has none: is_a relatives are not left out


def test_the_command_prints_the_hypotheses_and_limits_what_it_shows(cli_env, tiny):
    out = medkg(*cli_env, "discover", "Diabetes Mellitus, Type 2", "--type", "disease")
    assert "1. Acidosis, Lactic (MESH:D000140, Disease)" in out and "\n2. " not in out  # lactic acid: a Chemical
    assert "PMID:1" in out and "PMID:4" in out
    no_papers = medkg(*cli_env, "discover", tiny.DM2.id, "--citations", "0", "--top", "1")
    assert "PMID:" not in no_papers and "1. Lactic Acid" in no_papers and "\n2. " not in no_papers
    weak_hops = medkg(*cli_env, "discover", tiny.DM2.id, "--min-score", "0.95")
    assert "No hypothesis:" in weak_hops and "--min-score 0.95 (on each hop) left every one out" in weak_hops


def test_more_than_three_bridges_are_counted_not_listed(store, tiny):
    from kg.models import Concept, MentionLink, Triple

    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    bridges = [Concept(id=f"MESH:D99999{n}", name=f"Bridge {n}", type="Chemical") for n in range(5)]
    evidence = tuple(tiny.ev(Triple(subject=x, predicate=cooc, object=b.id), "PMID:6", f"{x} and {b.name}.", 0.5)
                     for b in bridges for x in (tiny.WARF.id, tiny.LEUK.id))
    mentions = tuple({(e.doc_id, c): MentionLink(doc_id=e.doc_id, concept_id=c, count=1, texts=("x",), max_score=1.0,
                                                affirmed=1, extractor="test", extractor_version="1")
                      for e in evidence for c in (e.triple.subject, e.triple.object)}.values())
    store.write(GraphBatch(documents=(), concepts=tuple(bridges), mentions=mentions, evidence=evidence))
    found = hypotheses(store, tiny.WARF.id)
    [leuk] = [d for d in found.found if d.concept == tiny.LEUK.id]
    assert len(leuk.bridges) == 5
    text = to_text(found)
    assert text.count("   - via Bridge") == 3 * len(found.found)
    assert "   - and 2 more bridge(s) (Bridge 3, Bridge 4), 0.500 of the score" in text
    assert len(json.loads(to_json(found))["candidates"][0]["bridges"]) == 5  # JSON lists every bridge


def test_a_subtype_or_supertype_of_the_source_is_no_hypothesis(store, tiny, cli_env, monkeypatch):
    add_diabetes(store, tiny)
    plain = hypotheses(store, tiny.DM2.id)
    assert DM in [d.concept for d in plain.found]  # through metformin, never named with type 2 diabetes
    isa = closure.isa_graph_from_parents([(tiny.DM2.id, DM, "mesh")])  # type 2 diabetes is_a diabetes
    assert DM not in [d.concept for d in hypotheses(store, tiny.DM2.id, isa=isa).found]
    monkeypatch.setattr(hyp, "load_isa", lambda settings: isa)  # the command loads it from the concept store
    out = medkg(*cli_env, "discover", tiny.DM2.id)
    assert "Diabetes Mellitus (MESH:D003920" not in out and "subtypes and supertypes (is_a) left out" in out
    only = medkg(*cli_env, "discover", tiny.DM2.id, "--type", "Disease", "--min-score", "0.88")
    assert "No hypothesis:" in only and "left every one out" in only  # every bridge is 0.85 from it


def test_json_is_one_object_with_every_bridge_its_edge_keys_and_citations(store, tiny, cli_env):
    data = json.loads(medkg(*cli_env, "discover", tiny.DM2.id, "--json", "--citations", "2"))
    assert set(data) == {"source", "method", "scoring", "parameters", "candidates", "message"}
    assert data["source"] == {"id": tiny.DM2.id, "name": "Diabetes Mellitus, Type 2", "type": "Disease"}
    assert data["parameters"] == {"top": 10, "min_score": 0.0, "types": [], "citations": 2, "isa_filter": False}
    assert data["message"] is None
    assert [(c["rank"], c["id"], c["score"]) for c in data["candidates"]] == [(1, tiny.LAC.id, 0.85),
                                                                             (2, tiny.LA.id, 0.765)]
    [bridge] = data["candidates"][1]["bridges"]
    assert set(bridge) == {"id", "name", "type", "contribution", "ab", "bc"} and bridge["id"] == tiny.MET.id
    keys = {r["key"] for r in store.query("MATCH (:Concept {id: $a})-[t]-(:Concept {id: $b}) RETURN t.key AS key",
                                          {"a": tiny.MET.id, "b": tiny.LA.id})}
    bc = bridge["bc"]
    assert bc["key"] in keys and (bc["subject"], bc["object"], bc["score"], bc["claimed"]) == (
        tiny.MET.id, tiny.LA.id, 0.9, True)
    # two citations asked, one paper affirms it: the negated sentence of PMID:2 comes second
    assert [(c["doc_id"], c["assertion"]) for c in bc["citations"]] == [("PMID:1", "affirmed"), ("PMID:2", "negated")]
    assert set(bc["citations"][0]) == {"doc_id", "year", "title", "sentence", "score", "assertion", "retracted"}
    assert bridge["contribution"] == pytest.approx(bridge["ab"]["score"] * bc["score"])


def test_a_hop_cites_papers_not_sentences_of_one_paper(store, tiny):
    from kg.models import Triple

    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    second = tiny.ev(Triple(subject=tiny.MET.id, predicate=cooc, object=tiny.LAC.id), "PMID:3",
                     "Lactic acid rose on metformin.", 0.9).model_copy(
        update={"sentence_start": 100, "subject_span": (100, 105), "object_span": (106, 110)})
    store.write(GraphBatch(documents=(), concepts=(), mentions=(), evidence=(second,)))
    found = hypotheses(store, tiny.DM2.id, per_hop=2)
    [lac] = [d for d in found.found if d.concept == tiny.LAC.id]
    assert [c.doc_id for c in found.cites[lac.bridges[0].key_bc]] == ["PMID:3"]  # two sentences, one paper


@pytest.mark.parametrize("concept, why", [
    ("MESH:D014859", "linked to nothing else: no concept is two hops away"),  # warfarin: aspirin only
    ("MESH:D008687", "is also linked to it directly"),  # metformin: everything two hops away is a neighbour
])
def test_nothing_found_is_said_plainly_with_why_and_exit_status_0(cli_env, concept, why):
    out = medkg(*cli_env, "discover", concept)
    assert "No hypothesis: " in out and why in out
    data = json.loads(medkg(*cli_env, "discover", concept, "--json"))
    assert data["candidates"] == [] and why in data["message"]


def test_a_concept_without_relations_says_so(store, tiny):
    store.query("MERGE (c:Concept {id: 'MESH:D000001'}) SET c.name = 'Lonely'", write=True)
    text = to_text(hypotheses(store, "MESH:D000001"))
    assert "No hypothesis: Lonely has no scored relation or co-mention in the graph" in text


def run_main(monkeypatch, capsys, *args: str) -> str:
    """``medkg ARGS`` as typed: a coded error exits 2 with ``error CODE: message`` and no traceback."""
    monkeypatch.setattr(sys, "argv", ["medkg", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err
    return next(line for line in err.splitlines() if line.startswith("error "))


@pytest.mark.parametrize("target", ["dragon pox", "MESH:D999999"])
def test_an_unknown_concept_is_the_error_report_and_viz_give(cli_env, monkeypatch, capsys, target):
    error = run_main(monkeypatch, capsys, *cli_env, "discover", target)
    assert error == f"error E910: no concept in the graph is called or identified by {target!r}"
    assert run_main(monkeypatch, capsys, *cli_env, "report", target) == error


def test_a_hub_is_refused_as_report_and_viz_refuse_it(store, tiny, cli_env, monkeypatch, capsys):
    store.write(tiny.hub_and_comention_batch(store.schema))
    assert run_main(monkeypatch, capsys, *cli_env, "discover", "patients").startswith("error E914: 'patients' is")


def test_hubs_neither_bridge_nor_are_proposed(store, tiny):
    store.write(tiny.hub_and_comention_batch(store.schema))  # the human hub mentioned with metformin
    found = hypotheses(store, tiny.DM2.id)
    assert tiny.HUMAN.id not in {d.concept for d in found.found}
    assert tiny.HUMAN.id not in {b.concept for d in hypotheses(store, tiny.WARF.id).found for b in d.bridges}


def test_the_help_teaches_what_abc_is_and_how_it_scores():
    out = " ".join(medkg("discover", "--help").split())
    assert "Swanson ABC" in out and "sum over B of s(A,B) * s(B,C)" in out and "medkg discover" in out


def test_the_is_a_loader_is_none_without_a_concept_store(settings):
    assert closure.load_isa(settings) is None


def test_the_is_a_loader_reads_the_concept_store(tmp_path):
    from fixture_store import FIXTURES, fixture_settings
    from kg.vocab.conceptstore import build_concept_store

    settings = fixture_settings(tmp_path)
    build_concept_store(settings, ontology_dir=FIXTURES)
    isa = closure.load_isa(settings)
    assert isinstance(isa, nx.DiGraph) and isa.number_of_edges() > 0


def test_a_mistyped_data_dir_is_refused_and_nothing_is_created(monkeypatch, capsys, tmp_path):
    error = run_main(monkeypatch, capsys, "--data-dir", str(tmp_path / "data"), "discover", "asthma")
    assert error == f"error E011: no graph to read in data dir {tmp_path / 'data'}: there is no such folder"
    assert not (tmp_path / "data").exists()
