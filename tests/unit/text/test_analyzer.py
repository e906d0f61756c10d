from kg.text.analyzer import analysis_pipeline


def test_sentences_do_not_break_after_dosing_abbreviations():
    nlp = analysis_pipeline()
    doc = nlp("Rats received i.v. tobramycin daily. Renal damage followed.")
    assert [s.text for s in doc.sents] == ["Rats received i.v. tobramycin daily.", "Renal damage followed."]


def test_abbreviations_detected_without_a_trained_model():
    nlp = analysis_pipeline()
    doc = nlp("Patients with hereditary hemochromatosis (HH) were seen. HH is common.")
    shorts = [(a.text, a._.long_form.text) for a in doc._.abbreviations]
    # Schwartz-Hearst takes the shortest long form whose letters cover the short form.
    assert shorts == [("HH", "hemochromatosis")] * 2  # the definition and the later use
