"""Curation on the embedded store: each decision kind applied to a graph at once, and a rebuild from
scratch (same input, same curation file; and a new fingerprint) gives the same curated graph.

The chain is the tiny word extractor and linker of ``tests/fakes.py``'s kind (no models), followed
by the real :class:`CuratedLinks`; the store, ledger, assembler, pipeline and curator are real.
"""

from __future__ import annotations

import re

import pytest

from kg.assemble import Assembler
from kg.config import Settings
from kg.curation import HEADER, CurationSource, append_decision, new_decision, read_decisions
from kg.curator import apply_curation
from kg.errors import CurationError
from kg.graph.backends import open_store
from kg.ledger import Ledger
from kg.link.curated import CuratedLinks
from kg.models import Candidate, Concept, Mention, Triple
from kg.pipeline import Annotator, Pipeline
from kg.sources.pubmed import iter_pubmed
from kg.text.analyzer import TextAnalyzer

from graph_snapshot import snapshot

LEXICON = {
    "aspirin": ("MESH:D001241", "Chemical"),
    "asa": ("MESH:C000001", "Chemical"),  # a duplicate of aspirin: same_as
    "headache": ("MESH:D006261", "Disease"),
    "fever": ("MESH:D005334", "Disease"),
    "pyrexia": ("HP:0001945", "Disease"),  # linked to HPO where MeSH's Fever is wanted: wrong_link
}
NAMES = {cid: word for word, (cid, _) in LEXICON.items()}
TYPES = {cid: t for cid, t in LEXICON.values()}
ASPIRIN, ASA, HEADACHE, FEVER, PYREXIA = (LEXICON[w][0] for w in ("aspirin", "asa", "headache", "fever", "pyrexia"))
TEXTS = {
    1: "Aspirin relieved headache. Fever was absent.",
    2: "ASA relieved headache and fever.",
    3: "Pyrexia and headache after aspirin.",
    4: "Headache with fever. Later fever and headache again.",
    5: "Nothing to see.",
}


def concepts(ids):
    return {i: Concept(id=i, name=NAMES[i], type=TYPES[i]) for i in ids if i in NAMES}


class Words:
    name, version, settings = "words", "1", {}

    def pipe(self, docs, batch_size=1):
        for d in docs:
            found = []
            for m in re.finditer(r"[A-Za-z]+", d.text):
                if m.group().lower() in LEXICON:
                    s, e = d.sentence_of(m.start(), m.end())
                    found.append(Mention(doc_id=d.id, start=m.start(), end=m.end(), text=m.group(),
                                         label=LEXICON[m.group().lower()][1], extractor="words",
                                         extractor_version="1", sentence_start=s, sentence_end=e))
            d.mentions = tuple(found)
            yield d


class Linker:
    name, settings = "lexicon", {}

    def __init__(self, version="1"):
        self.version = version

    def pipe(self, docs, batch_size=1):
        for d in docs:
            d.mentions = tuple(m.model_copy(update={"candidates": (
                Candidate(concept_id=LEXICON[m.text.lower()][0], score=0.9),)}) for m in d.mentions)
            d.concepts = concepts({m.concept_id for m in d.mentions})
            yield d


def builder(linker_version="1"):
    def build(settings, *, store, ledger, source_name, keep_note_text=False):
        source = CurationSource(settings.curation_path)
        annotator = Annotator(TextAnalyzer(), [Words(), Linker(linker_version), CuratedLinks(source, concepts)])
        return Pipeline(annotator=annotator, assembler=Assembler(keep_note_text=keep_note_text), store=store,
                        ledger=ledger, batch_size=2, source_name=source_name, curation=source)
    return build


def pubmed_xml(texts: dict[int, str]) -> str:
    articles = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{n}</PMID><Article><Journal><Title>J</Title>'
        f"<JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue></Journal><ArticleTitle>Title {n}."
        f"</ArticleTitle><Abstract><AbstractText>{t}</AbstractText></Abstract></Article></MedlineCitation>"
        "</PubmedArticle>" for n, t in texts.items())
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>{articles}</PubmedArticleSet>\n'


