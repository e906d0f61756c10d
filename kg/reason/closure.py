"""The is_a hierarchy of the loaded ontologies, so "diabetes mellitus" can stand for its subtypes too.

Built from the concept store's ``parents`` table, which keeps what each loader read:
MeSH tree numbers (``MESHTREE:C18.452.394.750``: the parent is the number without its last
segment), HPO ``is_a`` ids, and DOID parents by label (``label:diabetes mellitus``). Every id
is mapped to its primary (MeSH) concept, as the graph's concepts are, so the three hierarchies
meet: the shared MeSH disease file lists no proper tree number for Diabetes Mellitus itself,
and its subtypes are still found through DOID.

A term mapped to a *broader* primary keeps none of its own parents: HPO's "Neurenteric cyst"
resolves to MeSH's Neural Tube Defects (an entry term of it), and the cyst being a central nervous
system cyst says nothing about neural tube defects. Lifting that parent would make every neural
tube defect a CNS cyst, and spina bifida an answer about neoplasms. DOID does the same through its
cross-references: "astroblastoma" resolves to Neoplasms, Neuroepithelial, and lifting its parent
"malignant astrocytoma" made that MeSH class a kind of astrocytoma, so glioma's subtypes took in
neuroblastoma. Such terms are those of any ontology whose name is not the descriptor's preferred
name (``narrower_terms``); as parents they still lift (a child of the narrower term is a child of
its broader primary too).

The hierarchies still disagree here and there (DOID files pheochromocytoma above paraganglioma, MeSH
below it), and a cycle would make two concepts each other's subtypes. So the graph is kept acyclic:
within each cycle, edges join in a fixed order (MeSH's, then HPO's, then DOID's, as ``SOURCES``
lists them; by child and parent id within a source) and one whose parent already is_a its child is
left out. Where two hierarchies disagree the earlier one wins, and the same files give the same graph.

Edges point from child to parent (``child is_a parent``); subtypes are the ancestors in
networkx terms. Expansion is opt-in everywhere it is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

import networkx as nx

from kg.config import Settings
from kg.errors import ArgumentError, Errors
from kg.vocab.conceptstore import ConceptStore, store_path

SOURCES = ("mesh", "hpo", "doid")


def isa_graph_from_parents(
    rows: Iterable[tuple[str, str, str]],
    *,
    primary: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    narrower: Collection[str] = (),
) -> nx.DiGraph:
    """An is_a graph (child -> parent) from ``(concept, parent, source)`` rows as the store keeps them.

    Parameters
    ----------
    rows : iterable of (str, str, str)
        ``MESHTREE:`` parents are the concept's own tree numbers; ``label:`` parents are DOID
        labels; anything else is a parent id.
    primary : mapping, optional
        id -> primary id; both ends are mapped through it (unmapped ids stay themselves).
    names : mapping, optional
        DOID label -> DOID id, to resolve ``label:`` parents (unresolved ones are dropped).
    narrower : collection of str, optional
        Ids narrower than the primary they map to (:func:`narrower_terms`): their own parents are
        not lifted onto that broader concept.

    Returns
    -------
    networkx.DiGraph
        Acyclic (:func:`break_cycles`). Edges carry ``source``; self-loops (a child and parent that
        map to one concept) are left out.

    Examples
    --------
    >>> g = isa_graph_from_parents([("MESH:D1", "MESHTREE:C18.452", "mesh"),
    ...                             ("MESH:D2", "MESHTREE:C18.452.394", "mesh")])
    >>> sorted(subtypes(g, "MESH:D1"))
    ['MESH:D2']
    >>> g = isa_graph_from_parents([("HP:2", "HP:1", "hpo")], primary={"HP:2": "MESH:D3", "HP:1": "MESH:D4"},
    ...                            narrower={"HP:2"})
    >>> g.number_of_edges()  # HP:2 is narrower than MESH:D3: MESH:D3 does not become a MESH:D4
    0
    """
    primary = primary or {}
    names = names or {}
    tree_owner: dict[str, set[str]] = defaultdict(set)
    trees: list[tuple[str, str]] = []
    edges: list[tuple[str, str, str]] = []
    for child, parent, source in rows:
        if child in narrower:
            continue
        if parent.startswith("MESHTREE:"):
            number = parent.split(":", 1)[1]
            tree_owner[number].add(child)
            trees.append((child, number))
        elif parent.startswith("label:"):
            if found := names.get(parent.split(":", 1)[1]):
                edges.append((child, found, source))
        else:
            edges.append((child, parent, source))
    for child, number in trees:
        if "." in number:
            for parent in tree_owner.get(number.rsplit(".", 1)[0], ()):
                edges.append((child, parent, "mesh"))
    g = nx.DiGraph()
    mapped = ((primary.get(child, child), primary.get(parent, parent), source) for child, parent, source in edges)
    g.add_edges_from((c, p, {"source": source}) for c, p, source in mapped if c != p)
    return break_cycles(g)


def break_cycles(g: nx.DiGraph) -> nx.DiGraph:
    """``g`` without the edges that close a cycle, chosen in a fixed order (the module docstring).

    Only edges inside a strongly connected component can lie on a cycle, so only those are re-added one
    at a time; the rest of the graph (all but a few dozen edges of the shared files) is left as it is.
    The components are looked for among concepts with both a parent and a subtype (a tenth of them):
    on the whole graph of the shared files that search alone took seconds.

    Examples
    --------
    >>> g = nx.DiGraph([("A", "B", {"source": "doid"}), ("B", "A", {"source": "mesh"})])
    >>> list(break_cycles(g).edges)  # MeSH's B is_a A wins over DOID's A is_a B
    [('B', 'A')]
    """
    rank = {source: i for i, source in enumerate(SOURCES)}
    inner = g.subgraph([n for n, subtypes in g.in_degree if subtypes and g.out_degree(n)])
    for component in list(nx.strongly_connected_components(nx.DiGraph(inner))):
        if len(component) < 2:
            continue
        inside = sorted(g.subgraph(component).edges(data="source"),
                        key=lambda e: (rank.get(e[2], len(rank)), e[0], e[1]))
        g.remove_edges_from([(c, p) for c, p, _ in inside])
        kept = nx.DiGraph()
        kept.add_nodes_from(component)
        for c, p, source in inside:
            if not nx.has_path(kept, p, c):
                kept.add_edge(c, p)
                g.add_edge(c, p, source=source)
    return g


def isa_graph(store: ConceptStore, sources: Iterable[str] = SOURCES) -> nx.DiGraph:
    """The is_a graph of ``sources`` from a built concept store (about 500k edges and several seconds for the
    shared files: a command loads it only when asked, as ``ask --subtypes`` and ``discover`` do).

    Raises
    ------
    OntologyError
        When the store cannot be opened (raised by ConceptStore).
    """
    wanted = tuple(sources)
    marks = ",".join("?" * len(wanted))
    rows = store.db.execute(f"SELECT concept_id, parent, source FROM parents WHERE source IN ({marks})", wanted)
    primary = dict(store.db.execute("SELECT id, primary_id FROM concepts WHERE primary_id != id"))
    names: dict[str, str] = {}
    for cid, name in store.db.execute("SELECT id, name FROM concepts WHERE id LIKE 'DOID:%' ORDER BY id DESC"):
        names[name] = cid  # ORDER BY DESC: the lowest id wins a shared label
    return isa_graph_from_parents(rows.fetchall(), primary=primary, names=names, narrower=narrower_terms(store))


def load_isa(settings: Settings) -> nx.DiGraph | None:
    """The is_a graph of the settings' concept store, or None when none is built (``medkg ontology build``).

    What ABC discovery (the ``refresh-inferred-edges`` flow, ``medkg discover``) leaves out with it: a
    subtype or supertype of the source is no discovery.

    Raises
    ------
    OntologyError
        When the store exists but cannot be opened (damaged, or built by another medkg version).
    """
    if not store_path(settings).exists():
        return None
    concepts = ConceptStore.open(settings)
    try:
        return isa_graph(concepts)
    finally:
        concepts.close()


def narrower_terms(store: ConceptStore) -> set[str]:
    """Terms of other ontologies whose primary is a broader MeSH concept: not named by its preferred name.

    The concept store maps an HPO term to MeSH by an exact name, and a DOID term by a cross-reference:
    a match of the term's name or EXACT synonym on the descriptor's preferred name is the same
    concept; otherwise it often is not, for MeSH files narrower concepts as entry terms ("Neurenteric
    Cyst" under Neural Tube Defects, "Oligoarthritis" under Arthritis, "astroblastoma" under Neoplasms,
    Neuroepithelial) and DOID points narrower terms at the nearest descriptor ("melancholic depression"
    at Depressive Disorder). Such a term is taken as narrower, so its own parents are never lifted
    onto the broader descriptor; a synonym worded otherwise loses its lift too, where the MeSH tree
    usually has the same parent.
    """
    return {cid for (cid,) in store.db.execute(
        """SELECT c.id FROM concepts c WHERE c.id NOT LIKE 'MESH:%' AND c.primary_id != c.id
           AND NOT EXISTS (SELECT 1 FROM names h JOIN names m ON m.norm = h.norm
                           WHERE h.concept_id = c.id AND h.kind IN ('preferred', 'EXACT')
                             AND m.concept_id = c.primary_id AND m.kind = 'preferred')""")}


def subtypes(isa: nx.DiGraph, concept_id: str, *, max_depth: int | None = None) -> set[str]:
    """Every concept that is_a ``concept_id``, directly or through others (not itself).

    Raises
    ------
    ArgumentError
        When ``max_depth`` is below 1 (a ValueError).
    """
    if concept_id not in isa:
        return set()
    if max_depth is None:
        return nx.ancestors(isa, concept_id)
    if max_depth < 1:
        raise ArgumentError(Errors.E010, name="max_depth", minimum=1, value=max_depth)
    reached = nx.single_source_shortest_path_length(isa.reverse(copy=False), concept_id, cutoff=max_depth)
    return set(reached) - {concept_id}


def supertypes(isa: nx.DiGraph, concept_id: str) -> set[str]:
    """Every concept ``concept_id`` is_a, up to the roots."""
    return nx.descendants(isa, concept_id) if concept_id in isa else set()


def expand(isa: nx.DiGraph, concept_ids: Iterable[str], *, include_subtypes: bool = False) -> list[str]:
    """The ids, followed (only when asked) by all their subtypes, each once, in a stable order."""
    ids = list(dict.fromkeys(concept_ids))
    if not include_subtypes:
        return ids
    extra = sorted({s for c in ids for s in subtypes(isa, c)} - set(ids))
    return ids + extra
