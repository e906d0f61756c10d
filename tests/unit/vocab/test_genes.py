"""Gene normalisation with species context, orthologs, case, co-mentions and learned names."""

from __future__ import annotations

import pytest

from kg.vocab.context import DocContext
from kg.vocab.genes import GeneNormalizer, gene_key


def link(genes: GeneNormalizer, text: str, mention: str) -> str | None:
    start = text.index(mention)
    ctx = DocContext.build(text, species=genes.species, genes=[mention])
    return genes.normalize([(mention, start, start + len(mention))], ctx)[0][0]


@pytest.fixture(scope="module")
def genes(normalizers) -> GeneNormalizer:
    return normalizers.genes


def test_keys_ignore_case_punctuation_and_spelled_greek():
    assert gene_key("TNF-alpha") == gene_key("TNFα") == gene_key("tnf alpha") == "tnfa"
    assert gene_key("Protease-activated receptor-1") == gene_key("proteinase activated receptor 1")
    assert gene_key("NF-kappaB") == "nfkb" and gene_key("IL-6") == "il6"


def test_official_symbols_of_any_of_the_three_species_case_blind(genes):
    assert genes.is_symbol("TP53") and genes.is_symbol("trp53") and genes.is_symbol("Ins1")
    assert not genes.is_symbol("p53")  # an alias, not a symbol
    assert not genes.is_symbol("tumor protein p53") and not genes.is_symbol("age")
    # a microRNA written as a mature strand or spelled out is its MIR gene's symbol
    assert genes.is_symbol("miRNA21") and genes.is_symbol("hsa-miR-21-5p") and genes.is_symbol("microRNA-21")
    assert not genes.is_symbol("miR-22")


def test_p53_in_a_human_paper_is_human_tp53(genes):
    assert link(genes, "Loss of p53 in patients with breast cancer.", "p53") == "NCBIGene:7157"
    assert link(genes, "TP53 is mutated in many tumours.", "TP53") == "NCBIGene:7157"  # human by default


def test_tp53_in_a_mouse_paper_is_mouse_trp53_through_the_ortholog(genes):
    assert link(genes, "TP53 knockout mice develop lymphomas; mice died early.", "TP53") == "NCBIGene:22059"


def test_adult_cells_do_not_make_a_mouse_paper_human(genes):
    text = "TP53 in adult stem cells and adult muscle regeneration. The mdx mouse model was studied."
    assert link(genes, text, "TP53") == "NCBIGene:22059"


def test_a_species_word_before_the_mention_wins_over_the_document(genes):
    text = "In patients and patients, we also studied mouse p53 expression."
    assert link(genes, text, "mouse p53") == "NCBIGene:22059"


def test_a_species_said_next_to_the_gene_is_not_overruled_by_its_spelling(genes):
    text = "Patients and mice: we expressed mouse TP53 in mice."
    assert link(genes, text, "TP53") == "NCBIGene:22059"


def test_a_numbered_member_of_an_abbreviated_family_takes_the_familys_long_form(genes):
    # "Par1" is an alias of F2r and of Mark2; "Protease-activated receptors (PAR)" settles it
    text = "Protease-activated receptors (PAR) were studied. PAR1-/- mice and mice lacking PAR-1."
    ctx = DocContext.build(text, species=genes.species, genes=["PAR1", "PAR-1"],
                           abbreviations={"PAR": "Protease-activated receptors"})
    spans = [(t, text.index(t), text.index(t) + len(t)) for t in ("PAR1", "PAR-1")]
    assert [c for c, _ in genes.normalize(spans, ctx)] == ["NCBIGene:14062", "NCBIGene:14062"]
    no_family = DocContext.build(text, species=genes.species, genes=["PAR1"])
    assert genes.normalize(spans[:1], no_family)[0][0] != "NCBIGene:14062"  # without it, no reason for F2r