class World:
    """One data dir: its store and ledger, ingesting the input file the way `medkg ingest` does."""

    def __init__(self, tmp_path, name, curation, xml):
        self.settings = Settings(data_dir=tmp_path / name, curation=curation, graph_name="curation")
        self.xml = xml
        self.store = open_store(self.settings)
        self.store.ensure_schema()
        self.ledger = Ledger(self.settings.ledger_path)

    def ingest(self, linker_version="1"):
        build = builder(linker_version)
        apply_curation(self.settings, self.store, self.ledger, build=build)
        pipeline = build(self.settings, store=self.store, ledger=self.ledger, source_name="pubmed")
        return pipeline.run(iter_pubmed(self.xml), command="ingest pubmed", inputs=[str(self.xml)])

    def curate(self, decision):
        assert append_decision(self.settings.curation_path, decision)
        return apply_curation(self.settings, self.store, self.ledger, build=builder())

    def graph(self):
        return snapshot(self.store)

    def query(self, cypher, **params):
        return self.store.query(cypher, params)

    def edge(self, subject, predicate, obj):
        key = Triple(subject=subject, predicate=predicate, object=obj).key
        rows = self.query("MATCH ()-[t {key: $key}]->() RETURN properties(t) AS t", key=key)
        return rows[0]["t"] if rows else None

    def close(self):
        self.store.close()
        self.ledger.close()


@pytest.fixture
def setup(tmp_path):
    xml = tmp_path / "input.xml"
    xml.write_text(pubmed_xml(TEXTS))
    worlds = []

    def world(name, curation=tmp_path / "curation.tsv"):
        w = World(tmp_path, name, curation, xml)
        worlds.append(w)
        return w

    yield world, tmp_path
    for w in worlds:
        w.close()


def assert_same(got: dict, want: dict) -> None:
    diff = {f"{kind} {side}": sorted(set(x[kind]) - set(y[kind]))
            for kind in ("nodes", "relationships") for side, x, y in (("extra", got, want), ("missing", want, got))}
    assert got == want, {k: v for k, v in diff.items() if v}


def decide(kind, **fields):
    return new_decision(kind, reason="test", author="curator", date="2025-01-01", **fields)


