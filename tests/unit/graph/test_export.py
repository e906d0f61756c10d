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


def mentions_of(evidence) -> tuple[MentionLink, ...]:
    """The MENTIONS links ingestion writes beside evidence: a document mentions both concepts it relates."""
    pairs = dict.fromkeys((e.doc_id, c) for e in evidence for c in (e.triple.subject, e.triple.object))
    return tuple(MentionLink(doc_id=d, concept_id=c, count=1, texts=("x",), max_score=0.9, affirmed=1, extractor="d",
                             extractor_version="1") for d, c in pairs)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("export"), graph_name="export")
    with open_store(settings) as s:
        s.ensure_schema()
        evidence = (ev("PMID:1", 0, "CO_OCCURS_WITH", DIS, 0.5), ev("PMID:2", 0, "CO_OCCURS_WITH", DIS, 0.8, "negated"),
                    ev("NOTE:abc", 0, "CO_OCCURS_WITH", DIS), ev("PMID:1", 50, "INDUCES", DIS, 0.9),
                    ev("PMID:2", 0, "BINDS", GENE), ev("NOTE:abc", 20, "ASSOCIATED_WITH", DIS))
        s.write(GraphBatch(
            documents=(Document(id="PMID:1", source="pubmed", text="x", title="One, with a comma",
                                metadata={"year": 2020, "journal": "J"}),
                       Document(id="PMID:2", source="pubmed", text="x", title="Two", metadata={"year": "2021"}),
                       Document(id="NOTE:abc", source="note", text="x", title="")),
            concepts=(CHEM, DIS, GENE),
            mentions=(MentionLink(doc_id="PMID:1", concept_id=CHEM.id, count=2, texts=("aspirin", "ASA"),
                                  max_score=0.9, affirmed=2, extractor="d", extractor_version="1"),)
            + mentions_of(evidence[1:]),
            evidence=evidence,
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
    assert "--array-delimiter=U+001F" in summary.command


def test_the_import_command_names_the_database_before_the_options():
    """Neo4j 5.19+ reads a name after --relationships=… as one more file ("File 'neo4j' doesn't exist")."""
    from pathlib import Path

    from kg.graph.export import import_command

    command = import_command(Path("/import"), ["nodes_Concept.csv"], ["relationships_INDUCES.csv"], "medkg")
    words = command.replace("\\\n", " ").split()
    assert words[:5] == ["neo4j-admin", "database", "import", "full", "medkg"]
    assert all(w.startswith("--") for w in words[5:]) and words[-1] == "--relationships=/import/relationships_INDUCES.csv"


def test_the_import_commands_survive_a_folder_name_the_shell_would_split(tmp_path):
    """QA: "my export (v2)" broke IMPORT.md's bash block (a syntax error at the bracket, or the path read as
    two arguments); every path and the database name are quoted, so a real shell hands them over whole."""
    import shlex
    import subprocess

    from kg.graph.export import import_command

    folder = tmp_path / "my export (v2)"
    command = import_command(folder, ["nodes_Concept.csv"], ["relationships_INDUCES.csv"], "my db")
    fake = tmp_path / "neo4j-admin"  # prints each argument on its own line, as the shell passed it
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    fake.chmod(0o755)
    out = subprocess.run(["bash", "-c", command], env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[:4] == ["database", "import", "full", "my db"]
    assert f"--nodes={folder / 'nodes_Concept.csv'}" in out
    assert out[-1] == f"--relationships={folder / 'relationships_INDUCES.csv'}"
    assert shlex.split(command.replace("\\\n", " "))[4] == "my db"


def test_kgx_cells_hold_a_pipe_only_between_list_values():
    """QA: a title "A | B" was written as is, and KGX readers split any cell on '|' (two names)."""
    from kg.graph.export import _tsv

    assert _tsv("Cisplatin | a study\tof\nrats") == "Cisplatin / a study of rats"
    assert _tsv(["MESH:D1", "a|b"]) == "MESH:D1|a/b"


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
    # PMID:2 negates it: counted, never scored
    assert float(cooc["max_score"]) == 0.5 and float(cooc["combined_score"]) == pytest.approx(0.5)
    assert {r[1] for r in edges[1:]} | {r[3] for r in edges[1:]} <= set(n)  # every edge's ends are nodes
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
        evidence = (ev("PMID:1", 0, "CO_OCCURS_WITH", DIS), ev("PMID:1", 50, "INDUCES", DIS, 0.9))
        s.write(GraphBatch(documents=(Document(id="PMID:1", source="pubmed", text="x", title="One"),),
                           concepts=(CHEM, DIS), mentions=mentions_of(evidence), evidence=evidence))
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


def test_kgx_figures_leave_retracted_papers_out_of_publications_counts_and_scores():
    """KGX has no retracted column: a retracted paper listed or counted on an edge would be cited."""
    from kg.graph.export import publication_figures

    rows = [{"doc": "PMID:1", "score": 0.6, "retracted": True, "assertion": "affirmed"},
            {"doc": "PMID:2", "score": 0.3, "retracted": None, "assertion": "affirmed"},
            {"doc": "PMID:2", "score": 0.4, "retracted": None, "assertion": "negated"},
            {"doc": "NOTE:x", "score": 0.9, "retracted": None, "assertion": "affirmed"}]
    pubs, n, docs, top, combined, affirmed, negated = publication_figures(rows)
    assert (pubs, n, docs, affirmed, negated) == (["PMID:2"], 2, 1, 1, 1)
    # PMID:2 once, at its best scored sentence (0.4 negates it: counted, not scored)
    assert top == 0.3 and combined == pytest.approx(0.3)
    assert publication_figures(rows[:1]) == ([], 0, 0, None, 0.0, 0, 0)  # rests only on a retracted paper
    assert publication_figures(rows[3:]) is None  # notes alone: not exported


def test_kgx_rows_leave_retracted_papers_out_and_neo4j_admin_keeps_them_flagged(tmp_path):
    """The QA case: an edge two retracted papers and one unretracted copy support."""
    evidence = tuple(ev(d, 0, "INDUCES", DIS, 0.9).model_copy(update={"retracted": d != "PMID:3"})
                     for d in ("PMID:1", "PMID:2", "PMID:3"))
    settings = Settings(data_dir=tmp_path / "data", graph_name="export-retracted")
    with open_store(settings) as s:
        s.ensure_schema()
        s.write(GraphBatch(documents=tuple(Document(id=d, source="pubmed", text="x", title=d)
                                           for d in ("PMID:1", "PMID:2", "PMID:3")),
                           concepts=(CHEM, DIS), mentions=mentions_of(evidence), evidence=evidence))
        export_kgx(s, tmp_path / "kgx")
        export_neo4j_admin(s, tmp_path / "admin")
    rows = [line.split("\t") for line in (tmp_path / "kgx" / "edges.tsv").read_text().splitlines()]
    [edge] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert edge["publications"] == "PMID:3"
    assert (edge["evidence_count"], edge["doc_count"], edge["affirmed_count"]) == ("1", "1", "1")
    # neo4j-admin copies the graph as it is: every paper counted, retraction in its own properties
    _, [induces] = read_csv(tmp_path / "admin" / "relationships_INDUCES.csv")
    assert (induces["evidence_count:long"], induces["retracted_count:long"]) == ("3", "2")
    _, evidence_rows = read_csv(tmp_path / "admin" / "nodes_Evidence.csv")
    assert sorted(e["retracted:boolean"] for e in evidence_rows) == ["false", "true", "true"]


def test_the_import_command_has_absolute_paths_whatever_folder_was_given(store, tmp_path, monkeypatch):
    """IMPORT.md's command must work from any folder, not only the one the export ran in."""
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    summary = export_neo4j_admin(store, Path("ex1"))
    md = (tmp_path / "ex1" / "IMPORT.md").read_text()
    assert f"--nodes={tmp_path.resolve() / 'ex1' / 'nodes_Document.csv'}" in summary.command
    assert summary.command in md and "--nodes=ex1/" not in md


@pytest.mark.parametrize("blocker", ["folder", "dangling link"])
@pytest.mark.parametrize("kind", ["kgx", "neo4j-admin"])
def test_a_target_file_that_cannot_be_replaced_is_refused_before_any_work(store, tmp_path, kind, blocker):
    import os

    from kg.errors import ArgumentError

    export, name, first = ((export_kgx, "edges.tsv", "nodes.tsv") if kind == "kgx"
                           else (export_neo4j_admin, "IMPORT.md", "nodes_Document.csv"))
    out = tmp_path / "out"
    out.mkdir()
    if blocker == "folder":
        (out / name).mkdir()
    else:
        os.symlink("/nonexistent/x", out / name)
    with pytest.raises(ArgumentError, match=f"E004: cannot write {out / name}: it is a"):
        export(store, out)
    assert not (out / first).exists() and sorted(p.name for p in out.iterdir()) == [name]


@pytest.mark.parametrize("kind", ["kgx", "neo4j-admin"])
def test_a_failure_while_writing_is_coded_and_leaves_the_earlier_export_as_it_was(store, tmp_path, monkeypatch, kind):
    import errno

    import kg.graph.export as export_module
    from kg.errors import MedkgError

    export = export_kgx if kind == "kgx" else export_neo4j_admin
    export(store, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_module, "_write_edges" if kind == "kgx" else "import_command", full)
    with pytest.raises(MedkgError, match=f"E009: cannot finish the export to {tmp_path}: No space left on device"):
        export(store, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no mix, no temporary folder left


def test_kgx_figures_score_no_negated_hypothetical_or_family_sentence():
    from kg.graph.export import publication_figures

    for assertion in ("negated", "hypothetical", "family"):
        rows = [{"doc": "PMID:1", "score": 0.9, "retracted": None, "assertion": assertion}]
        assert publication_figures(rows)[1:5] == (1, 1, None, 0.0), assertion
    for assertion in ("affirmed", "uncertain", "historical", None):  # these still state the relation
        rows = [{"doc": "PMID:1", "score": 0.9, "retracted": None, "assertion": assertion}]
        assert publication_figures(rows)[3] == 0.9, assertion


def test_kgx_leaves_out_note_only_concepts_and_edges_without_scored_evidence(tmp_path):
    """A concept only notes mention (a cohort's diagnosis) is private; an edge resting on retracted papers
    or negated sentences alone is no claim, and KGX has no column a consumer would read as saying so."""
    note_only = Concept(id="MESH:D003924", name="Diabetes Mellitus, Type 2", type="Disease")
    retracted = ev("PMID:3", 0, "POSITIVELY_CORRELATED_WITH", DIS, 0.9).model_copy(update={"retracted": True})
    evidence = (ev("PMID:1", 50, "INDUCES", DIS, 0.9), retracted, ev("PMID:1", 0, "BINDS", GENE, 0.8, "negated"),
                ev("NOTE:abc", 0, "ASSOCIATED_WITH", note_only, 0.9))
    settings = Settings(data_dir=tmp_path / "data", graph_name="export-unscored")
    with open_store(settings) as s:
        s.ensure_schema()
        s.write(GraphBatch(
            documents=(Document(id="PMID:1", source="pubmed", text="x", title="One"),
                       Document(id="PMID:3", source="pubmed", text="x", title="Retracted"),
                       Document(id="NOTE:abc", source="note", text="x", title="")),
            concepts=(CHEM, DIS, GENE, note_only), mentions=mentions_of(evidence), evidence=evidence))
        summary = export_kgx(s, tmp_path / "kgx", page_size=2)
    nodes = [line.split("\t")[0] for line in (tmp_path / "kgx" / "nodes.tsv").read_text().splitlines()[1:]]
    assert note_only.id not in nodes and {CHEM.id, DIS.id, GENE.id} <= set(nodes)
    rows = [line.split("\t") for line in (tmp_path / "kgx" / "edges.tsv").read_text().splitlines()]
    assert [r[2] for r in rows[1:]] == ["biolink:causes"]
    assert summary.skipped == {
        "concepts no publication mentions (only clinical notes: private)": 1,
        "clinical notes (private, not publications)": 1,
        "edges only clinical notes support (private)": 1,
        "edges resting only on retracted papers (no scored evidence)": 1,
        "edges with no scored evidence in publications (only negated, hypothetical or family-history sentences)": 1,
    }


QUOTED_EMPTY = object()  # a field written "": csv.reader reads it as '', as it does an empty field


def neo4j_admin_rows(path):
    """Records as neo4j-admin's reader splits them (RFC 4180 quotes, multiline fields, a bare '\\r' or
    '\\n' ends the record), a quoted empty field kept apart from an empty one."""
    with path.open(encoding="utf-8", newline="") as fh:
        text, rows, row, i = fh.read(), [], [], 0
    while i < len(text):
        if text[i] == '"':
            value, i = "", i + 1
            while True:
                end = text.index('"', i)
                value += text[i:end]
                if text[end + 1:end + 2] != '"':
                    i = end + 1
                    break
                value, i = value + '"', end + 2
            row.append(value or QUOTED_EMPTY)
        else:
            end = i
            while end < len(text) and text[end] not in ",\r\n":
                end += 1
            row.append(text[i:end])
            i = end
        if i >= len(text) or text[i] in "\r\n":
            rows.append(row)
            row = []
        i += 1
    return rows


def imported(path):
    """{id: properties} as neo4j-admin imports a node file with the export's flags: an empty field is no
    property, "" is '' in a string column (--ignore-empty-strings=false), and an empty array is skipped."""
    header, *rows = neo4j_admin_rows(path)
    out = {}
    for row in rows:
        assert len(row) == len(header), row
        props = {}
        for column, value in zip(header[1:-1], row[1:-1], strict=True):
            name, kind = column.split(":")
            if value == "" or (value is QUOTED_EMPTY and kind.endswith("[]")):
                continue
            value = "" if value is QUOTED_EMPTY else value
            props[name] = value.split(ARRAY_DELIMITER) if kind.endswith("[]") else value
        out[row[0]] = props
    return out


def test_neo4j_admin_keeps_empty_strings_apart_from_no_value_and_says_empty_lists_import_as_none(tmp_path):
    """A note's title '' is written "" (neo4j-admin: an empty string), not as an empty field (no property);
    an empty list, which neo4j-admin cannot store, is written "" too, and IMPORT.md counts them."""
    settings = Settings(data_dir=tmp_path / "data", graph_name="export-empty")
    with open_store(settings) as s:
        s.ensure_schema()
        s.write(GraphBatch(
            documents=(Document(id="PMID:1", source="pubmed", text="x", title="One\rtwo",
                                metadata={"journal": "J", "chemicals": [CHEM.id]}),
                       Document(id="PMID:2", source="pubmed", text="x", title="Two", metadata={"chemicals": []}),
                       Document(id="NOTE:abc", source="note", text="x", title="")),
            concepts=(CHEM, GENE),
            mentions=(MentionLink(doc_id="NOTE:abc", concept_id=GENE.id, count=1, texts=(), max_score=0.9,
                                  affirmed=1, extractor="d", extractor_version="1"),),
        ))
        graph = {r["k"]: r["p"] for r in s.query("MATCH (d:Document) RETURN d.id AS k, properties(d) AS p")}
        summary = export_neo4j_admin(s, tmp_path / "out")
    assert graph["NOTE:abc"]["title"] == "" and graph["PMID:2"]["chemicals"] == []  # what the export must carry

    docs = imported(tmp_path / "out" / "nodes_Document.csv")
    assert docs["NOTE:abc"]["title"] == ""  # was an empty field: imported as no title at all
    assert docs["PMID:1"]["title"] == "One\rtwo"  # a bare '\r' would end the record there
    assert docs["PMID:1"]["journal"] == "J" and "journal" not in docs["PMID:2"]  # no value: no property
    assert docs["PMID:1"]["chemicals"] == [CHEM.id] and "chemicals" not in docs["PMID:2"]
    concepts = imported(tmp_path / "out" / "nodes_Concept.csv")
    assert concepts[CHEM.id]["synonyms"] == ["ASA", "acetylsalicylic; acid"] and "synonyms" not in concepts[GENE.id]

    # every empty list is written "" (kept apart from no value in the file), and counted
    header, *rows = neo4j_admin_rows(tmp_path / "out" / "nodes_Document.csv")
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_id["PMID:2"]["chemicals:string[]"] is QUOTED_EMPTY and by_id["NOTE:abc"]["chemicals:string[]"] == ""
    header, *rows = neo4j_admin_rows(tmp_path / "out" / "relationships_MENTIONS.csv")
    assert [dict(zip(header, r, strict=True))["texts:string[]"] for r in rows] == [QUOTED_EMPTY]
    assert summary.empty_lists == {"nodes_Document.csv": {"sections": 3, "chemicals": 1},  # no sections given
                                   "nodes_Concept.csv": {"synonyms": 1, "xrefs": 2},
                                   "relationships_MENTIONS.csv": {"texts": 1, "sections": 1}}
    md = (tmp_path / "out" / "IMPORT.md").read_text()
    assert "| nodes_Concept.csv | xrefs | 2 |" in md and "| relationships_MENTIONS.csv | texts | 1 |" in md
    assert "neo4j-admin stores no empty list" in md and "coalesce(n.synonyms, [])" in md
    assert "--ignore-empty-strings=false" in summary.command
