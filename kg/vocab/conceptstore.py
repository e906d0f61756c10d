"""The concept store: every vocabulary medkg links to, in one SQLite file in the data dir.

Built once (``medkg ontology build``, a few seconds) from the files under
``<shared_data>/ontology`` and the *training* corpora, then opened read-only by linkers and
by anyone looking a code up. Three tables carry the content:

- ``concepts``: one row per id of every vocabulary, with its preferred name, medkg type
  (NULL where the source does not say, as for most descriptors of the MeSH CSV), source,
  release, and ``primary_id``: the MeSH concept it resolves to, or itself;
- ``names``: every name and synonym with its provenance (source, kind, and for names
  learned from training corpora the number of gold mentions);
- ``xrefs``: cross-references. Each MeSH concept collects the ids of every concept that
  resolves to it (MONDO, DOID, OMIM, ICD-10-CM, HPO) so searching by any of them finds it.

MeSH is the primary vocabulary for diseases and chemicals because the corpora we measure on
are annotated with it. Another vocabulary's concept resolves to a MeSH concept when MONDO
or DOID maps it there unambiguously (directly, or through the MONDO/DOID concept that maps
both); HPO terms, which neither maps, resolve when their normalised name or exact synonym
names exactly one MeSH disease. A concept nothing maps stays its own primary and is still
linkable under its own CURIE.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Settings
from kg.errors import Errors, OntologyError
from kg.models import Concept, Quarantine, stable_hash
from kg.vocab.corpora import TRAIN_CORPORA, training_documents
from kg.vocab.curie import to_curie
from kg.vocab.lexicon import SALT, normalise
from kg.vocab.types import entity_type
from ontology import loaders

STORE_FILE = "concepts.sqlite"
# v4: retired MeSH ids resolve to the current record; BioRED's "-" is NIL; v5: population records are no chemicals;
# v6: HPO qualifiers (HPO_QUALIFIERS) are no findings; v7: the names' normalised keys drop a sibilant's plural -es
FORMAT_VERSION = "conceptstore-v7"
# Prefixes a MeSH concept carries as xrefs (UMLS and SNOMED CT ride along when a licensed
# user's MRCONSO supplied them).
XREF_PREFIXES = ("MONDO", "DOID", "OMIM", "ICD10CM", "HP", "UMLS", "SNOMEDCT_US")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (source TEXT NOT NULL, file TEXT NOT NULL, release TEXT NOT NULL, sha256 TEXT NOT NULL,
                      records INTEGER NOT NULL, quarantined INTEGER NOT NULL, PRIMARY KEY (source, file));
CREATE TABLE concepts (id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT, source TEXT NOT NULL,
                       release TEXT NOT NULL, primary_id TEXT);
CREATE TABLE names (concept_id TEXT NOT NULL, name TEXT NOT NULL, lower TEXT NOT NULL, norm TEXT NOT NULL,
                    kind TEXT NOT NULL, source TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (concept_id, lower, source));
CREATE TABLE xrefs (concept_id TEXT NOT NULL, xref TEXT NOT NULL, source TEXT NOT NULL,
                    PRIMARY KEY (concept_id, xref));
CREATE TABLE parents (concept_id TEXT NOT NULL, parent TEXT NOT NULL, source TEXT NOT NULL,
                      PRIMARY KEY (concept_id, parent));
CREATE TABLE quarantine (file TEXT NOT NULL, record TEXT NOT NULL, reason TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX names_lower ON names (lower);
CREATE INDEX names_norm ON names (norm);
CREATE INDEX xrefs_xref ON xrefs (xref);
CREATE INDEX concepts_primary ON concepts (primary_id);
"""


@dataclass
class BuildStats:
    """What ``medkg ontology build`` reports; ``quarantined`` lists every record left out and why."""

    path: Path
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # expected sources with no file under the folder
    damaged: list[str] = field(default_factory=list)  # files whose reading stopped part way (see the quarantine)
    root: Path | None = None  # the ontology folder read

    def problems(self) -> list[OntologyError]:
        """E547 for each damaged file and E548 for each expected source with no file: what a build that
        "succeeded" left out, for its warnings (or, in `medkg ontology build`, its refusal)."""
        return [OntologyError(Errors.E547, file=file) for file in self.damaged] + [
            OntologyError(Errors.E548, source=source, root=self.root, what=EXPECTED_SOURCES[source])
            for source in self.missing
        ]


