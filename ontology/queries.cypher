// medkg saved research queries. Each block starts with "// name:" and "// description:" lines;
// parameters are written $like_this. `medkg query --saved NAME --param key=value` runs one,
// `medkg demo` runs three of them, and they paste into Neo4j Browser as they are.
// Curation (README 'Curation'): an edge curators rejected has no evidence_count, and rejected
// evidence has e.rejected = true; the queries leave both out.
// Documents are papers (PMID:…) and pseudonymised clinical notes (NOTE:…): `papers` and `pmids`
// count and list papers only, `notes` counts notes. An edge with no max_score has no scored
// evidence (only negated, hypothetical or family-history sentences, or only retracted papers):
// it is no claim, and the queries that rank claims leave it out.

// name: top_diseases
// description: Diseases mentioned by the most documents.
MATCH (d:Document)-[:MENTIONS]->(c:Disease)
RETURN c.id AS id, c.name AS disease, count(d) AS documents
ORDER BY documents DESC, id
LIMIT 10

// name: chemicals_for_disease
// description: Chemicals co-mentioned with a disease in one sentence, by number of documents, with the papers among them (PMIDs) and the notes counted apart.
MATCH (d:Concept {id: $disease})-[r:CO_OCCURS_WITH]-(c:Chemical)
WHERE r.evidence_count IS NOT NULL
WITH c, r
ORDER BY r.doc_count DESC, r.evidence_count DESC, c.id
LIMIT 10
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL
WITH c, r, collect(DISTINCT e.doc_id) AS docs
WITH c, r, docs, [x IN docs WHERE x STARTS WITH 'PMID:'] AS pmids
RETURN c.id AS id, c.name AS chemical, size(docs) AS documents, size(pmids) AS papers,
       size(docs) - size(pmids) AS notes, r.evidence_count AS sentences, r.npmi AS npmi, pmids[0..5] AS pmids
ORDER BY documents DESC, sentences DESC, id

// name: evidence_for_pair
// description: The sentences behind the edge between two concepts (either direction).
MATCH (a:Concept {id: $a})-[r]-(b:Concept {id: $b})
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL
RETURN type(r) AS relation, e.doc_id AS document, e.assertion AS assertion, e.score AS score, e.sentence AS sentence
ORDER BY document, e.sentence_start
LIMIT 25

// name: strongest_chemical_disease
// description: The chemical-disease pairs co-mentioned in the most documents (papers and notes), with one supporting sentence each.
MATCH (c:Chemical)-[r:CO_OCCURS_WITH]-(d:Disease)
WHERE r.evidence_count IS NOT NULL
WITH c, d, r
ORDER BY r.doc_count DESC, r.evidence_count DESC, c.id, d.id
LIMIT 5
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL
WITH c, d, r, collect(e.doc_id + ': ' + e.sentence)[0] AS example
RETURN c.name AS chemical, d.name AS disease, r.doc_count AS documents, example
ORDER BY documents DESC, chemical, disease

// name: top_edges_for_disease
// description: The extracted relations of a disease (claims with scored evidence, not co-mentions), by combined score (noisy-OR), with PMIDs and the best sentence each (affirmed before other readings, retracted papers last, then by score, as ask and report cite).
MATCH (c:Concept)-[r]-(d:Concept {id: $disease})
WHERE type(r) <> 'CO_OCCURS_WITH' AND r.max_score IS NOT NULL
WITH c, d, r
ORDER BY r.combined_score DESC, r.doc_count DESC, c.id
LIMIT 10
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL
OPTIONAL MATCH (e)-[:IN_DOCUMENT]->(doc:Document)
WITH c, r, e, coalesce(e.retracted, false) OR coalesce(doc.retracted, false) AS retracted
ORDER BY retracted, coalesce(e.assertion, 'affirmed') <> 'affirmed', e.score DESC, e.doc_id, e.sentence_start
WITH c, r, collect(DISTINCT e.doc_id) AS docs, collect(e.sentence)[0] AS sentence
WITH c, r, docs, sentence, [x IN docs WHERE x STARTS WITH 'PMID:'] AS pmids
RETURN c.id AS id, c.name AS name, type(r) AS relation, r.combined_score AS combined_score,
       r.evidence_count AS evidence, r.doc_count AS documents, size(pmids) AS papers, pmids[0..5] AS pmids, sentence
ORDER BY combined_score DESC, documents DESC, id

// name: concept_by_xref
// description: Find a concept by its id, any cross-reference (MONDO, DOID, OMIM, ICD-10-CM, HPO) or an id curators merged into it (same_as).
MATCH (c:Concept)
WHERE c.id = $xref OR $xref IN c.xrefs OR $xref IN coalesce(c.aliases, [])
RETURN c.id AS id, c.name AS name, c.type AS type, c.xrefs AS xrefs, c.aliases AS aliases

