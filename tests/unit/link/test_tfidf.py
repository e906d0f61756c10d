"""TfidfLinker on the fixture store: each tier, type-awareness, NIL, abbreviations, concepts, cache."""

from __future__ import annotations

import pytest

from kg.doc import Component
from kg.link import tfidf
from kg.link.tfidf import TfidfLinker, build_index, load_index
from kg.models import Candidate, Mention

from fakes import analyse


@pytest.fixture(scope="module")
def linker(built) -> TfidfLinker:
    from kg.vocab.conceptstore import ConceptStore

    return TfidfLinker(ConceptStore.open(built[0]))


def top(linker: TfidfLinker, text: str, type_: str) -> tuple[str | None, float]:
    cands = linker.candidates([(text, type_)])[0]
    return (cands[0].concept_id, cands[0].score) if cands else (None, 0.0)


def test_is_a_component_with_name_version_and_settings(linker):
    assert isinstance(linker, Component)
    assert linker.name == "tfidf" and linker.version.startswith(tfidf.INDEX_VERSION)
    assert linker.settings["threshold"] == linker.threshold


def test_exact_match_ignores_case(linker):
    assert top(linker, "niddm", "Disease") == ("MESH:D003924", 1.0)


def test_normalised_match_ignores_word_order_punctuation_and_plural(linker):
    assert top(linker, "Diabetes-Mellitus (Type 2)", "Disease") == ("MESH:D003924", tfidf.NORMALISED)
    assert top(linker, "seizure", "Disease")[0] == "MESH:D012640"


def test_other_vocabularies_link_to_the_mesh_concept_they_map_to(linker):
    assert top(linker, "type II diabetes NOS", "Disease")[0] == "MESH:D003924"  # ICD-10-CM inclusion term
    assert top(linker, "Anaemia", "Disease")[0] == "MESH:D000740"  # HPO synonym, HPO xref to MeSH


def test_unmapped_concepts_link_under_their_own_curie(linker):
    assert top(linker, "hypomagnesemia", "Disease")[0] == "HP:0002917"


def test_induced_prefix_is_dropped_for_diseases(linker):
    cid, score = top(linker, "metformin-induced seizures", "Disease")
    assert cid == "MESH:D012640" and score < 1.0


def test_tfidf_finds_misspellings_with_a_lower_score(linker):
    cid, score = top(linker, "diabetes melitus type 2", "Disease")
    assert cid == "MESH:D003924" and linker.threshold <= score < tfidf.NORMALISED


def test_type_aware_and_nil(linker):
    assert top(linker, "metformin", "Chemical")[0] == "MESH:D008687"
    assert top(linker, "metformin", "Disease")[0] is None  # a chemical is never a disease's candidate
    assert top(linker, "asthma", "Chemical")[0] is None
    assert top(linker, "qqzzxv", "Disease")[0] is None  # nothing clears the threshold
    assert top(linker, "metformin", "Gene")[0] is None


def test_a_memo_that_fills_up_mid_call_forgets_nothing_of_that_call(built, linker, monkeypatch):
    from kg.vocab.conceptstore import ConceptStore

    monkeypatch.setattr(tfidf, "MEMO_SIZE", 2)  # cleared twice while these five are looked up
    fresh = TfidfLinker(ConceptStore.open(built[0]))
    texts = [("niddm", "Disease"), ("metformin", "Chemical"), ("seizure", "Disease"), ("asthma", "Disease"),
             ("diabetes melitus type 2", "Disease"), ("niddm", "Disease")]
    got = [c[0].concept_id if c else None for c in fresh.candidates(texts)]
    assert got == [top(linker, t, y)[0] for t, y in texts]  # the module linker never fills its memo
    assert got[0] == got[-1] == "MESH:D003924" and len(fresh._memo) <= 2