def test_each_decision_applies_at_once_and_a_rebuild_gives_the_same_graph(setup):
    world, tmp = setup
    plain = world("plain", curation=tmp / "no-curation.tsv")
    plain.ingest()
    uncurated = plain.graph()

    a = world("a")
    a.ingest()
    assert a.graph() == uncurated

    # reject an edge: kept for audit, no aggregates, its evidence flagged
    result = a.curate(decide("reject", subject=ASPIRIN, predicate="CO_OCCURS_WITH", object=HEADACHE))
    assert result.edges >= 1 and result.redone == 0
    edge = a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)
    assert edge["rejected"] is True and edge["curation_status"] == "rejected" and "evidence_count" not in edge
    assert edge["rejected_evidence"] == 2
    facts = a.query("MATCH (:Concept {id: $id})-[t]-(o:Concept) WHERE t.evidence_count IS NOT NULL "
                    "RETURN o.id AS o", id=ASPIRIN)
    assert HEADACHE not in {r["o"] for r in facts}

    # reject one evidence: the edge's aggregates leave it out
    before = a.edge(FEVER, "CO_OCCURS_WITH", HEADACHE)
    ev = a.query("MATCH (e:Evidence {doc_id: 'PMID:4'}) RETURN e.key AS key ORDER BY e.sentence_start")[0]
    a.curate(decide("reject", subject=FEVER, predicate="CO_OCCURS_WITH", object=HEADACHE, evidence=ev["key"],
                    document="PMID:4"))
    after = a.edge(FEVER, "CO_OCCURS_WITH", HEADACHE)
    assert after["evidence_count"] == before["evidence_count"] - 1 and after["rejected_evidence"] == 1
    assert "curation_status" not in after

    # confirm: flagged, the score stays the model's
    a.curate(decide("confirm", subject=FEVER, predicate="CO_OCCURS_WITH", object=HEADACHE))
    confirmed = a.edge(FEVER, "CO_OCCURS_WITH", HEADACHE)
    assert confirmed["confirmed"] is True and confirmed["curation_status"] == "confirmed"
    assert confirmed["combined_score"] == after["combined_score"]

    # same_as: one node, the alias kept on it; the documents linked to the alias are redone
    result = a.curate(decide("same_as", subject=ASA, object=ASPIRIN))
    assert result.redone == 1 and result.concepts_deleted == 1
    assert a.query("MATCH (c:Concept {id: $id}) RETURN c", id=ASA) == []
    [kept] = a.query("MATCH (c:Concept {id: $id}) RETURN c.aliases AS aliases", id=ASPIRIN)
    assert kept["aliases"] == [ASA]
    docs = {r["d"] for r in a.query("MATCH (d:Document)-[:MENTIONS]->(:Concept {id: $id}) RETURN d.id AS d",
                                    id=ASPIRIN)}
    assert docs == {"PMID:1", "PMID:2", "PMID:3"}
    from kg.reason.ask import resolve_target

    assert resolve_target(a.store, a.settings, ASA) == ASPIRIN  # the alias id still resolves
    # the rejected edge now has PMID:2's evidence too (asa -> aspirin), rejected like the rest
    assert a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)["rejected_evidence"] == 3

    # wrong_link everywhere, to another id: pyrexia means MeSH Fever
    result = a.curate(decide("wrong_link", text="pyrexia", subject=PYREXIA, object=FEVER))
    assert result.redone == 1 and a.query("MATCH (c:Concept {id: $id}) RETURN c", id=PYREXIA) == []
    [m] = a.query("MATCH (:Document {id: 'PMID:3'})-[m:MENTIONS]->(:Concept {id: $id}) RETURN m.texts AS t", id=FEVER)
    assert m["t"] == ["Pyrexia"]

    # wrong_link in one document, to NIL
    a.curate(decide("wrong_link", text="fever", subject=FEVER, object="NIL", document="PMID:4"))
    assert a.query("MATCH (:Document {id: 'PMID:4'})-[m:MENTIONS]->(:Concept {id: $id}) RETURN m", id=FEVER) == []
    assert a.query("MATCH (:Document {id: 'PMID:2'})-[m:MENTIONS]->(:Concept {id: $id}) RETURN m", id=FEVER) != []
    curated = a.graph()
    assert curated != uncurated

    # the data dir deleted, the same input re-ingested with the same curation file: the same graph
    b = world("b")
    b.ingest()
    assert_same(b.graph(), curated)

    # a new fingerprint (a new linker version) redoes every document: they still obey
    summary = b.ingest(linker_version="2")
    assert summary.written == summary.revised == len(TEXTS)
    assert_same(b.graph(), curated)

    # everything taken back: the graph of no curation at all
    for d in read_decisions(a.settings.curation_path):
        if d.decision != "retract":
            a.curate(decide("retract", subject=d.id))
    assert_same(a.graph(), uncurated)


def test_decisions_recorded_before_the_first_ingest_apply_to_it(setup):
    world, tmp = setup
    c = world("c")
    assert append_decision(c.settings.curation_path, decide("same_as", subject=ASA, object=ASPIRIN))
    c.ingest()
    assert c.query("MATCH (c:Concept {id: $id}) RETURN c", id=ASA) == []
    assert c.ledger.curation_applied()  # what the graph now reflects
    again = c.ingest()
    assert again.written == 0  # nothing changed since: nothing is redone