def store_path(settings: Settings) -> Path:
    """In the cache folder (``<data_dir>/cache`` unless MEDKG_CACHE_DIR says otherwise): it is built from files."""
    return Path(settings.cache_path) / STORE_FILE


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- building ---------------------------------------------------------------------------------
_INSERTS = {
    "concepts": "INSERT INTO concepts (id, name, type, source, release) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET type = COALESCE(concepts.type, excluded.type)",
    "names": "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
    "xrefs": "INSERT OR IGNORE INTO xrefs VALUES (?, ?, ?)",
    "parents": "INSERT OR IGNORE INTO parents VALUES (?, ?, ?)",
}
FLUSH_ROWS = 50_000


class _Writer:
    """Accumulates terms into the open database, merging rows of one id from many records.

    Rows are buffered per table and written in large batches (a million names would otherwise
    cost a million statement calls); :meth:`flush` before reading the tables back.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.mesh_names: dict[str, str] = {}  # preferred name -> id; "" when two ids share it
        self.mesh_ids: dict[str, str] = {}  # id -> preferred name, as first loaded
        self.mgi_genes: dict[str, str] = {}  # MGI id -> the NCBI mouse gene that cross-references it
        self.repaired = 0
        self.rows: dict[str, list[tuple]] = {table: [] for table in _INSERTS}
        self.buffered = 0

    def _put(self, table: str, rows: Iterable[tuple]) -> None:
        before = len(self.rows[table])
        self.rows[table].extend(rows)
        self.buffered += len(self.rows[table]) - before
        if self.buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row; concepts first, in the order they came (merges depend on it)."""
        for table, sql in _INSERTS.items():
            if self.rows[table]:
                self.db.executemany(sql, self.rows[table])
                self.rows[table] = []
        self.buffered = 0

    def _mesh_id(self, t: loaders.Term) -> str:
        """The id whose MeSH preferred name ``t.name`` is, when ``t.id`` is known under another name.

        The disease-terms TSV files a quarter of its rows under a neighbouring descriptor
        (``propofol infusion syndrome`` under D015742 Propofol) while its preferred_name
        column names the right one; trusting the name puts those synonyms where they belong.
        """
        known = self.mesh_ids.get(t.id)
        if known is None:
            self.mesh_ids[t.id] = t.name
            self.mesh_names[t.name] = "" if t.name in self.mesh_names else t.id
            return t.id
        if known != t.name and (other := self.mesh_names.get(t.name)):
            self.repaired += 1
            return other
        return t.id

    def term(self, t: loaders.Term) -> None:
        cid = self._mesh_id(t) if t.id.startswith("MESH:") else t.id
        self._put("concepts", ((cid, t.name, t.type, t.source, t.release),))
        names = [(t.name, "preferred"), *t.synonyms]
        self._put("names", _distinct_names(cid, names, t.source, normalised=t.type != "Gene"))
        if t.xrefs:
            self._put("xrefs", ((cid, x, t.source) for x in t.xrefs if x != cid))
        if t.parents:
            self._put("parents", ((cid, p, t.source) for p in t.parents))

    def names(self, concept_id: str, names: Iterable[tuple[str, str]], source: str, count: int = 0) -> None:
        """Every name as given (training names carry their gold counts)."""
        self._put(
            "names",
            ((concept_id, n, n.lower(), normalise(n), kind, source, count) for n, kind in names if n.strip()),
        )

    def gene(self, g: loaders.GeneRecord) -> None:
        """An MGI gene that NCBI Gene already has is that gene (an xref of it), not a second concept."""
        ncbi = self.mgi_genes.get(g.id) if g.source == "mgi" else None
        if ncbi is not None:  # NCBI Gene already carries MGI's symbol and synonyms
            self._put("xrefs", ((ncbi, g.id, g.source),))
            return
        for x in g.xrefs:
            if x.startswith("MGI:") and g.id.startswith("NCBIGene:"):
                self.mgi_genes[x] = g.id
        self.term(g.term())

    def add(self, record: loaders.Term | loaders.Mapping | loaders.GeneRecord) -> None:
        if isinstance(record, loaders.Mapping):
            self.mapping(record)
        elif isinstance(record, loaders.GeneRecord):
            self.gene(record)
        else:
            self.term(record)

    def mapping(self, m: loaders.Mapping) -> None:
        self._put("xrefs", ((m.subject, m.object, m.source),))
        if m.subject.startswith("MONDO:") and m.subject_label:
            self.term(
                loaders.Term(id=m.subject, name=m.subject_label, source=m.source, release=m.release, type="Disease")
            )
        if m.object.startswith("OMIM:") and m.object_label:
            self.term(loaders.Term(id=m.object, name=m.object_label, source="omim", release=m.release, type="Disease"))


