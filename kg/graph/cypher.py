"""Every Cypher string medkg runs, in one place.

DML (the UNWIND/MERGE upserts, aggregate refresh, deletes, counts, reads) is written in the
subset of Cypher that FalkorDB and Neo4j share, so both backends run the same strings. Only
DDL differs: FalkorDB has no ``IF NOT EXISTS`` and makes unique constraints with a Redis
command on top of an exact-match index; Neo4j has ``CREATE CONSTRAINT ... IF NOT EXISTS``.

Data always travels in parameters (``$rows``, ``$ids``). The only names formatted into query
text are labels and relationship types, and each one passes through the ``Schema`` whitelist
first, inside the function that formats it (besides them, only this module's own constant
``UNSCORED_ASSERTIONS``).
"""

from __future__ import annotations

import re

from kg.graph.schema import Schema
from kg.models import UNSCORED_ASSERTIONS

# Properties of Evidence that get an index besides its key: aggregate refresh looks evidence up
# by triple, delete-by-document by document.
EVIDENCE_INDEXED = ("triple_key", "doc_id")

# ---------------------------------------------------------------------------------------- DDL


def falkordb_indexes(schema: Schema) -> list[tuple[str, str, str]]:
    """(label, property, CREATE INDEX statement) for every node key and Evidence lookup property.

    FalkorDB errors on an index that already exists, so the caller checks ``FALKORDB_LIST_INDEXES``
    first; the (label, property) pair is what it compares.
    """
    return [(label, prop, f"CREATE INDEX FOR (n:{label}) ON (n.{prop})") for label, prop in _indexed(schema)]


FALKORDB_LIST_INDEXES = "CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype"
FALKORDB_LIST_CONSTRAINTS = (
    "CALL db.constraints() YIELD type, label, properties, entitytype, status "
    "RETURN type, label, properties, entitytype, status"
)


def falkordb_unique_constraint(schema: Schema, graph: str, label: str, prop: str) -> tuple[str, ...]:
    """The Redis command that makes ``label.prop`` unique (FalkorDB has no Cypher for it)."""
    return ("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", schema.label(label), "PROPERTIES", "1", prop)


def neo4j_ddl(schema: Schema) -> list[str]:
    """Unique constraints on node keys (they bring their own index) plus the Evidence lookup indexes."""
    out = [
        f"CREATE CONSTRAINT {label.lower()}_{spec.key}_unique IF NOT EXISTS "
        f"FOR (n:{schema.label(label)}) REQUIRE n.{spec.key} IS UNIQUE"
        for label, spec in schema.nodes.items()
    ]
    out += [
        f"CREATE INDEX evidence_{prop} IF NOT EXISTS FOR (n:{schema.label('Evidence')}) ON (n.{prop})"
        for prop in EVIDENCE_INDEXED
    ]
    return out


def unique_keys(schema: Schema) -> list[tuple[str, str]]:
    """(label, key property) of every node type: each gets a uniqueness constraint."""
    return [(schema.label(label), spec.key) for label, spec in schema.nodes.items()]


def _indexed(schema: Schema) -> list[tuple[str, str]]:
    return unique_keys(schema) + [(schema.label("Evidence"), prop) for prop in EVIDENCE_INDEXED]


# ---------------------------------------------------------------------------------------- DML

# SET d = props (not +=): a revised record that lost a field (a DOI, a MeSH heading) must lose it
# in the graph too. Each row is the document's full property map, id included.
UPSERT_DOCUMENTS = "UNWIND $rows AS r MERGE (d:Document {id: r.id}) SET d = r"

def upsert_concepts(schema: Schema, type_label: str) -> str:
    """MERGE concepts of one type; the type label is set and any other type label removed.

    Neither backend takes a label from a parameter in this shared dialect, so rows are grouped
    by type and the whitelisted label is formatted in. ``+=`` keeps properties that other steps
    (e.g. graph reasoning) put on concepts.
    """
    label = schema.label(type_label)
    others = [x for x in schema.nodes["Concept"].extra_labels if x != label]
    remove = f" REMOVE c:{':'.join(others)}" if others else ""
    return f"UNWIND $rows AS r MERGE (c:Concept {{id: r.id}}) SET c += r.props SET c:{label}{remove}"


# Endpoints are MERGEd, not MATCHed: a mention or evidence whose document or concept is not in
# this batch (written earlier, or later) must not be dropped silently.
UPSERT_MENTIONS = (
    "UNWIND $rows AS r MERGE (d:Document {id: r.doc_id}) MERGE (c:Concept {id: r.concept_id}) "
    "MERGE (d)-[m:MENTIONS]->(c) SET m = r.props"
)

UPSERT_EVIDENCE = (
    "UNWIND $rows AS r MERGE (e:Evidence {key: r.key}) SET e = r "
    "MERGE (d:Document {id: r.doc_id}) MERGE (e)-[:IN_DOCUMENT]->(d)"
)


# Evidence read with one of UNSCORED_ASSERTIONS (kg.models) is counted (evidence_count, and negated
# for "negated") but never scored; kg.graph.export and kg.reason read the same tuple, and the
# assembler's settings carry it, so a change to it redoes every document.
_UNSCORED = "[" + ", ".join(f"'{a}'" for a in UNSCORED_ASSERTIONS) + "]"

