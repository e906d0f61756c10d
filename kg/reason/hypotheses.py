"""``medkg discover CONCEPT``: Swanson ABC hypotheses for one concept, each with its bridges and their papers.

Read-only: ``kg.reason.discovery.swanson_abc`` ranks the concepts C two hops from the source A that no
claim or same-sentence co-mention of the graph links to A directly, by

    score(C) = sum over B of  s(A,B) * s(B,C)

and this module shows why: every C with its bridges B (strongest first), each hop's edge and the
papers behind it (``kg.reason.evidence.citations``, as ``ask`` and ``report`` cite). Writing such
inferences back is the opt-in ``refresh-inferred-edges`` flow (``flows/reason.py``), never this.

Only the part of the two-hop neighbourhood ABC reads is loaded: the source's edges, and those of the
neighbours that may bridge. A hub ("patients", generic taxa) or a species never bridges (``cues``), and
the human hub alone is mentioned with most of a PubMed graph, so its edges are not read at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import networkx as nx

from kg.config import Settings
from kg.errors import Errors, OntologyError, SubgraphTooLargeError
from kg.graph.base import GraphStore
from kg.reason import cues
from kg.reason.closure import load_isa, subtypes, supertypes
from kg.reason.discovery import Bridge, Discovery, can_bridge, swanson_abc
from kg.reason.evidence import WEAK_NOTE, Citation, citations, is_weak
from kg.reason.subgraph import COMENTION, DEFAULT_MAX_EDGES, best_edges, extract_subgraph

log = logging.getLogger(__name__)

SHOWN_BRIDGES = 3  # per hypothesis in the text; --json lists every bridge (the score is their sum)
MAX_EDGES = DEFAULT_MAX_EDGES
# Sentences read per paper wanted: an edge's best sentences often come from one abstract, and a hop cites
# papers (its best sentence in each), so this many times more are read to find different ones.
SENTENCES_READ = 3
SCORE_NOTE = ("score = sum over bridges B of s(A,B) x s(B,C), s the combined (noisy-OR) score of the strongest "
              "edge of the pair (a claimed relation before a same-sentence co-mention)")


@dataclass
class Hypotheses:
    """What ``medkg discover`` found for ``source``: the ranked candidates and what is needed to show them.

    ``graph`` is the neighbourhood as ``best_edges`` gives it (node names and types; per pair the strongest
    edge, whose key, predicate, subject, object and combined score a hop shows), ``cites`` the papers
    behind each hop by edge key, ``why_none`` why nothing was found (None when something was)."""

    source: str
    graph: nx.Graph
    found: list[Discovery]
    cites: dict[str, list[Citation]]
    top: int
    min_score: float
    target_labels: tuple[str, ...]
    per_hop: int
    isa_used: bool
    why_none: str | None = None

    def edge(self, u: str, v: str) -> dict:
        return self.graph.edges[u, v]


def neighbourhood(store: GraphStore, concept_id: str, *, max_edges: int = MAX_EDGES) -> nx.MultiDiGraph:
    """What ``swanson_abc`` reads of the two-hop neighbourhood of ``concept_id``: its edges, and every
    edge of each neighbour that may bridge (neither a hub nor a species; ``cues``). The same candidates
    and scores as ``extract_subgraph(store, [concept_id], hops=2)``, without reading everything the
    human hub is mentioned with.

    Raises
    ------
    SubgraphTooLargeError
        When that neighbourhood has more than ``max_edges`` edges (E915).
    """
    try:
        near = extract_subgraph(store, [concept_id], hops=1, max_edges=max_edges)
        bridges = sorted(n for n in near if n != concept_id and can_bridge(near, n))
        return extract_subgraph(store, [concept_id, *bridges], hops=1, max_edges=max_edges)
    except SubgraphTooLargeError as exc:
        raise SubgraphTooLargeError(Errors.E915, concept=concept_id, max_edges=max_edges) from exc


def hypotheses(
    store: GraphStore,
    concept_id: str,
    *,
    top: int = 10,
    min_score: float = 0.0,
    target_labels: Collection[str] = (),
    per_hop: int = 1,
    isa: nx.DiGraph | None = None,
    max_edges: int = MAX_EDGES,
) -> Hypotheses:
    """Swanson ABC from ``concept_id`` with up to ``per_hop`` papers behind every hop of every bridge, each
    with its best sentence (chosen as ``ask`` and ``report`` choose: affirmed first, retracted last, by score).

    ``target_labels`` keeps only candidates of these labels (Disease, Chemical, ...; empty: any but a
    species); ``isa`` (:func:`kg.reason.closure.load_isa`) leaves out A's subtypes and supertypes.

    Raises
    ------
    SubgraphTooLargeError
        When the neighbourhood is too large to read (E915).
    ArgumentError
        When ``top`` is below 1.
    """
    g = neighbourhood(store, concept_id, max_edges=max_edges)
    labels = tuple(target_labels)
    simple = best_edges(g)  # swanson_abc takes it as it is
    found = swanson_abc(simple, concept_id, top=top, min_score=min_score, target_labels=labels or None, isa=isa)
    keys = [k for d in found for b in d.bridges for k in (b.key_ab, b.key_bc)]
    cites = by_paper(citations(store, keys, per_key=per_hop * SENTENCES_READ), per_hop) if per_hop > 0 else {}
    result = Hypotheses(concept_id, simple, found, cites, top, min_score, labels, per_hop, isa is not None)
    if not found:
        result.why_none = why_none(simple, concept_id, isa=isa, target_labels=labels, min_score=min_score)
    return result


def by_paper(cites: dict[str, list[Citation]], most: int) -> dict[str, list[Citation]]:
    """The first ``most`` citations of each key from different documents (its best sentence in each)."""
    out: dict[str, list[Citation]] = {}
    for key, found in cites.items():
        first: dict[str, Citation] = {}
        for c in found:
            first.setdefault(c.doc_id, c)
        out[key] = list(first.values())[:most]
    return out


def why_none(simple: nx.Graph, source: str, *, isa: nx.DiGraph | None = None, target_labels: Sequence[str] = (),
             min_score: float = 0.0) -> str:
    """Why ABC proposes nothing for ``source``, from what its neighbourhood holds (plain text)."""
    name = _name(simple, source)
    direct = set(simple[source]) if source in simple else set()
    if not direct:
        return f"{name} has no scored relation or co-mention in the graph, so no concept is two hops away."
    bridges = {b for b in direct if can_bridge(simple, b)}
    if not bridges:
        return (f"every concept linked to {name} is a hub or a species ({_names(simple, direct)}), and none of them "
                "bridges: a hub or a species links to nearly everything, not through a mechanism.")
    two_hops = {c for b in bridges for c in simple[b]} - {source} - set(cues.HUBS)
    if not two_hops:
        return (f"the {len(bridges)} concept(s) linked to {name} that may bridge are linked to nothing else: "
                "no concept is two hops away.")
    outside = two_hops - direct
    if not outside:
        return (f"every concept two hops from {name} is also linked to it directly (a claim or a sentence naming "
                "both), so none is a hidden link.")
    related = outside & (subtypes(isa, source) | supertypes(isa, source)) if isa is not None else set()
    if not outside - related:
        return (f"the {len(outside)} concept(s) two hops from {name} and not linked to it directly are all its "
                "subtypes or supertypes (is_a), which are no discovery.")
    filters = ([f"--type {'/'.join(target_labels)}"] if target_labels else []) + (
        [f"--min-score {min_score:g} (on each hop)"] if min_score > 0 else [])
    if filters:
        return (f"{len(outside - related)} concept(s) are two hops from {name} and not linked to it directly, "
                f"but {' and '.join(filters)} left every one out.")
    return (f"the {len(outside - related)} concept(s) two hops from {name} and not linked to it directly are "
            "species, proposed only with --type Species.")


# -- rendering --------------------------------------------------------------------------------
def _name(g: nx.Graph, n: str) -> str:
    return (g.nodes[n].get("name") if n in g else None) or n


def _type(g: nx.Graph, n: str) -> str | None:
    node = g.nodes[n] if n in g else {}
    labels = [x for x in node.get("labels") or () if x != "Concept"]
    return node.get("type") or (labels[0] if labels else None)


def _concept(g: nx.Graph, n: str) -> str:
    """``name (id, type)``."""
    kind = _type(g, n)
    return f"{_name(g, n)} ({n}{', ' + kind if kind else ''})"


def _names(g: nx.Graph, ids: Collection[str], most: int = 5) -> str:
    shown = sorted(ids)[:most]
    more = f" and {len(ids) - most} more" if len(ids) > most else ""
    return ", ".join(_name(g, n) for n in shown) + more


def _hop_line(h: Hypotheses, u: str, v: str, tag: str) -> str:
    e = h.edge(u, v)
    subject, obj = e.get("subject", u), e.get("object", v)
    kind = " (same sentence, not a claimed relation)" if e.get("predicate") == COMENTION else ""
    weak = f" ({WEAK_NOTE})" if is_weak(e["combined_score"]) else ""
    return (f"{tag}: {_name(h.graph, subject)} -[{e.get('predicate')}]-> {_name(h.graph, obj)}{kind}, "
            f"score {e['combined_score']:.3f}{weak}")


def _asked(h: Hypotheses) -> str:
    kinds = "/".join(h.target_labels) if h.target_labels else "any type but species"
    isa = ("its subtypes and supertypes (is_a) left out" if h.isa_used else
           "no usable concept store, so its subtypes and supertypes are not left out (`medkg ontology build`)")
    return f"Asked: {kinds}, top {h.top}, hops scored at least {h.min_score:.3f}; {isa}."


def to_text(h: Hypotheses) -> str:
    """What ``medkg discover`` prints."""
    g, a = h.graph, h.source
    lines = [f"Hypotheses for {_concept(g, a)} by Swanson ABC (literature-based discovery)",
             "",
             (f"Concepts C linked to {_name(g, a)} only through intermediates B: no claim and no sentence of the "
              "graph's documents names the two together. These are hypotheses to check, not findings."),
             f"Ranked by {SCORE_NOTE}.",
             _asked(h), ""]
    if not h.found:
        lines.append(f"No hypothesis: {h.why_none}")
        return "\n".join(lines)
    for n, d in enumerate(h.found, 1):
        lines.append(f"{n}. {_concept(g, d.concept)}: score {d.score:.3f} from {len(d.bridges)} bridge(s)")
        for b in d.bridges[:SHOWN_BRIDGES]:
            lines.append(f"   - via {_concept(g, b.concept)}: {b.score_ab:.3f} x {b.score_bc:.3f} = "
                         f"{b.contribution:.3f}")
            for u, v, key, tag in ((a, b.concept, b.key_ab, "A-B"), (b.concept, d.concept, b.key_bc, "B-C")):
                lines.append(f"     - {_hop_line(h, u, v, tag)}")
                lines += [f"       - {c.short()}" for c in h.cites.get(key or "", [])]
        if (rest := d.bridges[SHOWN_BRIDGES:]):
            lines.append(f"   - and {len(rest)} more bridge(s) ({_names(g, [b.concept for b in rest], 3)}), "
                         f"{sum(b.contribution for b in rest):.3f} of the score")
    return "\n".join(lines)


def _cite_json(c: Citation) -> dict:
    return {"doc_id": c.doc_id, "year": c.year, "title": c.title, "sentence": c.sentence or None,
            "score": round(c.score, 6), "assertion": c.assertion, "retracted": c.retracted}


def _hop_json(h: Hypotheses, u: str, v: str, key: str | None, score: float) -> dict:
    e = h.edge(u, v)
    return {"key": key, "subject": e.get("subject", u), "predicate": e.get("predicate"), "object": e.get("object", v),
            "score": round(score, 6), "claimed": e.get("predicate") != COMENTION,
            "citations": [_cite_json(c) for c in h.cites.get(key or "", [])]}


def _bridge_json(h: Hypotheses, d: Discovery, b: Bridge) -> dict:
    g = h.graph
    return {"id": b.concept, "name": _name(g, b.concept), "type": _type(g, b.concept),
            "contribution": round(b.contribution, 6),
            "ab": _hop_json(h, h.source, b.concept, b.key_ab, b.score_ab),
            "bc": _hop_json(h, b.concept, d.concept, b.key_bc, b.score_bc)}


def to_json(h: Hypotheses) -> str:
    """``medkg discover --json``: one object, every bridge of every candidate (the score is their sum)."""
    g = h.graph
    out = {
        "source": {"id": h.source, "name": _name(g, h.source), "type": _type(g, h.source)},
        "method": "swanson_abc",
        "scoring": SCORE_NOTE,
        "parameters": {"top": h.top, "min_score": h.min_score, "types": list(h.target_labels),
                       "citations": h.per_hop, "isa_filter": h.isa_used},
        "candidates": [
            {"rank": n, "id": d.concept, "name": _name(g, d.concept), "type": _type(g, d.concept),
             "score": round(d.score, 6), "bridges": [_bridge_json(h, d, b) for b in d.bridges]}
            for n, d in enumerate(h.found, 1)
        ],
        "message": None if h.found else f"No hypothesis: {h.why_none}",
    }
    return json.dumps(out, indent=2, ensure_ascii=False)


def discover_command(
    target: str, settings: Settings, *, top: int = 10, min_score: float = 0.0, types: Sequence[str] = (),
    per_hop: int = 1, as_json: bool = False,
) -> str:
    """What ``medkg discover`` prints: ``target`` (an id or a name, read as ``report`` and ``viz`` read
    theirs) resolved, its ABC hypotheses as text or JSON.

    Raises
    ------
    NotInGraphError
        When nothing in the graph answers to ``target`` (E910), or only a hub does (E914).
    SubgraphTooLargeError
        When its neighbourhood is too large to read (E915).
    """
    from kg.graph.backends import open_store
    from kg.reason.ask import resolve_target

    with open_store(settings) as store:
        cid = resolve_target(store, settings, target)
        try:
            isa = load_isa(settings)
        except OntologyError as exc:  # a stale store: rank anyway, and say so
            log.warning("subtypes and supertypes are not left out: %s", exc)
            isa = None
        found = hypotheses(store, cid, top=top, min_score=min_score, target_labels=types, per_hop=per_hop, isa=isa)
    return to_json(found) if as_json else to_text(found)
