"""The words ``medkg ask`` reads a question's intent and answer type from: data, not code.

Cue phrases are matched on word stems (``kg.reason.question.stem``), so a cue is written once
in its plainest form: "induce" covers induces, induced and inducing; "side effect" covers side
effects. Multi-word cues are matched as consecutive words outside the concepts of the question.

To teach ``ask`` a new phrasing, add its words here and a case to
``tests/unit/reason/test_question.py``; the code that reads them (``kg.reason.question``) does
not change.
"""

from __future__ import annotations

# -- intents ---------------------------------------------------------------------------------
# How the concept's position against a cue decides who causes what ("effects": answers are what
# the concept causes; "causes": answers are what causes the concept):
#   ACTIVE verbs:    "what causes X" (X after the cue) -> causes; "what does X cause" -> effects
#   PASSIVE phrases: "what is caused by X" (X after)  -> effects; "X is caused by what" -> causes
#   EFFECT nouns:    "side effects of X", "X toxicity" -> effects, wherever X is
#   CAUSE nouns:     "risk factors for X"               -> causes, wherever X is
# With two concepts, the one a noun names with "of" or "for" is the cause (effect nouns) or the effect
# (cause nouns) and the other one the other end: "is pain a side effect of ibuprofen?" asks whether
# ibuprofen causes pain, "is glucose a risk factor for obesity?" whether glucose causes obesity.
CAUSE_ACTIVE = (
    "cause", "induce", "trigger", "provoke", "lead to", "result in", "produce", "precipitate", "bring on",
    "give rise to", "contribute to", "exacerbate", "worsen", "aggravate", "responsible for",
)
CAUSE_PASSIVE = (
    "caused by", "induced by", "triggered by", "provoked by", "produced by", "precipitated by", "due to",
    "because of", "result from", "secondary to", "attributed to", "attributable to",
)
EFFECT_NOUNS = (
    "side effect", "adverse", "adverse effect", "adverse reaction", "adverse event", "toxicity", "toxic",
    "complication", "consequence", "sequela", "harm", "danger", "undesirable effect", "unwanted effect",
)
CAUSE_NOUNS = ("risk factor", "etiology", "aetiology", "culprit")

# The other intents. When a question holds cues of several, the first intent of PRIORITY wins.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "summary": (
        "tell me about", "tell me everything about", "what is known about", "what do we know about",
        "what is known on", "what does the literature say about", "summarise", "summarize", "summary",
        "overview", "information about", "information on", "describe", "explain", "background on",
        "facts about", "profile",
    ),
    "interacts": ("interact", "interaction", "bind", "binding", "interfere with"),
    "treats": (
        "treat", "treatment", "therapy", "therapeutic", "cure", "remedy", "manage", "management", "prevent",
        "prevention", "prophylaxis", "relieve", "alleviate", "used for", "used in", "used against",
        "indicated for", "indication", "help with", "help against", "control", "medication for",
        "drug for", "drugs for", "good for", "effective against", "effective for",
    ),
    "suggests": ("suggest", "point to", "indicate", "imply", "sign of", "symptom of", "diagnosis",
                 "differential"),
    "associated": (
        "associate", "association", "link", "connect", "connection", "relate", "relation", "relationship",
        "correlate", "correlation", "involve", "implicate", "role", "tie to", "have to do with",
        "in common", "between",
    ),
}
# Specific before general: "tell me about the side effects of X" asks for effects, "what is the
# relationship between A and B" for any relation; a summary is what is left when no relation
# word is found, and what a question naming one concept and nothing else gets.
PRIORITY = ("interacts", "effects", "causes", "treats", "suggests", "associated", "summary")

# Words that turn two concepts into "how are A and B connected?" (paths as well as direct edges).
LINK_WORDS = ("how", "link", "connect", "connection", "relate", "relation", "relationship", "between",
              "in common", "mechanism", "path", "explain")

# Negations the reader does not handle: "what does not cause asthma?" is answered as "what causes
# asthma?", and the reading says so (a contraction's "n't" is split: "doesn", "t").
NEGATIONS = ("not", "no", "never", "none", "nothing", "neither", "nor", "without", "cannot", "doesn", "don", "didn",
             "isn", "aren", "wasn", "weren", "won", "wouldn", "shouldn", "couldn", "hasn", "haven", "hadn")

