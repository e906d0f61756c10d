from kg.relate.features import candidate_pairs, document_view, load_disease_trees
from kg.relate.model import most_specific

COCAINE, EPILEPSY, STATUS, SEIZURES = "MESH:D003042", "MESH:D004827", "MESH:D013226", "MESH:D012640"


def test_a_relation_to_a_broader_disease_gives_way_to_a_narrower_one(make_item, tmp_path, corpus_writers):
    trees = load_disease_trees(corpus_writers["trees"](tmp_path / "t.tsv.gz"))
    item = make_item(
        "PMID:3",
        ["Cocaine caused epilepsy.", "Status epilepticus and seizures followed cocaine use."],
        [("Cocaine", "Chemical", COCAINE), ("cocaine", "Chemical", COCAINE), ("epilepsy", "Disease", EPILEPSY),
         ("Status epilepticus", "Disease", STATUS), ("seizures", "Disease", SEIZURES)],
    )
    view = document_view(item, trees)
    pairs = [(0, p) for p in candidate_pairs(view, "cid")]
    everything = list(range(len(pairs)))
    kept = {pairs[i][1] for i in most_specific([view], pairs, everything)}
    assert kept == {(COCAINE, STATUS), (COCAINE, SEIZURES)}  # epilepsy (C10.228.140.490) is above status epilepticus
    without_narrow = [i for i in everything if pairs[i][1] != (COCAINE, STATUS)]
    assert {pairs[i][1] for i in most_specific([view], pairs, without_narrow)} == {(COCAINE, EPILEPSY), (COCAINE, SEIZURES)}
