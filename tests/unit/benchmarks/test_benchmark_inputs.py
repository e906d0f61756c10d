"""The benchmarks find their inputs from any folder, and the ingest benchmark's derived figures."""

import importlib.util
import sys
from pathlib import Path

import pytest

from kg.config import REPO_ROOT, Settings

BENCHMARKS = REPO_ROOT / "benchmarks"


def bench(name: str, monkeypatch):
    """A benchmark script as a module (its helpers ``_inputs``/``_procs`` import as they do when run)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo(tmp_path):
    """A stand-in repository with a shipped model folder, and an unrelated working directory."""
    (tmp_path / "repo" / "models" / "ner-cpu").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    return tmp_path / "repo", tmp_path / "elsewhere"


def test_a_relative_tier_is_the_repositorys_model_whatever_the_working_directory(repo, monkeypatch):
    resolve = bench("_inputs", monkeypatch).resolve_tier
    root, cwd = repo
    assert resolve("models/ner-cpu", root=root, cwd=cwd) == str(root / "models" / "ner-cpu")
    assert resolve("models/ner-cpu+dictionary", root=root, cwd=cwd) == f"{root / 'models' / 'ner-cpu'}+dictionary"
    (cwd / "mine").mkdir()
    assert resolve("mine", root=root, cwd=cwd) == str(cwd / "mine")


@pytest.mark.parametrize("spec", ["models/ner-gpu", "./mine", "/nowhere/model", "ORG/NAME+dictionary"])
def test_a_tier_naming_a_missing_folder_stops_naming_it_instead_of_asking_the_hub(repo, monkeypatch, spec):
    resolve = bench("_inputs", monkeypatch).resolve_tier
    root, cwd = repo
    with pytest.raises(SystemExit, match="no model folder") as stop:
        resolve(spec, root=root, cwd=cwd)
    assert spec.removesuffix("+dictionary") in str(stop.value)


@pytest.mark.parametrize("spec", ["dictionary", "ORG/NAME", "bert-base-cased"])
def test_the_dictionary_and_hub_names_are_passed_on(repo, monkeypatch, spec):
    root, cwd = repo
    assert bench("_inputs", monkeypatch).resolve_tier(spec, root=root, cwd=cwd) == spec


def test_the_shared_data_is_the_settings_one(tmp_path, monkeypatch):
    inputs = bench("_inputs", monkeypatch)
    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.delenv("MEDKG_SHARED_DATA", raising=False)
    assert inputs.shared_data() == Settings().shared_data
    monkeypatch.setenv("MEDKG_SHARED_DATA", str(tmp_path))
    assert inputs.shared_data() == tmp_path


def _ner_main(monkeypatch, cwd: Path, *args: str) -> None:
    """``python benchmarks/ner.py ARGS`` run from ``cwd``, in this process."""
    ner = bench("ner", monkeypatch)
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["ner.py", *args])
    ner.main()


def test_the_ner_benchmark_reads_medkg_shared_data_from_another_folder(tmp_path, monkeypatch):
    from kg.errors import SourceError

    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setenv("MEDKG_SHARED_DATA", str(tmp_path / "shared"))
    with pytest.raises(SourceError, match=f"E201: cannot open PubMed file {tmp_path / 'shared' / 'pubmed'}"):
        _ner_main(monkeypatch, tmp_path, "--docs", "1", "--tiers", "dictionary")


def test_the_ner_benchmark_refuses_a_missing_tier_before_any_work(tmp_path, monkeypatch):
    with pytest.raises(SystemExit, match="NER tier 'models/ner-nope': no model folder models/ner-nope"):
        _ner_main(monkeypatch, tmp_path, "--file", str(tmp_path / "unread.xml.gz"), "--tiers", "models/ner-nope")


def test_extra_memory_per_worker_compares_two_tree_figures_per_added_worker(monkeypatch):
    ingest = bench("ingest", monkeypatch)
    assert ingest.extra_per_worker(700.0, 1300.0, 4) == 200.0
    assert ingest.extra_per_worker(700.0, 650.0, 2) == -50.0  # shared pages: a worker may add less than nothing
    assert ingest.extra_per_worker(700.0, 700.0, 1) is None


def test_ratios_of_several_rounds_are_summed_up_by_their_medians(monkeypatch):
    ingest = bench("ingest", monkeypatch)
    ner = {"rate": 100.0, "default_threads_rate": 125.0}
    e2e = {"items": 1000, "seconds": 12.5, "loading": 2.5, "rate": 80.0}
    assert ingest.ner_ratios(ner, e2e) == pytest.approx((0.8, 1000 / 15 / 100, 0.64))
    line = ingest.median_ratios([(0.75, 0.7, 0.6), (0.54, 0.5, 0.45), (0.66, 0.6, 0.52)])
    assert line.startswith("ratio end-to-end / NER forward rate, median of 3 rounds: 0.66 (rounds 0.75, 0.54, 0.66); ")
    assert "0.60 with loading counted; 0.52 against the default BLAS threads (warm)" in line


def test_graphs_are_compared_entry_by_entry(monkeypatch):
    ingest = bench("ingest", monkeypatch)
    one = {"nodes": ['{"id": "a"}', '{"id": "b"}'], "relationships": ['{"type": "R"}']}
    assert ingest.graph_differences(one, one) == {"nodes": 0, "relationships": 0}
    other = {"nodes": ['{"id": "a"}', '{"id": "b", "x": 1}'], "relationships": ['{"type": "R"}', '{"type": "R"}']}
    assert ingest.graph_differences(one, other) == {"nodes": 2, "relationships": 1}


def test_the_ingest_benchmark_snapshots_as_the_workers_tests_do(monkeypatch):
    class Store:
        def query(self, cypher):
            if "labels(n)" in cypher:
                return [{"labels": ["Concept"], "props": {"id": "MESH:D1"}}]
            return [{"type": "R", "start": "MESH:D1", "end": "MESH:D1", "props": {}}]

    from graph_snapshot import snapshot

    assert bench("ingest", monkeypatch)._snapshot(Store()) == snapshot(Store())


def test_the_stages_phase_times_every_abstract_through_both_stages_in_each_arrangement(monkeypatch):
    """Stage 1 (text analysis + extractor) and stage 2 (the rest) each see every abstract, in order, in each of
    the four passes (the warming one, alone, in turn, in two threads); the threads lose and reorder nothing."""
    ingest = bench("ingest", monkeypatch)

    class Part:
        def __init__(self, name):
            self.name, self.seen = name, []

        def pipe(self, docs, batch_size=256):
            for d in docs:
                self.seen.append(d)
                yield d

    analyzer, extractor, linker, relations = Part("text"), Part("ner"), Part("link"), Part("rel")

    class Annotator:
        components = [extractor, linker, relations]

        def __init__(self):
            self.analyzer = analyzer

        def preload(self):
            pass

    monkeypatch.setattr("kg.components.build_annotator", lambda settings: Annotator())
    monkeypatch.setattr(ingest, "_settings", lambda: None)
    monkeypatch.setattr(ingest, "_abstracts", lambda path, n: list(range(n)))
    monkeypatch.setattr(ingest, "NER_BATCH", 3)
    out = ingest.stages(Path("unused.xml.gz"), 7)
    assert out["items"] == 7 and out["phase"] == "stages"
    assert extractor.seen == analyzer.seen == list(range(7)) * 4
    assert linker.seen == relations.seen == list(range(7)) * 4
    assert "stage 1 (ner) alone" in out["extra"] and "stage 2 (link, rel) alone" in out["extra"]
