"""Clinical notes: formats, pseudonymisation, and quarantine of bad records."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest

from kg.config import SHARED_DATA
from kg.errors import SourceError
from kg.models import Deletion, Document, Quarantine
from kg.privacy import pseudonymize
from kg.sources.notes import iter_notes, locate_note

KEY = b"test-key-0123456789abcdef"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "notes"
NOTEEVENTS = FIXTURES / "noteevents.csv"
ACI = SHARED_DATA / "notes" / "aci-bench"

RAW_IDS = ("174301", "174302", "174303", "174304", "174305", "90210431", "90277702", "188123457")


def _aci(name: str) -> Path:
    path = ACI / name
    if not path.exists():
        pytest.skip(f"shared ACI-Bench data not found at {path}")
    return path


def _all_fields(doc: Document) -> str:
    return doc.model_dump_json()


def test_noteevents_documents_and_quarantines() -> None:
    records = list(iter_notes(NOTEEVENTS, key=KEY))
    docs = [r for r in records if isinstance(r, Document)]
    quarantined = [r for r in records if isinstance(r, Quarantine)]
    assert len(docs) == 3
    assert [(q.record, q.reason) for q in quarantined] == [("row 3", "E322: empty note text")]
    # ISERROR=1: written in error, so withdrawn (also from an earlier run's graph)
    assert [r for r in records if isinstance(r, Deletion)] == [Deletion(id=f"NOTE:{pseudonymize('174304', KEY, 'note')}")]
    first = docs[0]
    assert first.source == "note"
    assert first.id == f"NOTE:{pseudonymize('174301', KEY, 'note')}"
    assert first.title == "Discharge summary"
    assert first.text.startswith("Admission Date:")
    assert first.metadata == {
        "patient": pseudonymize("90210431", KEY, "pt"),
        "encounter": pseudonymize("188123457", KEY, "enc"),
        "category": "Discharge summary",
        "dataset": "noteevents",
        "year": 2151,
    }
    # two notes of one patient stay linked through the pseudonym
    assert docs[1].metadata["patient"] == first.metadata["patient"]
    assert "encounter" not in docs[2].metadata
    assert docs[2].title == "Physician"


def test_no_raw_identifier_or_full_date_in_any_document_field() -> None:
    docs = [r for r in iter_notes(NOTEEVENTS, key=KEY) if isinstance(r, Document)]
    assert docs
    for doc in docs:
        dumped = _all_fields(doc)
        for raw in RAW_IDS:
            assert raw not in dumped, f"raw identifier {raw} leaked into {doc.id}"
        assert "2151-07-16" not in dumped and "2160-01-05" not in dumped
        assert "2151-07-18 08:12" not in dumped


def test_pseudonyms_depend_on_the_key() -> None:
    a = next(iter_notes(NOTEEVENTS, key=KEY))
    b = next(iter_notes(NOTEEVENTS, key=b"another-key-fedcba9876543210"))
    assert isinstance(a, Document) and isinstance(b, Document)
    assert a.id != b.id and a.metadata["patient"] != b.metadata["patient"]


def test_header_names_are_case_insensitive_and_crlf_is_normalised(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_bytes(b"row_id,Subject_Id,text\r\n7,42,\"line one\r\nline two\"\r\n")
    (doc,) = iter_notes(csv_file, key=KEY)
    assert isinstance(doc, Document)
    assert doc.text == "line one\nline two"
    assert doc.title == "" and "year" not in doc.metadata


def test_missing_columns_raise_source_error_naming_file_and_columns(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("ROW_ID,CATEGORY\n1,Nursing\n")
    with pytest.raises(SourceError) as err:
        list(iter_notes(csv_file, key=KEY))
    assert "bad.csv" in str(err.value)
    assert "subject_id" in str(err.value) and "text" in str(err.value)


def test_aci_missing_note_column_is_reported_against_aci_layout(tmp_path: Path) -> None:
    csv_file = tmp_path / "aci.csv"
    csv_file.write_text("dataset,encounter_id,dialogue\naci,D2N001,[doctor] hi\n")
    with pytest.raises(SourceError, match=r"ACI-Bench column\(s\) note"):
        list(iter_notes(csv_file, key=KEY))


def test_invalid_utf8_row_is_quarantined_and_the_rest_read(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_bytes(b"ROW_ID,SUBJECT_ID,TEXT\n1,10,caf\xe9 au lait spots\n2,11,asthma\n")
    first, second = iter_notes(csv_file, key=KEY)
    assert isinstance(first, Quarantine) and first.record == "row 1"
    assert "TEXT".lower() in first.reason and "UTF-8" in first.reason
    assert isinstance(second, Document) and second.text == "asthma"


def _read(csv_file: Path) -> list:
    return [(r.record, r.reason) if isinstance(r, Quarantine) else r.text for r in iter_notes(csv_file, key=KEY)]


def test_a_stray_quote_quarantines_its_row_and_the_rows_it_swallowed_are_read(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text('ROW_ID,SUBJECT_ID,TEXT\n1,10,"asthma. Denies fever.\n2,11,diabetes mellitus.\n'
                        '3,12,"hypertension."\n4,13,gout\n5,14,"never closed\nand on\n')
    assert _read(csv_file) == [
        ("row 1", "E323: malformed CSV at line 2: ',' expected after '\"'"),
        "diabetes mellitus.",
        "hypertension.",
        "gout",
        ("row 5", "E323: malformed CSV at lines 6-7: unexpected end of data"),
    ]


def test_after_a_stray_quote_reading_goes_on_at_the_next_row_not_inside_a_quoted_field(tmp_path: Path) -> None:
    # Row 3 holds lines with as many commas as the header has columns, one even with ids: no row is
    # made of them, as reading goes on at row 3's first line and reads its quoted field whole.
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text('ROW_ID,SUBJECT_ID,HADM_ID,TEXT\n1,10,,pneumonia.\n2,10,,"an unbalanced quote\n'
                        '3,20,5000,"Chief complaint: cough.\nMedications: aspirin, metoprolol, insulin\n'
                        '\n12,20,, is not a row either\nAssessment: asthma."\n4,30,,hypertension.\n')
    assert _read(csv_file) == [
        "pneumonia.",
        ("row 2", "E323: malformed CSV at line 3: ',' expected after '\"'"),
        ("Chief complaint: cough.\nMedications: aspirin, metoprolol, insulin\n\n12,20,, is not a row either\n"
         "Assessment: asthma."),
        "hypertension.",
    ]
    aci = tmp_path / "aci.csv"
    aci.write_text('dataset,encounter_id,dialogue,note\naci,D2N001,dlg,"CC: "cough" today\nPlan: rest, fluids, sleep, ibuprofen\n'
                   'aci,D2N002,"[doctor] hi, ""sir""\n[patient] hi","HPI: fever.\nMeds: a, b, c\n"\n')
    records = list(iter_notes(aci, key=KEY))
    assert [(r.record, r.reason) if isinstance(r, Quarantine) else r.text for r in records] == [
        ("row 1", "E323: malformed CSV at lines 2-3: ',' expected after '\"'"),
        "HPI: fever.\nMeds: a, b, c\n",
    ]
    assert records[1].id == f"NOTE:{pseudonymize('D2N002', KEY, 'note')}"


def test_a_row_with_more_or_fewer_columns_than_the_header_is_quarantined_and_blank_lines_are_no_notes(
    tmp_path: Path,
) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text("ROW_ID,SUBJECT_ID,TEXT\n1,10,asthma\n\n2,11,fever,cough\n,,\n3,12\n4,13,gout\n")
    records = list(iter_notes(csv_file, key=KEY))
    assert [(r.record, r.reason) if isinstance(r, Quarantine) else r.text for r in records] == [
        "asthma",
        ("row 2", "E329: 4 columns at line 4, the header has 3"),
        ("row 3", "E329: 2 columns at line 6, the header has 3"),
        "gout",
    ]


def test_huge_field_is_read(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    big = "fever " * 60_000  # 360 kB, above csv's default 128 KiB field limit
    csv_file.write_text(f"ROW_ID,SUBJECT_ID,TEXT\n1,10,\"{big}\"\n")
    (doc,) = iter_notes(csv_file, key=KEY)
    assert isinstance(doc, Document) and len(doc.text) == len(big)


def test_gzipped_csv_and_truncated_gzip(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i},note {i} {'x' * 200}\n" for i in range(1, 200))
    payload = "ROW_ID,SUBJECT_ID,TEXT\n" + rows
    good = tmp_path / "notes.csv.gz"
    good.write_bytes(gzip.compress(payload.encode()))
    assert sum(1 for _ in iter_notes(good, key=KEY)) == 199
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(good.read_bytes()[:-60])
    records = list(iter_notes(truncated, key=KEY))
    assert isinstance(records[-1], Quarantine)
    assert "truncated" in records[-1].reason and records[-1].file.endswith("cut.csv.gz")
    assert all(isinstance(r, Document) for r in records[:-1]) and len(records) > 1


def test_txt_folder_recursive_with_bad_files(tmp_path: Path) -> None:
    (tmp_path / "ward" / "smith_john").mkdir(parents=True)
    (tmp_path / "a.txt").write_bytes(b"Chest pain.\r\nNo fever.\r\n")
    (tmp_path / "ward" / "smith_john" / "mrn_00776655.txt").write_text("Asthma, on albuterol.")
    (tmp_path / "ward" / "latin1.txt").write_bytes(b"Caf\xe9 au lait spots")
    (tmp_path / "ward" / "empty.txt").write_text("  \n")
    (tmp_path / "ignored.csv.bak").write_text("not a note")
    records = list(iter_notes(tmp_path, key=KEY))
    docs = {r.id: r for r in records if isinstance(r, Document)}
    quarantined = {r.id: r for r in records if isinstance(r, Quarantine)}
    assert docs[f"NOTE:{pseudonymize('a.txt', KEY, 'note')}"].text == "Chest pain.\nNo fever.\n"
    named = docs[f"NOTE:{pseudonymize('ward/smith_john/mrn_00776655.txt', KEY, 'note')}"]
    assert "smith" not in named.model_dump_json() and "00776655" not in named.model_dump_json()
    latin1, empty = (f"NOTE:{pseudonymize(f'ward/{name}', KEY, 'note')}" for name in ("latin1.txt", "empty.txt"))
    assert set(quarantined) == {latin1, empty}
    assert "UTF-8" in quarantined[latin1].reason and quarantined[empty].reason.startswith("E322")
    assert len(records) == 4


def test_a_note_file_name_is_kept_nowhere_a_quarantine_names_the_folder_and_the_note_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File names of real exports hold the patient's name and MRN: no quarantine of a text-folder note,
    at reading (E320-E322) or later from its Document (E340-E342), may name the file or its subfolders."""
    root = tmp_path / "export"
    (root / "Blatherwick_Algernon").mkdir(parents=True)
    (root / "Algernon_Blatherwick_MRN000777.txt").write_text("Mr Algernon Blatherwick: no fever.\n")
    (root / "Algernon_Blatherwick_MRN000777_followup.txt").write_text("\n")
    (root / "Blatherwick_Algernon" / "MRN000777_latin1.txt").write_bytes(b"Caf\xe9 au lait spots")
    locked = root / "Blatherwick_Algernon" / "MRN000777_locked.txt"
    locked.write_text("Asthma.")
    read_bytes = Path.read_bytes

    def refuse_locked(self: Path) -> bytes:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse_locked)
    records = list(iter_notes(root, key=KEY))
    (doc,) = (r for r in records if isinstance(r, Document))
    quarantines = [r for r in records if isinstance(r, Quarantine)]
    quarantines.append(doc.quarantine("E342: text has 40 characters, over the limit of 10 (MEDKG_MAX_DOC_CHARS)", "note"))
    assert sorted(q.reason[:4] for q in quarantines) == ["E320", "E321", "E322", "E342"]
    for q in quarantines:
        assert q.file == f"{root}{os.sep}" and q.record == q.id and q.id.startswith("NOTE:note_")
        assert not re.search("blatherwick|algernon|mrn|latin1|locked|followup", q.model_dump_json(), re.I)
    assert doc.origin == (f"{root}{os.sep}", doc.id)
    assert next(q for q in quarantines if q.reason.startswith("E321")).reason == "E321: unreadable: Permission denied"