def _distinct_names(
    concept_id: str, names: Iterable[tuple[str, str]], source: str, *, normalised: bool = True
) -> Iterator[tuple]:
    """Name rows of one record, one per normalised form: MeSH lists every inversion and plural of
    an entry term ("Slaughter House", "House, Slaughter", "Houses, Slaughter"), which the
    normalised lookup already equates, so the first (the preferred name first) stands for all.

    Gene names get no normalised form (``normalised=False``): word order and plural -s carry
    meaning in symbols, and :mod:`kg.vocab.genes` matches them with keys of its own.
    """
    seen: set[str] = set()
    for n, kind in names:
        if n.strip() and (key := normalise(n) if normalised else n.lower()) not in seen:
            seen.add(key)
            yield concept_id, n, n.lower(), key if normalised else "", kind, source, 0


def _ontology_files(root: Path) -> list[tuple[str, Path, object]]:
    """(source, file, reader) for every known file present under ``root``; order matters (MeSH first)."""
    found: list[tuple[str, Path, object]] = []

    def add(source: str, pattern: str, reader: object) -> None:
        for p in sorted(root.glob(pattern)):
            found.append((source, p, reader))

    add("mesh", "mesh/desc*.xml*", loaders.read_mesh_xml)
    add("mesh", "mesh/mesh*_descriptor_terms.tsv*", loaders.read_mesh_descriptor_terms)
    add("mesh", "mesh/mesh_descriptors.csv*", loaders.read_mesh_descriptors_csv)
    add("mesh", "mesh/mesh_disease_terms.tsv*", loaders.read_mesh_disease_terms)
    add("mesh", "mesh/supp*.xml*", loaders.read_mesh_xml)
    add("mesh", "mesh/mesh*_supplementary_terms.tsv*", loaders.read_mesh_supplementary_terms)
    add("hgnc", "genes/hgnc_entries.tsv*", loaders.read_hgnc)
    add("ncbi-gene", "genes/*.gene_info*", loaders.read_gene_info)
    add("mgi", "genes/mgi_entries.tsv*", loaders.read_mgi)
    add("rgd", "genes/rgd_entries.tsv*", loaders.read_rgd)
    add("hpo", "hpo/*.obo*", loaders.read_obo)
    add("doid", "doid/HumanDO.tsv*", loaders.read_doid_terms)
    add("doid", "doid/*inDO.tsv*", loaders.read_doid_xrefs)
    add("mondo", "mondo/*.sssom.tsv*", loaders.read_sssom)
    add("icd10cm", "icd10cm/*.xml*", loaders.read_icd10cm)
    add("umls", "umls/MRCONSO.RRF*", loaders.read_umls)
    return found


# What each source gives, for the build's warning when its files are not there (UMLS is optional:
# its licence keeps it out of the shared data).
EXPECTED_SOURCES = {
    "mesh": "chemicals, diseases and species", "hgnc": "human genes", "ncbi-gene": "mouse genes",
    "mgi": "mouse gene symbols", "rgd": "rat gene symbols", "hpo": "phenotypes", "doid": "Disease Ontology names",
    "mondo": "OMIM and MONDO ids mapped to MeSH", "icd10cm": "ICD-10-CM codes",
}


def training_pairs(shared_data: Path) -> Iterator[tuple[str, str, str, str]]:
    """(mention text, CURIE, type, corpus) from the training splits only; single-id mentions only.

    Composite mentions ("breast and ovarian cancer" -> two ids) name several concepts, so
    their text is no one concept's synonym.
    """
    for corpus in TRAIN_CORPORA:
        path = shared_data / corpus.path
        if any(word in path.name.lower() for word in ("dev", "test")):
            raise OntologyError(Errors.E502, path=path)
        if not path.exists():
            continue  # a user without the corpora still gets every ontology name
        for doc in training_documents(path, shared_data):
            for ann in doc.annotations:
                type_ = entity_type(ann.type)
                if type_ is None or len(ann.concept_ids) != 1:
                    continue
                if curie := to_curie(ann.concept_ids[0], type_):
                    yield ann.text, curie, type_, corpus.name


