"""The curation file: format, validation with coded errors naming file and line, the last word per target."""

from __future__ import annotations

import pytest

from kg.curation import (
    HEADER,
    NIL,
    Curation,
    CurationSource,
    append_decision,
    new_decision,
    read_decisions,
)
from kg.errors import CurationError
from kg.models import Triple


def d(kind, **fields):
    return new_decision(kind, reason=fields.pop("reason", "because"), author=fields.pop("author", "ana"),
                        date=fields.pop("date", "2025-03-01"), **fields)


REJECT = d("reject", subject="MESH:D1", predicate="INDUCES", object="MESH:D2")
CONFIRM = d("confirm", subject="MESH:D1", predicate="INDUCES", object="MESH:D2")


def test_a_new_file_gets_the_header_and_one_line_per_decision(tmp_path):
    path = tmp_path / "sub" / "curation.tsv"
    assert append_decision(path, REJECT)
    assert not append_decision(path, REJECT)  # the same decision twice: recognised by its id
    assert append_decision(path, CONFIRM)
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER and len(lines) == 3
    assert read_decisions(path) == [REJECT, CONFIRM]


def test_defaults_author_from_user_and_date_today(monkeypatch):
    monkeypatch.setenv("USER", "bea")
    decision = new_decision("confirm", subject="MESH:D1", predicate="INDUCES", object="MESH:D2", reason="ok")
    assert decision.author == "bea" and len(decision.date) == 10 and decision.id.startswith("c")
    with pytest.raises(CurationError, match="E164"):
        new_decision("confirm", subject="MESH:D1", predicate="INDUCES", object="MESH:D2", reason="  ")


def test_ids_are_stable_and_tabs_cannot_break_a_line(tmp_path):
    a = d("reject", subject="MESH:D1", predicate="INDUCES", object="MESH:D2", reason="two\tcolumns\nand lines")
    assert a.reason == "two columns and lines"
    assert a.id == d("reject", subject="MESH:D1", predicate="INDUCES", object="MESH:D2",
                     reason="two\tcolumns\nand lines").id
    assert a.id != REJECT.id


def test_the_last_word_per_target_wins_and_history_is_kept():
    retract = d("retract", subject=CONFIRM.id, date="2025-03-02")
    cur = Curation(None, (REJECT, CONFIRM))
    assert list(cur.effective()) == [CONFIRM.id]
    assert cur.ended_by() == {REJECT.id: CONFIRM.id}
    key = Triple(subject="MESH:D1", predicate="INDUCES", object="MESH:D2").key
    assert cur.edge_decisions()[key] == CONFIRM
    cur = Curation(None, (REJECT, CONFIRM, retract))
    assert cur.effective() == {} and cur.ended_by() == {REJECT.id: CONFIRM.id, CONFIRM.id: retract.id}
    # retracting a decision no longer in force changes nothing
    cur = Curation(None, (REJECT, CONFIRM, d("retract", subject=REJECT.id)))
    assert list(cur.effective()) == [CONFIRM.id]


def test_same_as_chains_resolve_and_decisions_read_ids_through_them():
    cur = Curation(None, (d("same_as", subject="MESH:C1", object="MESH:C2"),
                          d("same_as", subject="MESH:C2", object="MESH:D1"),
                          d("reject", subject="MESH:C1", predicate="INDUCES", object="MESH:D2"),
                          d("wrong_link", text="ASA", subject="MESH:C2", object=NIL)))
    assert cur.aliases() == {"MESH:C1": "MESH:D1", "MESH:C2": "MESH:D1"}
    assert cur.aliases_of() == {"MESH:D1": ["MESH:C1", "MESH:C2"]}
    assert set(cur.edge_decisions()) == {Triple(subject="MESH:D1", predicate="INDUCES", object="MESH:D2").key}
    [(key, link)] = cur.link_decisions().items()
    assert key == ("asa", "MESH:D1", "") and cur.right_id(link) is None