# Aggregates of a triple edge ``t``, recomputed from all its Evidence ``e`` (never incrementally,
# so re-runs and deletes stay exact) that curation did not reject (``e.rejected``, see the curation
# block below). A document's evidence sentences all carry its one document-level score, so the
# document counts once, at its best score, and combined_score is the noisy-OR over documents:
# 1 - prod(1 - doc score). Evidence read in a retracted paper, or with an unscored assertion
# (UNSCORED_ASSERTIONS), is counted (evidence_count, retracted_count, negated) but left out of the
# scores: an edge with no scored evidence (only negated sentences, or only retracted papers) keeps
# its evidence for audit with combined_score 0 and no max_score, which is how every read tells a
# claim (max_score set) from what is not one.
_AGGREGATE = (
    "WITH t, e.doc_id AS doc, "
    "max(CASE WHEN coalesce(e.retracted, false) OR coalesce(e.assertion, 'affirmed') IN " + _UNSCORED + " "
    "THEN null ELSE e.score END) AS doc_score, "
    "count(e) AS doc_n, sum(CASE WHEN e.retracted THEN 1 ELSE 0 END) AS doc_retracted, "
    "sum(CASE WHEN e.assertion = 'affirmed' THEN 1 ELSE 0 END) AS doc_affirmed, "
    "sum(CASE WHEN e.assertion = 'negated' THEN 1 ELSE 0 END) AS doc_negated, "
    "min(e.year) AS doc_first, max(e.year) AS doc_last "
    "WITH t, collect(doc_score) AS scores, toInteger(sum(doc_n)) AS n, count(doc) AS docs, max(doc_score) AS top, "
    "toInteger(sum(doc_retracted)) AS retracted, toInteger(sum(doc_affirmed)) AS affirmed, "
    "toInteger(sum(doc_negated)) AS negated, min(doc_first) AS first_seen, max(doc_last) AS last_seen "
    "SET t.evidence_count = n, t.doc_count = docs, t.max_score = top, t.retracted_count = retracted, "
    "t.combined_score = 1.0 - reduce(p = 1.0, s IN scores | p * (1.0 - s)), "
    "t.affirmed = affirmed, t.negated = negated, t.first_seen = first_seen, t.last_seen = last_seen"
)


# Every property _AGGREGATE sets on a triple edge, and npmi (refresh_npmi): what an edge loses when
# curation rejects all its evidence.
EDGE_AGGREGATES = ("evidence_count", "doc_count", "max_score", "retracted_count", "combined_score", "affirmed",
                   "negated", "first_seen", "last_seen", "npmi")


def upsert_triples(schema: Schema, predicate: str) -> str:
    """MERGE triple edges and set their aggregates in one pass (run after their Evidence is written).

    One statement instead of MERGE-then-refresh halves the lookups; the ``WITH t, r`` before the
    Evidence MATCH keeps FalkorDB from planning a cartesian product (about 2x slower).
    """
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r MERGE (s:Concept {id: r.subject}) MERGE (o:Concept {id: r.object}) "
        f"MERGE (s)-[t:{rel} {{key: r.key}}]->(o) "
        f"WITH t, r MATCH (e:Evidence {{triple_key: r.key}}) WHERE e.rejected IS NULL {_AGGREGATE}"
    )


def refresh_triples(schema: Schema, predicate: str) -> str:
    """Recompute the aggregates of existing triple edges (after their evidence changed)."""
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        f"WITH t, r MATCH (e:Evidence {{triple_key: r.key}}) WHERE e.rejected IS NULL {_AGGREGATE}"
    )


def delete_unsupported_triples(schema: Schema, predicate: str) -> str:
    """Drop triple edges of the given keys that no Evidence supports any more."""
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        "OPTIONAL MATCH (e:Evidence {triple_key: r.key}) "
        "WITH t, count(e) AS n WHERE n = 0 DELETE t"
    )


TRIPLES_OF_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) "
    "RETURN DISTINCT e.triple_key AS triple_key, e.predicate AS predicate, e.subject AS subject, e.object AS object"
)
DELETE_EVIDENCE_OF_DOCUMENTS = "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) DETACH DELETE e"

# A retraction notice flags the papers it retracts that were written unflagged (GraphStore.flag_retracted):
# only what is not flagged yet is touched, so flagging again sets nothing.
FLAG_RETRACTED_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (d:Document {id: id}) WHERE coalesce(d.retracted, false) <> true "
    "SET d.retracted = true RETURN count(d) AS n"
)
UNFLAGGED_TRIPLES_OF_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) WHERE coalesce(e.retracted, false) <> true "
    "RETURN DISTINCT e.triple_key AS triple_key, e.predicate AS predicate, e.subject AS subject, e.object AS object"
)
FLAG_RETRACTED_EVIDENCE = (
    "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) WHERE coalesce(e.retracted, false) <> true "
    "SET e.retracted = true"
)
# -- clinical notes: (Patient)-[:HAS_NOTE]->(Document:Note), patient-level HAS_FINDING ----------
def label_documents(schema: Schema, label: str) -> str:
    return f"UNWIND $ids AS id MATCH (d:Document {{id: id}}) SET d:{schema.label(label)}"


