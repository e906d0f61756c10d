"""The concept store on the fixture vocabularies: provenance, primary MeSH ids, xref and name lookup."""

from __future__ import annotations

import gzip
import hashlib
import shutil

import pytest

from kg.config import SHARED_DATA, Settings
from kg.errors import OntologyError
from kg.vocab import conceptstore
from kg.vocab.corpora import Corpus
from kg.vocab.conceptstore import ConceptStore, build_concept_store, store_info

from fixture_store import FIXTURES, fixture_settings


def test_sources_carry_their_releases(built):
    settings, stats = built
    releases = {(s["source"], s["file"].rsplit("/", 1)[-1]): s["release"] for s in stats.sources}
    assert releases[("mesh", "desc2025.xml")] == "2025"
    assert releases[("hpo", "hp.obo")] == "2025-01-16"
    assert releases[("mondo", "mondo_exactmatch_mesh.sssom.tsv")] == "2026-08-04"
    assert releases[("icd10cm", "icd10cm-tabular-April-1-2026.xml")] == "April-1-2026"
    assert releases[("doid", "HumanDO.tsv")].startswith("sha256:")
    info = store_info(settings)
    assert {s["source"] for s in info["sources"]} >= {"mesh", "hpo", "doid", "mondo", "icd10cm", "umls"}
    assert info["counts"]["concepts"] == stats.counts["concepts"] > 0


def test_bad_fixture_records_are_quarantined_not_lost(built):
    _, stats = built
    files = {q.file.rsplit("/", 1)[-1] for q in stats.quarantined}
    assert {"desc2025.xml", "mesh_descriptors.csv", "hp.obo", "MRCONSO.RRF"} <= files
    # two of the three corpora are absent from the fixture shared dir: said, not silent
    assert sum("training corpus missing" in q.reason for q in stats.quarantined) == 2


def test_mesh_concept_collects_xrefs_of_every_vocabulary(store):
    t2d = store.get("MESH:D003924")
    assert t2d.type == "Disease" and t2d.source == "mesh"
    assert {"DOID:9352", "MONDO:0005148", "OMIM:125853", "ICD10CM:E11", "UMLS:C0011860", "HP:0005978"} <= set(t2d.xrefs)
    assert {"NIDDM", "type 2 diabetes", "T2D", "type II diabetes NOS"} <= set(t2d.synonyms)


@pytest.mark.parametrize("xref", ["OMIM:125853", "ICD10CM:E11", "DOID:9352", "MONDO:0005148", "UMLS:C0011860", "MESH:D003924"])
def test_any_xref_finds_the_mesh_concept(store, xref):
    assert [c.id for c in store.by_xref(xref)] == ["MESH:D003924"]


def test_hpo_term_resolves_by_mesh_xref_or_unique_name(store):
    assert store.primary("HP:0001903") == "MESH:D000740"  # xref MSH:D000740 in the OBO
    assert store.primary("HP:0001250") == "MESH:D012640"  # "Seizure" = normalised "Seizures"
    assert store.primary("HP:0002917") == "HP:0002917"  # nothing maps hypomagnesemia: its own concept
    assert store.get("HP:0002917").type == "Finding"


def test_hpo_qualifiers_are_no_findings(store):
    # Borderline is a Severity, a Clinical modifier: it qualifies a finding ("borderline hypertension")
    assert [store.get(i) for i in ("HP:0012823", "HP:0012824", "HP:0012827")] == [None, None, None]
    assert store.by_name("borderline") == []


def test_disease_terms_filed_under_the_wrong_descriptor_are_refiled(built, store):
    assert built[1].counts["mesh_rows_refiled"] == 1
    assert [c.id for c in store.by_name("propofol infusion syndrome")] == ["MESH:D000072736"]
    # Propofol stays a plain, untyped descriptor: get() needs a type to make a Concept of it
    assert store.get("MESH:D015742") is None
    assert store.get("MESH:D015742", default_type="Chemical").name == "Propofol"


