import csv

import pytest

from kg.config import SHARED_DATA
from kg.text.sections import normalise_label, sectionize

NOTE = """Dictated by the resident.
CHIEF COMPLAINT

Knee pain.

HISTORY OF PRESENT ILLNESS

She has had a plan to lose weight.
Past Medical History: Hypertension.
FAMILY HISTORY

Mother with breast cancer.
PHYSICAL EXAM
Knee swollen.
ASSESSMENT AND PLAN

Osteoarthritis.
"""


def test_hand_written_note():
    sections = sectionize(NOTE)
    assert [s.label for s in sections] == [
        "chief_complaint",
        "history_of_present_illness",
        "past_medical_history",
        "family_history",
        "physical_exam",
        "assessment_and_plan",
    ]
    texts = {s.label: NOTE[s.start : s.end] for s in sections}
    assert texts["family_history"] == "FAMILY HISTORY\n\nMother with breast cancer."
    assert texts["past_medical_history"] == "Past Medical History: Hypertension."
    assert texts["assessment_and_plan"].endswith("Osteoarthritis.")
    assert sections[0].start == NOTE.index("CHIEF")  # the preamble belongs to no section


def test_prose_words_are_not_headers():
    assert sectionize("We discussed the\nplan\nand the exam.\nexam\n") == ()
    assert [s.label for s in sectionize("Plan: rest.\nPLAN\nIce.")] == ["plan", "plan"]


def test_a_known_header_alone_on_its_line_opens_its_section_in_title_case_too():
    text = ("Chief Complaint\nHeadache.\n\nFamily History\nBreast cancer.\nColon cancer.\n\n"
            "Past medical history\nAsthma.\n\nAllergies\nPenicillin.\n")
    assert [(s.label, text[s.start : s.end].split("\n")[-1]) for s in sectionize(text)] == [
        ("chief_complaint", "Headache."), ("family_history", "Colon cancer."),
        ("past_medical_history", "Asthma."), ("allergies", "Penicillin.")]


def test_an_abbreviation_alone_on_its_line_is_a_header_in_upper_case_only():
    assert sectionize("Cc\nknee pain.\nPe\nnormal.\nhpi\nfell.") == ()
    assert [s.label for s in sectionize("CC\nKnee pain.\nPE\nNormal.")] == ["chief_complaint", "physical_exam"]


def test_normalise_label():
    assert normalise_label("PAST HISTORY") == "past_medical_history"
    assert normalise_label("Physical  Examination:") == "physical_exam"
    assert normalise_label("PSYCHIATRIC HISTORY") == "psychiatric_history"
    assert sectionize("PSYCHIATRIC HISTORY\nDepression.")[0].label == "psychiatric_history"


def test_aci_bench_notes_have_their_headers_found():
    path = SHARED_DATA / "notes" / "aci-bench" / "valid.csv"
    if not path.exists():
        pytest.skip(f"ACI-Bench notes not found at {path}")
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", newline="") as f:
        notes = [row["note"] for row in csv.DictReader(f)]
    assert notes
    for note in notes:
        sections = sectionize(note)
        labels = {s.label for s in sections}
        assert "chief_complaint" in labels or "history_of_present_illness" in labels, note[:200]
        # every upper-case standalone header line starts a section
        starts = {s.start for s in sections}
        offset = 0
        for line in note.split("\n"):
            if line.strip() in {"PHYSICAL EXAM", "FAMILY HISTORY", "ASSESSMENT AND PLAN", "RESULTS"}:
                assert offset + line.index(line.strip()) in starts
            offset += len(line) + 1


def test_header_end_covers_the_header_and_its_colon_only():
    from kg.text.sections import header_end

    text = "Social History: Patient has asthma.\nPSYCHIATRIC HISTORY\nDepression.\nPROBLEM LIST\nGout."
    ends = {s.label: text[s.start : header_end(text, s.start)] for s in sectionize(text)}
    assert ends == {"social_history": "Social History:", "psychiatric_history": "PSYCHIATRIC HISTORY",
                    "problem_list": "PROBLEM LIST"}
    assert header_end("Diabetes is common.", 0) == 0  # no header written there