def test_a_line_edited_in_place_is_refused_until_its_id_is_emptied(setup):
    world, _ = setup
    a = world("a")
    a.ingest()
    reject = decide("reject", subject=ASPIRIN, predicate="CO_OCCURS_WITH", object=HEADACHE)
    a.curate(reject)
    path = a.settings.curation_path
    edited = path.read_text().replace("\treject\t", "\tconfirm\t")
    path.write_text(edited)
    # the id still names the reject the graph and the ledger hold: applying would miss the change
    with pytest.raises(CurationError) as err:
        apply_curation(a.settings, a.store, a.ledger, build=builder())
    assert err.value.code == "E168" and f"{path}: line 2" in err.value.message
    assert a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)["curation_status"] == "rejected"

    path.write_text(edited.replace(reject.id, "", 1))  # the edited line is now a decision of its own
    result = apply_curation(a.settings, a.store, a.ledger, build=builder())
    assert [d.decision for d in result.added] == ["confirm"] and result.removed == [reject]
    edge = a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)
    assert edge["curation_status"] == "confirmed" and "rejected" not in edge and edge["evidence_count"] == 2
    b = world("b")
    b.ingest()
    assert_same(b.graph(), a.graph())


def test_a_document_level_wrong_link_after_a_global_one_is_applied_at_once(setup):
    world, _ = setup
    a = world("d")
    a.ingest()
    a.curate(decide("wrong_link", text="pyrexia", subject=PYREXIA, object=FEVER))
    result = a.curate(decide("wrong_link", text="pyrexia", subject=PYREXIA, object="NIL", document="PMID:3"))
    assert result.redone == 1  # PMID:3 no longer links pyrexia to the wrong id, but the new decision changes it
    fresh = world("e", curation=a.settings.curation_path)
    fresh.ingest()
    assert_same(a.graph(), fresh.graph())


def test_documents_left_waiting_are_redone_by_a_later_apply(setup):
    world, tmp = setup
    a = world("w")
    a.ingest()
    assert append_decision(a.settings.curation_path, decide("same_as", subject=ASA, object=ASPIRIN))
    assert apply_curation(a.settings, a.store, a.ledger, redo=False, build=builder()).marked == 1
    a.xml.rename(tmp / "moved.xml")
    waiting = apply_curation(a.settings, a.store, a.ledger, build=builder())
    assert waiting.redone == 0 and [p["why"] for p in waiting.pending] == [f"their input {a.xml} is not here"]
    (tmp / "moved.xml").rename(a.xml)
    result = apply_curation(a.settings, a.store, a.ledger, build=builder())  # the file has not changed since
    assert result.redone == 1 and result.pending == []
    assert a.query("MATCH (c:Concept {id: $id}) RETURN c", id=ASA) == []


def test_notes_wait_for_their_key():
    from kg.curator import _why_waiting

    assert "set MEDKG_PSEUDONYM_KEY" in _why_waiting("note", (__file__,), None)


def test_a_missing_curation_file_does_not_undo_the_decisions_applied(setup):
    world, tmp = setup
    a = world("m")
    a.ingest()
    a.curate(decide("reject", subject=ASPIRIN, predicate="CO_OCCURS_WITH", object=HEADACHE))
    typo = a.settings.model_copy(update={"curation": tmp / "curaton.tsv"})
    with pytest.raises(CurationError) as err:
        apply_curation(typo, a.store, a.ledger, build=builder())
    assert err.value.code == "E170" and str(typo.curation) in err.value.message and "MEDKG_CURATION" in err.value.hint
    assert a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)["curation_status"] == "rejected"
    typo.curation.write_text(HEADER + "\n")  # every decision dropped on purpose
    assert len(apply_curation(typo, a.store, a.ledger, build=builder()).removed) == 1
    assert "curation_status" not in a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)
    fresh = world("n", curation=tmp / "never-written.tsv")  # no decision ever applied: no file is fine
    fresh.ingest()