def test_untyped_descriptors_link_as_chemicals_and_take_that_type(linker):
    assert top(linker, "Propofol", "Chemical")[0] == "MESH:D015742"
    concept = linker.concepts(["MESH:D015742"])["MESH:D015742"]
    assert concept.type == "Chemical" and concept.name == "Propofol"


def test_descriptors_whose_tree_numbers_name_no_entity_type_are_no_candidates(linker):
    # HAART is a descriptor of therapeutic techniques (E02): no chemical, though untyped
    assert top(linker, "HAART", "Chemical")[0] is None
    assert top(linker, "Propofol", "Chemical")[0] == "MESH:D015742"  # untyped, but without tree numbers


def test_supplementary_records_link_like_descriptors(linker):
    assert top(linker, "Sutent", "Chemical") == ("MESH:C413408", 1.0)
    assert top(linker, "primary hypomagnesemia", "Disease")[0] == "MESH:C537153"
    assert top(linker, "Sutent", "Disease")[0] is None


def test_a_name_shared_by_two_concepts_is_the_one_it_is_the_preferred_name_of(linker):
    # "Myalgia" is an entry term of Musculoskeletal Pain and the name of Myalgia
    assert top(linker, "myalgia", "Disease") == ("MESH:D063806", 1.0)
    assert top(linker, "muscle pain", "Disease")[0] == "MESH:D059352"


def test_a_tfidf_neighbour_may_add_or_drop_words_but_not_swap_one(linker):
    assert top(linker, "decreased liver functions", "Disease")[0] == "MESH:D008107"  # same words, TF-IDF tier
    assert top(linker, "decreased renal function", "Disease")[0] is None  # renal is not liver
    assert tfidf._words_agree(tfidf._content_words("dysrhythmias"), tfidf._content_words("cardiac dysrhythmia"))
    assert tfidf._words_agree(tfidf._content_words("beta-adrenergic blocking drugs"),
                              tfidf._content_words("beta-adrenergic blocking agents"))
    assert not tfidf._words_agree(tfidf._content_words("renal impairment"),
                                  tfidf._content_words("diminished mental health"))


def test_salt_words_are_dropped_for_chemicals(linker):
    cid, score = top(linker, "metformin hydrochloride", "Chemical")
    assert cid == "MESH:D008687" and score < 1.0
    assert top(linker, "sodium metformin", "Chemical")[0] == "MESH:D008687"
    # and a name with a salt word stands for the bare drug when nothing else has that name
    assert top(linker, "Imatinib Mesylate", "Chemical")[0] == top(linker, "imatinib", "Chemical")[0]
    # where a descriptor's salt and a supplementary record's meet, the bare name is the descriptor's
    assert top(linker, "glycopyrronium", "Chemical")[0] == "MESH:D006024"
    assert top(linker, "glycopyrronium tosylate", "Chemical")[0] == "MESH:C000629920"


def test_a_descriptor_named_with_its_chloride_or_acetate_also_stands_without_it(linker):
    assert top(linker, "methacholine", "Chemical") == ("MESH:D016210", 1.0)
    assert top(linker, "sodium chloride", "Chemical")[0] is None  # a mention keeps its chloride
    assert linker.index.exact.keys.get("uranyl") is None  # a radical is no compound
    assert linker.index.exact.keys.get("dimethyltin") is None  # nor a supplementary record's name


def test_a_mention_is_also_read_as_mesh_spells_it(linker):
    # MeSH's "Desoxycorticosterone Acetate", not its Desoxycorticosterone reached without the salt
    assert top(linker, "deoxycorticosterone acetate", "Chemical") == ("MESH:D064791", tfidf.VARIANT)
    assert top(linker, "deoxycorticosterone", "Chemical") == ("MESH:D003900", 1.0)
    assert ["deoxycorticosterone", "desoxycorticosterone"] in linker.settings["spellings"]