def test_training_names_keep_their_provenance_and_counts(store):
    rows = store.db.execute(
        "SELECT source, kind, count FROM names WHERE concept_id = 'MESH:D003924' AND lower = 't2d'"
    ).fetchall()
    assert rows == [("bc5cdr-train", "gold-mention", 2)]
    assert store.get("MESH:D008687").type == "Chemical"


def test_lookup_by_name_exact_then_normalised_and_typed(store):
    assert [c.id for c in store.by_name("NIDDM")] == ["MESH:D003924"]
    assert [c.id for c in store.by_name("Mellitus, Diabetes Type 2")] == ["MESH:D003924"]
    assert store.by_name("metformin", type_="Disease") == []
    assert store.get("MESH:D015742", default_type="Chemical").type == "Chemical"
    assert store.get("NOPE:1") is None


def test_every_source_file_is_listed_with_release_and_sha256(built):
    settings, stats = built
    info = store_info(settings)
    rows = {s["file"].rsplit("/", 1)[-1]: s for s in info["sources"]}
    assert rows["mesh2024_supplementary_terms.tsv"]["release"] == "2024"
    assert rows["hgnc_entries.tsv"]["source"] == "hgnc"
    assert rows["CDR_TrainingSet.PubTator.txt"]["source"] == "bc5cdr-train"
    assert all(len(s["sha256"]) == 64 for s in info["sources"])
    assert rows["hgnc_entries.tsv"]["sha256"] == hashlib.sha256(
        (FIXTURES / "genes" / "hgnc_entries.tsv").read_bytes()
    ).hexdigest()


def test_store_knows_the_shared_folder_it_was_built_from(built, store):
    assert store.shared_data() == built[0].shared_data


def test_supplementary_records_are_typed_by_their_mapped_descriptors(store):
    sunitinib = store.get("MESH:C413408")
    assert sunitinib.type == "Chemical" and sunitinib.source == "mesh" and sunitinib.release == "2024"
    assert "Sutent" in sunitinib.synonyms
    assert store.get("MESH:C537153").type == "Disease"  # mapped to Arthritis, Rheumatoid (C05)
    assert store.get("MESH:C000600001").type == "Species"  # mapped to Rats only
    assert store.get("MESH:C000725349") is None  # mapped to Caribbean People (M01): a population, no entity type
    # the mapped descriptors are its broader concepts: a query for the descriptor reaches it
    broader = store.db.execute("SELECT parent FROM parents WHERE concept_id = 'MESH:C413408'").fetchall()
    assert {p for (p,) in broader} == {"MESH:D000068877", "MESH:D007211"}


def test_organism_descriptors_resolve_to_ncbi_taxonomy(store):
    mice = store.get("NCBITaxon:10090")
    assert mice.type == "Species" and mice.name == "Mice" and "Mouse" in mice.synonyms
    assert store.primary("MESH:D051379") == "NCBITaxon:10090"
    assert [c.id for c in store.by_xref("MESH:D051379")] == ["NCBITaxon:10090"]


def test_genes_are_ncbi_gene_concepts_and_mgi_folds_into_them(store):
    tp53 = store.get("NCBIGene:7157")
    assert tp53.type == "Gene" and tp53.name == "TP53" and tp53.source == "hgnc"
    assert {"p53", "tumor protein p53"} <= set(tp53.synonyms) and "HGNC:11998" in tp53.xrefs
    trp53 = store.get("NCBIGene:22059")
    assert trp53.name == "Trp53" and "MGI:98834" in trp53.xrefs
    assert store.get("MGI:98834") is None  # the MGI record is the NCBI gene, not a second concept
    assert store.get("MGI:1925547").type == "Gene"  # an MGI gene NCBI does not have stays itself
    assert store.get("RGD:3889").name == "Tp53"


def test_version_follows_file_content_not_rebuilds(tmp_path):
    onto = tmp_path / "ontology"
    shutil.copytree(FIXTURES, onto)
    settings = fixture_settings(tmp_path / "a")
    build_concept_store(settings, ontology_dir=onto)
    first = ConceptStore.open(settings).version
    build_concept_store(settings, ontology_dir=onto)
    assert ConceptStore.open(settings).version == first
    with (onto / "genes" / "rgd_entries.tsv").open("a") as fh:
        fh.write("9999\tNew1\t\t\n")
    build_concept_store(settings, ontology_dir=onto)
    assert ConceptStore.open(settings).version != first