def test_a_rejected_evidence_named_with_another_edge_is_left_out_in_any_order(setup):
    """A hand-written reject of one evidence naming another edge than the one the evidence supports
    flagged the evidence when the named edge was refreshed and unflagged it when its own was: applied
    after the ingest, the evidence was rejected while its edge still counted it; in the file before the
    ingest, the ingest's own refresh took it from its edge until the next apply. Now the line is left out
    (E174, naming file and line) and flags nothing, in either order, at every step."""
    world, tmp = setup
    plain = world("plain", curation=tmp / "no-curation.tsv")
    plain.ingest()
    uncurated = plain.graph()
    [key] = [r["key"] for r in plain.query("MATCH (e:Evidence {doc_id: 'PMID:4', subject: $s, object: $o}) RETURN "
                                           "e.key AS key ORDER BY e.sentence_start LIMIT 1", s=FEVER, o=HEADACHE)]
    path = tmp / "curation.tsv"
    line = decide("reject", subject=ASPIRIN, predicate="CO_OCCURS_WITH", object=HEADACHE, evidence=key,
                  document="PMID:4")  # the edge of PMID:4's evidence is FEVER -> HEADACHE

    a = world("a")  # ingest, then the file
    a.ingest()
    path.write_text(f"{HEADER}\n# a comment line\n{line.line()}\n")
    result = apply_curation(a.settings, a.store, a.ledger, build=builder())
    assert_same(a.graph(), uncurated)
    [problem] = result.left_out
    assert problem.code == "E174" and f"curation file {path}: line 3: evidence {key}" in problem.message
    assert line.id in problem.message and "medkg curate reject --evidence" in problem.hint
    a.ingest()  # an ingest with the line in force: its apply leaves it out, its refresh leaves the evidence
    assert_same(a.graph(), uncurated)

    b = world("b")  # the file, then the ingest (a rebuild from scratch)
    b.ingest()  # its apply finds no evidence to check yet; its own refresh flags nothing all the same
    assert_same(b.graph(), uncurated)
    result = apply_curation(b.settings, b.store, b.ledger, build=builder())
    assert_same(b.graph(), uncurated)
    assert [p.code for p in result.left_out] == ["E174"]
    # a flag set from the line by an older medkg (which did not check the edge) is cleared by the next apply
    b.store.query("MATCH (e:Evidence {key: $key}) SET e.rejected = true, e.curation = $id",
                  {"key": key, "id": line.id}, write=True)
    apply_curation(b.settings, b.store, b.ledger, build=builder())
    assert_same(b.graph(), uncurated)

    # a decision about the evidence's own edge is applied, and the line is still left out
    a.curate(decide("confirm", subject=FEVER, predicate="CO_OCCURS_WITH", object=HEADACHE))
    apply_curation(b.settings, b.store, b.ledger, build=builder())  # the same file
    assert_same(a.graph(), b.graph())
    assert not any(r["rejected"] for r in a.query("MATCH (e:Evidence {key: $key}) RETURN e.rejected AS rejected",
                                                  key=key))


def _cli_world(setup, monkeypatch):
    """A world ingested here, then closed, for `medkg curate` run as a user runs it (its settings in the environment)."""
    world, tmp = setup
    g = world("cli")
    g.ingest()
    g.close()
    for name, value in {"MEDKG_DATA_DIR": g.settings.data_dir, "MEDKG_CURATION": g.settings.curation_path,
                        "MEDKG_GRAPH_NAME": "curation", "MEDKG_CACHE_DIR": tmp / "no-cache", "USER": "ana"}.items():
        monkeypatch.setenv(name, str(value))
    return g