UPSERT_PATIENT_NOTES = (
    "UNWIND $rows AS r MERGE (p:Patient {id: r.patient}) MERGE (d:Document {id: r.doc_id}) "
    "MERGE (p)-[:HAS_NOTE]->(d)"
)
PATIENTS_OF_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (p:Patient)-[:HAS_NOTE]->(:Document {id: id}) RETURN DISTINCT p.id AS id"
)
DELETE_FINDINGS_OF_PATIENTS = "UNWIND $ids AS id MATCH (:Patient {id: id})-[f:HAS_FINDING]->() DELETE f"
# A revised note's link to its patient goes with its old evidence: the write links it again, to the
# patient the new version names (a note can move to another patient).
DELETE_PATIENT_LINKS_OF_DOCUMENTS = "UNWIND $ids AS id MATCH (:Patient)-[h:HAS_NOTE]->(:Document {id: id}) DELETE h"
DELETE_PATIENTS_WITHOUT_NOTES = (
    "UNWIND $ids AS id MATCH (p:Patient {id: id}) OPTIONAL MATCH (p)-[h:HAS_NOTE]->() "
    "WITH p, count(h) AS n WHERE n = 0 DETACH DELETE p"
)
# The concept types that can be a finding of a patient: diseases, clinical findings and chemicals (the
# drugs a note names). Species, genes, variants and cell lines are not, though notes mention them:
# "Tobacco Use: Non-smoker." links tobacco to Nicotiana (NCBITaxon:4097), "CRP is normal" the lab test
# to the CRP gene (NCBIGene:1401), "patient" and "she" to the human hub (NCBITaxon:9606, a Species).
# kg.reason.report lists the same types in a patient's report.
PATIENT_FINDING_TYPES = ("Disease", "Finding", "Chemical")


def refresh_findings_of_patients(schema: Schema, types: tuple[str, ...] = PATIENT_FINDING_TYPES) -> str:
    """Recompute the HAS_FINDING edges of the patients ``$ids`` from the MENTIONS of all their notes (never
    incrementally, so a revised or deleted note leaves exact counts), to concepts with one of the type
    labels ``types`` only. status: present beats past beats possible beats hypothetical beats family
    beats absent. Sent after DELETE_FINDINGS_OF_PATIENTS (GraphStore.refresh_findings), which removes
    every finding edge of the patients, those to other types that an older medkg wrote included."""
    is_finding = " OR ".join(f"c:{schema.label(t)}" for t in types)
    return (
        "UNWIND $ids AS id "
        "MATCH (p:Patient {id: id})-[:HAS_NOTE]->(d:Document)-[m:MENTIONS]->(c:Concept) "
        f"WHERE {is_finding} "
        "WITH p, c, toInteger(sum(m.affirmed)) AS affirmed, toInteger(sum(m.negated)) AS negated, "
        "toInteger(sum(m.uncertain)) AS uncertain, toInteger(sum(m.hypothetical)) AS hypothetical, "
        "toInteger(sum(m.historical)) AS historical, toInteger(sum(m.family)) AS family, "
        "count(d) AS notes, min(d.year) AS first_year, max(d.year) AS last_year "
        "MERGE (p)-[f:HAS_FINDING]->(c) "
        "SET f.affirmed = affirmed, f.negated = negated, f.uncertain = uncertain, f.hypothetical = hypothetical, "
        "f.historical = historical, f.family = family, f.notes = notes, f.first_year = first_year, "
        "f.last_year = last_year, f.status = CASE WHEN affirmed > 0 THEN 'affirmed' "
        "WHEN historical > 0 THEN 'historical' WHEN uncertain > 0 THEN 'uncertain' "
        "WHEN hypothetical > 0 THEN 'hypothetical' WHEN family > 0 THEN 'family' ELSE 'negated' END"
    )


CONCEPTS_OF_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (:Document {id: id})-[:MENTIONS]->(c:Concept) RETURN DISTINCT c.id AS id"
)
DELETE_MENTIONS_OF_DOCUMENTS = "UNWIND $ids AS id MATCH (:Document {id: id})-[m:MENTIONS]->() DELETE m"
COUNT_DOCUMENTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN count(d) AS n"
DELETE_DOCUMENTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) DETACH DELETE d"


# -- corpus statistics, refreshed after each run (they depend on the whole graph) ----------------
RESET_CONCEPT_DOC_COUNTS = "MATCH (c:Concept) SET c.doc_count = 0"
REFRESH_CONCEPT_DOC_COUNTS = "MATCH (c:Concept)<-[:MENTIONS]-(d:Document) WITH c, count(d) AS n SET c.doc_count = n"


def refresh_npmi(schema: Schema) -> str:
    """Normalised PMI of each co-occurrence edge over documents, in [-1, 1]: ranks co-mentions by
    how much more often than chance two concepts share a sentence (1: always together)."""
    rel = schema.predicate("CO_OCCURS_WITH")
    return (
        "MATCH (d:Document) WITH toFloat(count(d)) AS n "
        f"MATCH (a:Concept)-[r:{rel}]->(b:Concept) "
        "WITH r, toFloat(r.doc_count) / n AS pxy, toFloat(a.doc_count) / n AS px, toFloat(b.doc_count) / n AS py "
        "SET r.npmi = CASE WHEN pxy >= 1.0 THEN 1.0 WHEN pxy <= 0.0 OR px <= 0.0 OR py <= 0.0 THEN null "
        "ELSE log(pxy / (px * py)) / (0.0 - log(pxy)) END"
    )


def count_label(schema: Schema, label: str) -> str:
    return f"MATCH (n:{schema.label(label)}) RETURN count(n) AS n"


def count_rel_type(schema: Schema, rel_type: str) -> str:
    return f"MATCH ()-[r:{schema.rel_type(rel_type)}]->() RETURN count(r) AS n"