def test_locate_note_finds_the_file_of_a_note_id_with_the_key_it_was_read_with(tmp_path: Path) -> None:
    (tmp_path / "ward").mkdir()
    (tmp_path / "a.txt").write_text("Chest pain.")
    (tmp_path / "ward" / "Smith_John_MRN00776655.txt").write_text("\n")
    (quarantine,) = (r for r in iter_notes(tmp_path, key=KEY) if isinstance(r, Quarantine))
    found = tmp_path / "ward" / "Smith_John_MRN00776655.txt"
    assert locate_note(tmp_path, quarantine.record, key=KEY) == found
    assert locate_note(quarantine.file, quarantine.record.removeprefix("NOTE:"), key=KEY) == found
    with pytest.raises(SourceError, match="E217: no .txt note under .* has the id NOTE:note_"):
        locate_note(tmp_path, quarantine.record, key=b"another-key-0123456789")
    with pytest.raises(SourceError, match="E217"):
        locate_note(tmp_path / "ward", quarantine.record, key=KEY)  # ids are relative to the folder ingested
    with pytest.raises(SourceError, match="E211"):
        locate_note(tmp_path / "nope", quarantine.record, key=KEY)


def test_notes_locate_command_prints_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from clirun import medkg

    (tmp_path / "Smith_John_MRN00776655.txt").write_text("\n")
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", KEY.decode())
    note_id = f"NOTE:{pseudonymize('Smith_John_MRN00776655.txt', KEY, 'note')}"
    data = str(tmp_path / "data")
    assert medkg("--data-dir", data, "notes", "locate", note_id, str(tmp_path)).strip() == str(
        tmp_path / "Smith_John_MRN00776655.txt")


