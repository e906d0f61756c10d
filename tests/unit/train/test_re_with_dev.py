"""`medkg train re --with-dev`: the dev documents join training, and everything that reads them knows it."""

import re
import shutil

import pytest

from kg.evaluate.gold import GoldExtractor, read_gold
from kg.evaluate.ner import Score
from kg.evaluate.re import ReReport, _trained_on_note, fold_chains, predict_in_folds
from kg.pipeline import Annotator
from kg.relate.model import RelationExtractor, RelationModel
from kg.text.analyzer import TextAnalyzer
from kg.train.re import FOLDS, fold_models, fold_of, train_re
from kg.train.re_calibration import calibrate

pytestmark = pytest.mark.slow  # trains tiny models with cross-validation


def _dev_corpus(write_cdr_corpus, path, n=10):
    """A CID dev split: the training fixture's kind of documents under other PMIDs (2000 + i)."""
    path = write_cdr_corpus(path, n=n)
    path.write_text(re.sub(r"^1(\d\d\d)(?=[|\t])", r"2\1", path.read_text(), flags=re.MULTILINE))
    return path


@pytest.fixture
def with_dev(tmp_path, corpus_writers):
    """A model trained on a training and a dev split given, as the CLI gives them, under a shared data folder."""
    shared = tmp_path / "shared"
    shared.mkdir()
    corpus_writers["cid"](shared / "cdr_train.txt")
    dev = _dev_corpus(corpus_writers["cid"], shared / "CDR_DevelopmentSet.PubTator.txt")
    train_re(tmp_path / "model", corpora={"cid": "cdr_train.txt"}, dev={"cid": dev.name}, shared_data=shared,
             mesh_disease_terms=None, mesh_descriptor_terms=None, mesh_supplementary_terms=None)
    return tmp_path / "model", dev


def test_the_dev_documents_join_training_and_the_model_records_them(with_dev):
    model_dir, dev = with_dev
    model = RelationModel.load(model_dir)
    report = model.metadata["training"]["tasks"]["cid"]
    assert report["documents"] == 22 and report["dev_documents"] == 10 and report["dev_corpus"] == str(dev)
    assert model.metadata["dev_pmids"] == [str(2000 + i) for i in range(10)]
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "--with-dev" in card and "in-sample" in card and "`CDR_DevelopmentSet.PubTator.txt`" in card


def test_a_dev_split_is_still_refused_as_a_training_corpus_and_a_dev_split_needs_its_head(tmp_path, corpus_writers):
    write = corpus_writers["cid"]
    dev = _dev_corpus(write, tmp_path / "CDR_DevelopmentSet.PubTator.txt")
    with pytest.raises(Exception, match="refusing to train"):
        train_re(tmp_path / "m", corpora={"cid": dev}, dev={"cid": dev})
    with pytest.raises(Exception, match="unknown relation task 'biored'"):
        train_re(tmp_path / "m", corpora={"cid": write(tmp_path / "t.txt")}, dev={"biored": dev})


def test_folds_split_the_dev_documents_and_each_fold_model_never_saw_its_fold(with_dev, tmp_path):
    model = RelationModel.load(with_dev[0])
    assert [fold_of("12345", FOLDS)] * 3 == [fold_of("12345", FOLDS) for _ in range(3)]  # by the PMID alone
    trained: list[str] = []
    folds = list(fold_models(model, shared_data=with_dev[1].parent, cache_dir=tmp_path / "cache", log=trained.append))
    assert len(trained) == len(folds) == FOLDS
    dev = set(model.metadata["dev_pmids"])
    assert set().union(*(held for held, _ in folds)) == dev and sum(len(h) for h, _ in folds) == len(dev)
    for held, fold_model in folds:
        assert set(fold_model.metadata["dev_pmids"]) == dev - held
        assert fold_model.metadata["training"]["tasks"]["cid"]["documents"] == 22 - len(held)
    again = list(fold_models(model, shared_data=with_dev[1].parent, cache_dir=tmp_path / "cache", log=trained.append))
    assert len(trained) == FOLDS  # read back from the cache, not trained again
    assert [(held, m.heads["cid"].threshold) for held, m in again] == [(held, m.heads["cid"].threshold) for held, m in folds]
    plain = RelationModel.load(with_dev[0])
    plain.metadata = {**plain.metadata, "dev_pmids": []}
    assert list(fold_models(plain)) == []  # a model trained without dev needs none


def test_calibration_predicts_the_dev_documents_with_fold_models(with_dev, tmp_path):
    model_dir, dev = with_dev
    shutil.copytree(model_dir, tmp_path / "copy")
    gold, _ = read_gold(dev)
    chain = Annotator(TextAnalyzer(), [GoldExtractor(gold, linked=True)])
    text = dev.read_text()
    wrong = tmp_path / "dev_half_wrong.txt"  # half the gold relations gone: the calibration has both outcomes
    wrong.write_text(re.sub(r"^(\d*[13579])\tCID\t.*\n", "", text, flags=re.MULTILINE))
    report = calibrate(tmp_path / "copy", chain, {"cid": wrong}, log=lambda line: None, shared_data=dev.parent)
    head = report["heads"]["cid"]
    assert head["documents_predicted_by_fold_models"] == 10
    assert 0 < head["f1"]["pair"] < 1 and head["f1"]["pair"] == head["f1"]["pair+type"]  # CID has one type


def test_cross_fitted_evaluation_predicts_every_dev_document_out_of_sample(with_dev):
    model_dir, dev = with_dev
    gold, _ = read_gold(dev)
    model = RelationModel.load(model_dir)
    chain = Annotator(TextAnalyzer(), [GoldExtractor(gold, linked=True), RelationExtractor(model, ("cid",))])
    folds = fold_chains(chain, fold_models(model, shared_data=dev.parent, log=lambda line: None))
    found, by_folds = predict_in_folds(gold, chain, folds, gold_entities=True)
    assert by_folds == 10 and sorted(d.pmid for d in found) == sorted(d.pmid for d in gold)
    for held, fold_chain in folds:  # each document's relations are its fold model's
        for doc in gold:
            if doc.pmid in held:
                (alone,) = list(predict_in_folds([doc], fold_chain, gold_entities=True)[0])
                assert next(d for d in found if d.pmid == doc.pmid).relations == alone.relations


def test_cross_fitting_a_model_trained_without_dev_is_refused(tiny_model_dir, tmp_path):
    from kg.config import Settings
    from kg.errors import ModelError
    from kg.evaluate.re import evaluate_re_corpus

    settings = Settings(re_model=str(tiny_model_dir), data_dir=tmp_path)
    with pytest.raises(ModelError, match="E425"):
        evaluate_re_corpus(settings, tmp_path / "unread.txt", cross_fitted=True)


def test_evaluate_says_the_scores_are_in_sample(with_dev):
    model_dir, dev = with_dev
    gold, _ = read_gold(dev)
    model = RelationModel.load(model_dir)
    note = _trained_on_note(model, gold)
    assert "trained on 10 of these 10 documents" in note
    assert _trained_on_note(model, []) == ""
    zero = Score(tp=0, fp=0, fn=0)
    table = ReReport(documents=10, pair=zero, pair_type=zero, per_type={}, in_sample=note).table()
    assert table.splitlines()[1] == f"in-sample: {note}"