# ------------------------------------------------------------------------------------- reads

DOCUMENT = "MATCH (d:Document {id: $id}) RETURN properties(d) AS document"

EVIDENCE_OF_TRIPLE = (
    "MATCH (e:Evidence {triple_key: $key}) WHERE e.rejected IS NULL RETURN properties(e) AS evidence "
    "ORDER BY e.doc_id, e.sentence_start"
)

# Facts around a concept, strongest first; triple edges are the ones with evidence_count.
CONCEPT_FACTS = (
    "MATCH (c:Concept {id: $id})-[t]-(o:Concept) WHERE t.evidence_count IS NOT NULL "
    "RETURN type(t) AS predicate, startNode(t) = c AS outgoing, o.id AS other, o.name AS name, "
    "t.evidence_count AS evidence_count, t.doc_count AS doc_count, t.combined_score AS combined_score "
    "ORDER BY combined_score DESC, other LIMIT $limit"
)

# -------------------------------------------------------------------------- read-only guard

_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITE_CLAUSE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|INSERT|FOREACH|LOAD\s+CSV)\b", re.I)
_WRITE_PROCEDURE = re.compile(
    r"\bCALL\s+[\w.]*(create|drop|delete|set|merge|remove|add|refactor|periodic|load|import|"
    r"export|write|mutate|clear|kill|terminate)",
    re.I,
)


# What a keyword written there names, not a clause: a property (``c.set``), a parameter (``$set``), a
# label or relationship type (``n:Set``), an alias (``AS set``), a map key (``{set: 1}``), or a variable
# where the grammar wants an expression (``RETURN set``, ``x = set``). Never after ``*``, ``)``, ``]`` or
# ``}``: ``WITH * CREATE`` and ``MATCH (n) SET`` are clauses.
_NAME_BEFORE = re.compile(r"(?:[.$:,=(\[<>+/%^-]|\b(?:AS|RETURN|WITH|WHERE|AND|OR|XOR|NOT|IN|BY|DISTINCT|"
                          r"CASE|WHEN|THEN|ELSE|YIELD|SKIP|LIMIT))\s*\Z", re.I)
_KEY_AROUND = (re.compile(r"\{\s*\Z"), re.compile(r"\s*:"))  # the first key of a map; the others follow ","


def _names_something(code: str, m: re.Match) -> bool:
    before = code[max(0, m.start() - 40):m.start()]
    if _NAME_BEFORE.search(before):
        return True
    key_before, colon_after = _KEY_AROUND
    return bool(key_before.search(before) and colon_after.match(code, m.end()))


def write_clause(cypher: str) -> str | None:
    """The first write clause or write procedure in ``cypher`` (outside literals), or None.

    A text check so that both backends refuse the same queries; FalkorDB additionally runs
    read queries with GRAPH.RO_QUERY, which the server enforces. Strings and backticked names
    become a placeholder operand and comments go first; a keyword where it names something (a
    property, an alias, a parameter, a label, a map key, a variable) is not a clause.
    """
    code = _LITERALS.sub(lambda m: " " if m.group(0)[0] == "/" else " _ ", cypher)  # a literal stays an operand
    m = next((m for m in _WRITE_CLAUSE.finditer(code) if not _names_something(code, m)), None)
    m = m or _WRITE_PROCEDURE.search(code)
    return " ".join(m.group(0).split()) if m else None


# ------------------------------------------------------------------------- Neo4j only (issue 7)

NEO4J_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"

CONCEPT_SEARCH_INDEX = "concept_search"


def neo4j_search_ddl(schema: Schema, major: int) -> list[str]:
    """Indexes for finding concepts by name: exact/prefix (range), substring (text), words (full-text).

    Neo4j 5 names the range index type; on 4.4 ``CREATE INDEX`` makes the B-tree index the 4.4
    planner uses (its RANGE indexes exist but are ignored). The full-text index also covers the
    synonym lists on Neo4j 5; 4.4 indexes only string properties, so there it finds names only.
    """
    concept = schema.label("Concept")
    range_kind = "RANGE INDEX" if major >= 5 else "INDEX"
    return [
        f"CREATE {range_kind} concept_name IF NOT EXISTS FOR (n:{concept}) ON (n.name)",
        f"CREATE TEXT INDEX concept_name_text IF NOT EXISTS FOR (n:{concept}) ON (n.name)",
        f"CREATE FULLTEXT INDEX {CONCEPT_SEARCH_INDEX} IF NOT EXISTS FOR (n:{concept}) ON EACH [n.name, n.synonyms]",
    ]


# Lucene query over names and synonyms, best first (Neo4j only: FalkorDB has no full-text index here).
NEO4J_CONCEPT_SEARCH = (
    f"CALL db.index.fulltext.queryNodes('{CONCEPT_SEARCH_INDEX}', $text) YIELD node, score "
    "RETURN node.id AS id, node.name AS name, node.type AS type, score ORDER BY score DESC, id LIMIT $limit"
)

# ------------------------------------------------------------------------------------ export
# Keyset pagination (WHERE key > $after ORDER BY key LIMIT $limit) instead of SKIP: every page is
# an index seek, so exporting a whole baseline stays linear on both backends.


def export_nodes(schema: Schema, label: str) -> str:
    """One page of nodes of a schema node type, by key."""
    key = schema.nodes[schema.label(label)].key
    return (
        f"MATCH (n:{label}) WHERE n.{key} > $after "
        f"RETURN n.{key} AS key, labels(n) AS labels, properties(n) AS props ORDER BY key LIMIT $limit"
    )