def test_a_same_as_cycle_is_refused_before_it_is_written(tmp_path):
    path = tmp_path / "c.tsv"
    append_decision(path, d("same_as", subject="MESH:C1", object="MESH:C2"))
    with pytest.raises(CurationError, match="E171.*cycle: not recorded") as err:
        append_decision(path, d("same_as", subject="MESH:C2", object="MESH:C1"))
    assert "MESH:C1 is already an alias of MESH:C2" in err.value.hint
    assert len(read_decisions(path)) == 1


@pytest.mark.parametrize(("line", "code", "words"), [
    ("x\t2025-01-01\tana\treject\tMESH:D1\tINDUCES", "E151", "6 tab-separated fields"),
    ("\t2025-01-01\tana\tdelete\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E152", "unknown decision 'delete'"),
    ("\t1/1/2025\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E155", "not YYYY-MM-DD"),
    ("\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\t", "E154", "reason is empty"),
    ("\t2025-01-01\tana\treject\taspirin\tINDUCES\tMESH:D2\t\t\t\twhy", "E153", "needs subject: 'aspirin'"),
    ("\t2025-01-01\tana\treject\tMESH:D1\t\tMESH:D2\t\t\t\twhy", "E153", "needs predicate: empty"),
    ("\t2025-01-01\tana\treject\tMESH:D1\tinduces!\tMESH:D2\t\t\t\twhy", "E167", "needs predicate"),
    # a predicate is spelled as the schema spells it (the id is a hash of the line as written)
    ("\t2025-01-01\tana\treject\tMESH:D1\tinduces\tMESH:D2\t\t\t\twhy", "E167", "did you mean 'INDUCES'"),
    ("\t2025-01-01\tana\tconfirm\tMESH:D1\tNOT_A_TYPE\tMESH:D2\t\t\t\twhy", "E167",
     "'NOT_A_TYPE' is not a relationship type of the graph schema (predicates: "),
    ("\t2025-01-01\tana\treject\tMESH:D1\tHAS_NOTE\tMESH:D2\t\t\t\twhy", "E167", "'HAS_NOTE' is not"),
    ("\t2026-13-45\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E155", "'2026-13-45'"),
    ("\t2025-02-29\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E155", "'2025-02-29' is not a day of"),
    ("\t2025-01-01\tana\twrong_link\tMESH:D1\t\tNIL\tASA\tnotadoc\t\twhy", "E153", "'notadoc' is not a document id"),
    ("\t2025-3-1\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E155", "not YYYY-MM-DD"),
    # a recorded line copied and edited: its id is the other line's
    (REJECT.line().replace("\treject\t", "\tconfirm\t"), "E156", f"id {REJECT.id} is already used on line 4"),
    # a recorded line edited in place: its id no longer says what it says
    (CONFIRM.line().replace("\tconfirm\t", "\treject\t").replace("\tbecause", "\tedited"), "E168",
     f"id {CONFIRM.id} is not the id of what"),
    ("c42\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E168", "id c42 is not"),
    ("\t2025-01-01\tana\twrong_link\tMESH:D1\t\tMESH:D2\t\t\t\twhy", "E153", "needs text"),
    ("\t2025-01-01\tana\twrong_link\tMESH:D1\t\tnothing\tASA\t\t\twhy", "E153", "or NIL"),
    ("\t2025-01-01\tana\tsame_as\tMESH:D1\t\tMESH:D1\t\t\t\twhy", "E153", "alias of itself"),
    ("\t2025-01-01\tana\tretract\tc123\t\t\t\t\t\twhy", "E157", "retract names c123"),
    ("\t2025-01-01\t\tconfirm\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E153", "needs author"),
    # a concept id is spelled as the graph spells it (the id is a hash of the line as written)
    ("\t2025-01-01\tana\treject\tmesh:d014196\tINDUCES\tMESH:D2\t\t\t\twhy", "E175",
     "reject subject 'mesh:d014196' is not spelled as the graph spells ids: 'MESH:D014196'"),
    ("\t2025-01-01\tana\tsame_as\tMESH:C1\t\tMesh:D1\t\t\t\twhy", "E175", "same_as object 'Mesh:D1'"),
    ("\t2025-01-01\tana\twrong_link\tncbigene:7157\t\tNIL\tp53\t\t\twhy", "E175", "'NCBIGene:7157'"),
    # QA (F6): a column a decision does not use was ignored; a reject with a document rejected the edge everywhere
    ("\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\t\tPMID:1\t\twhy", "E178",
     "reject does not use document ('PMID:1'): a reject of an edge acts in every document"),
    ("\t2025-01-01\tana\tconfirm\tMESH:D1\tINDUCES\tMESH:D2\t\t\tabc\twhy", "E178",
     "confirm does not use evidence ('abc'): confirm takes an edge"),
    ("\t2025-01-01\tana\tsame_as\tMESH:D1\tINDUCES\tMESH:D2\t\t\t\twhy", "E178", "same_as does not use predicate"),
    ("\t2025-01-01\tana\twrong_link\tMESH:D1\t\tNIL\tASA\tPMID:1\tabc\twhy", "E178", "does not use evidence"),
    ("\t2025-01-01\tana\tretract\tc1\t\t\t\tPMID:1\t\twhy", "E178", "retract does not use document"),
    ("\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\tsubject 1-2, object 5-9\t\t\twhy", "E178",
     "reject does not use text"),
    # a reject of one evidence reads where it was read, in the form medkg writes
    ("\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\tsentence 3\tPMID:1\tabc\twhy", "E153",
     "needs text: 'sentence 3' is not where the evidence was read"),
    ("\t2025-01-01\tana\treject\tMESH:D1\tINDUCES\tMESH:D2\tsubject 1-2, object 5-9\t\tabc\twhy", "E153",
     "needs document: empty"),
])
def test_a_bad_line_is_named_by_file_line_and_code(tmp_path, line, code, words):
    path = tmp_path / "c.tsv"
    path.write_text(f"# decisions about the demo graph\n{HEADER}\n\n{REJECT.line()}\n{line}\n")
    with pytest.raises(CurationError) as err:
        read_decisions(path)
    assert err.value.code == code and f"{path}: line 5" in err.value.message and words in err.value.message


