"""The TF-IDF linker hands genes, species, variants and cell lines to the context normalisers."""

from __future__ import annotations

from kg.config import Settings
from kg.link.tfidf import TfidfLinker
from kg.models import Mention
from kg.vocab.conceptstore import ConceptStore, build_concept_store

from fakes import analyse
from fixture_store import FIXTURES


def test_linker_normalises_with_document_context(normalizers, shared, tmp_path):
    settings = Settings(data_dir=tmp_path, shared_data=shared)
    build_concept_store(settings, ontology_dir=FIXTURES)
    linker = TfidfLinker(ConceptStore.open(settings), normalizers=normalizers)
    assert linker.version.endswith(f"+vocab-{normalizers.version}")
    text = "TP53 loss in mice: the Arg215Trp change in MCF7 cells, and metformin."
    spans = [("TP53", "Gene"), ("mice", "Species"), ("Arg215Trp", "Variant"), ("MCF7", "CellLine"),
             ("metformin", "Chemical")]

    class Spans:
        name, version, settings = "spans", "1", {}

        def pipe(self, docs, batch_size=1):
            for d in docs:
                d.mentions = tuple(
                    Mention(doc_id=d.id, start=text.index(t), end=text.index(t) + len(t), text=t, label=label,
                            extractor="t", extractor_version="1")
                    for t, label in spans
                )
                yield d

    out = analyse(text, Spans(), linker)
    assert [m.concept_id for m in out.mentions] == [
        "NCBIGene:22059", "NCBITaxon:10090", "tmVar:p|SUB|R|215|W", "Cellosaurus:CVCL_0031", "MESH:D008687",
    ]
    assert out.mentions[0].candidates[0].name == "Trp53"
    variant = linker.concepts(["tmVar:p|SUB|R|215|W"])["tmVar:p|SUB|R|215|W"]
    assert set(out.concepts) >= {"NCBIGene:22059", "tmVar:p|SUB|R|215|W", "MESH:D008687"}
    assert variant.type == "Variant" and variant.name == "p|SUB|R|215|W"


def test_a_numbered_gene_family_is_one_mention_per_member(normalizers, shared, tmp_path):
    settings = Settings(data_dir=tmp_path, shared_data=shared)
    build_concept_store(settings, ontology_dir=FIXTURES)
    linker = TfidfLinker(ConceptStore.open(settings), normalizers=normalizers)

    def linked(text: str, mention: str) -> list[tuple[str, str | None]]:
        class Spans:
            name, version, settings = "spans", "1", {}

            def pipe(self, docs, batch_size=1):
                for d in docs:
                    s = text.index(mention)
                    d.mentions = (Mention(doc_id=d.id, start=s, end=s + len(mention), text=mention, label="Gene",
                                          extractor="t", extractor_version="1"),)
                    yield d

        return [(m.text, m.concept_id) for m in analyse(text, Spans(), linker).mentions]

    assert linked("Ins1/2 fell in mice and mice.", "Ins1/2") == [("Ins1/2", "NCBIGene:16333"), ("Ins1/2", "NCBIGene:16334")]
    assert linked("Ins1 and 2 were low in mice and mice.", "Ins1") == [
        ("Ins1 and 2", "NCBIGene:16333"), ("Ins1 and 2", "NCBIGene:16334")]
    assert linked("Ins1 and 2 mice were studied; mice.", "Ins1") == [("Ins1", "NCBIGene:16333")]  # two mice


def _shared_with_lexicon_inputs(root):
    import gzip

    from kg.vocab.corpora import TRAIN_CORPORA

    from fixture_store import fixture_shared

    fixture_shared(root)
    for name in ("mesh_disease_terms.tsv", "mesh_descriptors.csv"):  # what the lexicon reads
        (root / "ontology" / "mesh" / f"{name}.gz").write_bytes(gzip.compress((FIXTURES / "mesh" / name).read_bytes()))
    for corpus in TRAIN_CORPORA:  # the lexicon reads every training split; BioRED's is there already
        if not (path := root / corpus.path).exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("1|t|Metformin.\n1|a|\n1\t0\t9\tMetformin\tChemical\tD008687\n\n")
    return root


def test_a_first_linker_builds_the_store_while_another_process_builds_the_lexicon_and_normalisers(tmp_path):
    from kg.components import build_linker

    settings = Settings(data_dir=tmp_path / "data", shared_data=_shared_with_lexicon_inputs(tmp_path / "shared"))
    linker = build_linker(settings)
    built = {p.name.split("-")[0] for p in settings.cache_path.iterdir()}
    # the store and the linker's index in this process; the rest beside them, in the other
    assert {"concepts.sqlite", "tfidf", "lexicon", "genes", "species", "variants", "celllines"} <= built
    assert linker._normalizers is None  # this process built none of them
    linker.preload()
    assert linker._normalizers is not None and linker._normalizers.genes is not None


def test_the_other_process_runs_no_line_of_the_callers_script(tmp_path):
    """A script without a ``__main__`` guard: a multiprocessing "spawn" child ran it again."""
    import subprocess
    import sys

    shared = _shared_with_lexicon_inputs(tmp_path / "shared")
    script = tmp_path / "script.py"
    script.write_text(
        "from pathlib import Path\n"
        "from kg.components import build_linker\n"
        "from kg.config import Settings\n"
        f"with open({str(tmp_path / 'runs')!r}, 'a') as f:\n"
        "    f.write('ran\\n')\n"
        f"build_linker(Settings(data_dir=Path({str(tmp_path / 'data')!r}), shared_data=Path({str(shared)!r})))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "runs").read_text() == "ran\n"
    assert "failed" not in done.stderr
    built = {p.name.split("-")[0] for p in (tmp_path / "data" / "cache").iterdir()}
    assert {"concepts.sqlite", "tfidf", "lexicon", "genes", "species", "variants", "celllines"} <= built