def export_relationships(schema: Schema, rel_type: str) -> str:
    """The relationships of one type leaving one page of start nodes (start keys > $after).

    A start node without such relationships still yields one row (end is null) so the caller
    can move ``$after`` past it.
    """
    spec = schema.relationships[schema.rel_type(rel_type)]
    skey, tkey = schema.nodes[spec.source].key, schema.nodes[spec.target].key
    return (
        f"MATCH (a:{spec.source}) WHERE a.{skey} > $after WITH a ORDER BY a.{skey} LIMIT $limit "
        f"OPTIONAL MATCH (a)-[r:{rel_type}]->(b:{spec.target}) "
        f"RETURN a.{skey} AS start, b.{tkey} AS end, properties(r) AS props ORDER BY start, end"
    )


# Which of some concepts a publication (a PMID: document, not a clinical note) mentions: the KGX
# export leaves out the concepts only notes mention (a cohort's diagnoses are private).
CONCEPTS_PUBLICATIONS_MENTION = (
    "UNWIND $ids AS id MATCH (d:Document)-[:MENTIONS]->(:Concept {id: id}) WHERE d.id STARTS WITH 'PMID:' "
    "RETURN DISTINCT id"
)

# The evidence of triple edges that curation did not reject, for the KGX export (which counts
# publications only): each evidence's document, score, retraction flag and assertion.
EVIDENCE_FIGURES_OF_TRIPLES = (
    "UNWIND $keys AS k MATCH (e:Evidence {triple_key: k}) WHERE e.rejected IS NULL "
    "RETURN k AS key, e.doc_id AS doc, e.score AS score, e.retracted AS retracted, e.assertion AS assertion"
)


# ------------------------------------------------------------------- reasoning reads (kg/reason)
# Triple edges are the relationships with evidence_count (inferred edges never have one), so
# reasoning never mixes what was read in papers with what it inferred itself. Predicates,
# labels and directions travel as parameters ($predicates is always the schema-checked list).
# An edge without scored evidence (no max_score: every sentence negated, hypothetical, family
# history or read in a retracted paper, see _AGGREGATE) supports nothing: subgraphs (paths, viz,
# discovery) and co-mentions leave it out, and relation lists ask for it apart ($scored false).

# One hop out of a frontier, for subgraph extraction; $limit is the size guard's remaining budget + 1.
REASON_FRONTIER_EDGES = (
    "UNWIND $ids AS id MATCH (a:Concept {id: id})-[t]-(b:Concept) "
    "WHERE t.evidence_count IS NOT NULL AND type(t) IN $predicates "
    "AND t.max_score IS NOT NULL AND t.combined_score >= $min_score AND t.evidence_count >= $min_evidence "
    "RETURN DISTINCT startNode(t).id AS subject, type(t) AS predicate, endNode(t).id AS object, t.key AS key, "
    "t.combined_score AS combined_score, t.max_score AS max_score, t.evidence_count AS evidence_count, "
    "t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated "
    "LIMIT $limit"
)

# Every triple edge, a page at a time by key (keyset paging: each page costs the same).
REASON_EDGES_PAGE = (
    "MATCH (a:Concept)-[t]->(b:Concept) "
    "WHERE t.evidence_count IS NOT NULL AND type(t) IN $predicates AND t.key > $after "
    "AND t.max_score IS NOT NULL AND t.combined_score >= $min_score AND t.evidence_count >= $min_evidence "
    "RETURN a.id AS subject, type(t) AS predicate, b.id AS object, t.key AS key, "
    "t.combined_score AS combined_score, t.max_score AS max_score, t.evidence_count AS evidence_count, "
    "t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated "
    "ORDER BY key LIMIT $limit"
)

# The triple edges among a set of concepts (a picture's ring, not only its spokes).
REASON_EDGES_AMONG = (
    "UNWIND $ids AS id MATCH (a:Concept {id: id})-[t]->(b:Concept) "
    "WHERE t.evidence_count IS NOT NULL AND type(t) IN $predicates AND b.id IN $ids "
    "AND t.max_score IS NOT NULL AND t.combined_score >= $min_score AND t.evidence_count >= $min_evidence "
    "RETURN a.id AS subject, type(t) AS predicate, b.id AS object, t.key AS key, "
    "t.combined_score AS combined_score, t.max_score AS max_score, t.evidence_count AS evidence_count, "
    "t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated "
    "LIMIT $limit"
)

REASON_CONCEPTS = (
    "UNWIND $ids AS id MATCH (c:Concept {id: id}) "
    "RETURN c.id AS id, c.name AS name, c.type AS type, labels(c) AS labels"
)

REASON_CONCEPT = (
    "MATCH (c:Concept {id: $id}) RETURN c.id AS id, c.name AS name, c.type AS type, labels(c) AS labels, "
    "c.synonyms AS synonyms, c.xrefs AS xrefs, c.source AS source, c.release AS release, c.doc_count AS doc_count"
)