def test_curate_says_when_an_edge_or_id_is_not_in_the_graph(setup, monkeypatch):
    """`medkg curate` records a decision about what the graph does not hold (a file may be written before
    the ingest), but says so with a coded warning, never silently; and it records typed ids as the graph
    spells them: a lower-case mesh:d001241 used to be recorded as typed and never matched anything."""
    from clirun import medkg

    g = _cli_world(setup, monkeypatch)

    out = medkg("curate", "reject", "MESH:D999999", "CO_OCCURS_WITH", HEADACHE, "--reason", "no such concept")
    assert f"warning E172: the graph holds no edge MESH:D999999 -[CO_OCCURS_WITH]-> {HEADACHE}" in out
    assert "warning E173: MESH:D999999 is not in the graph" in out and f"E173: {HEADACHE}" not in out
    out = medkg("curate", "same-as", "mesh:c999999", ASPIRIN.lower(), "--reason", "typed in lower case")
    assert "mesh:c999999 is recorded as MESH:C999999" in out and "warning E173: MESH:C999999 is not in the graph" in out
    out = medkg("curate", "same-as", "chebi:15365", ASPIRIN, "--reason", "an unknown prefix stays as typed")
    assert "is recorded as" not in out and "warning E173: chebi:15365 is not in the graph" in out

    out = medkg("curate", "confirm", FEVER.lower(), "co_occurs_with", HEADACHE, "--reason", "both in the graph")
    assert f"{FEVER.lower()} is recorded as {FEVER}" in out and "warning" not in out
    assert g.settings.curation_path.read_text().count("\n") == 5  # the header and four lines, none refused
    assert [(d.subject, d.object) for d in read_decisions(g.settings.curation_path)] == [
        ("MESH:D999999", HEADACHE), ("MESH:C999999", ASPIRIN), ("chebi:15365", ASPIRIN), (FEVER, HEADACHE)]


def reject_evidence(w, doc_id, subject, obj, *, where=True):
    """A reject of the first evidence of ``subject``/``obj`` in ``doc_id``, as `medkg curate reject --evidence`
    records it (``where=False``: as an older medkg did, without where it was read)."""
    from kg.curation import place
    from kg.graph import cypher

    [key] = [r["key"] for r in w.query("MATCH (e:Evidence {doc_id: $doc, subject: $s, object: $o}) RETURN e.key AS key "
                                       "ORDER BY e.sentence_start LIMIT 1", doc=doc_id, s=subject, o=obj)]
    [e] = w.query(cypher.CURATION_EVIDENCE, keys=[key])
    return decide("reject", subject=e["subject"], predicate=e["predicate"], object=e["object"], evidence=key,
                  document=e["doc_id"], text=place(e["subject_span"], e["object_span"]) if where else "")


def rejected_in(w, doc_id):
    return {(r["s"], r["o"]) for r in w.query("MATCH (e:Evidence {doc_id: $doc}) WHERE e.rejected IS NOT NULL "
                                              "RETURN e.subject AS s, e.object AS o", doc=doc_id)}


def test_a_rejected_evidence_follows_its_sentence_when_an_end_of_its_edge_is_merged(setup):
    """QA (F1): the evidence key hashes the edge, so a same_as of an end gave the redone sentence a new key, and
    the reject line, matching nothing, did nothing, silently, in the curated graph and in a fresh ingest alike.
    A line recorded with where the evidence was read rejects the key computed through same_as; an older
    line that now matches no evidence of an edge the graph holds is said (E177)."""
    world, tmp = setup
    a = world("a")
    a.ingest()
    line = reject_evidence(a, "PMID:2", ASA, HEADACHE)
    assert line.text.startswith("subject ") and line.document == "PMID:2"
    a.curate(line)
    assert rejected_in(a, "PMID:2") == {(ASA, HEADACHE)}
    result = a.curate(decide("same_as", subject=ASA, object=ASPIRIN))
    assert result.redone == 1 and result.idle == []
    assert rejected_in(a, "PMID:2") == {(ASPIRIN, HEADACHE)}
    assert a.edge(ASPIRIN, "CO_OCCURS_WITH", HEADACHE)["rejected_evidence"] == 1
    b = world("b")  # a fresh ingest with the same file
    b.ingest()
    assert_same(b.graph(), a.graph())

    # a line without where it was read (hand-written, or by an older medkg) matches its key only: said
    c = world("c", curation=tmp / "old.tsv")
    c.ingest()
    old = reject_evidence(c, "PMID:2", ASA, HEADACHE, where=False)
    c.curate(old)
    result = c.curate(decide("same_as", subject=ASA, object=ASPIRIN))
    [problem] = result.idle
    assert problem.code == "E177" and f"curation file {tmp / 'old.tsv'}: line 2: decision {old.id}" in problem.message
    assert f"{ASPIRIN} -[CO_OCCURS_WITH]-> {HEADACHE}, which the graph holds" in problem.message
    assert [p.code for p in apply_curation(c.settings, c.store, c.ledger, build=builder()).idle] == ["E177"]


