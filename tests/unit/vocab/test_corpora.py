"""Which corpus splits are which: training documents are never scored as if unseen."""

from pathlib import Path


def test_a_corpus_sharing_documents_with_a_training_split_is_named(tmp_path):
    from kg.vocab.corpora import DEV_CORPORA, TRAIN_CORPORA, trained_on

    def pubtator(rel: str, pmids: list[int]) -> Path:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{p}|t|Title {p}.\n{p}|a|\n\n" for p in pmids), encoding="utf-8")
        return path

    train = pubtator(TRAIN_CORPORA[0].path, [1, 2, 3])
    pubtator(DEV_CORPORA[0].path, [3])  # in a dev split too: training leaves it out
    mine = pubtator("mine.txt", [2, 3, 4])
    assert trained_on(mine, tmp_path) == [(str(train), 1, 3)]
    assert trained_on(pubtator("fresh.txt", [3, 4]), tmp_path) == []