def test_a_development_code_and_an_inn_alfa_are_also_read_as_mesh_spells_them(linker):
    # MeSH writes "KF 17837" and "peginterferon alfa-2b"; papers "KF17837", "interferon alpha-2b"
    assert {"kf 17837", "kf-17837", "kf17837"} <= set(tfidf._variants("kf17837", "Chemical"))
    assert "ro 15-1788" in tfidf._variants("ro15-1788", "Chemical")
    assert "pegylated interferon alfa-2b" in tfidf._variants("pegylated interferon alpha-2b", "Chemical")
    assert tfidf._variants("5-ht2", "Chemical") == ["5-ht2"]  # a number first is no code
    assert tfidf._variants("venous thrombo-embolism", "Disease")[1] == "venous thromboembolism"
    assert linker.settings["codes"] == tfidf._CODE.pattern  # in the fingerprint


def test_an_anion_that_names_nothing_is_read_as_its_acid(linker):
    # MeSH names the acid only ("Zoledronic Acid"); papers write the anion
    assert top(linker, "zoledronate", "Chemical") == ("MESH:D000077211", tfidf.VARIANT)
    assert top(linker, "sodium zoledronate", "Chemical") == ("MESH:D000077211", tfidf.VARIANT)  # a salt's anion too
    assert top(linker, "zoledronate", "Disease") == (None, 0.0)  # chemicals only
    assert linker.settings["anion_acids"] is True  # in the fingerprint


def test_a_one_word_disease_adjective_is_also_read_as_its_noun(linker):
    # "anemic patients": the NER tags the adjective; MeSH names the noun (here through the variant, exactly)
    assert top(linker, "anemic", "Disease") == ("MESH:D000740", tfidf.VARIANT)
    for adjective, noun in (("dyskinetic", "dyskinesia"), ("cataleptic", "catalepsy"), ("psychotic", "psychosis"),
                            ("hypertrophic", "hypertrophy"), ("edematous", "edema"), ("parkinsonian", "parkinsonism"),
                            ("aneurysmal", "aneurysm"), ("painful", "pain"), ("depressive", "depression")):
        assert noun in tfidf._variants(adjective, "Disease"), adjective
    assert tfidf._variants("anemic", "Chemical") == ["anemic"]  # diseases only
    assert tfidf._variants("ischemic stroke", "Disease") == ["ischemic stroke"]  # one word only
    assert tfidf._variants("renal", "Disease") == ["renal"]  # no ending it knows
    assert ["ic", ["ia", "y"]] in linker.settings["adjective_endings"]  # in the fingerprint


def test_a_compound_is_a_name_of_supplementary_chemical_records_only_and_no_protein(linker):
    assert linker.names_a_compound("glycopyrronium tosylate")  # maps to Glycopyrrolate (D02)
    assert not linker.names_a_compound("ins protein, human")  # maps to Insulin (D06, D12)
    assert linker.store.tree_numbers("MESH:C522522") == linker.store.tree_numbers("MESH:D007328") != ()
    assert not linker.names_a_compound("methacholine chloride")  # a descriptor's name
    assert not linker.names_a_compound("primary hypomagnesemia")  # a disease's
    assert not linker.names_a_compound("no such compound")
    assert not linker.names_a_compound("afro-caribbeans")  # a population record
    assert top(linker, "Afro-Caribbeans", "Chemical")[0] is None


def test_a_stereo_prefix_is_dropped_for_chemicals_where_no_name_has_it(linker):
    assert top(linker, "L-thyroxine", "Chemical") == ("MESH:D013974", tfidf.VARIANT)  # not a TF-IDF neighbour
    assert top(linker, "L-thyroxine", "Disease")[0] is None


def test_gene_vocabularies_are_left_to_the_gene_normaliser(linker):
    assert top(linker, "TP53", "Gene")[0] is None  # HGNC names are not in the index ...
    assert top(linker, "tumor protein p53", "Chemical")[0] is None
    assert linker.index.exact.keys.get("tp53") is None