def test_a_rejected_evidence_is_not_carried_over_a_wrong_link_and_says_so(setup):
    """A wrong_link links a mention to another concept: the sentence then supports another fact, which the
    curator did not judge. The rejection does not follow, and the line is said (E176) instead of doing nothing
    silently."""
    world, tmp = setup
    a = world("a")
    a.ingest()
    line = reject_evidence(a, "PMID:3", PYREXIA, HEADACHE)
    a.curate(line)
    link = decide("wrong_link", text="pyrexia", subject=PYREXIA, object=FEVER)
    result = a.curate(link)
    assert rejected_in(a, "PMID:3") == set()
    [problem] = result.idle
    assert problem.code == "E176" and f"decision {line.id}" in problem.message and link.id in problem.message
    b = world("b")
    b.ingest()
    assert_same(b.graph(), a.graph())
    assert [p.code for p in apply_curation(b.settings, b.store, b.ledger, build=builder()).idle] == ["E176"]


def test_curate_spells_document_ids_and_says_what_an_id_was_recorded_as(setup, monkeypatch):
    """QA (F3): `--document pmid:3` (or a document the graph lacks) was recorded as typed and did nothing, silently;
    QA (F7): an alias id given to reject or confirm was recorded as the id kept for it without a word; a
    predicate typed in lower case was recorded upper case without a word."""
    from clirun import medkg

    g = _cli_world(setup, monkeypatch)

    out = medkg("curate", "wrong-link", "pyrexia", PYREXIA, FEVER, "--document", "pmid:3", "--reason", "fever here")
    assert "pmid:3 is recorded as PMID:3" in out and "E179" not in out and "1 document(s) redone" in out
    out = medkg("curate", "wrong-link", "fever", FEVER, "NIL", "--document", "PMID:999", "--reason", "no such doc")
    assert "warning E179: the graph holds no document PMID:999" in out
    out = medkg("curate", "wrong-link", "aspirin", FEVER, "NIL", "--document", "PMID:4", "--reason", "not there")
    assert f"warning E179: the graph holds no mention 'aspirin' linked to {FEVER} in PMID:4" in out
    assert [d.document for d in read_decisions(g.settings.curation_path)] == ["PMID:3", "PMID:999", "PMID:4"]

    medkg("curate", "same-as", ASA, ASPIRIN, "--reason", "one substance")
    out = medkg("curate", "confirm", ASA, "CO_OCCURS_WITH", HEADACHE, "--reason", "checked")
    assert f"{ASA} is recorded as {ASPIRIN}, the id kept for it (same_as)" in out
    assert read_decisions(g.settings.curation_path)[-1].subject == ASPIRIN
    out = medkg("curate", "confirm", ASPIRIN, "co_occurs_with", HEADACHE, "--reason", "checked again")
    assert "co_occurs_with is recorded as CO_OCCURS_WITH, as the graph spells it" in out
    assert read_decisions(g.settings.curation_path)[-1].predicate == "CO_OCCURS_WITH"