def test_header_duplicates_and_hand_written_lines(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("id\tdate\n")
    with pytest.raises(CurationError, match="E150.*line 1"):
        read_decisions(path)
    path.write_text(f"{HEADER}\n{REJECT.line()}\n{CONFIRM.line().replace(CONFIRM.id, REJECT.id)}\n")
    with pytest.raises(CurationError, match="E156.*line 3.*line 2") as err:
        read_decisions(path)
    assert "empty the id column of line 3" in err.value.hint
    # a hand-written line without an id gets the id medkg would give it
    path.write_text(f"{HEADER}\n" + REJECT.line().replace(REJECT.id, "", 1) + "\n")
    assert read_decisions(path) == [REJECT]
    assert read_decisions(tmp_path / "missing.tsv") == []


def test_an_edited_line_with_its_id_emptied_is_a_new_decision(tmp_path):
    path = tmp_path / "c.tsv"
    append_decision(path, REJECT)
    edited = REJECT.line().replace("\treject\t", "\tconfirm\t").replace(REJECT.id, "", 1)
    path.write_text(f"{HEADER}\n{edited}\n")
    assert read_decisions(path) == [CONFIRM]


def test_a_retraction_cannot_be_retracted(tmp_path):
    path = tmp_path / "c.tsv"
    append_decision(path, REJECT)
    retract = d("retract", subject=REJECT.id)
    append_decision(path, retract)
    with pytest.raises(CurationError, match="E166"):
        append_decision(path, d("retract", subject=retract.id))


def test_the_source_reads_the_file_again_when_it_changes(tmp_path):
    path = tmp_path / "c.tsv"
    source = CurationSource(path)
    assert not source.current()
    append_decision(path, REJECT)
    assert list(source.current().effective()) == [REJECT.id]
    first = source.current()
    assert source.current() is first  # unchanged file: not read again
    import pickle

    assert list(pickle.loads(pickle.dumps(source)).current().effective()) == [REJECT.id]


def test_an_exact_copy_of_a_line_is_ignored_with_a_warning(tmp_path, caplog):
    path = tmp_path / "c.tsv"
    no_id = REJECT.line().replace(REJECT.id, "", 1)  # hand-written, and still in force: adds nothing
    path.write_text(f"{HEADER}\n{REJECT.line()}\n{REJECT.line()}\n{no_id}\n")
    assert read_decisions(path) == [REJECT]
    assert "line 3 is an exact copy of line 2" in caplog.text and "line 4 says what line 2 says" in caplog.text


def test_a_decision_taken_back_or_overruled_can_be_recorded_again(tmp_path):
    path = tmp_path / "c.tsv"
    assert append_decision(path, REJECT) == REJECT  # the first recording keeps the plain hash
    assert append_decision(path, d("retract", subject=REJECT.id))
    again = append_decision(path, REJECT)
    assert again is not None and again.id != REJECT.id and again.model_copy(update={"id": REJECT.id}) == REJECT
    assert list(Curation.load(path).effective()) == [again.id]
    assert append_decision(path, REJECT) is None  # identical to the one in force now
    assert append_decision(path, d("confirm", subject="MESH:D1", predicate="INDUCES", object="MESH:D2",
                                   author="bob"))
    third = append_decision(path, REJECT)  # ana overrules bob's confirm with her reject of the morning
    assert third is not None and third.id not in (REJECT.id, again.id)
    assert list(Curation.load(path).effective()) == [third.id]
    assert read_decisions(path)[-1] == third  # the file reads back with the same ids
    # a hand-written copy of a decision no longer in force, id empty, is recorded anew too
    path.write_text(f"{HEADER}\n{REJECT.line()}\n{CONFIRM.line()}\n" + REJECT.line().replace(REJECT.id, "", 1) + "\n")
    assert [x.id for x in read_decisions(path)] == [REJECT.id, CONFIRM.id, again.id]


def test_a_loaded_file_knows_the_line_of_each_decision(tmp_path):
    path = tmp_path / "curation.tsv"
    path.write_text(f"# decisions\n{HEADER}\n\n{REJECT.line()}\n# later\n{CONFIRM.line()}\n")
    cur = Curation.load(path)
    assert cur.lines == {REJECT.id: 4, CONFIRM.id: 6}
    assert list(cur.without({CONFIRM.id}).effective()) == [REJECT.id]  # as if line 6 were not there


def test_a_hand_written_id_in_another_case_is_refused_with_its_spelling(tmp_path):
    path = tmp_path / "c.tsv"
    line = d("reject", subject="mesh:d014196", predicate="INDUCES", object="hp:0001945")
    path.write_text(f"{HEADER}\n{REJECT.line()}\n{line.line()}\n")
    with pytest.raises(CurationError) as err:
        read_decisions(path)
    assert err.value.code == "E175" and f"curation file {path}: line 3:" in err.value.message
    assert "Write MESH:D014196 on the line" in err.value.hint and "empty its id column" in err.value.hint
    with pytest.raises(CurationError, match="E175"):  # nor is such a line appended
        append_decision(tmp_path / "new.tsv", line)
    assert not (tmp_path / "new.tsv").exists()
    # an unknown prefix, and a local id other than MeSH's, are read as written
    path.write_text(f"{HEADER}\n" + d("same_as", subject="chebi:15365", object="ICD10CM:r11.0").line() + "\n")
    assert [x.subject for x in read_decisions(path)] == ["chebi:15365"]


def test_a_rejected_evidence_with_where_it_was_read_follows_a_same_as():
    """QA (F1): the key a line rejects is computed from where the evidence was read and the edge read through
    same_as, as Evidence.key is; a line without it rejects the key it holds."""
    from kg.curation import place
    from kg.models import Evidence

    def evidence(subject):
        return Evidence(triple=Triple(subject=subject, predicate="INDUCES", object="MESH:D2"), doc_id="PMID:7",
                        sentence="x", sentence_start=0, subject_span=(3, 8), object_span=(20, 31),
                        extractor="t", extractor_version="1")

    read = evidence("MESH:C1")
    located = d("reject", subject="MESH:C1", predicate="INDUCES", object="MESH:D2", evidence=read.key,
                document="PMID:7", text=place((3, 8), (20, 31)))
    assert located.text == "subject 3-8, object 20-31"
    assert list(Curation(None, (located,)).evidence_decisions()) == [read.key]
    merged = Curation(None, (located, d("same_as", subject="MESH:C1", object="MESH:D1")))
    assert list(merged.evidence_decisions()) == [evidence("MESH:D1").key]
    by_key = located.model_copy(update={"text": ""})
    assert list(Curation(None, (by_key, d("same_as", subject="MESH:C1", object="MESH:D1"))).evidence_decisions()) == [
        read.key]


def test_a_byte_order_mark_before_the_header_is_not_part_of_it(tmp_path):
    """QA (F8): a file saved with a BOM (Windows editors) was refused with E150 ('\\ufeffid ...')."""
    path = tmp_path / "c.tsv"
    path.write_text(f"\ufeff{HEADER}\n{REJECT.line()}\n", encoding="utf-8")
    assert read_decisions(path) == [REJECT]
    assert append_decision(path, CONFIRM) and read_decisions(path) == [REJECT, CONFIRM]


def test_a_link_to_an_id_neither_the_graph_nor_the_concept_store_knows_is_said_at_every_apply(tmp_path):
    """QA: a hand-written same_as to a typo ("MESH:D0018850") was applied silently, replacing a real MeSH
    id by a made-up one (`medkg curate same-as` refuses it, E162)."""
    from kg.curator import unknown_targets
    from kg.vocab.conceptstore import build_concept_store

    from fixture_store import FIXTURES, fixture_settings

    class Graph:  # holds one concept, and one merged alias
        def query(self, cypher, params):
            if "c.aliases" in cypher:
                return [{"alias": "MESH:D001249", "id": "MESH:D003924"}] if "MESH:D001249" in params["ids"] else []
            return [{"id": "MESH:D008687"}] if "MESH:D008687" in params["ids"] else []

    settings = fixture_settings(tmp_path)
    path = tmp_path / "curation.tsv"
    lines = [d("same_as", subject="MESH:D1", object="MESH:D0018850"),  # a typo: known nowhere
             d("same_as", subject="MESH:D2", object="MESH:D003924"),  # in the concept store
             d("wrong_link", text="x", subject="MESH:D3", object="MESH:D008687"),  # in the graph
             d("wrong_link", text="y", subject="MESH:D4", object="MESH:D001249"),  # a merged alias in the graph
             d("wrong_link", text="z", subject="MESH:D5", object=NIL)]
    path.write_text(HEADER + "\n" + "\n".join(x.line() for x in lines) + "\n")
    cur = Curation.load(path)
    assert unknown_targets(settings, Graph(), cur) == []  # no concept store to ask: nothing is said
    build_concept_store(settings, ontology_dir=FIXTURES)
    [problem] = unknown_targets(settings, Graph(), cur)
    assert problem.code == "E180" and f"line 2: decision {lines[0].id} links mentions to MESH:D0018850" in problem.message
    assert "neither in the graph nor in the concept store" in problem.message and "retract" in problem.hint