def test_concepts_carry_xrefs_source_and_release(linker):
    found = linker.concepts(["MESH:D003924", "MESH:D003924", "NOPE:1"])
    assert list(found) == ["MESH:D003924"]
    t2d = found["MESH:D003924"]
    assert {"MONDO:0005148", "DOID:9352", "OMIM:125853", "ICD10CM:E11"} <= set(t2d.xrefs)
    assert t2d.source == "mesh" and t2d.release


def test_a_concept_cache_that_fills_up_still_returns_every_known_id(built, monkeypatch):
    from kg.vocab.conceptstore import ConceptStore

    monkeypatch.setattr(tfidf, "CONCEPT_CACHE_SIZE", 2)
    fresh = TfidfLinker(ConceptStore.open(built[0]))
    assert list(fresh.concepts(["MESH:D003924"])) == ["MESH:D003924"]
    both = fresh.concepts(["MESH:D003924", "MESH:D008687", "MESH:D012640"])  # the cache overflows here
    assert sorted(both) == ["MESH:D003924", "MESH:D008687", "MESH:D012640"]


def _linked(linker, text: str, spans: list[tuple[int, int, str]], candidates: dict[int, tuple] | None = None):
    """``text`` analysed, with mentions at ``spans`` (some with upstream candidates), through the linker."""

    class Spans:
        name, version, settings = "t", "1", {}

        def pipe(self, docs, batch_size=1):
            for d in docs:
                d.mentions = tuple(
                    Mention(doc_id=d.id, start=s, end=e, text=text[s:e], label=label, extractor="t",
                            extractor_version="1", candidates=(candidates or {}).get(k, ()))
                    for k, (s, e, label) in enumerate(spans))
                yield d

    return analyse(text, Spans(), linker)


def test_abbreviations_link_through_their_long_form(linker):
    text = "Patients with non-insulin-dependent diabetes mellitus (NIDM) took metformin. NIDM persisted."
    s1 = text.index("NIDM")
    s2 = text.index("NIDM", s1 + 1)
    out = _linked(linker, text, [(s1, s1 + 4, "Disease"), (s2, s2 + 4, "Disease")])
    assert [m.concept_id for m in out.mentions] == ["MESH:D003924", "MESH:D003924"]
    assert out.mentions[0].candidates[0].score == pytest.approx(tfidf.ABBREVIATION * tfidf.EXACT)
    assert set(out.concepts) == {"MESH:D003924"} and out.concepts["MESH:D003924"].name
    alone = _linked(linker, "NIDM persisted.", [(0, 4, "Disease")])
    assert alone.mentions[0].concept_id is None and alone.concepts == {}


def test_a_short_form_the_document_never_defines_takes_the_concept_of_the_mention_it_abbreviates(linker):
    # "NIDDM" is a name itself; "NIDM" is not, and this abstract never spells it out
    text = "Metformin in non-insulin-dependent diabetes mellitus. Patients with NIDM took it; NIDMs vary."
    s1, s2 = text.index("NIDM"), text.index("NIDMs")
    long = (text.index("non-"), text.index(". Patients"), "Disease")
    out = _linked(linker, text, [long, (s1, s1 + 4, "Disease"), (s2, s2 + 5, "Disease")])
    assert [m.concept_id for m in out.mentions] == ["MESH:D003924"] * 3
    assert out.mentions[1].candidates[0].score == pytest.approx(tfidf.ABBREVIATION * out.mentions[0].candidates[0].score)
    # no mention it abbreviates, another type, or two letters: NIL as before
    assert _linked(linker, text, [(s1, s1 + 4, "Disease")]).mentions[0].concept_id is None
    assert _linked(linker, text, [long, (s1, s1 + 4, "Chemical")]).mentions[1].concept_id is None
    text = "Seizures (convulsions) and SC."
    assert _linked(linker, text, [(0, 8, "Disease"), (26, 28, "Disease")]).mentions[1].concept_id is None
    assert tfidf._abbreviates("OAB", "overactive bladder") and tfidf._abbreviates("PGs", "prostaglandins")
    assert not tfidf._abbreviates("OAB", "obesity") and not tfidf._abbreviates("MBC", "breast cancer")
    assert not tfidf._abbreviates("PGs", "PGF2alpha")  # a relative, not a spelling out
    assert linker.settings["undefined_short_forms"] == tfidf._UNDEFINED_SHORT.pattern  # in the fingerprint


