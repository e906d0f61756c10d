"""neo4j-admin CSVs and KGX TSV from a small graph in the embedded store."""

import csv

import pytest

from kg.config import Settings
from kg.graph.backends import open_store
from kg.graph.export import ARRAY_DELIMITER, export_kgx, export_neo4j_admin
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple

CHEM = Concept(id="MESH:D001241", name="Aspirin", type="Chemical", synonyms=("ASA", "acetylsalicylic; acid"),
               source="MeSH", release="2025")
DIS = Concept(id="MESH:D006261", name="Headache", type="Disease", xrefs=("HP:0002315",))
GENE = Concept(id="NCBIGene:5743", name="PTGS2", type="Gene")


def ev(doc: str, start: int, predicate: str, obj: Concept, score: float = 0.5, assertion="affirmed") -> Evidence:
    return Evidence(triple=Triple(subject=CHEM.id, predicate=predicate, object=obj.id), doc_id=doc,
                    sentence='Aspirin, "ASA",\nrelieved\theadache.', sentence_start=0, subject_span=(start, start + 7),
                    object_span=(30, 38), extractor="cooc", extractor_version="1", score=score, assertion=assertion)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("export"), graph_name="export")
    with open_store(settings) as s:
        s.ensure_schema()
        s.write(GraphBatch(
            documents=(Document(id="PMID:1", source="pubmed", text="x", title="One, with a comma",
                                metadata={"year": 2020, "journal": "J"}),
                       Document(id="PMID:2", source="pubmed", text="x", title="Two", metadata={"year": "2021"}),
                       Document(id="NOTE:abc", source="note", text="x", title="")),
            concepts=(CHEM, DIS, GENE),
            mentions=(MentionLink(doc_id="PMID:1", concept_id=CHEM.id, count=2, texts=("aspirin", "ASA"),
                                  max_score=0.9, affirmed=2, extractor="d", extractor_version="1"),),
            evidence=(ev("PMID:1", 0, "CO_OCCURS_WITH", DIS, 0.5),
                      ev("PMID:2", 0, "CO_OCCURS_WITH", DIS, 0.8, "negated"), ev("NOTE:abc", 0, "CO_OCCURS_WITH", DIS), ev("PMID:1", 50, "INDUCES", DIS, 0.9),
                      ev("PMID:2", 0, "BINDS", GENE), ev("NOTE:abc", 20, "ASSOCIATED_WITH", DIS)),
        ))
        yield s


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_neo4j_admin_csvs_have_typed_headers_and_every_row(store, tmp_path):
    summary = export_neo4j_admin(store, tmp_path, page_size=2)  # tiny pages: exercises pagination
    counts = store.counts()
    for node_type in store.schema.nodes:
        assert summary.rows[f"nodes_{node_type}.csv"] == counts["nodes"][node_type]
    for rel in store.schema.relationships:
        assert summary.rows[f"relationships_{rel}.csv"] == counts["relationships"][rel]

    header, docs = read_csv(tmp_path / "nodes_Document.csv")
    assert header[0] == "id:ID(Document)" and header[-1] == ":LABEL"
    assert "title:string" in header and "sections:string[]" in header
    assert "year:string" in header  # 2020 and "2021": mixed types fall back to text, nothing lost
    by_id = {d["id:ID(Document)"]: d for d in docs}
    assert by_id["PMID:1"]["title:string"] == "One, with a comma" and by_id["PMID:1"]["year:string"] == "2020"

    header, concepts = read_csv(tmp_path / "nodes_Concept.csv")
    aspirin = next(c for c in concepts if c["id:ID(Concept)"] == CHEM.id)
    assert aspirin[":LABEL"].split(ARRAY_DELIMITER) == ["Chemical", "Concept"]
    assert aspirin["synonyms:string[]"].split(ARRAY_DELIMITER) == ["ASA", "acetylsalicylic; acid"]

    header, evidence = read_csv(tmp_path / "nodes_Evidence.csv")
    assert header[0] == "key:ID(Evidence)" and "score:double" in header and "sentence_start:long" in header
    assert {e["sentence:string"] for e in evidence} == {'Aspirin, "ASA",\nrelieved\theadache.'}

    header, cooc = read_csv(tmp_path / "relationships_CO_OCCURS_WITH.csv")
    assert header[:2] == [":START_ID(Concept)", ":END_ID(Concept)"] and header[-1] == ":TYPE"
    assert "evidence_count:long" in header and "combined_score:double" in header
    [edge] = cooc
    assert (edge[":START_ID(Concept)"], edge[":END_ID(Concept)"], edge[":TYPE"]) == (CHEM.id, DIS.id, "CO_OCCURS_WITH")
    assert edge["evidence_count:long"] == "3"
    header, _ = read_csv(tmp_path / "relationships_IN_DOCUMENT.csv")
    assert header == [":START_ID(Evidence)", ":END_ID(Document)", ":TYPE"]

    md = (tmp_path / "IMPORT.md").read_text()
    assert summary.command in md and "neo4j-admin database import full" in summary.command
    for name in summary.rows:
        assert f"--{'nodes' if name.startswith('nodes_') else 'relationships'}={tmp_path / name}" in summary.command
    assert summary.command.rstrip().endswith("neo4j") and "--array-delimiter=U+001F" in summary.command


