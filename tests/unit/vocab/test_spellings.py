from kg.vocab.spellings import mesh_spelling


def test_a_word_is_spelled_as_mesh_spells_it():
    assert [mesh_spelling(w) for w in ("oedema", "oestrogens", "haemorrhage", "leukaemic", "diarrhoea", "coeliac",
                                       "oesophagitis", "sulphasalazine", "aluminium", "edema")] == [
        "edema", "estrogens", "hemorrhage", "leukemic", "diarrhea", "celiac", "esophagitis", "sulfasalazine",
        "aluminum", "edema"]