def test_a_short_form_spelt_out_as_something_unlinkable_is_not_linked_as_itself(linker):
    # the document says what MAP means here, and that is no chemical: not Methamphetamine ("MAP")
    text = "The mean arterial pressure (MAP) fell. MAP recovered."
    spans = [(m, m + 3, "Chemical") for m in (text.index("MAP"), text.index("MAP", text.index("MAP") + 1))]
    assert [m.concept_id for m in _linked(linker, text, spans).mentions] == [None, None]
    assert _linked(linker, "MAP was given.", [(0, 3, "Chemical")]).mentions[0].concept_id == "MESH:D008694"
    # a code name with digits is specific enough to stand for its concept whatever the long form
    text = "The signal transduction inhibitor 571 (STI571) was given. STI571 worked."
    at = text.index("STI571", text.index("STI571") + 1)
    assert _linked(linker, text, [(at, at + 6, "Chemical")]).mentions[0].concept_id == "MESH:D000068877"


def test_a_long_form_that_begins_inside_a_word_is_also_tried_whole():
    doc = analyse("The analogue 22-oxacalcitriol (OCT) lowered PTH. Rats took cis-retinoic acid (RA) or "
                  "parathyroid hormone (PTH), and dogs 1-(2-chloroethyl)-3-cyclohexyl-1-nitrosourea (CCNU) "
                  "(or [13-cis-retinoic acid (CRA)]).")
    assert doc.short_forms()["OCT"] == "oxacalcitriol"  # the detector starts at the token its first letter is
    whole = tfidf._whole_word_long_forms(doc)
    assert whole["OCT"] == ("22-oxacalcitriol",) and whole["RA"] == ("cis-retinoic acid",) and whole["PTH"] == ()
    assert whole["CCNU"] == ("1-(2-chloroethyl)-3-cyclohexyl-1-nitrosourea",)
    assert whole["CRA"] == ("13-cis-retinoic acid",)  # not the bracket that opens before it


def test_a_mention_bracketed_after_one_of_its_type_stands_for_it_where_the_detector_pairs_none(linker):
    text = "Rats took methamphetamine (METH: 5 mg/kg) or metformin (MF/X). METH raised it; MF did not."
    spans = [(text.index(w), text.index(w) + len(w), "Chemical") for w in ("methamphetamine", "METH", "metformin")]
    spans += [(text.index(w, text.index(".")), text.index(w, text.index(".")) + len(w), "Chemical") for w in ("METH", "MF")]
    spans.insert(3, (text.index("MF"), text.index("MF") + 2, "Chemical"))
    out = _linked(linker, text, spans)
    assert [m.concept_id for m in out.mentions if m.text == "METH"] == ["MESH:D008694"] * 2
    assert [m.concept_id for m in out.mentions if m.text == "MF"] == [None, None]  # "(MF/X)": two short forms


def test_upstream_candidates_are_kept(linker):
    given = (Candidate(concept_id="MESH:D001249", score=0.5),)
    out = _linked(linker, "metformin", [(0, 9, "Chemical")], {0: given})
    assert out.mentions[0].candidates == given


