"""What `medkg train re` reads: the training split minus the abstracts of a development split under the
shared data folder it is given (wherever that is), and never an empty corpus."""

import pytest

from kg.errors import SourceError
from kg.train.re import _documents
from kg.vocab.corpora import DEV_CORPORA


def test_abstracts_of_a_dev_split_under_the_given_shared_folder_are_left_out(tmp_path, corpus_writers):
    train = corpus_writers["cid"](tmp_path / "train.txt")  # PMIDs 1000-1011
    shared = tmp_path / "elsewhere"  # not the repository's ../shared/data
    dev = shared / DEV_CORPORA[0].path
    dev.parent.mkdir(parents=True)
    dev.write_text("".join(block + "\n" for block in train.read_text().split("\n\n") if block.startswith("1003|")))
    assert len(_documents(train, "cid", {}, tmp_path / "nothing")) == 12
    docs = _documents(train, "cid", {}, shared)
    assert len(docs) == 11 and "PMID:1003" not in {view.doc_id for view, *_ in docs}


def test_a_training_split_with_no_document_is_refused(tmp_path):
    empty = tmp_path / "Train.PubTator"
    empty.write_text("")
    with pytest.raises(SourceError, match="E235: training corpus .*Train.PubTator holds no document"):
        _documents(empty, "biored", {}, tmp_path)