def _learn_training_names(db: sqlite3.Connection, shared_data: Path, stats: BuildStats) -> None:
    writer = _Writer(db)
    counts: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for text, curie, type_, corpus in training_pairs(shared_data):
        counts[(curie, type_, corpus)][text] += 1
    type_votes: dict[str, Counter] = defaultdict(Counter)
    for (curie, type_, corpus), texts in counts.items():
        type_votes[curie][type_] += sum(texts.values())
        name = texts.most_common(1)[0][0]
        db.execute(
            "INSERT OR IGNORE INTO concepts (id, name, type, source, release) VALUES (?, ?, ?, ?, ?)",
            (curie, name, type_, f"{corpus}-train", "corpus"),
        )
        for text, n in texts.items():
            writer.names(curie, [(text, "gold-mention")], f"{corpus}-train", n)
    writer.flush()
    for curie, votes in type_votes.items():
        db.execute("UPDATE concepts SET type = ? WHERE id = ? AND type IS NULL", (votes.most_common(1)[0][0], curie))
    for corpus in TRAIN_CORPORA:
        if not (shared_data / corpus.path).exists():
            stats.quarantined.append(
                Quarantine(file=str(shared_data / corpus.path), record="whole file", reason=Errors.E380.reason())
            )
    records = Counter()
    for (_, _, corpus), texts in counts.items():
        records[corpus] += sum(texts.values())
    for corpus in TRAIN_CORPORA:
        if (path := shared_data / corpus.path).exists():
            stats.sources.append(
                {"source": f"{corpus.name}-train", "file": str(path), "release": "corpus",
                 "sha256": loaders.file_sha256(path), "records": records[corpus.name], "quarantined": 0}
            )


def _resolve_primaries(db: sqlite3.Connection) -> None:
    """Set ``primary_id`` and give each MeSH concept the xrefs of every concept resolving to it."""
    ids = {r[0] for r in db.execute("SELECT id FROM concepts")}
    edges: dict[str, set[str]] = defaultdict(set)
    for a, b in db.execute("SELECT concept_id, xref FROM xrefs"):
        if a.split(":")[0] in XREF_PREFIXES or b.split(":")[0] in XREF_PREFIXES:
            edges[a].add(b)
            edges[b].add(a)

    def mesh_of(cid: str) -> set[str]:
        direct = {x for x in edges[cid] if x.startswith("MESH:")}
        if direct:
            return direct
        bridges = [y for y in edges[cid] if y.split(":")[0] in ("MONDO", "DOID")]
        return {x for y in bridges for x in edges[y] if x.startswith("MESH:")}

    primary: dict[str, str] = {}
    for cid in ids:
        if cid.split(":")[0] not in XREF_PREFIXES:
            continue  # MeSH itself; genes, taxa, variants and cell lines are their own primaries
        mesh = {m for m in mesh_of(cid) if m in ids}
        if len(mesh) > 1:  # a descriptor and supplementary records (OMIM:313900): the descriptor
            mesh = {m for m in mesh if m.startswith("MESH:D")}
        if len(mesh) == 1:
            primary[cid] = mesh.pop()
    # HPO terms: nothing maps them to MeSH, so a unique exact-name match to a MeSH disease does.
    # A match on a MeSH preferred name settles it first; entry terms only where that found none.
    for mesh_kinds in ("'preferred'", "'preferred', 'entry'"):
        for hp, mesh in db.execute(
            f"""SELECT h.concept_id, MIN(m.concept_id) FROM names h JOIN names m ON m.norm = h.norm
               JOIN concepts c ON c.id = m.concept_id
               WHERE h.concept_id LIKE 'HP:%' AND h.kind IN ('preferred', 'EXACT') AND m.kind IN ({mesh_kinds})
                 AND m.concept_id LIKE 'MESH:%' AND m.source = 'mesh' AND c.type = 'Disease'
               GROUP BY h.concept_id HAVING COUNT(DISTINCT m.concept_id) = 1"""
        ).fetchall():
            if hp not in primary:
                primary[hp] = mesh
                db.execute("INSERT OR IGNORE INTO xrefs VALUES (?, ?, 'name-match')", (hp, mesh))
    db.execute("UPDATE concepts SET primary_id = id")
    db.executemany("UPDATE concepts SET primary_id = ? WHERE id = ?", [(m, c) for c, m in primary.items()])
    # A MeSH organism descriptor resolves to its NCBI Taxonomy concept: what species mentions link to.
    db.execute(
        """UPDATE concepts SET primary_id = (SELECT MIN(x.xref) FROM xrefs x WHERE x.concept_id = concepts.id
                                             AND x.xref LIKE 'NCBITaxon:%' AND x.source = 'mesh')
           WHERE type = 'Species' AND id LIKE 'MESH:D%'
             AND EXISTS (SELECT 1 FROM xrefs x WHERE x.concept_id = concepts.id AND x.xref LIKE 'NCBITaxon:%'
                         AND x.source = 'mesh')"""
    )
    # A descriptor newer than the disease-terms file has no type yet; a disease that MONDO or
    # DOID maps onto it says what it is.
    db.execute(
        """UPDATE concepts SET type = 'Disease' WHERE type IS NULL AND id IN
           (SELECT primary_id FROM concepts WHERE type = 'Disease' AND source IN ('mondo', 'doid'))"""
    )
    rows = []
    for cid, mesh in primary.items():
        for x in {cid} | edges[cid]:
            if x.split(":")[0] in XREF_PREFIXES:
                rows.append((mesh, x, "via " + cid))
    db.executemany("INSERT OR IGNORE INTO xrefs VALUES (?, ?, ?)", rows)


