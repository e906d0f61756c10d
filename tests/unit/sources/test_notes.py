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
from kg.sources.notes import count_notes, iter_notes, locate_note

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
    assert count_notes(good, KEY) == 199
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
    assert count_notes(tmp_path, KEY) == 4


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
