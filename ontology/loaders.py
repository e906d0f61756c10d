"""Streaming readers for the vocabularies medkg links to, plain or gzipped.

Every reader yields small records as it reads (nothing holds a whole ontology in memory,
except UMLS's semantic types, which MRCONSO needs per CUI) and stamps each with the
``source`` and ``release`` it came from, so a graph node can say which snapshot named it.
Where a file carries no version (the MeSH CSV, the DOID TSVs) the release is the first 12
hex digits of the file's SHA-256: still pinned, never "unknown".

Bad input follows the project rule: one bad record (a row with missing columns, a term
without a name, a line of invalid UTF-8) is a :class:`~kg.errors.RecordError` naming file
and record, or a ``Quarantine`` entry when the caller passes a ``quarantine`` list; a file
that cannot be read on (truncated gzip, broken XML) raises :class:`~kg.errors.OntologyError`
naming the file and how far reading got.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from kg.errors import Errors, Message, OntologyError, RecordError
from kg.models import Quarantine, validate_curie

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True, slots=True)
class Term:
    """One concept, or one reading of it: rows of one id from several records are merged later.

    ``type`` is a medkg EntityType or None when the vocabulary does not say (most MeSH
    descriptors in the CSV). ``synonyms`` are ``(text, kind)`` pairs, kind as the source
    names it (``EXACT``, ``inclusion``, ``entry``...).
    """

    id: str
    name: str
    source: str
    release: str
    type: str | None = None
    synonyms: tuple[tuple[str, str], ...] = ()
    xrefs: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mapping:
    """``subject`` and ``object`` denote the same concept (SSSOM exactMatch, DOID xref)."""

    subject: str
    object: str
    source: str
    release: str
    subject_label: str = ""
    object_label: str = ""


# -- reading files ----------------------------------------------------------------------------
def open_binary(path: str | Path) -> IO[bytes]:
    """A byte handle on ``path``, gunzipped when the file starts with the gzip magic bytes.

    Sniffing rather than trusting the suffix: users' downloads are often renamed.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(2)
        return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")
    except OSError as exc:
        raise OntologyError(Errors.E520, path=path, error=exc) from exc


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of the file's bytes (as stored: gzipped files are hashed compressed), hex."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_release(path: str | Path) -> str:
    """A release tag for files that carry no version: ``sha256:`` + 12 hex digits of the content."""
    return "sha256:" + file_sha256(path)[:12]


def _lines(path: Path, quarantine: list[Quarantine] | None) -> Iterator[tuple[int, str]]:
    """Numbered lines, decoded one by one so an invalid UTF-8 line is that line's problem only;
    a truncated file stops with an error naming the last line read."""
    n = 0
    try:
        with open_binary(path) as fh:
            for n, raw in enumerate(fh, 1):  # noqa: B007 (n is read in the except clause)
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    _bad(path, f"line {n}", quarantine, Errors.E360, error=exc)
                    continue
                yield n, line.rstrip("\r\n")
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise OntologyError(Errors.E521, path=path, line=n, error=exc) from exc


def _bad(path: Path, record: str, quarantine: list[Quarantine] | None, message: Message, **fields: object) -> None:
    err = RecordError(message, file=str(path), record=record, **fields)
    if quarantine is None:
        raise err
    quarantine.append(Quarantine(file=str(path), record=record, reason=err.reason))


def _rows(
    path: Path, columns: Iterable[str], quarantine: list[Quarantine] | None, *, delimiter: str = "\t"
) -> Iterator[tuple[int, dict[str, str]]]:
    """Header-keyed rows (``#`` comment lines skipped); a short row is quarantined, not guessed."""
    header: list[str] | None = None
    for n, line in _lines(path, quarantine):
        if not line.strip() or line.startswith("#"):
            continue
        # csv only where quoting can matter: it costs seconds on the million-row files
        cells = next(csv.reader([line], delimiter=delimiter)) if '"' in line else line.split(delimiter)
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in columns if c not in header]
            if missing:
                raise OntologyError(Errors.E522, path=path, missing=", ".join(missing), header=header)
            continue
        if len(cells) < len(header):
            _bad(path, f"line {n}", quarantine, Errors.E361, count=len(cells), expected=len(header))
            continue
        yield n, dict(zip(header, (c.strip() for c in cells), strict=False))