def test_kgx_has_biolink_categories_predicates_and_no_notes(store, tmp_path):
    summary = export_kgx(store, tmp_path, page_size=2)
    nodes = [line.split("\t") for line in (tmp_path / "nodes.tsv").read_text().splitlines()]
    edges = [line.split("\t") for line in (tmp_path / "edges.tsv").read_text().splitlines()]
    assert all(len(r) == len(nodes[0]) for r in nodes) and all(len(r) == len(edges[0]) for r in edges)
    n = {r[0]: dict(zip(nodes[0], r, strict=True)) for r in nodes[1:]}
    assert n[CHEM.id]["category"] == "biolink:ChemicalEntity" and n[CHEM.id]["synonym"] == "ASA|acetylsalicylic; acid"
    assert n[DIS.id]["category"] == "biolink:Disease" and n[DIS.id]["xref"] == "HP:0002315"
    assert n[GENE.id]["category"] == "biolink:Gene"
    assert n["PMID:1"]["category"] == "biolink:Publication" and n["PMID:1"]["publication_year"] == "2020"
    assert "NOTE:abc" not in n
    assert summary.skipped == {"clinical notes (private, not publications)": 1,
                               "edges only clinical notes support (private)": 1}  # ASSOCIATED_WITH
    e = {r[2]: dict(zip(edges[0], r, strict=True)) for r in edges[1:]}
    assert set(e) == {"biolink:occurs_together_in_literature_with", "biolink:causes",
                      "biolink:directly_physically_interacts_with"}
    cooc = e["biolink:occurs_together_in_literature_with"]
    assert cooc["publications"] == "PMID:1|PMID:2" and cooc["knowledge_level"] == "statistical_association"
    # counted over the papers alone (the graph's own edge counts the note too: 3 evidence, 3 documents)
    assert (cooc["evidence_count"], cooc["doc_count"], cooc["affirmed_count"], cooc["negated_count"]) == ("2", "2", "1", "1")
    assert float(cooc["max_score"]) == 0.8 and float(cooc["combined_score"]) == pytest.approx(1 - 0.5 * 0.2)
    assert e["biolink:causes"]["knowledge_level"] == "knowledge_assertion"
    assert summary.rows == {"nodes.tsv": 5, "edges.tsv": 3}


