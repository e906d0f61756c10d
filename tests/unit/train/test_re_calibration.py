import json
import re
import shutil

import numpy as np
import pytest

from ontology.loaders import file_sha256
from kg.errors import SourceError
from kg.evaluate.gold import GoldExtractor, read_gold
from kg.pipeline import Annotator
from kg.relate.model import RelationModel
from kg.text.analyzer import TextAnalyzer
from kg.train.re_calibration import calibrate, cross_fitted


def test_a_relations_cross_fitted_score_does_not_read_its_own_documents_outcomes():
    rng = np.random.default_rng(1)
    pmids = [str(i // 4) for i in range(400)]  # 100 documents of 4 relations
    scores = rng.uniform(0.1, 0.9, 400)
    correct = (rng.uniform(0, 1, 400) < scores * 0.7).astype(float)
    before = cross_fitted(scores, correct, pmids)
    flipped = correct.copy()
    own = np.array([p == "7" for p in pmids])
    flipped[own] = 1 - flipped[own]  # another outcome for document 7's relations only
    after = cross_fitted(scores, flipped, pmids)
    assert np.array_equal(before[own], after[own])  # its fold's calibration was fitted without it
    assert not np.array_equal(before[~own], after[~own])  # the other folds' calibrations read it
    assert before.mean() < scores.mean()  # the overconfidence is taken out


@pytest.mark.slow  # trains the tiny relation model
def test_calibrate_writes_the_model_back_with_its_calibration_and_a_cross_fitted_report(
        tiny_model_dir, corpus_writers, tmp_path):
    corpus = corpus_writers["cid"](tmp_path / "cdr_dev.txt", n=20)
    # half the documents' gold leaves their induced pair unrelated: predicted, it is wrong there
    text = corpus.read_text()
    corpus.write_text(re.sub(r"^(\d*[13579])\tCID\t.*\n", "", text, flags=re.M))
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    version = RelationModel.load(model_dir).version
    gold, _ = read_gold(corpus)
    chain = Annotator(TextAnalyzer(), [GoldExtractor(gold, linked=True)])

    report = calibrate(model_dir, chain, {"cid": corpus}, log=lambda line: None)

    head = report["heads"]["cid"]
    assert head["documents"] == 20 and head["relations"] >= 20
    assert head["before"]["share_right"] < 0.75 and head["before"]["mean_score"] > head["before"]["share_right"]
    assert head["after_cross_fitted"]["mean_score"] < head["before"]["mean_score"]
    assert json.loads((model_dir / "calibration.json").read_text()) == report
    model = RelationModel.load(model_dir)
    fitted = model.heads["cid"].end_to_end
    assert fitted is not None and fitted.sha256 == file_sha256(corpus) and fitted.relations == head["relations"]
    assert fitted.fitted_with == (("gold", chain.components[0].version),)  # the chain whose errors it measured
    assert model.heads["biored"].end_to_end is None and model.version != version  # a new file: the ledger redoes


@pytest.mark.slow
def test_a_corpus_whose_predictions_are_all_wrong_cannot_calibrate_and_nothing_is_written(
        tiny_model_dir, corpus_writers, tmp_path):
    corpus = corpus_writers["cid"](tmp_path / "cdr_dev.txt", n=6)
    corpus.write_text(re.sub(r"^(\d+)\tCID\t(\S+)\t(\S+)$", r"\1\tCID\tD999999\t\3", corpus.read_text(), flags=re.M))
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    gold, _ = read_gold(corpus)
    chain = Annotator(TextAnalyzer(), [GoldExtractor(gold, linked=True)])
    with pytest.raises(SourceError, match="E236"):
        calibrate(model_dir, chain, {"cid": corpus}, log=lambda line: None)
    assert not (model_dir / "calibration.json").exists()