def _current_mesh_record(db: sqlite3.Connection, names: Iterable[str], type_: str | None) -> str | None:
    """The one MeSH 2024 record of ``type_`` (or an untyped descriptor) that ``names`` name, or None.

    A name matches a MeSH name exactly after :func:`~kg.vocab.lexicon.normalise`, or, for a chemical,
    with a salt word added to it ("venlafaxine" is "Venlafaxine Hydrochloride"); None unless every
    name that matches agrees on one record."""
    targets: set[str] = set()
    for name in names:
        lower = name.lower()
        found = {m for (m,) in db.execute(
            """SELECT DISTINCT n.concept_id FROM names n JOIN concepts c ON c.id = n.concept_id
               WHERE n.norm = ? AND n.source = 'mesh' AND (c.type = ? OR c.type IS NULL)""", (normalise(name), type_))}
        if not found and type_ == "Chemical":
            found = {m for m, other in db.execute(
                """SELECT n.concept_id, n.lower FROM names n JOIN concepts c ON c.id = n.concept_id
                   WHERE n.lower > ? AND n.lower < ? AND n.source = 'mesh' AND (c.type = ? OR c.type IS NULL)""",
                (lower + " ", lower + " \uffff", type_)) if SALT.sub("", other) == lower}
        targets |= found
    return targets.pop() if len(targets) == 1 else None


def _resolve_retired_mesh_ids(db: sqlite3.Connection) -> None:
    """A MeSH id the training corpora use but MeSH 2024 no longer has resolves to the current record
    its names name (:func:`_current_mesh_record`): the corpora were annotated years ago, and a
    supplementary record promoted to a descriptor since keeps none of its old id ("venlafaxine" was
    C047426, is D000069470 "Venlafaxine Hydrochloride"; "sevoflurane" C009250 is D000077149). The
    current record gets the old id as an xref, so looking the old id up still finds it."""
    retired = db.execute(
        "SELECT id, type FROM concepts WHERE id LIKE 'MESH:%' AND source LIKE '%-train' AND primary_id = id"
    ).fetchall()
    resolved = []
    for cid, type_ in retired:
        names = [lower for (lower,) in db.execute("SELECT lower FROM names WHERE concept_id = ?", (cid,))]
        if (target := _current_mesh_record(db, names, type_)) is not None:
            resolved.append((target, cid))
    db.executemany("UPDATE concepts SET primary_id = ? WHERE id = ?", resolved)
    db.executemany("INSERT OR IGNORE INTO xrefs VALUES (?, ?, 'retired id')", resolved)


def _type_supplementary_records(db: sqlite3.Connection) -> None:
    """A supplementary record is a chemical unless the descriptors it is mapped to say otherwise:
    a disease if any is a disease, an organism if all are organisms, no entity type at all if all
    are population groups (M01: MeSH 2024's 1,764 records such as "Afro-Caribbean people", "Manx
    people", "Native Village of Ruby", which were chemicals to the linker)."""
    db.execute(
        """UPDATE concepts SET type = 'Disease' WHERE id LIKE 'MESH:C%' AND type = 'Chemical' AND EXISTS
           (SELECT 1 FROM parents p JOIN concepts d ON d.id = p.parent
            WHERE p.concept_id = concepts.id AND d.type = 'Disease')"""
    )
    db.execute(
        """UPDATE concepts SET type = 'Species' WHERE id LIKE 'MESH:C%' AND type = 'Chemical'
           AND EXISTS (SELECT 1 FROM parents p JOIN concepts d ON d.id = p.parent
                       WHERE p.concept_id = concepts.id AND d.type = 'Species')
           AND NOT EXISTS (SELECT 1 FROM parents p JOIN concepts d ON d.id = p.parent
                           WHERE p.concept_id = concepts.id AND d.type IS NOT 'Species')"""
    )
    db.execute(
        """UPDATE concepts SET type = NULL WHERE id LIKE 'MESH:C%' AND type = 'Chemical'
           AND EXISTS (SELECT 1 FROM parents p JOIN parents t ON t.concept_id = p.parent
                       WHERE p.concept_id = concepts.id AND t.parent LIKE 'MESHTREE:M01%')
           AND NOT EXISTS (SELECT 1 FROM parents p JOIN parents t ON t.concept_id = p.parent
                           WHERE p.concept_id = concepts.id AND t.parent LIKE 'MESHTREE:%'
                           AND t.parent NOT LIKE 'MESHTREE:M01%')"""
    )