def test_exports_carry_the_curation_state(tmp_path):
    from kg.curation import Curation, new_decision

    def d(kind, **f):
        return new_decision(kind, reason="r", author="a", date="2025-01-01", **f)

    cur = Curation(None, (d("reject", subject=CHEM.id, predicate="CO_OCCURS_WITH", object=DIS.id),
                          d("confirm", subject=CHEM.id, predicate="INDUCES", object=DIS.id),
                          d("same_as", subject="MESH:C000001", object=CHEM.id)))
    settings = Settings(data_dir=tmp_path / "data", graph_name="export-curated")
    with open_store(settings) as s:
        s.ensure_schema()
        s.write(GraphBatch(documents=(Document(id="PMID:1", source="pubmed", text="x", title="One"),),
                           concepts=(CHEM, DIS),
                           evidence=(ev("PMID:1", 0, "CO_OCCURS_WITH", DIS), ev("PMID:1", 50, "INDUCES", DIS, 0.9))))
        triples = [{"triple_key": Triple(subject=CHEM.id, predicate=p, object=DIS.id).key, "predicate": p,
                    "subject": CHEM.id, "object": DIS.id} for p in ("CO_OCCURS_WITH", "INDUCES")]
        s.refresh_curation(cur, triples, [CHEM.id])
        kgx = export_kgx(s, tmp_path / "kgx")
        export_neo4j_admin(s, tmp_path / "admin")
    rows = [line.split("\t") for line in (tmp_path / "kgx" / "edges.tsv").read_text().splitlines()]
    [edge] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert edge["predicate"] == "biolink:causes" and edge["curation_status"] == "confirmed"
    assert edge["agent_type"] == "manual_validation_of_automated_agent"
    assert kgx.skipped == {"edges rejected by curation (all their evidence rejected)": 1}
    nodes = [line.split("\t") for line in (tmp_path / "kgx" / "nodes.tsv").read_text().splitlines()]
    assert {r[0]: dict(zip(nodes[0], r, strict=True)) for r in nodes[1:]}[CHEM.id]["same_as"] == "MESH:C000001"

    header, cooc = read_csv(tmp_path / "admin" / "relationships_CO_OCCURS_WITH.csv")
    assert "rejected:boolean" in header and "curation_status:string" in header and "evidence_count:long" not in header
    assert cooc[0]["rejected:boolean"] == "true" and cooc[0]["rejected_evidence:long"] == "1"
    header, induces = read_csv(tmp_path / "admin" / "relationships_INDUCES.csv")
    assert induces[0]["confirmed:boolean"] == "true"
    header, evidence = read_csv(tmp_path / "admin" / "nodes_Evidence.csv")
    assert sorted(e.get("rejected:boolean", "") for e in evidence) == ["", "true"]
    header, concepts = read_csv(tmp_path / "admin" / "nodes_Concept.csv")
    assert next(c for c in concepts if c["id:ID(Concept)"] == CHEM.id)["aliases:string[]"] == "MESH:C000001"


def test_kgx_figures_count_retracted_papers_but_score_them_not():
    from kg.graph.export import publication_figures

    rows = [{"doc": "PMID:1", "score": 0.6, "retracted": True, "assertion": "affirmed"},
            {"doc": "PMID:2", "score": 0.3, "retracted": None, "assertion": "affirmed"},
            {"doc": "PMID:2", "score": 0.4, "retracted": None, "assertion": "negated"},
            {"doc": "NOTE:x", "score": 0.9, "retracted": None, "assertion": "affirmed"}]
    pubs, n, docs, top, combined, affirmed, negated = publication_figures(rows)
    assert (pubs, n, docs, affirmed, negated) == (["PMID:1", "PMID:2"], 3, 2, 2, 1)
    assert top == 0.4 and combined == pytest.approx(0.4)  # PMID:2 once, at its best; PMID:1 retracted
    assert publication_figures(rows[:1])[3:5] == (None, 0.0)  # rests only on a retracted paper
    assert publication_figures(rows[3:]) is None  # notes alone: not exported