// name: documents_for_concept
// description: Documents that mention a concept, with how often and the surface forms used.
MATCH (d:Document)-[m:MENTIONS]->(c:Concept {id: $concept})
RETURN d.id AS document, d.title AS title, d.year AS year, m.count AS mentions, m.texts AS texts
ORDER BY year DESC, document
LIMIT 25

// name: assertion_counts
// description: For a concept, affirmed vs negated mentions per source, with the documents: a contradiction shows in one row.
MATCH (d:Document)-[m:MENTIONS]->(c:Concept {id: $concept})
WITH d.source AS source, m, d
ORDER BY d.id
RETURN source, toInteger(sum(m.affirmed)) AS affirmed, toInteger(sum(m.negated)) AS negated,
       toInteger(sum(m.uncertain + m.hypothetical)) AS possible, toInteger(sum(m.historical)) AS historical,
       toInteger(sum(m.family)) AS family, count(d) AS documents,
       collect(CASE WHEN m.negated > 0 THEN d.id END)[0..3] AS negated_in,
       collect(CASE WHEN m.affirmed > 0 THEN d.id END)[0..3] AS affirmed_in
ORDER BY source

// name: patient_findings
// description: A pseudonymised patient's findings across notes, with assertion status and counts.
MATCH (p:Patient {id: $patient})-[f:HAS_FINDING]->(c:Concept)
RETURN c.id AS id, c.name AS finding, f.status AS status, f.affirmed AS affirmed, f.negated AS negated,
       f.family AS family, f.historical AS historical, f.notes AS notes
ORDER BY status, finding

// name: contradictory_edges
// description: Claims whose evidence both affirms and negates them (e.g. "X caused Y" vs "X did not cause Y"), most disputed first, with the papers and notes behind them; co-mentions (which claim nothing) and the hubs (humans, generic taxa: kg/reason/cues.py HUBS) are left out, as `medkg report` leaves them out.
MATCH (a:Concept)-[r]->(b:Concept)
WHERE r.affirmed > 0 AND r.negated > 0 AND type(r) <> 'CO_OCCURS_WITH'
  AND NOT a.id IN ['NCBITaxon:9606', 'NCBITaxon:2759', 'NCBITaxon:33208', 'NCBITaxon:7711', 'NCBITaxon:7742', 'NCBITaxon:40674', 'NCBITaxon:9347']
  AND NOT b.id IN ['NCBITaxon:9606', 'NCBITaxon:2759', 'NCBITaxon:33208', 'NCBITaxon:7711', 'NCBITaxon:7742', 'NCBITaxon:40674', 'NCBITaxon:9347']
WITH a, r, b
ORDER BY r.negated DESC, r.affirmed DESC, a.name, b.name
LIMIT 25
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL
WITH a, r, b, collect(DISTINCT e.doc_id) AS docs
WITH a, r, b, docs, [x IN docs WHERE x STARTS WITH 'PMID:'] AS pmids
RETURN a.name AS subject, type(r) AS relation, b.name AS object, r.affirmed AS affirmed, r.negated AS negated,
       size(pmids) AS papers, size(docs) - size(pmids) AS notes
ORDER BY negated DESC, affirmed DESC, subject, object

// name: contradictory_evidence
// description: The affirming and negating sentences behind the edges between two concepts (either direction), side by side, with their documents: negating ones first, as they are the fewer.
MATCH (a:Concept {id: $a})-[r]-(b:Concept {id: $b})
MATCH (e:Evidence {triple_key: r.key})
WHERE e.rejected IS NULL AND e.assertion IN ['affirmed', 'negated']
RETURN e.assertion AS assertion, type(r) AS relation, e.subject AS subject, e.doc_id AS document, e.score AS score,
       e.sentence AS sentence
ORDER BY assertion DESC, relation, subject, document, e.sentence_start
LIMIT 50

// name: edges_on_retracted_papers
// description: Edges that rest only on retracted papers (kept for audit, never scored), with the papers: claimed relations first, co-mentions after them; the first 25 rows, and `of_edges` says how many such edges there are in all.
MATCH (a:Concept)-[r]->(b:Concept)
WHERE r.retracted_count > 0 AND r.retracted_count = r.evidence_count
WITH a, r, b, CASE WHEN type(r) = 'CO_OCCURS_WITH' THEN 1 ELSE 0 END AS comention
ORDER BY comention, r.evidence_count DESC, a.name, b.name
WITH collect({subject: a.name, relation: type(r), object: b.name, key: r.key, evidence: r.evidence_count,
              comention: comention}) AS edges, count(*) AS total
UNWIND edges[0..25] AS x
MATCH (e:Evidence {triple_key: x.key})
WITH x, total, collect(DISTINCT e.doc_id) AS papers
RETURN x.subject AS subject, x.relation AS relation, x.object AS object, x.evidence AS evidence,
       papers[0..5] AS retracted_papers, total AS of_edges
ORDER BY x.comention, evidence DESC, subject, object