# Relations of some concepts ($ids: one concept, or it and its subtypes). $direction is 'in'
# (the concept is the object), 'out' or 'any'; $labels ([] for any) filters the other end; hubs
# ($hubs: the human hub NCBITaxon:9606, which people words such as "patients" link to) are
# never listed. $scored true gives the claims (edges with scored evidence), false the edges
# without any (listed apart, never as claims).
REASON_RELATIONS = (
    "UNWIND $ids AS id MATCH (c:Concept {id: id})-[t]-(o:Concept) "
    "WHERE t.evidence_count IS NOT NULL AND type(t) IN $predicates AND NOT o.id IN $ids "
    "AND (t.max_score IS NOT NULL) = $scored "
    "AND NOT o.id IN $hubs "
    "AND ($direction = 'any' OR ($direction = 'in' AND endNode(t) = c) OR ($direction = 'out' AND startNode(t) = c)) "
    "AND (size($labels) = 0 OR any(l IN labels(o) WHERE l IN $labels)) "
    "RETURN c.id AS concept, type(t) AS predicate, startNode(t) = c AS outgoing, o.id AS other, o.name AS name, "
    "o.type AS type, t.key AS key, t.combined_score AS combined_score, t.evidence_count AS evidence_count, "
    "t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated, t.retracted_count AS retracted_count "
    "ORDER BY combined_score DESC, doc_count DESC, other, predicate LIMIT $limit"
)

# Every edge between two concepts; `scored` says which are claims or co-mentions and which have no
# scored evidence at all (see _AGGREGATE).
REASON_EDGES_BETWEEN = (
    "MATCH (a:Concept {id: $a})-[t]-(b:Concept {id: $b}) WHERE t.evidence_count IS NOT NULL "
    "RETURN type(t) AS predicate, startNode(t) = a AS outgoing, t.key AS key, t.combined_score AS combined_score, "
    "t.evidence_count AS evidence_count, t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated, "
    "t.retracted_count AS retracted_count, t.max_score IS NOT NULL AS scored "
    "ORDER BY combined_score DESC, predicate"
)

# How many of the documents behind each triple are clinical notes (NOTE: ids; the rest are papers),
# so that counts say papers only where they are.
REASON_DOCUMENT_KINDS = (
    "UNWIND $keys AS k MATCH (e:Evidence {triple_key: k}) WHERE e.rejected IS NULL "
    "WITH k, collect(DISTINCT e.doc_id) AS docs "
    "RETURN k AS key, size(docs) AS documents, size([d IN docs WHERE d STARTS WITH 'NOTE:']) AS notes"
)

# The best $per_key sentences of each triple, with their document: affirmed before negated and
# other readings, best scored first; evidence from retracted papers (retracted on the Evidence or
# its Document; missing means false) comes last and says so.
REASON_EVIDENCE = (
    "UNWIND $keys AS k MATCH (e:Evidence {triple_key: k}) WHERE e.rejected IS NULL "
    "OPTIONAL MATCH (e)-[:IN_DOCUMENT]->(d:Document) "
    "WITH k, e, d, coalesce(e.retracted, false) OR coalesce(d.retracted, false) AS retracted "
    "ORDER BY retracted, coalesce(e.assertion, 'affirmed') <> 'affirmed', e.score DESC, e.doc_id, e.sentence_start "
    "WITH k, collect([e, d, retracted])[0..$per_key] AS best UNWIND best AS b "
    "WITH k, b[0] AS e, b[1] AS d, b[2] AS retracted "
    "RETURN k AS key, e.doc_id AS doc_id, e.sentence AS sentence, e.score AS score, e.assertion AS assertion, "
    "d.title AS title, d.year AS year, retracted, e.sentence_start AS sentence_start, "
    "[[e.subject_start, e.subject_end], [e.object_start, e.object_end]] AS spans"
)

# Edges read both affirmed and negated ($id: only those touching one concept; null for all).
REASON_CONTRADICTED = (
    "MATCH (a:Concept)-[t]->(b:Concept) WHERE t.evidence_count IS NOT NULL AND t.affirmed > 0 AND t.negated > 0 "
    "AND ($id IS NULL OR a.id = $id OR b.id = $id) "
    "RETURN a.id AS subject, a.name AS subject_name, type(t) AS predicate, b.id AS object, b.name AS object_name, "
    "t.key AS key, t.affirmed AS affirmed, t.negated AS negated, t.evidence_count AS evidence_count, "
    "t.doc_count AS doc_count, t.combined_score AS combined_score "
    "ORDER BY CASE WHEN t.affirmed < t.negated THEN t.affirmed ELSE t.negated END DESC, "
    "evidence_count DESC, key LIMIT $limit"
)

REASON_NEGATED_EVIDENCE = (
    "MATCH (c:Concept {id: $id})-[t]-(o:Concept) WHERE t.evidence_count IS NOT NULL AND t.negated > 0 "
    "MATCH (e:Evidence {triple_key: t.key}) WHERE e.assertion = 'negated' AND e.rejected IS NULL "
    "RETURN type(t) AS predicate, o.id AS other, o.name AS name, e.doc_id AS doc_id, e.sentence AS sentence "
    "ORDER BY doc_id DESC, other LIMIT $limit"
)

REASON_RECENT_PAPERS = (
    "MATCH (d:Document)-[m:MENTIONS]->(c:Concept {id: $id}) WHERE d.source <> 'note' "
    "RETURN d.id AS id, d.title AS title, d.year AS year, d.journal AS journal, m.count AS mentions "
    "ORDER BY year DESC, id DESC LIMIT $limit"
)