def test_a_folder_without_txt_notes_is_an_error_not_an_empty_run(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("ROW_ID,SUBJECT_ID,TEXT\n1,10,asthma\n")
    with pytest.raises(SourceError, match=f"E215: the folder {tmp_path} holds no .txt note"):
        list(iter_notes(tmp_path, key=KEY))


def test_unknown_or_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        list(iter_notes(tmp_path / "nope.csv", key=KEY))
    fake_gz = tmp_path / "notes.csv.gz"
    fake_gz.write_text("ROW_ID,SUBJECT_ID,TEXT\n")
    with pytest.raises(SourceError, match="cannot be decompressed"):
        list(iter_notes(fake_gz, key=KEY))
    other = tmp_path / "notes.json"
    other.write_text("{}")
    with pytest.raises(SourceError, match="neither"):
        list(iter_notes(other, key=KEY))


@pytest.mark.parametrize(("name", "expected"), [("train.csv", 67), ("valid.csv", 20)])
def test_aci_bench_splits(name: str, expected: int) -> None:
    records = list(iter_notes(_aci(name), key=KEY))
    assert len(records) == expected
    assert all(isinstance(r, Document) for r in records)
    for doc in records:
        dumped = doc.model_dump_json()
        assert "D2N" not in dumped, "raw encounter_id leaked"
        assert "[doctor]" not in dumped and "[patient]" not in dumped, "dialogue leaked"
        assert doc.metadata["dataset"] in {"aci", "virtassist", "virtscribe"}
        assert doc.metadata["patient"].startswith("pt_")
    assert records[0].text.startswith("CHIEF COMPLAINT")


@pytest.mark.parametrize("chartdate, year", [("2150-03-04", 2150), ("2150-03-04 10:00:00", 2150),
                                             ("03/04/2150", 2150), ("1234567", None), ("", None)])
def test_the_year_of_a_chartdate_in_any_common_layout_and_none_from_a_number(chartdate, year) -> None:
    """QA: "03/04/2150" gave no year and "1234567" the year 1234."""
    from kg.sources.notes import _mimic_record

    fields = {"row_id": "1", "subject_id": "2", "hadm_id": "", "chartdate": chartdate, "category": "Nursing",
              "iserror": "", "text": "Denies chest pain."}
    doc = _mimic_record(fields, Path("n.csv"), 2, KEY)
    assert doc.metadata.get("year") == year


# -- QA round: a malformed row swallowed the rows after it, notes that are not text, unread files, ids --------

MIMIC_HEADER = "ROW_ID,SUBJECT_ID,HADM_ID,CHARTDATE,CATEGORY,ISERROR,TEXT\n"


def _quarantines(records: list) -> list[tuple[str, str, str | None]]:
    return [(r.record, r.reason, r.id) for r in records if isinstance(r, Quarantine)]


def _id(row_id: str) -> str:
    return f"NOTE:{pseudonymize(row_id, KEY, 'note')}"


def test_after_a_stray_quote_rows_with_pandas_float_ids_are_read_and_each_bad_one_is_quarantined_alone(
    tmp_path: Path,
) -> None:
    """QA: HADM_ID written "103.0" (pandas re-saves a column with empty cells as floats) did not read as an
    id, so every row after a stray quote went into its E323: 1 note written of 12, 10 lost."""
    rows = [f'{n},{10 + n},{100 + n}.0,2150-01-01,Nursing,,"Note {n}: diabetes."\n' for n in range(1, 13)]
    rows[1] = '2,12,102.0,2150-01-02,Nursing,,"He said "ok" then left; asthma."\n'
    rows[3] = '4,14,104.0,2150-01-01,Nursing,,"Note 4: diabetes.",extra\n'
    rows[4] = '5,15,105.0,2150-01-01,Nursing,,"Note 5: caf\udce9."\n'
    rows[6] = '7,,107.0,2150-01-01,Nursing,,"Note 7: no subject id."\n'
    csv_file = tmp_path / "notes.csv"
    csv_file.write_bytes((MIMIC_HEADER + "".join(rows)).encode("utf-8", "surrogateescape"))
    records = list(iter_notes(csv_file, key=KEY))
    assert [r.text for r in records if isinstance(r, Document)] == [
        f"Note {n}: diabetes." for n in (1, 3, 6, 8, 9, 10, 11, 12)]
    assert _quarantines(records) == [
        ("row 2", "E323: malformed CSV at line 3: ',' expected after '\"'", _id("2")),
        ("row 4", "E329: 8 columns at line 5, the header has 7", _id("4")),
        ("row 5", "E324: column text is not valid UTF-8: re-save the file as UTF-8", _id("5")),
        ("row 7", "E326: ROW_ID or SUBJECT_ID is empty", _id("7")),
    ]
    assert len(records) == 12  # every row accounted for


def test_a_row_with_an_empty_subject_id_right_after_a_stray_quote_is_quarantined_alone(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text(MIMIC_HEADER + '1,11,101,2150-01-01,Nursing,,"Hypertension."\n'
                        '2,12,102,2150-01-02,Nursing,,"He said "ok"; asthma."\n'
                        '3,,103,2150-01-03,Nursing,,"No subject id: stroke."\n'
                        '4,14,104,2150-01-04,Nursing,,"Diabetes."\n')
    assert _read(csv_file) == [
        "Hypertension.",
        ("row 2", "E323: malformed CSV at line 3: ',' expected after '\"'"),
        ("row 3", "E326: ROW_ID or SUBJECT_ID is empty"),
        "Diabetes.",
    ]


def test_a_row_with_an_empty_row_id_right_after_a_stray_quote_is_quarantined_alone(tmp_path: Path) -> None:
    """It was read as part of the malformed row before it (one E323, at lines 3-6), not accounted for. A row is
    told by its ROW_ID or its SUBJECT_ID: a line of note text with the header's commas and neither is no row."""
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text(MIMIC_HEADER + '1,11,101,2150-01-01,Nursing,,"Hypertension."\n'
                        '2,12,102,2150-01-02,Nursing,,"He said "ok"; asthma."\n'
                        ',12,103,2150-01-03,Nursing,,"No row id: stroke."\n'
                        '4,14,104,2150-01-04,Nursing,,"He said "fine"\n'
                        ',,,,,,see above"\n'
                        '5,15,105,2150-01-05,Nursing,,"Diabetes."\n')
    records = list(iter_notes(csv_file, key=KEY))
    assert [r.text for r in records if isinstance(r, Document)] == ["Hypertension.", "Diabetes."]
    assert _quarantines(records) == [
        ("row 2", "E323: malformed CSV at line 3: ',' expected after '\"'", _id("2")),
        ("row 3", "E326: ROW_ID or SUBJECT_ID is empty", None),
        ("row 4", "E323: malformed CSV at lines 5-6: ',' expected after '\"'", _id("4")),
    ]
    assert records[2].file == str(csv_file)


def test_ids_written_as_floats_get_the_pseudonyms_of_their_integers(tmp_path: Path) -> None:
    """A CSV re-saved by pandas names the same notes, patients and admissions as the original: a note is not
    written twice under two ids, nor a patient split in two. Integer ids keep the pseudonyms they had."""
    original, resaved = tmp_path / "original.csv", tmp_path / "resaved.csv"
    original.write_text(MIMIC_HEADER + "7,42,101,2150-01-01,Nursing,,asthma\n8,42,,2150-01-01,Nursing,,gout\n")
    resaved.write_text(MIMIC_HEADER + "7.0,42.0,101.0,2150-01-01,Nursing,,asthma\n8,42,,2150-01-01,Nursing,,gout\n")
    before, after = list(iter_notes(original, key=KEY)), list(iter_notes(resaved, key=KEY))
    assert before == [d.model_copy(update={"origin": (str(original), d.origin[1])}) for d in after]
    assert before[0].id == _id("7") and before[0].metadata["patient"] == pseudonymize("42", KEY, "pt")
    assert before[0].metadata["encounter"] == pseudonymize("101", KEY, "enc")
    # only a whole number written as a float is one: "101.5" and "0101" are kept as they are
    odd = tmp_path / "odd.csv"
    odd.write_text(MIMIC_HEADER + "0101,42,101.5,2150-01-01,Nursing,,asthma\n")
    (doc,) = iter_notes(odd, key=KEY)
    assert doc.id == _id("0101") and doc.metadata["encounter"] == pseudonymize("101.5", KEY, "enc")


def test_iserror_written_as_a_float_withdraws_the_note(tmp_path: Path) -> None:
    """ISERROR is empty but for the notes written in error, so pandas re-saves it as a float column: ``1.0``
    was read as no flag, and a withdrawn note was written again."""
    csv_file = tmp_path / "resaved.csv"
    csv_file.write_text(MIMIC_HEADER + "7.0,42.0,,2150-01-01,Nursing,1.0,asthma\n8.0,42.0,,2150-01-01,Nursing,,gout\n")
    withdrawn, kept = iter_notes(csv_file, key=KEY)
    assert withdrawn == Deletion(id=_id("7"))
    assert isinstance(kept, Document) and kept.id == _id("8")


def test_an_aci_row_with_an_empty_encounter_id_right_after_a_stray_quote_is_quarantined_alone(
    tmp_path: Path,
) -> None:
    """It was read as part of the malformed row before it (E323 at lines 3-4): 4 rows, 3 records."""
    csv_file = tmp_path / "aci.csv"
    csv_file.write_text('dataset,encounter_id,dialogue,note\naci,D2N001,hi,"Hypertension."\n'
                        'aci,D2N002,hi,"He said "ok"; asthma."\n'
                        'aci,,hi,"No encounter id: stroke."\n'
                        'aci,D2N004,hi,"Diabetes."\n')
    records = list(iter_notes(csv_file, key=KEY))
    assert [(r.record, r.reason, r.id) if isinstance(r, Quarantine) else r.text for r in records] == [
        "Hypertension.",
        ("row 2", "E323: malformed CSV at line 3: ',' expected after '\"'", _id("D2N002")),
        ("row 3", "E328: encounter_id is empty", None),
        "Diabetes.",
    ]
    assert records[2].file == str(csv_file)


def test_a_nul_in_a_csv_cell_is_dropped_and_the_row_named_in_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A NUL was kept in the note text (and one in an id gave the note another id); one alone is no note."""
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text("ROW_ID,SUBJECT_ID,TEXT\n1,10,asthma\n2\0,11,\"dia\0betes\0\0\"\n3,12,\0\n")
    with caplog.at_level("WARNING", logger="kg.sources.notes"):
        records = list(iter_notes(csv_file, key=KEY))
    assert [(r.id, r.text) if isinstance(r, Document) else (r.id, r.reason) for r in records] == [
        (_id("1"), "asthma"), (_id("2"), "diabetes"), (_id("3"), "E322: empty note text")]
    assert [r.getMessage() for r in caplog.records] == [
        f"NUL characters dropped from row_id, text of {csv_file} row 2",
        f"NUL characters dropped from text of {csv_file} row 3",
    ]


def test_a_txt_note_has_no_patient_none_is_made_up_from_its_file_or_folder_name(tmp_path: Path) -> None:
    """A plain-text file names no patient medkg can rely on: its note is a Note without a Patient (README)."""
    (tmp_path / "Smith_John_MRN00776655").mkdir()
    (tmp_path / "Smith_John_MRN00776655" / "2024-01-02.txt").write_text("Asthma.")
    (doc,) = iter_notes(tmp_path, key=KEY)
    assert isinstance(doc, Document) and doc.metadata == {}


def test_a_row_with_more_or_fewer_columns_or_invalid_utf8_names_its_note_when_its_id_is_readable(
    tmp_path: Path,
) -> None:
    """So that a broken new version of a note the graph holds is said to leave the old one there."""
    csv_file = tmp_path / "notes.csv"
    csv_file.write_bytes(b"ROW_ID,SUBJECT_ID,TEXT\n1,10,fever,cough\n2,11\nx y,12,a,b\n3,13,caf\xe9\n"
                         b"\xe94,14,caf\xe9\n")
    assert _quarantines(list(iter_notes(csv_file, key=KEY))) == [
        ("row 1", "E329: 4 columns at line 2, the header has 3", _id("1")),
        ("row 2", "E329: 2 columns at line 3, the header has 3", _id("2")),
        ("row 3", "E329: 4 columns at line 4, the header has 3", None),  # no id where the id should be
        ("row 4", "E324: column text is not valid UTF-8: re-save the file as UTF-8", _id("3")),
        ("row 5", "E324: column row_id is not valid UTF-8: re-save the file as UTF-8", None),
    ]
    aci = tmp_path / "aci.csv"
    aci.write_bytes(b"dataset,encounter_id,dialogue,note\naci,D2N001,hi,fever,extra\naci,D2N002,hi,caf\xe9\n")
    assert _quarantines(list(iter_notes(aci, key=KEY))) == [
        ("row 1", "E329: 5 columns at line 2, the header has 4", _id("D2N001")),
        ("row 2", "E324: column note is not valid UTF-8: re-save the file as UTF-8", _id("D2N002")),
    ]


def test_txt_notes_that_are_binary_or_hold_no_letter_or_digit_are_quarantined(tmp_path: Path) -> None:
    """QA: a file of 500 NUL bytes and one of zero-width spaces were written as notes, each with a Patient."""
    files = {
        "nul.txt": b"\0" * 500,
        "elf.txt": b"\x7fELF\x02\x01\x01\0\0\0",
        "zwsp.txt": "\u200b\u200b\n".encode(),
        "dashes.txt": b"----\n  ***\n",
        "utf16.txt": "Pneumonia treated.".encode("utf-16"),
        "utf16be.txt": "Pneumonia treated.".encode("utf-16-be"),
        "utf32.txt": "Pneumonia treated.".encode("utf-32"),
        "ok.txt": "Ångström: 2 mg.\n".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    records = {r.id: r for r in iter_notes(tmp_path, key=KEY)}
    reasons = {name: getattr(records[_id(name)], "reason", None) for name in files}
    assert reasons == {
        "nul.txt": "E320: not UTF-8 text (byte 0): re-save the note as UTF-8",
        "elf.txt": "E320: not UTF-8 text (byte 7): re-save the note as UTF-8",
        "zwsp.txt": "E322: empty note text",
        "dashes.txt": "E322: empty note text",
        "utf16.txt": "E327: UTF-16LE text, not UTF-8: re-save it as UTF-8",
        "utf16be.txt": "E327: UTF-16BE text, not UTF-8: re-save it as UTF-8",
        "utf32.txt": "E327: UTF-32LE text, not UTF-8: re-save it as UTF-8",
        "ok.txt": None,
    }
    assert isinstance(records[_id("ok.txt")], Document)


def test_a_csv_note_without_a_letter_or_digit_is_empty(tmp_path: Path) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text("ROW_ID,SUBJECT_ID,TEXT\n1,10,\"\u200b\u200b\"\n2,11,\"-- . --\"\n3,12,\"BP 120/80\"\n",
                        encoding="utf-8")
    assert _quarantines(list(iter_notes(csv_file, key=KEY))) == [
        ("row 1", "E322: empty note text", _id("1")), ("row 2", "E322: empty note text", _id("2"))]


def test_files_of_a_notes_folder_that_are_not_txt_are_counted_in_a_warning_that_names_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Never silently left out, and never named: a note file's name may hold the patient's name, so the
    warning gives a count and known file types only ("Doe.Jane" is no file type)."""
    (tmp_path / "Smith_John").mkdir()
    (tmp_path / "Smith_John" / "MRN00776655.txt").write_text("Asthma.")
    (tmp_path / "Smith_John" / "MRN00776655.rtf").write_text("{\\rtf1 Asthma.}")
    (tmp_path / "Doe_Jane_MRN0042.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "Roe_Rick_MRN0043.DOCX").write_bytes(b"PK\x03\x04")
    (tmp_path / "Doe.Jane").write_text("Gout.")
    (tmp_path / "README").write_text("export of 2024-01-02")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    with caplog.at_level("WARNING", logger="kg.sources.notes"):
        records = list(iter_notes(tmp_path, key=KEY))
    assert len(records) == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"5 files in {tmp_path}{os.sep} are not .txt notes and were not read (.docx, .rtf, no extension, other)"]
    assert not re.search("smith|john|doe|jane|roe|rick|mrn", caplog.text, re.I)
    caplog.clear()
    (tmp_path / "Doe_Jane_MRN0042.docx").unlink()
    (tmp_path / "Roe_Rick_MRN0043.DOCX").unlink()
    (tmp_path / "Doe.Jane").unlink()
    (tmp_path / "README").unlink()
    with caplog.at_level("WARNING", logger="kg.sources.notes"):
        list(iter_notes(tmp_path, key=KEY))
    assert [r.getMessage() for r in caplog.records] == [
        f"1 file in {tmp_path}{os.sep} is not a .txt note and was not read (.rtf)"]


def test_hidden_txt_files_of_a_notes_folder_are_no_notes_and_are_counted_in_the_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """QA: macOS's ._Smith_John.txt (beside the note it describes) and a hidden folder's copies were read as
    notes. Other hidden files (.DS_Store, an editor's lock file) are still neither read nor counted."""
    (tmp_path / "Smith_John.txt").write_text("Asthma.")
    (tmp_path / "._Smith_John.txt").write_bytes(b"\0\x05\x16\x07\0\x02\0\0Mac OS X        ")
    (tmp_path / ".hidden_note.txt").write_text("Gout.")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "Smith_John-checkpoint.txt").write_text("Asthma.")
    (tmp_path / ".~lock.Smith_John.txt#").write_text("jdoe,host,2024")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    with caplog.at_level("WARNING", logger="kg.sources.notes"):
        records = list(iter_notes(tmp_path, key=KEY))
    assert [(r.id, r.text) for r in records] == [(_id("Smith_John.txt"), "Asthma.")]
    assert [r.getMessage() for r in caplog.records] == [
        f"3 files in {tmp_path}{os.sep} are not .txt notes and were not read (hidden .txt)"]
    assert not re.search("smith|john|hidden_note|checkpoint", caplog.text, re.I)
    with pytest.raises(SourceError, match="E217"):
        locate_note(tmp_path, _id(".hidden_note.txt"), key=KEY)
    (tmp_path / "Smith_John.txt").unlink()
    with pytest.raises(SourceError, match="E215"):  # hidden files alone are no notes to read
        list(iter_notes(tmp_path, key=KEY))


def test_a_malformed_row_names_its_note_when_its_id_is_readable(tmp_path: Path) -> None:
    """As E324, E326 and E329 do: the ledger then says that the version of the note written before stays."""
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text('ROW_ID,SUBJECT_ID,TEXT\n1,10,"asthma. Denies fever.\n2,11,diabetes.\n'
                        '"3",12,"He said "ok".\n4,13,gout\n"x,5",14,"a "quote"\n6,15,fever\n'
                        '7,16,"never closed\n')
    records = list(iter_notes(csv_file, key=KEY))
    assert [r.text for r in records if isinstance(r, Document)] == ["diabetes.", "gout", "fever"]
    assert [(q.record, q.reason[:4], q.id) for q in records if isinstance(q, Quarantine)] == [
        ("row 1", "E323", _id("1")),
        ("row 3", "E323", _id("3")),  # quoted whole, it is still the id
        ("row 5", "E323", None),  # the damage may be before the id: no id is guessed
        ("row 7", "E323", _id("7")),
    ]
    aci = tmp_path / "aci.csv"
    aci.write_text('dataset,encounter_id,dialogue,note\naci,D2N001,dlg,"CC: "cough" today\n'
                   'aci,D2N002,dlg,"HPI: fever."\n')
    assert _quarantines(list(iter_notes(aci, key=KEY))) == [
        ("row 1", "E323: malformed CSV at line 2: ',' expected after '\"'", _id("D2N001"))]


def test_the_warning_about_files_not_read_comes_once_a_run_although_the_folder_is_opened_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kg.sources import read_files

    (tmp_path / "a.txt").write_text("Asthma.")
    (tmp_path / "b.txt").write_text("Gout.")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    with caplog.at_level("WARNING", logger="kg.sources.notes"):
        assert len(list(read_files([tmp_path], lambda p: iter_notes(p, key=KEY)))) == 2
    assert len(caplog.records) == 1


@pytest.mark.parametrize("encoding, named", [("utf-16", "UTF-16LE"), ("utf-16-be", "UTF-16BE"),
                                             ("utf-16-le", "UTF-16LE"), ("utf-32", "UTF-32LE")])
@pytest.mark.parametrize("gz", [False, True])
def test_a_utf16_or_utf32_csv_is_an_error_that_names_its_encoding(
    tmp_path: Path, encoding: str, named: str, gz: bool
) -> None:
    """QA: a UTF-16 CSV gave E213 with the header shown as '\\udcff\\udcfeR O W _ I D'."""
    from kg.errors import RecordError

    data = "ROW_ID,SUBJECT_ID,TEXT\n1,10,asthma\n".encode(encoding)
    csv_file = tmp_path / ("notes.csv.gz" if gz else "notes.csv")
    csv_file.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(RecordError) as err:
        list(iter_notes(csv_file, key=KEY))
    assert err.value.reason == f"E327: {csv_file}: record line 1: {named} text, not UTF-8: re-save it as UTF-8"
    assert "iconv" in err.value.hint and "E213" not in str(err.value)