def test_index_is_cached_per_store_version(built, tmp_path, monkeypatch):
    from kg.vocab.conceptstore import ConceptStore

    store = ConceptStore.open(built[0])
    first = load_index(store, tmp_path)
    assert len(list(tmp_path.glob(f"{tfidf.INDEX_VERSION}-{store.version}.pkl"))) == 1

    def no_rebuild(_store):
        raise AssertionError("index rebuilt although cached")

    monkeypatch.setattr(tfidf, "build_index", no_rebuild)
    again = load_index(store, tmp_path)
    assert again.ids == first.ids and again.store_version == store.version


def test_cut_cache_file_is_rebuilt(built, tmp_path):
    from kg.vocab.conceptstore import ConceptStore

    store = ConceptStore.open(built[0])
    (tmp_path / f"{tfidf.INDEX_VERSION}-{store.version}.pkl").write_bytes(b"\x80\x05cut")
    assert load_index(store, tmp_path).ids == build_index(store).ids



def test_the_variant_scan_the_extractor_left_on_the_document_is_not_repeated(monkeypatch):
    from kg.extract.variant_rules import fill_variants
    from kg.vocab import variants
    from kg.vocab.context import DocContext

    text = "The MTHFR c.677C>T change was found."
    doc = analyse(text)
    doc.mentions = fill_variants(doc)
    assert [v.id for v in doc.variants] == ["tmVar:c|SUB|C|677|T"]
    scans = []
    monkeypatch.setattr(variants, "find_variants", lambda *a, **k: scans.append(a) or [])
    normalizer = variants.VariantNormalizer(learned={}, version="t")
    start = text.index("c.677")
    mention = [("c.677C>T", start, start + 8)]
    assert normalizer.normalize(mention, DocContext.build(text, variants=doc.variants))[0][0] == "tmVar:c|SUB|C|677|T"
    assert scans == []  # read from the layer, not scanned again
    normalizer.normalize(mention, DocContext.build(text))  # no layer (gold mentions): the normaliser scans
    assert len(scans) == 1


def test_a_coordination_is_one_mention_per_concept_it_names(linker):
    text = "Ventricular tachycardia and fibrillation developed."
    out = _linked(linker, text, [(0, len("Ventricular tachycardia"), "Disease")])
    whole = "Ventricular tachycardia and fibrillation"
    assert [(m.text, m.concept_id) for m in out.mentions] == [(whole, "MESH:D017180"), (whole, "MESH:D014693")]
    assert set(out.concepts) == {"MESH:D017180", "MESH:D014693"}
    # a conjunct that names no concept leaves the mention as it was
    text = "Ventricular tachycardia and collapse developed."
    out = _linked(linker, text, [(0, len("Ventricular tachycardia"), "Disease")])
    assert [(m.text, m.concept_id) for m in out.mentions] == [("Ventricular tachycardia", "MESH:D017180")]


def test_a_coordination_that_is_itself_a_name_stays_one_concept(linker):
    # "hand disease" names nothing, and the whole names one disease: not foot and mouth diseases
    text = "Outbreaks of hand, foot, and mouth disease were reported."
    at = text.index("mouth disease")
    out = _linked(linker, text, [(at, at + len("mouth disease"), "Disease")])
    assert [(m.text, m.concept_id) for m in out.mentions] == [("hand, foot, and mouth disease", "MESH:D006232")]


def test_a_disease_name_is_a_name_of_diseases_only_supplementary_records_too(linker):
    assert linker.names_a_disease("Hypomagnesemia, Primary")  # a supplementary record, any case
    assert not linker.names_a_disease("glycopyrronium tosylate")  # a chemical's
    assert not linker.names_a_disease("no such disease")


def test_compact_keys_keep_letters_and_digits_and_also_drop_leading_locants():
    assert tfidf.compact_keys("N-Acetyl Serotonin") == ["nacetylserotonin"]
    assert tfidf.compact_keys("Tri-ortho-tolyl phosphate") == ["triotolylphosphate"]
    assert tfidf.compact_keys("1,2-benzisoxazole") == ["12benzisoxazole", "benzisoxazole"]
    assert tfidf.compact_keys("(RS)-1-aminoindan") == ["rs1aminoindan", "1aminoindan"]
    assert tfidf.compact_keys("D-1") == []  # too short to say which compound