# -- MeSH -------------------------------------------------------------------------------------
MESH_URI = re.compile(r"(?:^|/)([DCQ]\d{6,9})$")


def mesh_type(tree_numbers: Iterable[str]) -> str | None:
    """C (diseases) and F03 (mental disorders) -> Disease, D (chemicals and drugs) -> Chemical,
    B01-B05 (organisms) -> Species."""
    trees = list(tree_numbers)
    if any(t.startswith(("C", "F03")) for t in trees):
        return "Disease"
    if any(t.startswith("D") for t in trees):
        return "Chemical"
    if any(t.startswith("B0") for t in trees):
        return "Species"
    return None


def read_mesh_descriptors_csv(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """The id/scheme/subject CSV: preferred names only, so ``type`` stays None."""
    path = Path(path)
    release = release or file_release(path)
    for n, row in _rows(path, ("id", "subject"), quarantine, delimiter=","):
        m = MESH_URI.search(row["id"])
        if not m or not row["subject"]:
            _bad(path, f"line {n}", quarantine, Errors.E362, value=row["id"])
            continue
        yield Term(id=f"MESH:{m.group(1)}", name=row["subject"], source="mesh", release=release)


def read_mesh_disease_terms(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """One Term per name variant (the file is sorted by term, not id); the store merges them."""
    path = Path(path)
    release = release or file_release(path)
    for n, row in _rows(path, ("term", "mesh_id", "preferred_name", "tree_numbers"), quarantine):
        cid = row["mesh_id"] if row["mesh_id"].startswith("MESH:") else f"MESH:{row['mesh_id']}"
        if not validate_curie(cid) or not row["term"] or not row["preferred_name"]:
            _bad(path, f"line {n}", quarantine, Errors.E363)
            continue
        trees = tuple(t for t in row["tree_numbers"].split("|") if t)
        yield Term(
            id=cid,
            name=row["preferred_name"],
            source="mesh",
            release=release,
            type=mesh_type(trees) or "Disease",
            synonyms=((row["term"], "entry"),),
            parents=tuple(f"MESHTREE:{t}" for t in trees),
        )


def _xml_release(path: Path, pattern: str) -> str:
    m = re.search(pattern, path.name)
    return m.group(1) if m else file_release(path)


def _iter_xml(path: Path, tag: str, *, prune: bool = True) -> Iterator[etree._Element]:
    """``tag`` elements as they complete, cleared afterwards so memory stays flat.

    ``prune`` also drops earlier siblings; nested records (ICD-10-CM diags) must keep them,
    because a parent's ``<name>`` precedes its children.
    """
    try:
        with open_binary(path) as fh:
            for _, elem in etree.iterparse(fh, events=("end",), tag=tag, recover=False):
                yield elem
                elem.clear(keep_tail=False)
                while prune and elem.getprevious() is not None and elem.getparent() is not None:
                    del elem.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise OntologyError(Errors.E523, path=path, line=exc.lineno, error=exc.msg) from exc
    except (EOFError, OSError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise OntologyError(Errors.E524, path=path, error=exc) from exc


def _texts(elem: etree._Element, xpath: str) -> list[str]:
    return [t.strip() for t in elem.xpath(xpath) if t and t.strip()]


# SCRClass of supplementary records: 1 chemical, 3 disease (2 protocol, 4 organism: not linked).
_SCR_CLASS = {"1": "Chemical", "3": "Disease"}


def read_mesh_xml(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """MeSH ``desc20XX.xml`` (descriptors) or ``supp20XX.xml`` (supplementary C-records).

    A supplementary record's ``parents`` are the descriptors it is mapped to, which is how
    a C-record chemical gets its pharmacological neighbourhood.
    """
    path = Path(path)
    release = release or _xml_release(path, r"(?:desc|supp)(\d{4})")
    supp = "supp" in path.name.lower()
    tag = "SupplementalRecord" if supp else "DescriptorRecord"
    ui_tag = "SupplementalRecordUI" if supp else "DescriptorUI"
    name_tag = "SupplementalRecordName" if supp else "DescriptorName"
    for i, rec in enumerate(_iter_xml(path, tag), 1):
        ui = _texts(rec, f"{ui_tag}/text()")
        name = _texts(rec, f"{name_tag}/String/text()")
        if not ui or not name:
            _bad(path, f"{tag} #{i}", quarantine, Errors.E364, id_tag=ui_tag, name_tag=name_tag)
            continue
        terms = dict.fromkeys(_texts(rec, "ConceptList/Concept/TermList/Term/String/text()"))
        terms.pop(name[0], None)
        if supp:
            type_ = _SCR_CLASS.get(rec.get("SCRClass", ""))
            parents = tuple(
                "MESH:" + d.lstrip("*")
                for d in _texts(rec, "HeadingMappedToList/HeadingMappedTo/DescriptorReferredTo/DescriptorUI/text()")
            )
        else:
            trees = _texts(rec, "TreeNumberList/TreeNumber/text()")
            type_ = mesh_type(trees)
            parents = tuple(f"MESHTREE:{t}" for t in trees)
        yield Term(
            id=f"MESH:{ui[0]}",
            name=name[0],
            source="mesh",
            release=release,
            type=type_,
            synonyms=tuple((t, "entry") for t in terms),
            parents=parents,
        )



def _entry_terms(row: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A MeSH terms row's ``|``-separated entry terms as ``(term, "entry")`` synonyms, in order,
    without repeats, empties or the row's name."""
    return tuple((t, "entry") for t in dict.fromkeys(row["terms"].split("|")) if t and t != row["name"])


def read_mesh_descriptor_terms(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """``mesh2024_descriptor_terms.tsv``: every descriptor with all entry terms and tree numbers.

    Organism descriptors that carry NCBI Taxonomy ids (``Mice``: 10090|10092) also yield an
    ``NCBITaxon`` Term for the first id, with the descriptor's names: the corpora normalise
    species to NCBI Taxonomy, so that is the concept a species mention links to, and the
    descriptor is its cross-reference. The release is the year in the file name.
    """
    path = Path(path)
    release = release or _xml_release(path, r"mesh(\d{4})")
    for n, row in _rows(path, ("id", "name", "terms", "tree_numbers"), quarantine):
        cid = f"MESH:{row['id']}"
        if not MESH_URI.search(row["id"]) or not row["name"]:
            _bad(path, f"line {n}", quarantine, Errors.E372, id=row["id"])
            continue
        trees = tuple(t for t in row["tree_numbers"].split("|") if t)
        synonyms = _entry_terms(row)
        taxa = [t for t in row.get("taxon_ids", "").split("|") if t.isdigit()]
        taxon = f"NCBITaxon:{taxa[0]}" if taxa else None
        yield Term(
            id=cid, name=row["name"], source="mesh", release=release, type=mesh_type(trees), synonyms=synonyms,
            xrefs=(taxon,) if taxon else (), parents=tuple(f"MESHTREE:{t}" for t in trees),
        )
        if taxon:
            yield Term(
                id=taxon, name=row["name"], source="mesh", release=release, type="Species",
                synonyms=synonyms, xrefs=(cid,),
            )


def read_mesh_supplementary_terms(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """``mesh2024_supplementary_terms.tsv``: supplementary concept records (C-ids) and their terms.

    The file has no record class, so ``type`` is ``Chemical`` (most records are); the concept
    store re-types a record whose mapped descriptors (its ``parents``, kept as ``broader``
    links) are diseases or organisms.
    """
    path = Path(path)
    release = release or _xml_release(path, r"mesh(\d{4})")
    for n, row in _rows(path, ("id", "name", "terms", "mapped_to"), quarantine):
        if not MESH_URI.search(row["id"]) or not row["name"]:
            _bad(path, f"line {n}", quarantine, Errors.E373, id=row["id"])
            continue
        mapped = (d.strip().lstrip("*") for d in row["mapped_to"].split(","))
        yield Term(
            id=f"MESH:{row['id']}", name=row["name"], source="mesh", release=release, type="Chemical",
            synonyms=_entry_terms(row),
            parents=tuple(f"MESH:{d}" for d in mapped if MESH_URI.search(d)),
        )


# -- genes ------------------------------------------------------------------------------------
HUMAN, MOUSE, RAT = "9606", "10090", "10116"


PHENOTYPE_LOCI = frozenset({"unknown", "biological-region", "phenotype only"})


@dataclass(frozen=True, slots=True)
class GeneRecord:
    """One gene of one species, with its names by kind, as the gene normaliser needs them.

    ``id`` is ``NCBIGene:…`` where the source gives an NCBI Gene id, else the source's own
    (``MGI:…``, ``RGD:…``). ``orthologs`` are the source's ortholog ids in other species (HGNC
    lists the MGI and RGD ids of a human gene's mouse and rat orthologs); ``xrefs`` are ids of
    this same gene. :meth:`term` is what the concept store keeps of it.
    """

    id: str
    taxon: str
    symbol: str
    source: str
    release: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    orthologs: tuple[str, ...] = ()
    locus_type: str = ""  # NCBI's type_of_gene or HGNC's locus type; "" where the source gives none

    @property
    def protein_coding(self) -> bool:
        return self.locus_type in ("", "protein-coding", "gene with protein product")

    @property
    def phenotype_locus(self) -> bool:
        """A locus known by a phenotype, a QTL or a region, not a gene product: NCBI files mouse
        mutants and QTLs ("act" adult cataract, "Par1" pulmonary adenoma resistance 1) as type
        "unknown", enhancers as "biological-region"; HGNC has "phenotype only" entries."""
        return self.locus_type in PHENOTYPE_LOCI

    def term(self) -> Term:
        """Symbol, name, aliases and previous symbols; ``other_names`` (NCBI's other designations,
        long and many) stay with the gene normaliser, which matches mentions against them."""
        names = [(self.name, "name")] + [(a, "alias") for a in self.aliases]
        names += [(p, "previous") for p in self.previous]
        return Term(
            id=self.id, name=self.symbol, source=self.source, release=self.release, type="Gene",
            synonyms=tuple(dict.fromkeys((n, k) for n, k in names if n and n != self.symbol)),
            xrefs=self.xrefs,
        )


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(sep) if v.strip() and v.strip() != "-"))


def read_hgnc(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[GeneRecord]:
    """HGNC's human genes (approved entries only; withdrawn symbols live on as ``Previous symbols``).

    The id is the NCBI Gene id (``NCBIGene:7157``), the corpora's identifier; the few approved
    genes NCBI has not numbered keep their ``HGNC:`` id.
    """
    path = Path(path)
    release = release or file_release(path)
    columns = ("HGNC ID", "Approved symbol", "Approved name", "Status", "Alias symbols", "Previous symbols",
               "NCBI Gene ID(supplied by NCBI)")
    for n, row in _rows(path, columns, quarantine):
        if row["Status"] != "Approved":
            continue
        ncbi, hgnc, symbol = row["NCBI Gene ID(supplied by NCBI)"], row["HGNC ID"], row["Approved symbol"]
        if not symbol or not hgnc.startswith("HGNC:"):
            _bad(path, f"line {n}", quarantine, Errors.E374, id=hgnc)
            continue
        orthologs = _split(row.get("Mouse genome database ID(supplied by MGI)", ""), ",")
        orthologs += _split(row.get("Rat genome database ID(supplied by RGD)", ""), ",")
        uniprot = tuple(f"UniProt:{u}" for u in _split(row.get("UniProt ID(supplied by UniProt)", ""), ","))
        yield GeneRecord(
            id=f"NCBIGene:{ncbi}" if ncbi.isdigit() else hgnc, taxon=HUMAN, symbol=symbol, source="hgnc",
            release=release, name=row["Approved name"], aliases=_split(row["Alias symbols"], ","),
            previous=_split(row["Previous symbols"], ","), xrefs=((hgnc,) if ncbi.isdigit() else ()) + uniprot,
            orthologs=orthologs, locus_type=row.get("Locus type", ""),
        )


def read_gene_info(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[GeneRecord]:
    """An NCBI ``gene_info`` file (one species): symbol, synonyms, full names, MGI/HGNC/RGD xrefs.

    Its header is a ``#`` comment, so the columns are fixed by NCBI's layout. Release: the
    newest ``Modification_date`` is not known until the end, so it is the file's hash.
    """
    path = Path(path)
    release = release or file_release(path)
    for n, line in _lines(path, quarantine):
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 14 or not cols[1].isdigit() or not cols[2]:
            _bad(path, f"line {n}", quarantine, Errors.E375, count=len(cols))
            continue
        xrefs = []
        for x in _split(cols[5], "|"):
            db, _, local = x.partition(":")
            if db in ("MGI", "HGNC", "RGD") and local:
                xrefs.append(local if ":" in local else f"{db}:{local}")
        name = next((x for x in (cols[8], cols[11]) if x and x != "-"), "")
        yield GeneRecord(
            id=f"NCBIGene:{cols[1]}", taxon=cols[0], symbol=cols[2], source="ncbi-gene", release=release,
            name=name, aliases=_split(cols[4], "|"),
            other_names=tuple(o for o in _split(f"{cols[11]}|{cols[13]}", "|") if o != name),
            xrefs=tuple(dict.fromkeys(xrefs)),
            locus_type=cols[9],
        )


def _read_model_organism(path: Path, prefix: str, taxon: str, sep: str, release: str | None,
                         quarantine: list[Quarantine] | None) -> Iterator[GeneRecord]:
    release = release or file_release(path)
    for n, row in _rows(path, ("ID", "symbol", "synonyms"), quarantine):
        if not row["ID"].isdigit() or not row["symbol"]:
            _bad(path, f"line {n}", quarantine, Errors.E376, id=row["ID"])
            continue
        yield GeneRecord(id=f"{prefix}:{row['ID']}", taxon=taxon, symbol=row["symbol"], source=prefix.lower(),
                         release=release, aliases=_split(row["synonyms"], sep))


def read_mgi(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[GeneRecord]:
    """``mgi_entries.tsv`` (ID, symbol, ``|``-separated synonyms): mouse genes by MGI id."""
    return _read_model_organism(Path(path), "MGI", MOUSE, "|", release, quarantine)


def read_rgd(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[GeneRecord]:
    """``rgd_entries.tsv`` (ID, symbol, ``;``-separated synonyms): rat genes by RGD id (no NCBI ids here)."""
    return _read_model_organism(Path(path), "RGD", RAT, ";", release, quarantine)


# -- OBO (HPO) --------------------------------------------------------------------------------
_OBO_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(\w+)')
_OBO_RELEASE = re.compile(r"releases/([0-9-]+)")


def _obo_xref(raw: str) -> str | None:
    """OBO xref -> medkg CURIE: ``MSH``/``MESH`` -> ``MESH``, ``MIM`` -> ``OMIM``, ``ICD-10`` -> ``ICD10CM``."""
    raw = raw.split(" ", 1)[0].strip()
    prefix, _, local = raw.partition(":")
    prefix = {"MSH": "MESH", "MIM": "OMIM", "ICD-10": "ICD10CM", "ICD10": "ICD10CM", "UMLS_CUI": "UMLS"}.get(
        prefix, prefix
    )
    curie = f"{prefix}:{local.strip().rstrip(',;')}"
    return curie if local and validate_curie(curie) else None


def read_obo(
    path: str | Path,
    *,
    source: str = "hpo",
    type_: str = "Finding",
    quarantine: list[Quarantine] | None = None,
) -> Iterator[Term]:
    """``[Term]`` stanzas of an OBO 1.2/1.4 file; obsolete terms are skipped (they are not linkable).

    The release is the header's ``data-version`` (``hp/releases/2025-01-16`` -> ``2025-01-16``).
    HPO terms are phenotypes, hence ``Finding`` by default.
    """
    path = Path(path)
    release = ""
    stanza: dict[str, list[str]] | None = None
    kind = None
    start = 0

    def finish() -> Term | None:
        ids, names = stanza.get("id", []), stanza.get("name", [])
        if kind != "Term" or stanza.get("is_obsolete") == ["true"]:
            return None
        if not ids or not names or not validate_curie(ids[0]):
            _bad(path, f"[Term] at line {start}", quarantine, Errors.E365)
            return None
        synonyms = []
        for raw in stanza.get("synonym", []):
            if m := _OBO_SYNONYM.match(raw):
                synonyms.append((m.group(1).replace('\\"', '"'), m.group(2)))
        return Term(
            id=ids[0],
            name=names[0],
            source=source,
            release=release,
            type=type_,
            synonyms=tuple(synonyms),
            xrefs=tuple(x for x in map(_obo_xref, stanza.get("xref", [])) if x),
            parents=tuple(p.split("!", 1)[0].strip() for p in stanza.get("is_a", [])),
        )

    for n, line in _lines(path, quarantine):
        if line.startswith("["):
            if stanza is not None and (term := finish()):
                yield term
            stanza, kind, start = {}, line.strip("[] "), n
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if stanza is None:
            if key == "data-version":
                m = _OBO_RELEASE.search(value)
                release = m.group(1) if m else value
            continue
        stanza.setdefault(key, []).append(value)
    if not release:
        release = file_release(path)
    if stanza is not None and (term := finish()):
        yield term


# -- Disease Ontology and MONDO ---------------------------------------------------------------
def read_doid_terms(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """``HumanDO.tsv`` (id, label, subClassOf): parents are given by label, kept as written."""
    path = Path(path)
    release = release or file_release(path)
    for n, row in _rows(path, ("id", "label"), quarantine):
        if not validate_curie(row["id"]) or not row["label"]:
            _bad(path, f"line {n}", quarantine, Errors.E366, id=row["id"])
            continue
        parent = row.get("subClassOf", "")
        yield Term(
            id=row["id"],
            name=row["label"],
            source="doid",
            release=release,
            type="Disease",
            parents=(f"label:{parent}",) if parent else (),
        )


_DATED_PREFIX = re.compile(r"_\d{4}_\d{2}_\d{2}$")


def read_doid_xrefs(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Mapping]:
    """``MESHinDO.tsv``/``OMIMinDO.tsv``/``ICD10inDO.tsv`` (column ``xrefs``) or ``allXREFinDO`` (``xref``)."""
    path = Path(path)
    release = release or file_release(path)
    column = None
    for n, row in _rows(path, ("id", "label"), quarantine):
        column = column or ("xrefs" if "xrefs" in row else "xref")
        prefix, _, local = row.get(column, "").partition(":")
        xref = _obo_xref(f"{_DATED_PREFIX.sub('', prefix)}:{local}")  # SNOMEDCT_US_2025_09_01 -> SNOMEDCT_US
        if not validate_curie(row["id"]) or xref is None:
            _bad(path, f"line {n}", quarantine, Errors.E367, id=row["id"], xref=row.get(column))
            continue
        yield Mapping(subject=row["id"], object=xref, source="doid", release=release, subject_label=row["label"])


_SSSOM_RELEASE = re.compile(r"releases/([0-9-]+)/")


def read_sssom(
    path: str | Path, *, predicate: str = "skos:exactMatch", quarantine: list[Quarantine] | None = None
) -> Iterator[Mapping]:
    """SSSOM TSV exact matches; ``mesh:D…`` objects become ``MESH:D…``. Release from ``mapping_set_version``."""
    path = Path(path)
    release = ""
    for _, line in _lines(path, quarantine):
        if not line.startswith("#"):
            break
        if line.startswith("# mapping_set_version:") and (m := _SSSOM_RELEASE.search(line)):
            release = m.group(1)
    release = release or file_release(path)
    for n, row in _rows(path, ("subject_id", "predicate_id", "object_id"), quarantine):
        if row["predicate_id"] != predicate:
            continue
        obj = row["object_id"]
        prefix, _, local = obj.partition(":")
        obj = _obo_xref(f"{prefix.upper() if prefix.lower() == 'mesh' else prefix}:{local}")
        if not validate_curie(row["subject_id"]) or obj is None:
            _bad(path, f"line {n}", quarantine, Errors.E368, subject=row["subject_id"], object=row["object_id"])
            continue
        yield Mapping(
            subject=row["subject_id"],
            object=obj,
            source="mondo",
            release=release,
            subject_label=row.get("subject_label", ""),
            object_label=row.get("object_label", ""),
        )


# -- ICD-10-CM --------------------------------------------------------------------------------
def icd10cm_type(code: str) -> str | None:
    """R codes are symptoms and signs (Finding); V-Z are external causes and encounters (not linked)."""
    if code[:1] == "R":
        return "Finding"
    if code[:1] in "VWXYZ":
        return None
    return "Disease"


def read_icd10cm(
    path: str | Path, *, release: str | None = None, quarantine: list[Quarantine] | None = None
) -> Iterator[Term]:
    """Every ``<diag>`` of the tabular list, its ``inclusionTerm`` notes as synonyms, parent = enclosing diag."""
    path = Path(path)
    if release is None:
        m = re.search(r"([A-Za-z]+-\d{1,2}-\d{4})", path.name)
        release = m.group(1) if m else file_release(path)
    for i, diag in enumerate(_iter_xml(path, "diag", prune=False), 1):
        code, desc = _texts(diag, "name/text()"), _texts(diag, "desc/text()")
        if not code or not desc:
            _bad(path, f"diag #{i}", quarantine, Errors.E369)
            continue
        parent = diag.getparent()
        parent_code = _texts(parent, "name/text()") if parent is not None and parent.tag == "diag" else []
        yield Term(
            id=f"ICD10CM:{code[0]}",
            name=desc[0],
            source="icd10cm",
            release=release,
            type=icd10cm_type(code[0]),
            synonyms=tuple((t, "inclusion") for t in _texts(diag, "inclusionTerm/note/text()")),
            parents=(f"ICD10CM:{parent_code[0]}",) if parent_code else (),
        )


# -- UMLS -------------------------------------------------------------------------------------
# Semantic types -> medkg types (T-numbers, https://lhncbc.nlm.nih.gov/ii/tools/MetaMap/Docs/SemanticTypes_2018AB.txt).
UMLS_TYPES: dict[str, str] = {
    **dict.fromkeys(("T019", "T020", "T037", "T046", "T047", "T048", "T049", "T050", "T190", "T191"), "Disease"),
    **dict.fromkeys(("T033", "T184"), "Finding"),
    **dict.fromkeys(
        ("T103", "T104", "T109", "T110", "T111", "T114", "T115", "T116", "T118", "T119", "T120", "T121",
         "T122", "T123", "T124", "T125", "T126", "T127", "T129", "T130", "T131", "T195", "T196", "T197", "T200"),
        "Chemical",
    ),
    **dict.fromkeys(("T028", "T085", "T086", "T087"), "Gene"),
    **dict.fromkeys(("T001", "T002", "T004", "T005", "T007", "T008", "T010", "T011", "T012", "T013",
                     "T014", "T015", "T016", "T204"), "Species"),
    "T025": "CellLine",
}
# Source vocabularies (SAB) whose codes become xrefs, and the CURIE prefix each gets.
UMLS_XREF_SABS = {"MSH": "MESH", "HPO": "", "OMIM": "OMIM", "ICD10CM": "ICD10CM", "SNOMEDCT_US": "SNOMEDCT_US"}
_UMLS_RELEASE = re.compile(r"(\d{4}A[AB])")


def read_umls_semantic_types(path: str | Path, *, quarantine: list[Quarantine] | None = None) -> dict[str, str]:
    """CUI -> medkg type from ``MRSTY.RRF`` (the first semantic type that maps wins)."""
    path = Path(path)
    types: dict[str, str] = {}
    for n, line in _lines(path, quarantine):
        cols = line.split("|")
        if len(cols) < 4:
            _bad(path, f"line {n}", quarantine, Errors.E370, count=len(cols))
            continue
        if (t := UMLS_TYPES.get(cols[1])) and cols[0] not in types:
            types[cols[0]] = t
    return types


def read_umls(
    mrconso: str | Path,
    mrsty: str | Path | None = None,
    *,
    release: str | None = None,
    quarantine: list[Quarantine] | None = None,
) -> Iterator[Term]:
    """English, unsuppressed ``MRCONSO.RRF`` rows grouped by CUI (the file is sorted by CUI).

    The name is the CUI's preferred string (TS=P, STT=PF, ISPREF=Y); MeSH, HPO, OMIM,
    ICD-10-CM and SNOMED CT codes become xrefs. The release is the ``20XXAA`` in the path.
    """
    mrconso = Path(mrconso)
    if mrsty is None:
        mrsty = mrconso.with_name(mrconso.name.replace("MRCONSO", "MRSTY"))
    types = read_umls_semantic_types(mrsty, quarantine=quarantine) if Path(mrsty).exists() else {}
    if release is None:
        m = _UMLS_RELEASE.search(str(mrconso.resolve()))
        release = m.group(1) if m else file_release(mrconso)

    def build(cui: str, rows: list[list[str]]) -> Term:
        pref = next((r[14] for r in rows if r[2] == "P" and r[4] == "PF" and r[6] == "Y"), rows[0][14])
        xrefs = []
        for r in rows:
            if (prefix := UMLS_XREF_SABS.get(r[11])) is not None and r[13]:
                xref = r[13] if prefix == "" else f"{prefix}:{r[13]}"
                if validate_curie(xref):
                    xrefs.append(xref)
        return Term(
            id=f"UMLS:{cui}",
            name=pref,
            source="umls",
            release=release,
            type=types.get(cui),
            synonyms=tuple(dict.fromkeys((r[14], f"{r[11]}/{r[12]}") for r in rows if r[14] != pref)),
            xrefs=tuple(dict.fromkeys(xrefs)),
        )

    cui, rows = None, []
    for n, line in _lines(mrconso, quarantine):
        cols = line.split("|")
        if len(cols) < 17 or not cols[0] or not cols[14]:
            _bad(mrconso, f"line {n}", quarantine, Errors.E371, count=len(cols))
            continue
        if cols[1] != "ENG" or cols[16] in ("O", "E", "Y"):
            continue
        if cols[0] != cui:
            if rows:
                yield build(cui, rows)
            cui, rows = cols[0], []
        rows.append(cols)
    if rows:
        yield build(cui, rows)
