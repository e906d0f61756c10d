"""Short forms defined in the text take their long form's type (kg.extract.spans)."""

from kg.extract.spans import inherit_abbreviation_types

from fakes import analyse


def _span(doc, text, nth=0):
    """Token span of the ``nth`` occurrence of ``text`` (a run of whole tokens)."""
    starts = [i for i, t in enumerate(doc.tokens) if doc.text.startswith(text, t.idx)]
    start = starts[nth]
    end = next(i for i in range(start, len(doc.tokens) + 1) if doc.tokens[start:i].text == text)
    return start, end


def test_an_entity_that_starts_before_the_long_form_counts_where_it_spells_the_short_form():
    doc = analyse("Complement C7 deficiency (C7D) is rare. C7D patients get meningitis.")
    assert [(a.short, a.long) for a in doc.abbreviations][0] == ("C7D", "C7 deficiency")  # the shortest
    whole, first, second = _span(doc, "Complement C7 deficiency"), _span(doc, "C7D"), _span(doc, "C7D", 1)
    ents = {whole: "Disease", first: "Gene", second: "Gene"}
    inherit_abbreviation_types(doc.tokens, ents, {})
    assert ents == {whole: "Disease", first: "Disease", second: "Disease"}


def test_an_entity_before_the_long_form_that_does_not_spell_the_short_form_gives_it_nothing():
    doc = analyse("Mutations of familial adenomatous polyposis coli (APC) were found. APC binds.")
    whole, first, second = (_span(doc, "familial adenomatous polyposis coli"), _span(doc, "APC"),
                            _span(doc, "APC", 1))
    ents = {whole: "Disease", first: "Gene", second: "Gene"}
    inherit_abbreviation_types(doc.tokens, ents, {})
    assert ents == {whole: "Disease", first: "Gene", second: "Gene"}
    # the dictionary reaches before the long form whatever the entity spells
    inherit_abbreviation_types(doc.tokens, ents, {}, reach_before_long_form=True)
    assert ents[first] == ents[second] == "Disease"


def test_a_short_form_inside_a_longer_entity_of_its_type_stays_inside_it():
    doc = analyse("Cyclooxygenase (COX) activity fell; COX-2 inhibitors and COX blockers were used.")
    long, name, bare = _span(doc, "Cyclooxygenase"), _span(doc, "COX-2"), _span(doc, "COX", 2)
    ents = {long: "Gene", name: "Gene"}
    inherit_abbreviation_types(doc.tokens, ents, {})
    # "COX-2" is not cut down to "COX"; the bare "COX" and the definition's take the long form's type
    assert ents == {long: "Gene", _span(doc, "COX"): "Gene", name: "Gene", bare: "Gene"}


def test_a_section_header_of_a_note_is_never_a_mention():
    from kg.extract.spans import to_mentions

    doc = analyse("CC: knee pain.\n\nALLERGIES\n\nPenicillin allergy.\n", source="note")
    ents = {_span(doc, "CC"): "Chemical", _span(doc, "ALLERGIES"): "Disease", _span(doc, "knee pain"): "Disease",
            _span(doc, "Penicillin"): "Chemical"}
    assert [m.text for m in to_mentions(doc, ents, "t", "1")] == ["knee pain", "Penicillin"]


def test_a_review_of_systems_label_is_never_a_mention():
    from kg.extract.spans import to_mentions

    doc = analyse("REVIEW OF SYSTEMS\n• Psychiatric: Denies anxiety.\nPsychiatric symptoms improved.\n", source="note")
    ents = {_span(doc, "Psychiatric"): "Disease", _span(doc, "anxiety"): "Disease",
            _span(doc, "Psychiatric", 1): "Disease"}
    # only the line's label goes; the same word in prose is the writer's
    assert [(m.text, m.start) for m in to_mentions(doc, ents, "t", "1")] == [
        ("anxiety", doc.text.index("anxiety")), ("Psychiatric", doc.text.index("Psychiatric symptoms"))]


def test_a_lab_fields_analyte_before_its_result_is_never_a_mention():
    from kg.extract.spans import to_mentions

    text = ("Glucose: Negative.\nHemoglobin A1c: 7.5\nHepatitis C: negative\nAsthma: well controlled\n"
            "Aspirin: 81 mg daily\n")
    doc = analyse(text, source="note")
    ents = {_span(doc, "Glucose"): "Chemical", _span(doc, "Hemoglobin"): "Gene", _span(doc, "Hepatitis C"): "Disease",
            _span(doc, "Asthma"): "Disease", _span(doc, "Aspirin"): "Chemical"}
    # a disease answered negative is a pertinent negative, a problem's status or a dose keeps its name
    assert [m.text for m in to_mentions(doc, ents, "t", "1")] == ["Hepatitis C", "Asthma", "Aspirin"]


def test_field_labels_are_a_notes_only():
    from kg.extract.spans import to_mentions

    doc = analyse("Psychiatric: Denies anxiety.", source="pubmed")
    assert [m.text for m in to_mentions(doc, {_span(doc, "Psychiatric"): "Disease"}, "t", "1")] == ["Psychiatric"]
