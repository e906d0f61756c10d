from collections import Counter

from kg.relate.features import (
    Priors,
    candidate_pairs,
    document_view,
    load_disease_trees,
    load_mesh_trees,
    pair_features,
    supports,
    tree_classes,
    variant_kind,
)

CIS, NEPH, TREM, LI, TP53 = "MESH:D002945", "MESH:D007674", "MESH:D014202", "MESH:D008094", "NCBIGene:7157"


def _view(make_item, trees=None):
    item = make_item(
        "PMID:1",
        [
            "Cisplatin-induced nephrotoxicity in rats.",
            "Lithium was given and no tremor was seen.",
            "TP53 expression rose with nephrotoxicity.",
        ],
        [("Cisplatin", "Chemical", CIS), ("nephrotoxicity", "Disease", NEPH), ("tremor", "Disease", TREM),
         ("Lithium", "Chemical", LI), ("TP53", "Gene", TP53)],
    )
    return document_view(item, trees)


def test_cid_pairs_put_the_chemical_first(make_item):
    pairs = candidate_pairs(_view(make_item), "cid")
    assert sorted(pairs) == sorted([(CIS, NEPH), (CIS, TREM), (LI, NEPH), (LI, TREM)])


def test_biored_pairs_are_canonical_and_skip_unannotated_type_pairs(make_item):
    pairs = candidate_pairs(_view(make_item), "biored")
    assert (TP53, NEPH) in pairs and (NEPH, TP53) not in pairs
    assert (CIS, TP53) in pairs
    assert len(pairs) == len(set(map(frozenset, pairs))) == 9  # 2 chem x 2 dis + chem-chem + 2 chem-gene + 2 gene-dis


def test_same_sentence_features_read_the_words_between(make_item):
    f = pair_features(_view(make_item), CIS, NEPH)
    assert f["between=- induced"] == 1.0
    assert f["btw_trig:induc"] == 1.0
    assert f["both_in_title"] == 1.0 and f["a_in_title"] == 1.0
    assert "cross_sentence" not in f


def test_context_features_read_the_whole_abstract_and_the_kind_of_variant(make_item):
    f = pair_features(_view(make_item), CIS, TREM)
    assert f["doc_trig:express"] == 1.0  # "expression" is in the third sentence, beside neither mention
    assert not any(k.startswith("variant_kind:") for k in f)
    item = make_item("PMID:2", ["The R215W mutation of TP53 and rs121913529 in cancer."],
                     [("R215W", "Variant", "tmVar:p|SUB|R|215|W"), ("TP53", "Gene", TP53),
                      ("rs121913529", "Variant", "dbSNP:rs121913529")])
    f = pair_features(document_view(item), "tmVar:p|SUB|R|215|W", "dbSNP:rs121913529")
    assert f["variant_kind:a=pSUB"] == f["variant_kind:b=rs"] == 1.0
    assert [variant_kind(i) for i in ("tmVar:c|DEL|657|5", "tmVar:p|FS|R|215|", "tmVar:R215W")] == ["cDEL", "pFS", "other"]


def test_a_name_inside_a_longer_name_of_another_concept_is_no_party_to_relations(make_item):
    item = make_item("PMID:399732", ["Hepatitis B surface antigen in patients with hepatitis after halothane."],
                     [("Hepatitis B surface antigen", "Chemical", "MESH:D006514"), ("Hepatitis", "Disease", "MESH:D006505"),
                      ("hepatitis", "Disease", "MESH:D006505"), ("halothane", "Chemical", "MESH:D006221")])
    view = document_view(item)
    assert [(m.start, m.end) for m in view.entities["MESH:D006505"].mentions] == [(45, 54)]  # not the antigen's
    item = make_item("PMID:401006", ["Dopamine-beta-hydroxylase activity in serum."],
                     [("Dopamine-beta-hydroxylase", "Gene", "NCBIGene:1621"), ("Dopamine", "Chemical", "MESH:D004298")])
    assert candidate_pairs(document_view(item), "biored") == []