def test_a_chemical_is_found_by_its_letters_and_digits_where_one_concept_has_them(linker):
    assert top(linker, "N-acetyl serotonin", "Chemical") == ("MESH:C006389", tfidf.COMPACT)
    assert top(linker, "benzylacyclouridine", "Chemical") == ("MESH:C034753", tfidf.COMPACT)  # "5-" left out
    assert top(linker, "N-acetyl serotonin", "Disease")[0] is None  # chemicals only
    assert top(linker, "benzisoxazole", "Chemical")[0] is None  # 1,2- and 2,1-: which one the text does not say
    assert top(linker, "2,1-benz-isoxazole", "Chemical") == ("MESH:C441201", tfidf.COMPACT)


def test_a_disease_mention_no_name_matches_links_to_what_its_last_words_name(linker):
    # no name is near "recurrent partial seizures": the seizures are the disorder, whatever the modifiers say
    assert top(linker, "recurrent partial seizures", "Disease") == ("MESH:D012640", tfidf.EXACT * tfidf.HEAD)
    # last words that say only that something is wrong name no disorder: NIL, not a broad concept
    assert top(linker, "recurrent partial dysfunction", "Disease") == (None, 0.0)
    assert top(linker, "recurrent partial seizures", "Chemical") == (None, 0.0)  # diseases only
    assert top(linker, "seizures", "Disease") == ("MESH:D012640", tfidf.EXACT)  # a name still matches whole
    assert linker.settings["head"] == tfidf.HEAD and "dysfunction" in linker.settings["head_generic"]


def test_a_chemical_formula_is_looked_up_as_the_name_it_stands_for(linker, monkeypatch):
    # the fixture store names metformin and no salt: say a formula stands for metformin
    names = {"C4H11N5": ["metformin"], "NaCl": ["sodium chloride"]}
    monkeypatch.setattr(tfidf, "formula_names", lambda text: names.get(text, []))
    assert top(linker, "C4H11N5", "Chemical") == ("MESH:D008687", tfidf.EXACT)
    assert top(linker, "C4H11N5", "Disease") == (None, 0.0)  # chemicals only
    assert top(linker, "NaCl", "Chemical") == (None, 0.0)  # a name that names nothing: the text is looked up
    assert linker.settings["formulas"] == tfidf.FORMULAS_VERSION


def test_a_disease_mention_of_qualifiers_only_is_nil(linker):
    # the nearest names of a word that only qualifies a disorder share that word and nothing it means
    for text in ("chronic", "Progressive", "acute and chronic"):
        assert top(linker, text, "Disease") == (None, 0.0), text
    assert top(linker, "chronic seizures", "Disease")[0] == "MESH:D012640"  # a disorder it qualifies is named
    assert "chronic" in linker.settings["qualifiers"]


def test_words_with_contrary_prefixes_or_an_added_prefix_are_no_misspellings_of_each_other():
    assert tfidf._alike("melitus", "mellitus") and tfidf._alike("oesophagitis", "esophagitis")
    for a, b in (("hypothyroidism", "hyperthyroidism"), ("hypoglycemia", "hyperglycemia"),
                 ("bradycardia", "tachycardia"), ("parainfluenza", "influenza"), ("anticholinergic", "cholinergic")):
        assert not tfidf._alike(a, b) and not tfidf._alike(b, a), (a, b)
    # so a TF-IDF neighbour that says the opposite is no candidate: HPO's Compensated hypothyroidism has the
    # synonym "Subclinical hypothyroidism", which was the nearest name of "subclinical hyperthyroidism"
    assert not tfidf._words_agree(frozenset({"subclinical", "hyperthyroidism"}),
                                  frozenset({"subclinical", "hypothyroidism"}))


