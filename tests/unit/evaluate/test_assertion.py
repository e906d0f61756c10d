import pytest

from kg.config import SHARED_DATA
from kg.errors import SourceError
from kg.evaluate.assertion import (
    compare_with_medspacy_defaults,
    concept_span,
    evaluate_assertion,
    read_negex_tsv,
)

HEADER = b"Report No.\tConcept\tSentence\tNegation\n"


def test_concept_span_prefers_upper_case_and_tolerates_whitespace():
    sentence = "staph seen; STAPH   BACTEREMIA present."
    s, e = concept_span(sentence, "staph   bacteremia")
    assert sentence[s:e] == "STAPH   BACTEREMIA"
    s, e = concept_span("pain and PAIN", "pain")
    assert (s, e) == (9, 13)
    assert concept_span("no match here", "fever") is None


def test_bad_rows_are_quarantined_not_dropped(tmp_path):
    path = tmp_path / "negex.tsv"
    path.write_bytes(
        HEADER
        + b"1\tfever\tNo FEVER.\tNegated\n"
        + b"1\tcough\tHas a COUGH.\tAffirmed\n"
        + b"2\tcough\tonly three\n"
        + b"3\trash\tNo RASH.\tMaybe\n"
        + b"4\tedema\tNo swelling.\tNegated\n"
        + b"5\tpain\t\xff\xfe PAIN\tAffirmed\n"
    )
    examples, quarantined = read_negex_tsv(path)
    assert [(e.concept, e.gold, e.record) for e in examples] == [("fever", "negated", "line 2"), ("cough", "affirmed", "line 3")]
    reasons = {q.record: q.reason for q in quarantined}
    assert set(reasons) == {"line 4", "line 5", "line 6", "line 7"}
    assert "3 fields" in reasons["line 4"]
    assert "'Maybe'" in reasons["line 5"]
    assert "not found" in reasons["line 6"]
    assert "UTF-8" in reasons["line 7"]
    assert all(q.file == str(path) for q in quarantined)


def test_missing_column_is_a_clear_error(tmp_path):
    path = tmp_path / "negex.tsv"
    path.write_text("Concept\tSentence\nfever\tNo FEVER.\n")
    with pytest.raises(SourceError, match="Negation"):
        read_negex_tsv(path)


class _Fixed:
    """Says 'negated' exactly for the sentences it is given."""

    name = "fixed"

    def __init__(self, negated):
        self.negated = negated

    def tag_sentence(self, sentence, start, end):
        return ("negated", "x") if sentence in self.negated else ("uncertain", "maybe")


def test_scores_negated_as_positive_class(tmp_path):
    path = tmp_path / "negex.tsv"
    rows = [("a", "No A.", "Negated"), ("b", "No B.", "Negated"), ("c", "C seen.", "Affirmed"), ("d", "D seen.", "Affirmed")]
    path.write_text(HEADER.decode() + "".join(f"1\t{c}\t{s}\t{g}\n" for c, s, g in rows))
    report = evaluate_assertion(path, _Fixed({"No A.", "C seen."}))
    assert (report.tp, report.fp, report.fn, report.tn) == (1, 1, 1, 1)
    assert report.precision == pytest.approx(0.5) and report.recall == pytest.approx(0.5)
    assert report.f1 == pytest.approx(0.5)
    assert report.accuracy_by_class == {"affirmed": 0.5, "negated": 0.5}
    assert report.predicted_by_gold["affirmed"] == {"negated": 1, "uncertain": 1}
    assert [e.concept for e in report.errors] == ["b", "c"]


@pytest.mark.slow
def test_medkg_rules_at_least_match_medspacy_defaults_on_negex_dev():
    path = SHARED_DATA / "assertion" / "negex_dev.tsv"
    if not path.exists():
        pytest.skip(f"NegEx dev file not found at {path}")
    ours, defaults = compare_with_medspacy_defaults(path)
    assert ours.n == defaults.n > 1000
    assert defaults.f1 > 0.8  # the baseline really ran
    assert ours.f1 >= defaults.f1
