import json
import re
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from kg import __version__
from kg.config import REPO_ROOT
from kg.errors import ConfigError, SourceError
from kg.extract.spacy_ner import SpacyNerExtractor
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument
from kg.train.ner import DocConverter, build_docbins, tokenizer_nlp, train_ner
from kg.vocab.corpora import TRAIN_CORPORA

from fakes import analyse

CONFIG = REPO_ROOT / "configs" / "ner-cpu.cfg"
# A model small enough to train in seconds; the committed config is otherwise used as it is.
TINY = {
    "components.tok2vec.model.encode.width": 32,
    "components.tok2vec.model.encode.depth": 1,
    "components.tok2vec.model.embed.rows": [500, 500, 200, 500, 100],
    "components.ner.model.hidden_width": 32,
    "training.max_steps": 60,
    "training.eval_frequency": 30,
    "training.dropout": 0.0,
}


def _docs(path: Path) -> list:
    nlp = tokenizer_nlp()
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def test_types_a_corpus_does_not_annotate_are_marked_missing_not_outside():
    converter = DocConverter(tokenizer_nlp(), {"Species": {"rats"}, "Gene": {"BRCA1"}})
    text = "Naloxone-induced seizures in rats and BRCA1."
    pdoc = PubtatorDocument(pmid="1", title=text, abstract="", annotations=(
        PubtatorAnnotation(start=0, end=8, text="Naloxone", type="Chemical"),
        PubtatorAnnotation(start=17, end=25, text="seizures", type="Disease"),
    ))
    doc = converter.convert(pdoc, frozenset({"Chemical", "Disease"}))
    assert [(e.text, e.label_) for e in doc.ents] == [("Naloxone", "Chemical"), ("seizures", "Disease")]
    iob = {t.text: t.ent_iob_ for t in doc}
    assert iob["rats"] == "" and iob["BRCA1"] == ""  # missing: no gradient either way
    assert iob["in"] == "O" and iob["and"] == "O"
    # In a corpus that annotates species, an unannotated "rats" is a true negative.
    doc = converter.convert(pdoc, frozenset({"Chemical", "Disease", "Species", "Gene"}))
    assert {t.text: t.ent_iob_ for t in doc}["rats"] == "O"


def test_mention_inside_a_token_is_marked_missing():
    converter = DocConverter(tokenizer_nlp(), {})
    text = "Pretreatment with XNaloxoneY."
    pdoc = PubtatorDocument(pmid="1", title=text, abstract="", annotations=(
        PubtatorAnnotation(start=19, end=27, text="Naloxone", type="Chemical"),))
    doc = converter.convert(pdoc, frozenset({"Chemical"}))
    assert list(doc.ents) == [] and converter.misaligned == 1
    assert {t.text: t.ent_iob_ for t in doc}["XNaloxoneY"] == ""


def test_docbins_drop_dev_abstracts_and_keep_duplicates_once(shared, tmp_path):
    stats, quarantine = build_docbins(tmp_path / "corpus", shared)
    assert quarantine == []
    by = {(s.split, s.corpus): s for s in stats}
    assert by[("train", "bc5cdr")].dropped_as_dev == 1 and by[("train", "bc5cdr")].dropped_as_duplicate == 1
    assert by[("train", "bc5cdr")].documents == 1
    train = _docs(tmp_path / "corpus" / "train.spacy")
    assert len(train) == 4  # 2 BioRED + 1 BC5CDR + 1 NCBI
    assert not any(d.text.startswith("Lithium toxicity") for d in train)
    # "rats" is a BioRED species form: missing in the NCBI abstract, gold in BioRED's.
    ncbi = next(d for d in train if d.text.startswith("Hypertension in rats"))
    assert {t.text: t.ent_iob_ for t in ncbi}["rats"] == ""
    assert [e.label_ for e in ncbi.ents] == ["Disease", "Disease", "Disease"]


def test_missing_corpus_file_is_a_source_error(shared, tmp_path):
    (shared / "corpora/biored/Train.PubTator").unlink()
    with pytest.raises(SourceError, match="Train.PubTator"):
        build_docbins(tmp_path / "corpus", shared)


def test_an_empty_training_corpus_is_refused_before_training(shared, tmp_path):
    empty = shared / TRAIN_CORPORA[-1].path
    empty.write_text("")
    with pytest.raises(SourceError, match="E235: training corpus .* holds no document"):
        build_docbins(tmp_path / "corpus", shared)


def test_missing_config_is_a_config_error(shared, tmp_path):
    with pytest.raises(ConfigError, match="nope.cfg"):
        train_ner(tmp_path / "nope.cfg", tmp_path / "out", shared_data=shared)


@pytest.mark.slow
def test_train_ner_is_reproducible_and_the_model_loads(shared, tmp_path):
    best = train_ner(CONFIG, tmp_path / "a", seed=3, shared_data=shared, overrides=TINY)
    again = train_ner(CONFIG, tmp_path / "b", seed=3, shared_data=shared, overrides=TINY)
    assert (best / "ner" / "model").read_bytes() == (again / "ner" / "model").read_bytes()
    log = json.loads((tmp_path / "a" / "train-log.json").read_text())
    assert log["seed"] == 3 and log["overrides"]["training.max_steps"] == 60
    assert {c["corpus"] for c in log["corpora"]} == {"biored", "bc5cdr", "ncbi-disease"}

    extractor = SpacyNerExtractor(best)
    assert re.fullmatch(rf"medkg_ner_cpu-{re.escape(__version__)}-[0-9a-f]{{12}}", extractor.version)
    item = analyse("Naloxone in rats.", extractor)
    labels = {m.text: m.label for m in item.mentions}
    assert labels.get("Naloxone") == "Chemical"  # seen 3 times in training


@pytest.mark.slow
def test_training_resumes_from_a_model(shared, tmp_path):
    first = train_ner(CONFIG, tmp_path / "a", seed=1, shared_data=shared, overrides=TINY)
    second = train_ner(CONFIG, tmp_path / "b", seed=1, shared_data=shared, overrides=TINY, resume_from=first)
    log = json.loads((tmp_path / "b" / "train-log.json").read_text())
    assert log["finished"] and log["resumed_from"] == str(first)
    assert (second / "ner" / "model").read_bytes() != (first / "ner" / "model").read_bytes()
    item = analyse("Naloxone in rats.", SpacyNerExtractor(second))
    assert {m.text: m.label for m in item.mentions}.get("Naloxone") == "Chemical"


def test_resume_from_a_non_model_is_a_config_error(shared, tmp_path):
    with pytest.raises(ConfigError, match="cannot resume"):
        train_ner(CONFIG, tmp_path / "out", shared_data=shared, overrides=TINY, resume_from=tmp_path)


def test_malformed_abstract_is_quarantined_and_the_rest_converted(shared, tmp_path):
    path = shared / "corpora/ncbi-disease/NCBItrainset_corpus.txt"
    path.write_text(path.read_text() + "777|t|Short.\n777|a|Text.\n777\t0\t99\tShort\tDisease\t-1\n\n")
    stats, quarantine = build_docbins(tmp_path / "corpus", shared)
    (q,) = quarantine
    assert q.file == str(path) and q.id == "PMID:777" and "outside the text" in q.reason
    assert {(s.split, s.corpus): s.documents for s in stats}[("train", "ncbi-disease")] == 1