def test_an_organ_is_also_read_by_its_other_word(linker):
    # MeSH's "Liver Dysfunction" is what papers also call hepatic dysfunction
    assert "liver dysfunction" in tfidf._variants("hepatic dysfunction", "Disease")
    assert top(linker, "hepatic dysfunction", "Disease") == ("MESH:D008107", tfidf.EXACT * tfidf.VARIANT)
    assert tfidf._organ_words("acute renal failure") == ["acute kidney failure"]
    assert tfidf._organ_words("heart failure") == ["cardiac failure"]
    assert tfidf._organ_words("myocardial infarction") == ["cardiac infarction", "heart infarction"]
    assert tfidf._variants("hepatic dysfunction", "Chemical") == ["hepatic dysfunction"]  # diseases only
    assert linker.settings["organ_words"]["renal"] == ["kidney"]  # in the fingerprint


def test_an_organs_harm_no_name_matches_is_one_of_its_diseases_and_a_pathogens_disease_its_infections(linker):
    assert top(linker, "hepatic lesions", "Disease")[0] == "MESH:D008107"  # hepatic disease: Liver Diseases
    assert top(linker, "liver toxicity", "Disease")[0] == "MESH:D008107"
    assert top(linker, "hiv disease", "Disease") == ("MESH:D015658", tfidf.EXACT * tfidf.HEAD)  # HIV Infection
    assert top(linker, "hepatic lesions", "Chemical") == (None, 0.0)  # diseases only
    assert top(linker, "hepatic oddities", "Disease") == (None, 0.0)  # no harm word: no organ disease
    assert top(linker, "lesions", "Disease") == (None, 0.0)  # no organ
    assert "lesions" in linker.settings["harms"]


def test_a_subscript_or_charge_in_brackets_is_also_read_without_them(linker, monkeypatch):
    # PubMed writes "PGE(2)", "Ca(2+)", "PGF(2alpha)" for PGE2, Ca2+, PGF2alpha
    assert "pge2" in tfidf._variants("pge(2)", "Chemical")
    assert "ca2+" in tfidf._variants("ca(2+)", "Chemical")
    assert "pgf2alpha" in tfidf._variants("pgf(2alpha)", "Chemical")
    # an optical rotation or a configuration in brackets is no index
    assert tfidf._variants("(+)-pentazocine", "Chemical") == ["(+)-pentazocine"]
    assert tfidf._variants("(r)-warfarin", "Chemical") == ["(r)-warfarin"]
    assert tfidf._variants("pge(2)", "Disease") == ["pge(2)"]  # chemicals only
    # a formula with bracketed subscripts is the formula
    monkeypatch.setattr(tfidf, "formula_names", lambda text: ["metformin"] if text == "C4H11N5" else [])
    assert top(linker, "C(4)H(11)N(5)", "Chemical") == ("MESH:D008687", tfidf.EXACT)


def test_a_name_shared_by_two_concepts_is_the_one_it_is_the_preferred_name_of_give_or_take_a_plural(
        linker, monkeypatch):
    # "eye disease" is a name of Eye Abnormalities (through a crosswalk) and of Eye Diseases: the latter's own
    # name but for the plural. Here: another disease of a lower index shares "foot disease" with Foot Diseases.
    index = linker.index
    foot = next(i for i in range(len(index.ids)) if index.ids[i] == "MESH:D005534")
    other = next(i for i in range(foot) if index.type_of(i) == "Disease")
    shared = {"foot disease": [(other, 0), (foot, 0)]}
    real = index.exact
    monkeypatch.setattr(index, "exact", type("Exact", (), {"get": lambda self, k: shared.get(k) or real.get(k)})())
    linker._memo.clear()
    assert top(linker, "foot disease", "Disease") == ("MESH:D005534", tfidf.EXACT)
    linker._memo.clear()