def test_cross_sentence_pair_and_negation(make_item):
    view = _view(make_item)
    assert "cross_sentence" in pair_features(view, CIS, TREM)
    assert pair_features(view, LI, TREM)["sent_neg"] == 1.0


def test_supports_one_per_shared_sentence_else_the_nearest_passage(make_item):
    view = _view(make_item)
    text = view.text
    same = supports(view, TP53, NEPH)
    assert [text[s.sentence[0]:s.sentence[1]] for s in same] == ["TP53 expression rose with nephrotoxicity."]
    assert text[slice(*same[0].subject_span)] == "TP53" and text[slice(*same[0].object_span)] == "nephrotoxicity"
    (cross,) = supports(view, CIS, TREM)
    assert not cross.same_sentence
    assert text[cross.sentence[0]:cross.sentence[1]].startswith("Cisplatin-induced") and "tremor" in text[cross.sentence[0]:cross.sentence[1]]


def test_priors_exclude_the_document_itself():
    priors = Priors()
    priors.add([("a", "b")], {("a", "b")})
    assert priors.features("a", "b")["prior_pair=1.0"] == 1.0
    own = Priors.counts([("a", "b")], {("a", "b")})
    assert "prior_pair=unseen" in priors.features("a", "b", own)
    assert priors.features("a", "b", {"pair_seen": Counter()})  # partial exclusions are fine


def test_narrower_disease_in_the_document_is_a_feature(make_item, tmp_path, corpus_writers):
    trees = load_disease_trees(corpus_writers["trees"](tmp_path / "t.tsv.gz"))
    assert trees["MESH:D013226"] == ("C10.228.140.490.631",)
    item = make_item(
        "PMID:2",
        ["Cocaine caused epilepsy.", "Status epilepticus followed cocaine use."],
        [("Cocaine", "Chemical", "MESH:D003042"), ("cocaine", "Chemical", "MESH:D003042"),
         ("epilepsy", "Disease", "MESH:D004827"), ("Status epilepticus", "Disease", "MESH:D013226")],
    )
    view = document_view(item, trees)
    broad = pair_features(view, "MESH:D003042", "MESH:D004827")
    narrow = pair_features(view, "MESH:D003042", "MESH:D013226")
    assert broad.get("b_has_narrower_in_doc") == 1.0 and "b_has_narrower_in_doc" not in narrow
    assert narrow.get("b_has_broader_in_doc") == 1.0
    assert broad.get("b_narrower_cooccurs_with_a") == 1.0


def test_words_between_are_read_in_every_shared_sentence(make_item):
    item = make_item(
        "PMID:3",
        ["Lithium and tremor.", "Tremor worsened with lithium dosing.", "Later lithium caused tremor."],
        [("Lithium", "Chemical", LI), ("lithium", "Chemical", LI), ("tremor", "Disease", TREM), ("Tremor", "Disease", TREM)],
    )
    f = pair_features(document_view(item), LI, TREM)
    assert {"any_btw:and", "any_btw:worsened", "any_btw:caused"} <= set(f)
    assert f["Chemical|Disease|any_btw_trig:caus"] == 1.0


def test_mesh_trees_put_supplementary_chemicals_under_their_descriptors(tmp_path, corpus_writers):
    descriptors, supplementary = corpus_writers["mesh2024"](tmp_path)
    trees = load_mesh_trees(descriptors, supplementary)
    assert trees.get("MESH:D014202") == ("C10.597.350.850", "C23.888.592.350.850")
    assert trees.get("MESH:C000001") == ("D03.383.621.424.~",)  # "*D006220": the star is MeSH's main-heading mark
    assert trees.get("MESH:C999999") == () and "NCBIGene:7157" not in trees
    assert tree_classes(trees.get("MESH:D014202"), 1) == {"C10", "C23"}
    assert tree_classes(trees.get("MESH:D014202"), 2) == {"C10.597", "C23.888"}


