// Lint Cypher statements with Neo4j's own parser (@neo4j-cypher/language-support, installed in
// .ci/node_modules by .ci/run). Reads {"schema": {labels, relationshipTypes}, "queries": [{name, query}]}
// as JSON on stdin; writes [{name, diagnostics: [{severity, message, offset}]}] as JSON on stdout.
// Parameter-definition diagnostics are dropped (the store always sends its parameters).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../../../.ci/package.json', import.meta.url));
const { lintCypherQuery, isNotParamError } = require('@neo4j-cypher/language-support');

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = input.queries.map(({ name, query }) => ({
  name,
  diagnostics: lintCypherQuery(query, input.schema).diagnostics
    .filter(isNotParamError)
    .map((d) => ({ severity: d.severity, message: d.message, offset: d.offsets?.start ?? null })),
}));
process.stdout.write(JSON.stringify(out));