def test_unreadable_file_is_quarantined_and_the_build_goes_on(tmp_path):
    onto = tmp_path / "ontology"
    shutil.copytree(FIXTURES, onto)
    data = gzip.compress((FIXTURES / "hpo" / "hp.obo").read_bytes() * 50)
    (onto / "hpo" / "hp-extra.obo.gz").write_bytes(data[: len(data) // 3])
    (onto / "genes" / "hgnc_entries.tsv").unlink()
    stats = build_concept_store(fixture_settings(tmp_path), ontology_dir=onto)
    assert any("hp-extra.obo.gz" in q.file and "unreadable" in q.reason for q in stats.quarantined)
    assert stats.counts["concepts"] > 0 and stats.path.exists()
    # said as such, for the build's warnings: the damaged file, and the expected source with no file
    assert stats.damaged == [str(onto / "hpo" / "hp-extra.obo.gz")] and stats.missing == ["hgnc"]
    assert build_concept_store(fixture_settings(tmp_path / "b"), ontology_dir=FIXTURES).missing == []


def test_evaluation_splits_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(
        conceptstore, "TRAIN_CORPORA", (Corpus("bc5cdr", "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt", frozenset()),)
    )
    with pytest.raises(OntologyError, match="evaluation split"):
        build_concept_store(fixture_settings(tmp_path), ontology_dir=FIXTURES)


def test_no_ontology_files_and_no_store_are_clear_errors(tmp_path):
    with pytest.raises(OntologyError, match="no ontology files"):
        build_concept_store(Settings(data_dir=tmp_path), ontology_dir=tmp_path)
    with pytest.raises(OntologyError, match="no concept store"):
        ConceptStore(tmp_path / "missing.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(OntologyError, match="not a medkg concept store"):
        ConceptStore(tmp_path / "junk.sqlite")


@pytest.mark.slow
def test_real_store_from_shared_data(tmp_path):
    if not (SHARED_DATA / "ontology").exists():
        pytest.skip(f"shared data {SHARED_DATA} is not present")
    settings = Settings(data_dir=tmp_path, shared_data=SHARED_DATA)
    stats = build_concept_store(settings)
    assert stats.counts["concepts"] > 100_000 and stats.counts["mesh_rows_refiled"] > 10_000
    store = ConceptStore.open(settings)
    for xref in ("DOID:9352", "MONDO:0005148", "OMIM:125853", "ICD10CM:E11"):
        assert "MESH:D003924" in [c.id for c in store.by_xref(xref)], xref
    assert store.get("MESH:D015742").type == "Chemical"  # propofol, now typed by its D tree number
    assert store.get("MESH:C084178") is None  # telmisartan's 2015 record: a descriptor (D000077333) in 2024
    assert store.get("MESH:C000002").type == "Chemical" and store.get("MESH:C000002").name == "bevonium"
    assert store.get("NCBIGene:7157").name == "TP53" and store.get("NCBIGene:22059").name == "Trp53"
    assert store.primary("MESH:D051379") == "NCBITaxon:10090"
    assert all(len(s["sha256"]) == 64 for s in store.info()["sources"])
    # MONDO maps this OMIM entry to a descriptor and to supplementary records: the descriptor wins
    assert store.primary("OMIM:313900") == "MESH:D013921"


def test_a_retired_mesh_id_of_a_training_corpus_resolves_to_the_current_record(store):
    # "venlafaxine" was C047426; MeSH 2024 has it only as the salt's descriptor
    assert store.primary("MESH:C047426") == "MESH:D000069470"
    assert store.primary("MESH:C009250") == "MESH:D000077149"  # the same name exactly
    # an exact name wins over a salt's ("Sorafenib", not "Sorafenib Tosylate")
    assert store.primary("MESH:C471405") == "MESH:D000077157"
    # looking the old id up finds the current record, which carries the corpus's name
    assert [c.id for c in store.by_xref("MESH:C047426")] == ["MESH:D000069470"]
    assert "Venlafaxine" in store.get("MESH:D000069470").synonyms
    # a current id is left alone
    assert store.primary("MESH:D008687") == "MESH:D008687"


def test_biored_nil_marker_is_no_concept(store):
    assert store.get("MESH:-", default_type="Chemical") is None
    assert store.by_name("DDR1-IN-1") == []


def _cli_env(monkeypatch, tmp_path, onto):
    """The CLI's settings: a data dir, cache dir and shared data (with ``onto`` as its ontology folder)."""
    settings = fixture_settings(tmp_path)
    shutil.copytree(onto, settings.shared_data / "ontology", dirs_exist_ok=True)
    monkeypatch.setenv("MEDKG_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MEDKG_SHARED_DATA", str(settings.shared_data))
    return settings.shared_data / "ontology", tmp_path / "cache" / conceptstore.STORE_FILE


def test_ontology_build_with_a_damaged_or_missing_file_fails_and_keeps_the_store(monkeypatch, tmp_path):
    from clirun import medkg

    onto, store = _cli_env(monkeypatch, tmp_path, FIXTURES)
    medkg("ontology", "build")
    good = store.read_bytes()
    (onto / "genes" / "hgnc_entries.tsv").unlink()
    data = gzip.compress((FIXTURES / "hpo" / "hp.obo").read_bytes() * 50)
    (onto / "hpo" / "hp-extra.obo.gz").write_bytes(data[: len(data) // 3])
    with pytest.raises(OntologyError, match="E546: the concept store was not replaced: E547: .*hp-extra.obo.gz"):
        medkg("ontology", "build")
    assert store.read_bytes() == good and [p.name for p in store.parent.iterdir()] == [store.name]
    out = medkg("ontology", "build", "--allow-partial")
    assert f"warning E547: {onto / 'hpo' / 'hp-extra.obo.gz'} is damaged" in out
    assert f"warning E548: no hgnc file under {onto}: the concept store has no human genes from it" in out
    assert store.read_bytes() != good


def test_ontology_build_refusal_is_a_coded_error(monkeypatch, capsys, tmp_path):
    import sys

    from kg import cli

    onto, store = _cli_env(monkeypatch, tmp_path, FIXTURES)
    (onto / "genes" / "hgnc_entries.tsv").unlink()
    for args, says in (
        ([], f"error E546: the concept store was not replaced: E548: no hgnc file under {onto}"),
        (["--from", str(tmp_path / "nope")], f"error E545: the ontology folder {tmp_path / 'nope'} does not exist"),
    ):
        monkeypatch.setattr(sys, "argv", ["medkg", "ontology", "build", *args])
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        assert exit_.value.code == 2
        assert capsys.readouterr().err.startswith(says)
    assert not store.exists()


def test_ontology_build_help_says_where_the_store_goes():
    from clirun import medkg

    out = medkg("ontology", "build", "--help")
    assert "data dir." not in out and "cache dir" in out and "--allow-partial" in out


def test_first_use_build_warns_of_what_it_left_out_without_a_traceback(monkeypatch, tmp_path, caplog, capfd):
    from kg import components

    settings = fixture_settings(tmp_path)
    shutil.rmtree(settings.shared_data / "ontology")  # no lexicon input either
    shutil.copytree(FIXTURES, settings.shared_data / "ontology", ignore=shutil.ignore_patterns("hgnc_entries.tsv"))
    monkeypatch.setattr(components, "_tfidf_linker", lambda path, cache: "linker")
    with caplog.at_level("WARNING", logger="kg.components"):
        assert components.build_linker(settings) == "linker"
    assert f"E548: no hgnc file under {settings.shared_data / 'ontology'}" in caplog.text
    # the helper building the lexicon beside the store finds no lexicon input in this folder: said, coded
    assert "E549: building the lexicon and normalisers beside the concept store failed: E510: lexicon input" in caplog.text
    assert "Traceback" not in capfd.readouterr().err