def reason_upsert_inferred(schema: Schema, rel_type: str) -> str:
    """MERGE inferred edges on their key (rule + subject + object); endpoints must already exist.

    ``r.props`` carries the key too: ``SET t = r.props`` replaces every property, so a re-run
    leaves no stale inputs behind. kg.reason.inferred refuses triple types before calling this.
    """
    rel = schema.rel_type(rel_type)
    return (
        "UNWIND $rows AS r MATCH (s:Concept {id: r.subject}) MATCH (o:Concept {id: r.object}) "
        f"MERGE (s)-[t:{rel} {{key: r.key}}]->(o) SET t = r.props RETURN count(t) AS n"
    )


def reason_delete_inferred(schema: Schema, rel_type: str) -> str:
    """Drop the inferred edges of one rule (a refresh replaces them all)."""
    rel = schema.rel_type(rel_type)
    return f"MATCH ()-[t:{rel}]->() WHERE t.inferred = true AND t.rule = $rule DELETE t"


# -------------------------------------------------------- ask / report / viz reads (kg/reason)

# Concepts by id with what reading a question needs: how many documents mention each, and a
# `generic` flag that the question reader treats as a hub. Ingest writes no such property (people
# words such as "patients" link to the human hub NCBITaxon:9606), so it is false unless set by hand.
REASON_CONCEPT_CARDS = (
    "UNWIND $ids AS id MATCH (c:Concept {id: id}) "
    "RETURN c.id AS id, c.name AS name, c.type AS type, labels(c) AS labels, c.doc_count AS doc_count, "
    "coalesce(c.generic, false) AS generic"
)

# Concepts whose name or a synonym is, case aside, one of $names (lower-case): one pass over the
# concepts for all the phrases of a question. lname/lsynonyms tell the caller which name matched.
REASON_CONCEPTS_BY_NAMES = (
    "MATCH (c:Concept) WHERE toLower(c.name) IN $names "
    "OR any(s IN coalesce(c.synonyms, []) WHERE toLower(s) IN $names) "
    "RETURN c.id AS id, c.name AS name, c.type AS type, labels(c) AS labels, c.doc_count AS doc_count, "
    "coalesce(c.generic, false) AS generic, toLower(c.name) AS lname, "
    "[s IN coalesce(c.synonyms, []) | toLower(s)] AS lsynonyms"
)

# Co-mentions of some concepts, most informative first: NPMI (how much more often than chance
# the two share a sentence), then documents. $predicates is the schema's co-occurrence types;
# $min_docs drops pairs seen in fewer documents (NPMI is 1.0 for any pair of one-paper concepts);
# a co-mention with no scored evidence (only negated sentences, only retracted papers) is left out.
REASON_COMENTIONS = (
    "UNWIND $ids AS id MATCH (c:Concept {id: id})-[t]-(o:Concept) "
    "WHERE t.evidence_count IS NOT NULL AND type(t) IN $predicates AND NOT o.id IN $ids "
    "AND NOT o.id IN $hubs AND t.doc_count >= $min_docs AND t.max_score IS NOT NULL "
    "AND (size($labels) = 0 OR any(l IN labels(o) WHERE l IN $labels)) "
    "RETURN c.id AS concept, type(t) AS predicate, startNode(t) = c AS outgoing, o.id AS other, o.name AS name, "
    "o.type AS type, t.key AS key, t.npmi AS npmi, t.combined_score AS combined_score, "
    "t.evidence_count AS evidence_count, t.doc_count AS doc_count, t.affirmed AS affirmed, t.negated AS negated "
    "ORDER BY coalesce(t.npmi, -1.0) DESC, doc_count DESC, other LIMIT $limit"
)

# Evidence about a concept read in retracted papers (retracted documents are few: start there),
# hubs and evidence curators rejected left out as everywhere in reports.
REASON_RETRACTED_EVIDENCE = (
    "MATCH (d:Document) WHERE d.retracted = true "
    "MATCH (e:Evidence {doc_id: d.id}) WHERE (e.subject = $id OR e.object = $id) AND e.rejected IS NULL "
    "WITH d, e, CASE WHEN e.subject = $id THEN e.object ELSE e.subject END AS oid "
    "MATCH (o:Concept {id: oid}) WHERE NOT o.id IN $hubs "
    "RETURN e.predicate AS predicate, o.id AS other, o.name AS name, e.doc_id AS doc_id, d.year AS year, "
    "e.sentence AS sentence, e.assertion AS assertion ORDER BY doc_id DESC, other LIMIT $limit"
)

# A pseudonymised patient's findings note by note (MENTIONS of each note), for the report that
# lists findings by assertion status with the notes they were read in.
REASON_PATIENT_NOTE_FINDINGS = (
    "MATCH (p:Patient {id: $patient})-[:HAS_NOTE]->(d:Document)-[m:MENTIONS]->(c:Concept) "
    "WHERE NOT c.id IN $hubs "
    "RETURN c.id AS id, c.name AS name, c.type AS type, d.id AS note, d.year AS year, m.affirmed AS affirmed, "
    "m.negated AS negated, m.uncertain AS uncertain, m.hypothetical AS hypothetical, m.historical AS historical, "
    "m.family AS family, m.sections AS sections ORDER BY id, note"
)

# A pseudonymised patient's notes, oldest first (ids are keyed hashes; only the year is kept).
REASON_PATIENT_NOTES = (
    "MATCH (p:Patient {id: $patient})-[:HAS_NOTE]->(d:Document) "
    "RETURN d.id AS id, d.year AS year, d.title AS title ORDER BY year, id"
)