def test_a_locus_known_by_a_phenotype_is_no_gene_to_normalise_to(genes):
    # "bbl" is the symbol of a mouse phenotype locus and an alias of Trp53: the gene product wins
    assert link(genes, "In mice, bbl was lost in tumours of mice.", "bbl") == "NCBIGene:22059"
    assert not genes.is_symbol("bbl")


def test_genes_of_a_paper_about_another_animal_are_nil(more_shared):
    genes = GeneNormalizer.build(more_shared)
    # no gene file has zebrafish's or flies' genes: not the human TP53
    assert link(genes, "Zebrafish (Danio rerio) carrying a tp53 M214K mutation.", "tp53") is None
    assert link(genes, "In Drosophila melanogaster, p53 regulates apoptosis.", "p53") is None
    # ... unless it says whose gene it is; a virus or a group that holds people says nothing of that
    assert link(genes, "Zebrafish expressing human TP53.", "TP53") == "NCBIGene:7157"
    assert link(genes, "HIV-1 infection induces TP53.", "TP53") == "NCBIGene:7157"
    assert link(genes, "TP53 is conserved in mammals.", "TP53") == "NCBIGene:7157"


def test_a_rodent_symbol_written_as_such_is_the_rodent_gene(genes):
    assert link(genes, "Trp53 regulates apoptosis.", "Trp53") == "NCBIGene:22059"


def test_a_document_naming_no_species_is_about_the_one_its_symbols_are_written_for(genes):
    def p53(text: str, mentioned: list[str]) -> str | None:
        start = text.index("p53 was")
        ctx = DocContext.build(text, species=genes.species, genes=[*mentioned, "p53"])
        return genes.normalize([("p53", start, start + 3)], ctx)[0][0]

    assert p53("Trp53 and Ins2 were lost; p53 was absent.", ["Trp53", "Ins2"]) == "NCBIGene:22059"  # mouse
    # one rodent-written symbol is not enough, and a document that names people stays human
    assert p53("Trp53 was lost; p53 was absent.", ["Trp53"]) == "NCBIGene:7157"
    assert p53("Trp53 and Ins2 were lost in patients; p53 was absent.", ["Trp53", "Ins2"]) == "NCBIGene:7157"


def test_full_names_and_previous_symbols(genes):
    assert link(genes, "The tumor protein p53 was measured.", "tumor protein p53") == "NCBIGene:7157"
    assert link(genes, "IDDM2 variants were typed.", "IDDM2") == "NCBIGene:3630"
    assert link(genes, "HNF-6 binds DNA.", "HNF-6") == "NCBIGene:3175"
    assert link(genes, "TP53/INS double knockouts.", "TP53/INS") == "NCBIGene:7157"


def test_abbreviation_inside_a_mention_and_mesh_gene_product_names(genes):
    assert link(genes, "The tumor protein (TP)53 pathway.", "tumor protein (TP)53") == "NCBIGene:7157"
    # "INS protein, human" in MeSH: its entry terms are names of INS, and INS counts as well studied
    assert link(genes, "Proinsulin 1 was secreted by beta cells.", "Proinsulin 1") == "NCBIGene:3630"
    ins = next(k for k in range(len(genes.index.ids)) if genes.index.ids[k] == "NCBIGene:3630")
    assert genes.index.studied[ins] and not genes.index.studied[ins - 1]


@pytest.mark.parametrize("mention", ["miR-21", "microRNA-21", "miRNA-21", "miRNA21", "hsa-miR-21-5p", "miR-21-3p"])
def test_a_microrna_however_written_is_its_mir_gene(genes, mention):
    assert link(genes, f"In patients with glioma, {mention} was raised.", mention) == "NCBIGene:406991"


def test_a_coordinated_mention_names_its_first_member():
    from kg.vocab.genes import _members

    assert _members("MMP-2/-9") == ["MMP-2", "MMP-9"] and _members("Erk 1/2") == ["Erk 1", "Erk 2"]
    assert _members("IL-4 and IL-13") == ["IL-4", "IL-13"] and _members("TP53") == []


