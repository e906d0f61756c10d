"""A tiny graph in the embedded FalkorDB store, written through GraphStore.write, for ask/report/viz/write-back.

The schema is ontology/schema.yaml plus the INFERRED type kg.reason asks the lead to add (a
YAML mapping keeps the last of duplicate keys, so this keeps working once it is added).
Relation types are picked by biolink predicate, so a renamed type does not break the tests.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest

from kg.config import load_settings
from kg.graph.backends import open_store
from kg.graph.schema import Schema
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple
from ontology import SCHEMA_PATH

INFERRED_YAML = """
  INFERRED:
    from: Concept
    to: Concept
    biolink: biolink:related_to
    description: Inferred by kg.reason (never extracted).
"""

MET = Concept(id="MESH:D008687", name="Metformin", type="Chemical", synonyms=("Glucophage",),
              xrefs=("CHEBI:6801",), source="MeSH", release="2025")
LA = Concept(id="MESH:D000140", name="Acidosis, Lactic", type="Disease", synonyms=("lactic acidosis",),
             xrefs=("HP:0003128",), source="MeSH", release="2025")
LAC = Concept(id="MESH:D019344", name="Lactic Acid", type="Chemical", source="MeSH", release="2025")
DM2 = Concept(id="MESH:D003924", name="Diabetes Mellitus, Type 2", type="Disease", synonyms=("type 2 diabetes",),
              source="MeSH", release="2025")
WARF = Concept(id="MESH:D014859", name="Warfarin", type="Chemical", source="MeSH", release="2025")
ASP = Concept(id="MESH:D001241", name="Aspirin", type="Chemical", source="MeSH", release="2025")
LEUK = Concept(id="MESH:D007970", name="Leukopenia", type="Disease", synonyms=("low white cell count",),
               source="MeSH", release="2025")
INF = Concept(id="MESH:D007239", name="Infections", type="Disease", source="MeSH", release="2025")
HUMAN = Concept(id="NCBITaxon:9606", name="patients", type="Species", source="NCBITaxon", release="2025")
CONCEPTS = (MET, LA, LAC, DM2, WARF, ASP, LEUK, INF)
PATIENT = "pt_0123456789abcdef"


def predicate(schema: Schema, biolink: str) -> str:
    found = [t for t in schema.triple_types if schema.relationships[t].biolink == biolink]
    if not found:
        pytest.skip(f"no triple type with {biolink} in the schema")
    return found[0]


def ev(triple: Triple, doc: str, sentence: str, score: float, assertion: str = "affirmed") -> Evidence:
    return Evidence(triple=triple, doc_id=doc, sentence=sentence, sentence_start=0, subject_span=(0, 5),
                    object_span=(6, 10), extractor="test", extractor_version="1", score=score, assertion=assertion)


def tiny_batch(schema: Schema) -> GraphBatch:
    causes = predicate(schema, "biolink:causes")
    treats = predicate(schema, "biolink:negatively_correlated_with")
    interacts = predicate(schema, "biolink:chemically_interacts_with")
    cooc = predicate(schema, "biolink:occurs_together_in_literature_with")
    docs = tuple(Document(id=f"PMID:{n}", source="pubmed", text="x", title=f"Paper {n}",
                          metadata={"journal": "J Test", "year": 2000 + n}) for n in range(1, 7))
    note = Document(id="NOTE:n1", source="note", text="x", title="Progress note",
                    metadata={"patient": PATIENT, "year": 2021})
    induces = Triple(subject=MET.id, predicate=causes, object=LA.id)
    evidence = (
        ev(induces, "PMID:1", "Metformin induced lactic acidosis in an elderly patient.", 0.9),
        ev(induces, "PMID:2", "Metformin did not cause lactic acidosis in this cohort.", 0.8, "negated"),
        ev(Triple(subject=MET.id, predicate=cooc, object=LAC.id), "PMID:3", "Metformin raises lactic acid.", 1.0),
        ev(Triple(subject=LAC.id, predicate=cooc, object=LA.id), "PMID:3", "Lactic acid accumulates in lactic "
           "acidosis.", 1.0),
        ev(Triple(subject=MET.id, predicate=treats, object=DM2.id), "PMID:4", "Metformin lowered glucose in type 2 "
           "diabetes.", 0.85),
        ev(Triple(subject=WARF.id, predicate=interacts, object=ASP.id), "PMID:5", "Aspirin potentiates warfarin.",
           0.7),
        ev(Triple(subject=LEUK.id, predicate=cooc, object=INF.id), "PMID:6", "Leukopenia predisposes to "
           "infections.", 1.0),
    )
    mentions = tuple(
        MentionLink(doc_id=e.doc_id, concept_id=c, count=1, texts=("x",), max_score=1.0, affirmed=1,
                    extractor="test", extractor_version="1")
        for e in evidence for c in (e.triple.subject, e.triple.object)
    ) + (
        MentionLink(doc_id="NOTE:n1", concept_id=LEUK.id, count=1, texts=("low wbc",), max_score=1.0, affirmed=1,
                    extractor="test", extractor_version="1"),
        MentionLink(doc_id="NOTE:n1", concept_id=DM2.id, count=1, texts=("diabetes",), max_score=1.0,
                    assertion="negated", negated=1, extractor="test", extractor_version="1"),
    )
    return GraphBatch(documents=docs + (note,), concepts=CONCEPTS, mentions=mentions, evidence=evidence)


def mention(doc: str, concept: str, **counts) -> MentionLink:
    counts = counts or {"affirmed": 1}
    status = next(iter(counts))
    return MentionLink(doc_id=doc, concept_id=concept, count=sum(counts.values()), texts=("x",), max_score=1.0,
                       assertion=status, extractor="test", extractor_version="1", **counts)


def hub_and_comention_batch(schema: Schema) -> GraphBatch:
    """The human hub co-mentioned and 'associated' with metformin everywhere, and two more papers
    where metformin shares sentences with warfarin and lactic acid: reports must rank and filter."""
    cooc = predicate(schema, "biolink:occurs_together_in_literature_with")
    assoc = predicate(schema, "biolink:associated_with")
    docs = tuple(Document(id=f"PMID:{n}", source="pubmed", text="x", title=f"Paper {n}",
                          metadata={"journal": "J Test", "year": 2000 + n}) for n in (7, 8))
    evidence = tuple(
        ev(Triple(subject=MET.id, predicate=cooc, object=HUMAN.id), f"PMID:{n}", "Patients took metformin.", 1.0)
        for n in (1, 2, 3, 4)
    ) + (
        ev(Triple(subject=HUMAN.id, predicate=assoc, object=MET.id), "PMID:3", "Patients on metformin.", 0.99),
        ev(Triple(subject=MET.id, predicate=cooc, object=WARF.id), "PMID:7", "Metformin and warfarin.", 1.0),
        ev(Triple(subject=MET.id, predicate=cooc, object=WARF.id), "PMID:8", "Warfarin with metformin.", 1.0),
        ev(Triple(subject=MET.id, predicate=cooc, object=LAC.id), "PMID:8", "Metformin and lactic acid.", 1.0),
    )
    mentions = tuple(mention(e.doc_id, c) for e in evidence for c in (e.triple.subject, e.triple.object))
    return GraphBatch(documents=docs, concepts=(HUMAN,), mentions=tuple({(m.doc_id, m.concept_id): m
                                                                         for m in mentions}.values()),
                      evidence=evidence)


def second_note_batch() -> GraphBatch:
    """A later note of the same patient: leukopenia now denied, a family history of infections."""
    note = Document(id="NOTE:n2", source="note", text="x", title="Follow-up note",
                    metadata={"patient": PATIENT, "year": 2022})
    return GraphBatch(documents=(note,), concepts=(HUMAN,), mentions=(
        mention("NOTE:n2", LEUK.id, negated=1), mention("NOTE:n2", INF.id, family=1),
        mention("NOTE:n2", HUMAN.id)), evidence=())


def picture_graph(hubs: int, leaves: int):
    """A picture's graph without a store, as ``viz.neighbourhood`` gives it: a centre, ``hubs`` concepts
    around it and ``leaves`` concepts on each (one edge: vis-network's layout clusters such outliers),
    the labels taking turns. ``picture_graph(16, 10)`` has 177 concepts, more than vis-network's 150."""
    import networkx as nx

    labels = ("Disease", "Chemical", "Gene", "Finding", "Species")
    g = nx.Graph()
    g.add_node("X:center", name="Centre", type="Disease", labels=["Disease"])

    def link(u: str, v: str) -> None:
        h = {"predicate": "ASSOCIATED_WITH", "subject": u, "object": v, "combined_score": 0.9, "evidence_count": 1,
             "doc_count": 1}
        g.add_edge(u, v, shown=h, claimed=True, edges=[h])

    for i in range(hubs):
        hub = f"X:h{i:02d}"
        g.add_node(hub, name=f"hub {i}", type=labels[1 + i % 2], labels=[labels[1 + i % 2]])
        link("X:center", hub)
        for j in range(leaves):
            leaf = f"X:h{i:02d}l{j}"
            g.add_node(leaf, name=f"leaf {i}.{j}", type=labels[(i + j) % 5], labels=[labels[(i + j) % 5]])
            link(hub, leaf)
    return g


@pytest.fixture(scope="session")
def reason_schema(tmp_path_factory) -> Schema:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    path.write_text(Path(SCHEMA_PATH).read_text(encoding="utf-8") + INFERRED_YAML, encoding="utf-8")
    return Schema.load(path)


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    # No concept store in this cache dir: phrases resolve by exact name in the graph.
    return load_settings(data_dir=tmp_path_factory.mktemp("reason"), graph_name="reason",
                         cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def session_store(settings, reason_schema):
    store = open_store(settings, reason_schema)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def store(session_store):
    session_store.query("MATCH (n) DETACH DELETE n", write=True)
    session_store.write(tiny_batch(session_store.schema))
    session_store.refresh_findings([PATIENT])
    session_store.refresh_statistics()
    return session_store


@pytest.fixture(scope="session")
def tiny():
    """The tiny graph's concepts and helpers (a conftest cannot be imported under importlib mode)."""
    return SimpleNamespace(MET=MET, LA=LA, LAC=LAC, DM2=DM2, WARF=WARF, ASP=ASP, LEUK=LEUK, INF=INF, PATIENT=PATIENT,
                           HUMAN=HUMAN, predicate=predicate, hub_and_comention_batch=hub_and_comention_batch,
                           second_note_batch=second_note_batch, ev=ev, picture_graph=picture_graph)