# ---------------------------------------------------------------------------------- curation
# What kg.curator and GraphStore.refresh_curation send (the decisions are kg.curation's). Flags
# are set only as true (absent otherwise) so that "not rejected" is ``IS NULL`` on both backends.
# A rejected edge keeps its Evidence for audit, but no aggregates: every read that selects triple
# edges by ``evidence_count IS NOT NULL`` (kg.reason, CONCEPT_FACTS, the saved queries) skips it.

CURATION_CLEAR_EVIDENCE = (
    "UNWIND $keys AS k MATCH (e:Evidence {triple_key: k}) "
    "WHERE e.rejected IS NOT NULL OR e.curation IS NOT NULL SET e.rejected = null, e.curation = null"
)
# Every evidence of a rejected edge: r.key is the triple key.
CURATION_REJECT_EDGE_EVIDENCE = (
    "UNWIND $rows AS r MATCH (e:Evidence {triple_key: r.key}) SET e.rejected = true, e.curation = r.decision"
)
# One evidence: r.key is the evidence key, r.triple the key of the edge the decision names. An evidence
# of another edge is left alone: flagged under the named edge's refresh and cleared under its own, it
# would end as the last refresh left it (kg.curator leaves such a decision out, E174).
CURATION_REJECT_EVIDENCE = (
    "UNWIND $rows AS r MATCH (e:Evidence {key: r.key, triple_key: r.triple}) "
    "SET e.rejected = true, e.curation = r.decision"
)


def clear_unaccepted_triples(schema: Schema, predicate: str) -> str:
    """Edges of these keys with rejected evidence: ``rejected_evidence`` counts it, and an edge whose
    evidence is all rejected loses its aggregates (``refresh_triples`` found nothing to set them from).

    Run after ``refresh_triples`` and before ``delete_unsupported_triples``, wherever evidence
    changes. An edge has rejected evidence only once ``GraphStore.refresh_curation`` flagged it,
    and that sets ``rejected_evidence``; so only edges with it, or rows marked ``curated`` (the
    refresh itself), are looked at further: on an uncurated graph this costs one edge lookup.
    """
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        "WHERE t.rejected_evidence IS NOT NULL OR r.curated "
        "OPTIONAL MATCH (e:Evidence {triple_key: r.key}) "
        "WITH t, count(e) AS n, count(e.rejected) AS rejected "
        "WITH t, rejected, n > rejected AS accepted "
        "SET t.rejected_evidence = CASE WHEN rejected > 0 THEN rejected END, "
        + ", ".join(f"t.{p} = CASE WHEN accepted THEN t.{p} END" for p in EDGE_AGGREGATES)
    )


def curation_mark_triples(schema: Schema, predicate: str) -> str:
    """An edge's curation state: status ('rejected', 'confirmed' or none), the boolean flags and the
    deciding decision's id (null values remove a flag)."""
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        "SET t.curation_status = r.status, t.confirmed = r.confirmed, t.rejected = r.rejected, "
        "t.curation = r.decision"
    )


# A kept concept's aliases (same_as); null removes them.
CURATION_SET_ALIASES = "UNWIND $rows AS r MATCH (c:Concept {id: r.id}) SET c.aliases = r.aliases"
# The documents linked to some concepts, with the surface forms (for the documents a link decision touches).
CURATION_DOCUMENTS_MENTIONING = (
    "UNWIND $ids AS id MATCH (d:Document)-[m:MENTIONS]->(:Concept {id: id}) "
    "RETURN id AS concept, d.id AS doc_id, m.texts AS texts"
)
# Concept nodes nothing refers to any more (an alias merged away, a wrong link's id): a fresh
# ingest would not have them.
DELETE_ORPHAN_CONCEPTS = (
    "UNWIND $ids AS id MATCH (c:Concept {id: id}) OPTIONAL MATCH (c)-[x]-() "
    "WITH c, count(x) AS n WHERE n = 0 DELETE c"
)
CURATION_EVIDENCE = (
    "UNWIND $keys AS k MATCH (e:Evidence {key: k}) RETURN e.key AS key, e.subject AS subject, "
    "e.predicate AS predicate, e.object AS object, e.doc_id AS doc_id, e.sentence AS sentence, e.curation AS curation, "
    "[e.subject_start, e.subject_end] AS subject_span, [e.object_start, e.object_end] AS object_span"
)
# Which of some document ids the graph holds (a decision naming one the graph lacks does nothing yet).
CURATION_DOCUMENTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id"
# How many documents link to each of some concepts, for showing a link decision's effect.
CURATION_CONCEPT_DOCUMENTS = (
    "UNWIND $ids AS id OPTIONAL MATCH (d:Document)-[:MENTIONS]->(:Concept {id: id}) RETURN id, count(d) AS documents"
)
# An edge's properties, by its key, for showing a decision's effect.
CURATION_EDGES = (
    "UNWIND $rows AS r MATCH (:Concept {id: r.subject})-[t {key: r.key}]->(:Concept {id: r.object}) "
    "RETURN r.key AS key, properties(t) AS edge"
)
# The concept an alias id now stands for (a scan of aliases: used only for an id the graph lacks).
REASON_CONCEPTS_BY_XREF = "UNWIND $ids AS id MATCH (c:Concept) WHERE id IN c.xrefs RETURN id AS xref, c.id AS id"
CURATION_CONCEPTS_BY_ALIAS = (
    "UNWIND $ids AS id MATCH (c:Concept) WHERE id IN c.aliases RETURN id AS alias, c.id AS id, c.name AS name"
)