# HPO's branches of qualifiers, not phenotypes: Clinical modifier ("Borderline", "Diffuse", "Severe"), Mode of
# inheritance ("Mitochondrial inheritance"), Frequency, Blood group.
HPO_QUALIFIERS = ("HP:0012823", "HP:0000005", "HP:0040279", "HP:0032223")


def _untype_hpo_qualifiers(db: sqlite3.Connection) -> None:
    """No entity type for the HPO terms under :data:`HPO_QUALIFIERS`: they qualify a finding ("borderline
    hypertension", "diffuse"), and a mention the tagger left on such a word is no finding of them."""
    roots = ", ".join("?" * len(HPO_QUALIFIERS))
    db.execute(
        f"""WITH RECURSIVE qualifier(id) AS (
                SELECT id FROM concepts WHERE id IN ({roots})
                UNION SELECT p.concept_id FROM parents p JOIN qualifier q ON p.parent = q.id)
            UPDATE concepts SET type = NULL WHERE id IN (SELECT id FROM qualifier)""",
        HPO_QUALIFIERS,
    )


def build_concept_store(settings: Settings, *, ontology_dir: Path | None = None, partial: bool = True) -> BuildStats:
    """Build ``<cache dir>/concepts.sqlite`` from ``<shared_data>/ontology`` and the training corpora.

    A damaged record is quarantined and the file read on; a file that cannot be read on (a
    truncated gzip, broken encoding) keeps the records read before the damage, is quarantined
    from there and named in ``stats.damaged``; an expected source with no file is named in
    ``stats.missing``. Written to a temporary file and renamed, so a failed build never
    leaves a half-written store where linkers look. ``partial=False``: a store built without a
    damaged or missing source (``stats.problems()``) does not replace the one there either.

    Raises
    ------
    OntologyError
        When no ontology file is found at all (E501); with ``partial=False``, when a source was
        damaged or missing (E546, the store there kept).
    """
    start = time.perf_counter()
    root = ontology_dir or Path(settings.shared_data) / "ontology"
    files = _ontology_files(root)
    if not files:
        raise OntologyError(Errors.E501, root=root)
    path = store_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    stats = BuildStats(path=path, missing=sorted(set(EXPECTED_SOURCES) - {source for source, _, _ in files}), root=root)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;" + _SCHEMA
        )
        writer = _Writer(db)
        for source, file, reader in files:
            quarantine: list[Quarantine] = []
            records, release = 0, ""
            try:
                for rec in reader(file, quarantine=quarantine):
                    records += 1
                    release = rec.release
                    writer.add(rec)
            except OntologyError as exc:
                quarantine.append(Quarantine(file=str(file), record=f"after {records} records", reason=exc.reason))
                stats.damaged.append(str(file))
            stats.quarantined += quarantine
            stats.sources.append(
                {"source": source, "file": str(file), "release": release, "sha256": loaders.file_sha256(file),
                 "records": records, "quarantined": len(quarantine)}
            )
        writer.flush()
        _learn_training_names(db, Path(settings.shared_data), stats)
        db.executescript(_INDEXES)
        _type_supplementary_records(db)
        _untype_hpo_qualifiers(db)
        _resolve_primaries(db)
        _resolve_retired_mesh_ids(db)
        db.executemany(
            "INSERT INTO sources VALUES (:source, :file, :release, :sha256, :records, :quarantined)", stats.sources
        )
        db.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?)", [(q.file, q.record, q.reason) for q in stats.quarantined]
        )
        built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT_VERSION), ("built", built)])
        db.commit()
        stats.counts = _counts(db)
        stats.counts["mesh_rows_refiled"] = writer.repaired
    finally:
        db.close()
    if not partial and (problems := stats.problems()):
        tmp.unlink()
        raise OntologyError(Errors.E546, problems="; ".join(p.reason for p in problems))
    os.replace(tmp, path)
    stats.seconds = time.perf_counter() - start
    stats.peak_rss_mb = _peak_rss_mb()
    return stats


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("concepts", "names", "xrefs")}