def test_mesh_classes_of_both_concepts_are_pair_features(make_item, tmp_path, corpus_writers):
    trees = load_mesh_trees(*corpus_writers["mesh2024"](tmp_path))
    item = make_item("PMID:4", ["Haloperidol decanoate was followed by tremor."],
                     [("Haloperidol decanoate", "Chemical", "MESH:C000001"), ("tremor", "Disease", TREM)])
    f = pair_features(document_view(item, trees), "MESH:C000001", TREM)
    assert {"a_cls1=D03", "a_cls2=D03.383", "b_cls1=C10", "b_cls2=C23.888", "cls_pair=D03|C10"} <= set(f)


def test_hedging_and_the_taggers_assertion_are_read_around_the_pair(make_item):
    item = make_item("PMID:5", ["Lithium may cause tremor."], [("Lithium", "Chemical", LI), ("tremor", "Disease", TREM)])
    item.mentions = (item.mentions[0], item.mentions[1].model_copy(update={"assertion": "uncertain"}))
    f = pair_features(document_view(item), LI, TREM)
    assert f["btw_hedge"] == f["sent_hedge"] == f["b_assertion=uncertain"] == 1.0
    assert "a_assertion=affirmed" not in f and "btw_neg" not in f


def test_evidence_keeps_the_stating_sentences_and_falls_back_to_the_best(make_item):
    item = make_item(
        "PMID:6",
        ["Lithium and tremor were recorded.", "Lithium induced tremor in two patients.", "Tremor ended after lithium."],
        [("Lithium", "Chemical", LI), ("lithium", "Chemical", LI), ("tremor", "Disease", TREM), ("Tremor", "Disease", TREM)],
    )
    view = document_view(item)
    text = view.text
    chosen = supports(view, LI, TREM, {0: 0.2, 1: 0.9, 2: 0.6}, threshold=0.5)
    assert [text[slice(*s.sentence)] for s in chosen] == ["Lithium induced tremor in two patients.",
                                                          "Tremor ended after lithium."]  # best first
    assert [s.score for s in chosen] == [0.9, 0.6] and all(s.same_sentence for s in chosen)
    (best,) = supports(view, LI, TREM, {0: 0.2, 1: 0.3, 2: 0.1}, threshold=0.5)  # none passes: the best one
    assert text[slice(*best.sentence)] == "Lithium induced tremor in two patients." and best.score == 0.3
    assert len(supports(view, LI, TREM)) == 3  # no scores: every shared sentence



def _tremor(make_item, status):
    item = make_item(
        "PMID:6",
        ["Cisplatin-induced nephrotoxicity in rats.", "Lithium was given and tremor was seen."],
        [("Cisplatin", "Chemical", CIS), ("nephrotoxicity", "Disease", NEPH), ("tremor", "Disease", TREM),
         ("Lithium", "Chemical", LI)],
    )
    item.mentions = tuple(m.model_copy(update={"assertion": status}) if m.text == "tremor" else m for m in item.mentions)
    return document_view(item)


def test_supports_carry_the_pair_status_and_xs_negated_means_negated_only(make_item):
    view = _tremor(make_item, "uncertain")  # Cisplatin (title) and tremor: a cross-sentence pair
    (cross,) = supports(view, CIS, TREM)
    assert cross.assertion == "uncertain"  # stored as such, not as affirmed evidence
    # the shipped relation model learned xs_negated as "either mention negated"
    assert "cross_sentence" in pair_features(view, CIS, TREM) and "xs_negated" not in pair_features(view, CIS, TREM)
    view = _tremor(make_item, "negated")
    assert supports(view, CIS, TREM)[0].assertion == "negated"
    assert pair_features(view, CIS, TREM)["xs_negated"] == 1.0


def test_a_mention_the_lexicon_filled_in_is_no_party_to_relations(make_item):
    from kg.models import FILL_IN

    item = make_item("PMID:1", ["Salt loading caused hypertension after cisplatin."],
                     [("Salt", "Chemical", "MESH:D012492"), ("hypertension", "Disease", "MESH:D006973"),
                      ("cisplatin", "Chemical", CIS)])
    assert len(candidate_pairs(document_view(item), "cid")) == 2
    item.mentions = tuple(m.model_copy(update={"extractor": FILL_IN}) if m.text == "Salt" else m for m in item.mentions)
    assert candidate_pairs(document_view(item), "cid") == [(CIS, "MESH:D006973")]