def test_ambiguous_without_context_is_nil_and_unknown_is_nil(genes):
    # insulin in a mouse paper is Ins1 or Ins2 (both orthologs of INS): nothing decides
    assert link(genes, "insulin secretion in mice", "insulin") is None
    assert link(genes, "QQZZ1 was high.", "QQZZ1") is None


def test_co_mentioned_gene_settles_an_ambiguous_name(genes):
    text = "Insulin 1 (Ins1) and insulin were measured in mice."
    ctx = DocContext.build(text, species=genes.species, genes=["Ins1", "insulin"])
    s = text.index("insulin were")
    ((curie, score),) = genes.normalize([("insulin", s, s + 7)], ctx)
    assert curie == "NCBIGene:16333" and score < 1.0  # an ortholog's name: less sure than a symbol


def test_learned_rat_gene_and_rgd_only_genes(genes):
    assert link(genes, "Bdnf levels in rats and rats.", "Bdnf") == "NCBIGene:24225"  # taught by training
    # Tp53 in rats is an RGD gene only: NIL unless asked for non-NCBI ids
    assert link(genes, "Tp53 in the rat liver of rats.", "Tp53") is None
    genes.non_ncbi = True
    genes._memo.clear()
    try:
        assert link(genes, "Tp53 in the rat liver of rats.", "Tp53") == "RGD:3889"
    finally:
        genes.non_ncbi = False


def test_a_learned_name_yields_to_another_genes_official_symbol(genes):
    # one training abstract annotated the symbol INS with TP53's id: the symbol still means INS
    assert link(genes, "INS was measured in patients.", "INS") == "NCBIGene:3630"
    assert link(genes, "Bdnf levels in rats and rats.", "Bdnf") == "NCBIGene:24225"  # no symbol to yield to


def test_a_short_form_the_document_spells_out_is_the_gene_its_long_form_names(genes):
    def short(text: str, mention: str, long_forms: dict[str, str]) -> str | None:
        start = text.rindex(mention)
        ctx = DocContext.build(text, species=genes.species, genes=[mention], abbreviations=long_forms)
        return genes.normalize([(mention, start, start + len(mention))], ctx)[0][0]

    # "HDAC" is only an alias of HDAC9; spelled out as the family, it is the family's first member
    text = "Histone deacetylase (HDAC) inhibitors were given to patients; HDAC activity fell."
    assert short(text, "HDAC", {"HDAC": "Histone deacetylase"}) == "NCBIGene:3065"
    assert short(text, "HDAC", {}) == "NCBIGene:9734"
    # "TTF-1" is TTF1's symbol and an alias of NKX2-1: the long form says which one is meant
    text = "NK2 homeobox 1 (TTF-1) was stained in tumours of patients; TTF-1 was high."
    assert short(text, "TTF-1", {"TTF-1": "NK2 homeobox 1"}) == "NCBIGene:7080"
    assert short(text, "TTF-1", {}) == "NCBIGene:7270"


def test_no_gene_of_another_species_without_an_ortholog_and_no_family_by_a_loose_designation(genes):
    # "Emk" names only mouse Mark2, which has no human ortholog here: in a human paper it is NIL
    assert link(genes, "Emk was raised in patients with cancer.", "Emk") is None
    assert link(genes, "Emk was raised in mice and mice.", "Emk") == "NCBIGene:13728"
    # "proteinase-activated receptor 1" is only an other designation of F2r: the bare family name
    # does not stand for it ("histone deacetylase" still stands for HDAC1, by its official name)
    assert link(genes, "Proteinase-activated receptor signalling in mice and mice.",
                "Proteinase-activated receptor") is None
    assert link(genes, "Histone deacetylase was inhibited in patients.", "Histone deacetylase") == "NCBIGene:3065"


def test_a_genes_name_in_any_of_the_three_species(genes):
    assert genes.is_name("tumor protein p53") and genes.is_name("tumor protein p53 gene")
    assert genes.is_name("insulin") and genes.is_name("coagulation factor II (thrombin) receptor")
    assert not genes.is_name("insulin resistance") and not genes.is_name("dopamine")