# -- reading ----------------------------------------------------------------------------------
class ConceptStore:
    """Read-only access to a built store: look a concept up by id, by any xref, or by name.

    A connection belongs to the process that opened it: a worker forked from a process holding
    the store opens its own on first use (SQLite connections must not cross a fork).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise OntologyError(Errors.E503, path=self.path)
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        try:
            fmt = self.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise OntologyError(Errors.E504, path=self.path, error=exc) from exc
        if not fmt or fmt[0] != FORMAT_VERSION:
            raise OntologyError(Errors.E505, path=self.path, version=fmt and fmt[0])

    @classmethod
    def open(cls, settings: Settings) -> ConceptStore:
        return cls(store_path(settings))

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    @property
    def version(self) -> str:
        """Changes when any source file's content changes (or the store's format), not on a rebuild of
        the same files: linkers key their caches and versions on it, and a new version makes the
        pipeline redo documents."""
        digests = self.db.execute(
            "SELECT group_concat(sha256, ',') FROM (SELECT sha256 FROM sources ORDER BY sha256)"
        ).fetchone()[0]
        return stable_hash(FORMAT_VERSION, digests)[:12]

    def get(self, concept_id: str, *, default_type: str | None = None) -> Concept | None:
        """The concept ``concept_id`` names, or None; ``default_type`` fills in untyped MeSH descriptors."""
        return self.get_many([concept_id], default_type=default_type).get(concept_id)

    def get_many(self, ids: Iterable[str], *, default_type: str | None = None) -> dict[str, Concept]:
        """Concepts by id, three queries for the lot; unknown (or untyped, without ``default_type``) ids are left out.

        Synonyms are the names of the concept and of every concept resolving to it (one per
        lowercase spelling, the preferred name excepted); xrefs are sorted.
        """
        out: dict[str, Concept] = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT id, name, type, source, release FROM concepts WHERE id IN ({marks})", chunk
            ).fetchall()
            synonyms: dict[str, dict[str, str]] = defaultdict(dict)
            for owner, lower, name in self.db.execute(
                f"""SELECT concept_id, lower, name FROM names WHERE concept_id IN ({marks})
                    UNION ALL
                    SELECT c.primary_id, n.lower, n.name FROM names n JOIN concepts c ON c.id = n.concept_id
                    WHERE c.primary_id IN ({marks}) AND c.id != c.primary_id""",
                chunk + chunk,
            ):
                known = synonyms[owner].get(lower)
                synonyms[owner][lower] = name if known is None else min(known, name)
            xrefs: dict[str, list[str]] = defaultdict(list)
            for cid, xref in self.db.execute(
                f"SELECT DISTINCT concept_id, xref FROM xrefs WHERE concept_id IN ({marks}) ORDER BY xref", chunk
            ):
                xrefs[cid].append(xref)
            for cid, name, type_, source, release in rows:
                if (type_ or default_type) is None:
                    continue
                names = [synonyms[cid][k] for k in sorted(synonyms[cid])]
                out[cid] = Concept(
                    id=cid, name=name, type=type_ or default_type, synonyms=tuple(n for n in names if n != name),
                    xrefs=tuple(xrefs[cid]), source=source, release=release,
                )
        return out

    def primary(self, concept_id: str) -> str | None:
        row = self.db.execute("SELECT primary_id FROM concepts WHERE id = ?", (concept_id,)).fetchone()
        return row[0] if row else None

    def current_record(self, names: Iterable[str], type_: str | None) -> str | None:
        """The MeSH 2024 record (its primary id) that every one of ``names`` names, as a retired id's names
        resolve when the store is built (:func:`_current_mesh_record`); None where they name none or disagree."""
        found = _current_mesh_record(self.db, names, type_)
        return self.primary(found) if found else None

    def tree_numbers(self, concept_id: str) -> tuple[str, ...]:
        """MeSH tree numbers of a descriptor, or of the descriptors a supplementary record maps to."""
        rows = self.db.execute(
            "SELECT parent FROM parents WHERE concept_id = ?1 AND parent LIKE 'MESHTREE:%' UNION "
            "SELECT p2.parent FROM parents p1 JOIN parents p2 ON p2.concept_id = p1.parent "
            "WHERE p1.concept_id = ?1 AND p2.parent LIKE 'MESHTREE:%'", (concept_id,)).fetchall()
        return tuple(sorted(r[0].removeprefix("MESHTREE:") for r in rows))

    def by_xref(self, curie: str) -> list[Concept]:
        """Concepts that ``curie`` is, or is a cross-reference of, resolved to their primary (MeSH) concept."""
        ids = {self.primary(curie)} - {None}
        ids |= {self.primary(r[0]) for r in self.db.execute("SELECT concept_id FROM xrefs WHERE xref = ?", (curie,))}
        return [c for c in (self.get(i) for i in sorted(ids - {None})) if c is not None]

    def by_name(self, text: str, type_: str | None = None) -> list[Concept]:
        """Concepts with ``text`` as a name: exact (case-insensitive) first, else normalised."""
        for column, key in (("lower", text.lower()), ("norm", normalise(text))):
            rows = self.db.execute(
                "SELECT DISTINCT c.primary_id FROM names n JOIN concepts c ON c.id = n.concept_id "
                f"WHERE n.{column} = ?",
                (key,),
            ).fetchall()
            found = [c for c in (self.get(r[0]) for r in rows) if c and (type_ is None or c.type == type_)]
            if found:
                return found
        return []

    def linkable_names(self, open_types: Iterable[str]) -> Iterator[tuple[str, str, str, str | None, int]]:
        """(lowercased name, normalised name, primary id, its type, gold count) for the names linkers index.

        Concepts of ``open_types`` and untyped MeSH descriptors without tree numbers (from a
        descriptor file that gives none; not untyped supplementary records, the population groups)
        contribute the names of every source; other types only names learned from training corpora
        (genes, species, cell lines and variants have normalisers of their own in :mod:`kg.vocab`).
        A descriptor whose tree numbers place it outside every entity type (techniques such as
        "HAART", anatomy, phenomena such as "high-fat diet") is no linking target.
        """
        types = ", ".join(f"'{t}'" for t in open_types)
        yield from self.db.execute(
            f"""SELECT n.lower, n.norm, c.primary_id, p.type, n.count
                FROM names n JOIN concepts c ON c.id = n.concept_id JOIN concepts p ON p.id = c.primary_id
                WHERE p.type IN ({types}) OR n.source LIKE '%-train'
                   OR (p.type IS NULL AND p.id LIKE 'MESH:D%' AND NOT EXISTS (
                       SELECT 1 FROM parents t WHERE t.concept_id = p.id AND t.parent LIKE 'MESHTREE:%'))"""
        )

    def shared_data(self) -> Path | None:
        """The shared-data folder the store was built from (``<it>/corpora/...``, ``<it>/ontology/...``),
        so what is built beside the store (the gene and species normalisers) reads the same files."""
        for (file,) in self.db.execute("SELECT file FROM sources ORDER BY source LIKE '%-train' DESC"):
            path = Path(file)
            if len(path.parents) > 2 and path.parents[2].name and path.parents[1].name in ("corpora", "ontology"):
                return path.parents[2]
        return None

    def preferred_names(self) -> dict[str, str]:
        """Every concept id -> its preferred name (what candidates show)."""
        return dict(self.db.execute("SELECT id, name FROM concepts"))

    def info(self) -> dict:
        """Sources with releases and record counts, table sizes, and concepts per source and type."""
        return {
            "path": str(self.path),
            "version": self.version,
            "sources": [
                dict(zip(("source", "file", "release", "sha256", "records", "quarantined"), r, strict=True))
                for r in self.db.execute("SELECT * FROM sources")
            ],
            "counts": _counts(self.db),
            "concepts": [
                {"source": s, "type": t, "count": n}
                for s, t, n in self.db.execute(
                    "SELECT source, COALESCE(type, '-'), COUNT(*) FROM concepts GROUP BY 1, 2 ORDER BY 1, 2"
                )
            ],
            "resolved_to_mesh": self.db.execute(
                "SELECT COUNT(*) FROM concepts WHERE primary_id != id AND primary_id LIKE 'MESH:%'"
            ).fetchone()[0],
        }

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def store_info(settings: Settings) -> dict:
    """What ``medkg ontology info`` prints."""
    store = ConceptStore.open(settings)
    try:
        return store.info()
    finally:
        store.close()