# -- answer types ----------------------------------------------------------------------------
# A noun naming the kind of answer wanted -> the concept labels an answer may have.
ANSWER_TYPES: dict[str, tuple[str, ...]] = {
    "drug": ("Chemical",), "medication": ("Chemical",), "medicine": ("Chemical",), "chemical": ("Chemical",),
    "compound": ("Chemical",), "substance": ("Chemical",), "agent": ("Chemical",), "molecule": ("Chemical",),
    "pharmaceutical": ("Chemical",), "treatment": ("Chemical",), "therapy": ("Chemical",),
    "medicament": ("Chemical",), "toxin": ("Chemical",), "metabolite": ("Chemical",),
    "hormone": ("Chemical", "Gene"),
    "gene": ("Gene",), "protein": ("Gene",), "enzyme": ("Gene",), "receptor": ("Gene",),
    "disease": ("Disease",), "condition": ("Disease",), "disorder": ("Disease",), "illness": ("Disease",),
    "syndrome": ("Disease",), "comorbidity": ("Disease",),
    "finding": ("Finding", "Disease"), "symptom": ("Finding", "Disease"), "sign": ("Finding", "Disease"),
    "phenotype": ("Finding", "Disease"), "manifestation": ("Finding", "Disease"),
    "variant": ("Variant",), "mutation": ("Variant", "Gene"), "polymorphism": ("Variant",),
    "organism": ("Species",), "species": ("Species",), "pathogen": ("Species",),
    "cell line": ("CellLine",),
}
# Words an intent cue has used are not read again as an answer type: in "what therapies exist
# for X" "therapy" is the treatment cue, and the treatment default (chemicals) gives the type.
# Names such as "cancer" or "infection" are not here: they are concepts of their own.

# Default answer types per intent, by the label of the concept asked about (None: any label).
DEFAULT_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "effects": {"*": ("Disease", "Finding")},
    "treats": {"Chemical": ("Disease", "Finding"), "*": ("Chemical",)},
    "suggests": {"*": ("Disease",)},
}

# -- words that are never the concept asked about ---------------------------------------------
# An NER mention or a graph name made only of these words is dropped: "drugs" is an answer
# type, "side effects" a cue, "patients" the human hub, not the subject of the question.
NOT_CONCEPTS = (
    "what", "which", "who", "how", "why", "when", "where", "is", "are", "was", "were", "be", "been", "does",
    "do", "did", "can", "could", "may", "might", "will", "would", "should", "has", "have", "had", "the", "a",
    "an", "of", "in", "on", "at", "to", "for", "by", "from", "with", "and", "or", "as", "that", "this", "these",
    "those", "it", "its", "me", "we", "us", "you", "i", "any", "some", "all", "there", "exist", "give",
    "show", "list", "find", "please", "else", "other", "known", "reported", "patient", "people", "person",
    "human", "man", "woman", "men", "women", "child", "children", "subject", "case", "study", "effect",
    "reaction", "event", "evidence", "paper", "literature", "question", "answer", "graph",
)

# Concepts kept out of every relation list (answers, reports, pictures) and never asked about:
# - the human hub, which people words such as "patients" and "women" are linked to: a generic
#   mention counts as human for context (a gene's species) but says nothing about the concept;
# - the generic taxa on the human lineage above the order (the MeSH organism descriptors Eukaryota,
#   Animals, Chordata, Vertebrates, Mammals, Eutheria): "animals", "mammals" say that a study used
#   animals, not which, and are co-mentioned with everything an animal study names.
# A named organism (Mice, Rats, Escherichia coli, Primates) is a concept and is listed, but it never
# links two others: see NOT_LINKS.
HUMAN_HUB = "NCBITaxon:9606"
GENERIC_TAXA = (
    "NCBITaxon:2759",   # Eukaryota
    "NCBITaxon:33208",  # Animals (Metazoa)
    "NCBITaxon:7711",   # Chordata
    "NCBITaxon:7742",   # Vertebrata (Vertebrates)
    "NCBITaxon:40674",  # Mammalia (Mammals)
    "NCBITaxon:9347",   # Eutheria
)
HUBS = (HUMAN_HUB, *GENERIC_TAXA)

# Concept labels that never stand between two others, in a path ("how are A and B connected?") or in
# the ring of a picture: two concepts mentioned with the same species ("Dopamine - Mice -
# Norepinephrine") share the organism a study used, not a mechanism. They may be a path's ends.
NOT_LINKS = ("Species",)


def links(node: dict) -> bool:
    """Whether a concept may link two others (a graph node's attributes: ``labels``, else ``type``):
    not a species. A node without labels or type (a plain test graph) links."""
    return node.get("type") not in NOT_LINKS and not any(x in NOT_LINKS for x in node.get("labels") or ())
