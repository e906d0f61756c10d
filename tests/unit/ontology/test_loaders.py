"""Loaders on hand-written fixtures (every format) and on the shared files (slow where > 3 s)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.config import SHARED_DATA
from kg.errors import OntologyError, RecordError
from ontology import loaders

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ontology"
ONTOLOGY = SHARED_DATA / "ontology"


def shared(rel: str) -> Path:
    path = ONTOLOGY / rel
    if not path.exists():
        pytest.skip(f"shared data file {path} is not present")
    return path


def test_mesh_descriptor_xml_types_synonyms_and_release():
    q = []
    terms = {t.id: t for t in loaders.read_mesh_xml(FIXTURES / "mesh" / "desc2025.xml", quarantine=q)}
    t2d = terms["MESH:D003924"]
    assert t2d.name == "Diabetes Mellitus, Type 2" and t2d.type == "Disease" and t2d.release == "2025"
    assert ("NIDDM", "entry") in t2d.synonyms and ("Diabetes Mellitus, Type 2", "entry") not in t2d.synonyms
    assert terms["MESH:D008687"].type == "Chemical"
    assert "MESHTREE:C19.246.300" in t2d.parents
    assert len(q) == 1 and "DescriptorRecord #4" in q[0].record


def test_mesh_supplementary_xml_maps_to_descriptors():
    terms = {t.id: t for t in loaders.read_mesh_xml(FIXTURES / "mesh" / "supp2025.xml")}
    assert terms["MESH:C069541"].type == "Chemical"
    assert terms["MESH:C069541"].parents == ("MESH:D014150",)
    assert ("Seroquel", "entry") in terms["MESH:C069541"].synonyms
    assert terms["MESH:C537153"].type == "Disease"


def test_mesh_descriptor_terms_tsv_types_trees_and_taxa():
    q = []
    terms = list(loaders.read_mesh_descriptor_terms(FIXTURES / "mesh" / "mesh2024_descriptor_terms.tsv", quarantine=q))
    by_id = {t.id: t for t in terms}
    imatinib = by_id["MESH:D000068877"]
    assert imatinib.type == "Chemical" and imatinib.release == "2024"
    assert ("Gleevec", "entry") in imatinib.synonyms and "MESHTREE:D02.886.675.500" in imatinib.parents
    assert by_id["MESH:D001172"].type == "Disease"
    # an organism descriptor is a Species, cross-referenced to its (first) NCBI Taxonomy id ...
    mice = by_id["MESH:D051379"]
    assert mice.type == "Species" and mice.xrefs == ("NCBITaxon:10090",)
    # ... which is a concept of its own, with the descriptor's names
    taxon = by_id["NCBITaxon:10090"]
    assert taxon.type == "Species" and taxon.name == "Mice" and ("Mouse", "entry") in taxon.synonyms
    assert taxon.xrefs == ("MESH:D051379",)
    assert [x.record for x in q] == ["line 7"]


def test_mesh_supplementary_terms_tsv_maps_to_descriptors():
    terms = {t.id: t for t in loaders.read_mesh_supplementary_terms(FIXTURES / "mesh" / "mesh2024_supplementary_terms.tsv")}
    sunitinib = terms["MESH:C413408"]
    assert sunitinib.type == "Chemical" and sunitinib.release == "2024"
    assert sunitinib.parents == ("MESH:D000068877", "MESH:D007211")  # the '*' of a main heading is dropped
    assert ("Sutent", "entry") in sunitinib.synonyms


def test_gene_readers_keep_ids_names_and_orthologs():
    human = {g.symbol: g for g in loaders.read_hgnc(FIXTURES / "genes" / "hgnc_entries.tsv")}
    assert set(human) == {"TP53", "INS", "ONECUT1", "MIR21", "HDAC1", "HDAC9", "NKX2-1", "TTF1"}  # not withdrawn ones
    tp53 = human["TP53"]
    assert tp53.id == "NCBIGene:7157" and tp53.taxon == loaders.HUMAN and tp53.aliases == ("p53", "LFS1")
    assert tp53.orthologs == ("MGI:98834", "RGD:3889") and "HGNC:11998" in tp53.xrefs
    assert human["INS"].previous == ("IDDM2", "IDDM1") and human["INS"].orthologs[:2] == ("MGI:96572", "MGI:96573")
    q = []
    mouse = {g.symbol: g for g in loaders.read_gene_info(FIXTURES / "genes" / "Mus_musculus.gene_info", quarantine=q)}
    trp53 = mouse["Trp53"]
    assert trp53.id == "NCBIGene:22059" and trp53.taxon == loaders.MOUSE and trp53.xrefs == ("MGI:98834",)
    assert trp53.name == "transformation related protein 53" and "tumor suppressor p53" in trp53.other_names
    assert trp53.protein_coding and not trp53.phenotype_locus
    assert mouse["bbl"].locus_type == "unknown" and mouse["bbl"].phenotype_locus and not mouse["bbl"].protein_coding
    assert len(q) == 1
    mgi = list(loaders.read_mgi(FIXTURES / "genes" / "mgi_entries.tsv"))
    assert mgi[0].id == "MGI:98834" and mgi[0].aliases == ("p53", "Tp53")
    rgd = list(loaders.read_rgd(FIXTURES / "genes" / "rgd_entries.tsv"))
    assert rgd[1].id == "RGD:2916" and rgd[1].taxon == loaders.RAT and rgd[1].aliases == ("Ins", "insulin 1")
    term = tp53.term()
    assert term.type == "Gene" and term.name == "TP53" and ("tumor protein p53", "name") in term.synonyms


def test_bad_record_raises_without_quarantine_list():
    with pytest.raises(RecordError, match="desc2025.xml: record DescriptorRecord #4"):
        list(loaders.read_mesh_xml(FIXTURES / "mesh" / "desc2025.xml"))


def test_mesh_csv_and_disease_terms_fixture():
    q = []
    csv_terms = list(loaders.read_mesh_descriptors_csv(FIXTURES / "mesh" / "mesh_descriptors.csv", quarantine=q))
    assert csv_terms[0].id == "MESH:D003924" and csv_terms[0].type is None
    assert csv_terms[0].release.startswith("sha256:")
    assert [x.record for x in q] == ["line 8"]
    q = []
    rows = list(loaders.read_mesh_disease_terms(FIXTURES / "mesh" / "mesh_disease_terms.tsv", quarantine=q))
    assert rows[0].synonyms == (("type 2 diabetes", "entry"),) and rows[0].type == "Disease"
    assert len(q) == 1 and "line 9" in q[0].reason


def test_obo_terms_synonyms_xrefs_and_obsolete():
    q = []
    terms = {t.id: t for t in loaders.read_obo(FIXTURES / "hpo" / "hp.obo", quarantine=q)}
    assert set(terms) == {"HP:0001250", "HP:0001903", "HP:0002917", "HP:0012823", "HP:0012824", "HP:0012827"}
    seizure = terms["HP:0001250"]
    assert seizure.release == "2025-01-16" and seizure.type == "Finding"
    assert ("Seizures", "EXACT") in seizure.synonyms and seizure.parents == ("HP:0012638",)
    assert terms["HP:0001903"].xrefs == ("MESH:D000740",)
    assert ('Low blood "magnesium" levels', "EXACT") in terms["HP:0002917"].synonyms
    assert len(q) == 1 and "without a valid id" in q[0].reason


def test_doid_terms_and_xrefs():
    terms = list(loaders.read_doid_terms(FIXTURES / "doid" / "HumanDO.tsv"))
    assert terms[0].id == "DOID:9352" and terms[0].parents == ("label:diabetes mellitus",)
    q = []
    maps = list(loaders.read_doid_xrefs(FIXTURES / "doid" / "MESHinDO.tsv", quarantine=q))
    assert [(m.subject, m.object) for m in maps] == [("DOID:9352", "MESH:D003924"), ("DOID:2841", "MESH:D001249")]
    assert len(q) == 1  # the row without an xref


def test_sssom_exact_matches_only_with_release():
    maps = list(loaders.read_sssom(FIXTURES / "mondo" / "mondo_exactmatch_mesh.sssom.tsv"))
    assert [(m.subject, m.object) for m in maps] == [("MONDO:0005148", "MESH:D003924"), ("MONDO:0004979", "MESH:D001249")]
    assert maps[0].release == "2026-08-04" and maps[0].subject_label == "type 2 diabetes mellitus"


def test_icd10cm_nesting_types_and_inclusion_terms():
    q = []
    terms = {t.id: t for t in loaders.read_icd10cm(FIXTURES / "icd10cm" / "icd10cm-tabular-April-1-2026.xml", quarantine=q)}
    assert terms["ICD10CM:E11.9"].parents == ("ICD10CM:E11",)
    assert ("type II diabetes NOS", "inclusion") in terms["ICD10CM:E11"].synonyms
    assert terms["ICD10CM:E11"].release == "April-1-2026"
    assert terms["ICD10CM:R56.9"].type == "Finding" and terms["ICD10CM:Z00.00"].type is None
    assert len(q) == 1 and "diag #" in q[0].record


def test_umls_groups_by_cui_filters_language_and_suppression():
    q = []
    terms = {t.id: t for t in loaders.read_umls(FIXTURES / "umls" / "MRCONSO.RRF", quarantine=q)}
    t2d = terms["UMLS:C0011860"]
    assert t2d.name == "Diabetes Mellitus, Type 2" and t2d.type == "Disease"
    assert {"MESH:D003924", "HP:0005978", "OMIM:125853", "ICD10CM:E11", "SNOMEDCT_US:44054006"} <= set(t2d.xrefs)
    names = {s for s, _ in t2d.synonyms}
    assert "NIDDM" in names and "Diabète de type 2" not in names and "Obsolete diabetes name" not in names
    assert terms["UMLS:C0025598"].type == "Chemical" and terms["UMLS:C0036572"].type == "Finding"
    assert terms["UMLS:C0034049"].type == "Species"
    assert len(q) == 1 and q[0].record == "line 20"


def test_gzip_is_sniffed_not_guessed_from_suffix(tmp_path):
    path = tmp_path / "renamed.obo"  # gzipped content, plain suffix
    path.write_bytes(gzip.compress((FIXTURES / "hpo" / "hp.obo").read_bytes()))
    assert len(list(loaders.read_obo(path, quarantine=[]))) == 6


def test_truncated_gzip_names_file_and_line(tmp_path):
    data = gzip.compress((FIXTURES / "mesh" / "mesh_disease_terms.tsv").read_bytes() * 200)
    path = tmp_path / "terms.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(OntologyError, match=r"terms\.tsv\.gz: unreadable after line \d+"):
        list(loaders.read_mesh_disease_terms(path, quarantine=[]))


def test_invalid_utf8_line_is_quarantined_and_reading_goes_on(tmp_path):
    path = tmp_path / "HumanDO.tsv"
    path.write_bytes(b'id\tlabel\tsubClassOf\n"DOID:1"\t"caf\xe9"\t""\n"DOID:2"\t"cafe"\t""\n')
    q = []
    assert [t.id for t in loaders.read_doid_terms(path, quarantine=q)] == ["DOID:2"]
    assert q[0].record == "line 2" and "invalid UTF-8" in q[0].reason and "HumanDO.tsv" in q[0].reason
    with pytest.raises(RecordError, match="HumanDO.tsv: record line 2: invalid UTF-8"):
        list(loaders.read_doid_terms(path))


def test_malformed_xml_names_file_and_line(tmp_path):
    path = tmp_path / "desc2025.xml"
    path.write_text("<DescriptorRecordSet>\n<DescriptorRecord><DescriptorUI>D1</DescriptorUI>\n</DescriptorRecordSet>")
    with pytest.raises(OntologyError, match="desc2025.xml: malformed XML at line 3"):
        list(loaders.read_mesh_xml(path))


def test_missing_column_is_a_clear_error(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_text("term\tmesh_id\nasthma\tMESH:D001249\n")
    with pytest.raises(OntologyError, match="lacks column.*preferred_name"):
        list(loaders.read_mesh_disease_terms(path))


# -- shared files -----------------------------------------------------------------------------
def test_shared_mesh_descriptors_csv():
    terms = list(loaders.read_mesh_descriptors_csv(shared("mesh/mesh_descriptors.csv.gz"), quarantine=[]))
    assert len(terms) == 30532 and terms[0].id == "MESH:D000001"


def test_shared_mesh_disease_terms():
    q = []
    n = sum(1 for _ in loaders.read_mesh_disease_terms(shared("mesh/mesh_disease_terms.tsv.gz"), quarantine=q))
    assert n == 72297 and not q


def test_shared_hpo_obo():
    terms = {t.id: t for t in loaders.read_obo(shared("hpo/hp.obo.gz"))}
    assert terms["HP:0001250"].name == "Seizure" and terms["HP:0001250"].release == "2025-01-16"
    assert len(terms) > 18000


def test_shared_doid_and_mondo():
    assert sum(1 for _ in loaders.read_doid_terms(shared("doid/HumanDO.tsv"))) > 12000
    maps = {(m.subject, m.object) for m in loaders.read_doid_xrefs(shared("doid/MESHinDO.tsv"))}
    assert ("DOID:9352", "MESH:D003924") in maps
    q = []
    xrefs = list(loaders.read_doid_xrefs(shared("doid/allXREFinDO.tsv.gz"), quarantine=q))
    assert not q and any(m.object.startswith("SNOMEDCT_US:") for m in xrefs)
    mondo = {(m.subject, m.object) for m in loaders.read_sssom(shared("mondo/mondo_exactmatch_mesh.sssom.tsv.gz"))}
    assert ("MONDO:0005148", "MESH:D003924") in mondo


@pytest.mark.slow
def test_shared_icd10cm():
    path = shared("icd10cm/icd10c-tabular-April-1-2026.xml.gz")
    terms = {t.id: t for t in loaders.read_icd10cm(path)}
    assert terms["ICD10CM:E11"].name == "Type 2 diabetes mellitus"
    assert len(terms) > 40000


@pytest.mark.slow
def test_shared_mesh_2024_terms_and_genes():
    descriptors = {t.id: t for t in loaders.read_mesh_descriptor_terms(shared("mesh/mesh2024_descriptor_terms.tsv.gz"))}
    assert len([i for i in descriptors if i.startswith("MESH:")]) == 30_764
    assert descriptors["NCBITaxon:10090"].name == "Mice" and descriptors["MESH:D008687"].type == "Chemical"
    supplementary = sum(1 for _ in loaders.read_mesh_supplementary_terms(shared("mesh/mesh2024_supplementary_terms.tsv.gz")))
    assert supplementary == 323_304  # the README says 323,303; the file has one more
    human = {g.symbol: g for g in loaders.read_hgnc(shared("genes/hgnc_entries.tsv.gz"))}
    assert human["TP53"].id == "NCBIGene:7157" and "MGI:98834" in human["TP53"].orthologs
    mouse = {g.symbol: g for g in loaders.read_gene_info(shared("genes/Mus_musculus.gene_info.gz"))}
    assert mouse["Trp53"].id == "NCBIGene:22059" and len(mouse) > 70_000
