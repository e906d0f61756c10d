"""``medkg viz CONCEPT --hops N --out FILE.png|html``: a picture of a concept's neighbourhood.

PNG through matplotlib (Agg, no display needed); HTML as one self-contained page with
vis-network 9.1.2, script and stylesheet, inlined from the copy the ``pyvis`` package ships (no
CDN, so it opens offline and can be archived next to a report). Both draw the same picture:

- node colour by label, as in the Neo4j Browser (``ontology/medkg.grass`` where it defines the
  label, else the palette here); the HTML defines each label as a vis-network group of that colour,
  so no node falls back to vis-network's own group colours, and above vis-network's clustering
  threshold (150 concepts) its improved layout, which clusters and re-opens nodes, is off;
- edge colour and line style by relation type (``EDGE_STYLES``), an arrow from subject to
  object for claimed relations; co-mentions (same sentence, not a claim) thin, grey and dashed,
  drawn first so that claimed relations lie over them;
- between two concepts, the strongest *claimed* edge is drawn (a co-mention only when nothing is
  claimed); every parallel edge is listed in the HTML tooltip, one per line;
- an edge with no scored evidence (every sentence negated, hypothetical or family history, or
  read in a retracted paper) is no claim and no co-mention: it is not drawn (``extract_subgraph``
  leaves it out), as ``medkg report`` lists it apart;
- a legend of the node labels and relation types present; labels with a halo so they stay
  readable over edges.

The neighbourhood is cut to ``max_nodes``, nearest first, then those with claimed relations,
then the best documented. The hubs (``cues.HUBS``: the human hub NCBITaxon:9606, which people
words such as "patients" link to, and generic taxa such as Animals) are left out, and a species
is never walked through (``cues.links``): Mice may be drawn next to the concept, but not the
concepts that are only mentioned with mice. A hop is walked only while it can add to the picture:
once the concepts nearer than the last ring reached fill it, no farther hop is read. What the cut
leaves out is said in a warning (E933), with the option that draws more.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import networkx as nx

from kg.config import Settings
from kg.errors import Errors, SubgraphTooLargeError, VizError
from kg.graph.base import GraphStore
from kg.reason import cues
from kg.reason.subgraph import COMENTION, add_edges_among, best_edges, extract_subgraph

log = logging.getLogger(__name__)

PALETTE = {
    "Disease": "#F79767",
    "Chemical": "#57C7E3",
    "Gene": "#8DCC93",
    "Variant": "#C990C0",
    "Species": "#FFC454",
    "CellLine": "#DA7194",
    "Finding": "#F16667",
}
DEFAULT_COLOUR = "#A5ABB6"
# Relation type -> (colour, line style: solid, dashed, dotted or dashdot). Dark, saturated colours
# so lines stand apart from the light node fills; a type missing here is drawn solid grey.
EDGE_STYLES: dict[str, tuple[str, str]] = {
    "INDUCES": ("#C0392B", "solid"),
    "NEGATIVELY_CORRELATED_WITH": ("#1E8449", "solid"),
    "POSITIVELY_CORRELATED_WITH": ("#D68910", "solid"),
    "ASSOCIATED_WITH": ("#2E5FA8", "solid"),
    "INTERACTS_WITH": ("#7D3C98", "solid"),
    "BINDS": ("#7D3C98", "dashdot"),
    "COTREATED_WITH": ("#8E6E53", "dashed"),
    "COMPARED_WITH": ("#566573", "dotted"),
    "CONVERTS_TO": ("#117A65", "dotted"),
    "IS_VARIANT_OF": ("#A93226", "dotted"),
    COMENTION: ("#B3B6B7", "dashed"),
}
OTHER_EDGE = ("#566573", "solid")
# vis-network's layout.clusterThreshold: above it the improved layout clusters outliers and hubs and
# opens them again, and the re-opened nodes take their group's colours; it is turned off there.
IMPROVED_LAYOUT_MAX = 150
LAYOUT_SEED = 7  # vis-network's start positions: the same page draws the same picture
# vis-network's dashes for each line style; SVG's stroke-dasharray for the HTML legend
_VIS_DASHES = {"solid": False, "dashed": [8, 6], "dotted": [2, 5], "dashdot": [10, 4, 2, 4]}
_SVG_DASHES = {"solid": "", "dashed": "8,6", "dotted": "2,5", "dashdot": "10,4,2,4"}
GRASS = Path(str(files("ontology") / "medkg.grass"))
VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
# Its stylesheet: without it vis-network's tooltip div is an unpositioned block (full width, below
# the picture) instead of a box by the pointer.
VIS_CSS = ("lib", "vis-9.1.2", "vis-network.css")
# vis-network shows a string title as text, and its stylesheet sets white-space: nowrap on the
# tooltip: pre-line keeps the line breaks that separate parallel edges (and a node's name, id, label).
TOOLTIP_CSS = "div.vis-tooltip{white-space:pre-line}"
_GRASS_RULE = re.compile(r"node\.(\w+)\s*\{([^}]*)\}", re.S)
_GRASS_COLOUR = re.compile(r"(?<![-\w])color\s*:\s*(#[0-9A-Fa-f]{3,8})")


def label_colours(grass: Path = GRASS) -> dict[str, str]:
    """Label -> colour: the palette, overridden by ``node.Label { color: #… }`` rules of the grass file."""
    colours = dict(PALETTE)
    if grass.exists():
        for label, body in _GRASS_RULE.findall(grass.read_text(encoding="utf-8")):
            if m := _GRASS_COLOUR.search(body):
                colours[label] = m.group(1)
    return colours


def edge_style(predicate: str | None) -> tuple[str, str]:
    """(colour, line style) of a relation type."""
    return EDGE_STYLES.get(predicate or "", OTHER_EDGE)


def _label(node: dict) -> str:
    labels = [x for x in node.get("labels") or () if x != "Concept"]
    return labels[0] if labels else (node.get("type") or "Concept")


def _silent(step: str) -> None:
    """The default progress callback: says nothing."""


def neighbourhood(
    store: GraphStore, concept_id: str, *, hops: int = 1, max_nodes: int = 40, min_score: float = 0.0,
    max_edges: int = 20_000, progress: Callable[[str], None] = _silent,
) -> nx.Graph:
    """The undirected picture graph around ``concept_id``: per concept pair the edge to draw
    (``shown``: the strongest claimed edge, else the co-mention) and all parallel edges (``edges``).
    ``progress`` is told each step, in words; the concepts the cut leaves out are said in a warning (E933).

    Raises
    ------
    SubgraphTooLargeError
        When the neighbourhood exceeds ``max_edges`` before cutting.
    VizError
        When the concept has no edge to draw.
    """
    g, walked = _walk(store, concept_id, hops=hops, max_nodes=max_nodes, min_score=min_score, max_edges=max_edges,
                      progress=progress)
    _drop_hubs(g, concept_id)
    g = _shown(best_edges(g))
    g.remove_nodes_from(set(g) - set(distances(g, concept_id)))  # reached only through a species
    if g.number_of_edges() == 0:
        raise VizError(Errors.E930, concept=concept_id)
    kept = cut(g, concept_id, max_nodes)
    if kept.number_of_nodes() < g.number_of_nodes():
        farther = (f"hop {hops} was not walked: it" if walked + 1 == hops
                   else f"hops {walked + 1}-{hops} were not walked: they")
        log.warning("%s", VizError(Errors.E933, concept=f"{g.nodes[concept_id].get('name')} ({concept_id})",
                                   drawn=kept.number_of_nodes(), reached=g.number_of_nodes(), hops=walked,
                                   unwalked=f"; {farther} could add only farther ones" * (walked < hops),
                                   max_nodes=max_nodes))
    progress(f"the relations among the {kept.number_of_nodes()} concepts drawn")
    full = nx.MultiDiGraph()
    full.add_nodes_from(kept.nodes(data=True))
    return _ordered(_shown(best_edges(add_edges_among(store, full, min_score=min_score, max_edges=max_edges))))


def _walk(
    store: GraphStore, concept_id: str, *, hops: int, max_nodes: int, min_score: float, max_edges: int,
    progress: Callable[[str], None],
) -> tuple[nx.MultiDiGraph, int]:
    """The triple edges within ``hops`` of ``concept_id`` that the picture can use, and the hops walked. Hop by
    hop, as :func:`distances` counts them (never through a species), reading the edges of every concept of the
    ring reached but a hub (which is not drawn), and no further once the concepts nearer than that ring are
    ``max_nodes``: the cut keeps the nearest (a farther one is never drawn), ranked by their edges, read by then.

    Raises
    ------
    SubgraphTooLargeError
        When the hops walked hold more than ``max_edges`` edges.
    """
    def read(n: str) -> bool:  # a concept whose relations the walk reads: the centre, or any but a hub
        return n == concept_id or n not in cues.HUBS

    g = nx.MultiDiGraph()
    g.add_node(concept_id)
    dist = {concept_id: 0}
    for hop in range(1, hops + 1):
        ring = [n for n, d in dist.items() if d == hop - 1 and read(n)]
        if not ring:  # nothing farther to reach
            break
        progress(f"hop {hop} of {hops}: the relations of {len(ring):,} concept(s)")
        too_large = SubgraphTooLargeError(Errors.E901, what=f"{hop} hop(s) around {concept_id}", max_edges=max_edges)
        try:
            part = extract_subgraph(store, ring, hops=1, min_score=min_score, max_edges=max_edges)
        except SubgraphTooLargeError as exc:  # named as the walk, not as the ring it was reading
            raise too_large from exc
        g = nx.compose(g, part)
        if g.number_of_edges() > max_edges:
            raise too_large
        if sum(map(read, dist)) >= max_nodes:  # the next hop's are farther
            return g, hop
        dist = distances(g.to_undirected(as_view=True), concept_id)
    return g, hops


def _drop_hubs(g: nx.Graph, keep: str) -> None:
    g.remove_nodes_from((set(cues.HUBS) & set(g.nodes)) - {keep})


def distances(g: nx.Graph, center: str) -> dict[str, int]:
    """Hops from ``center`` to the concepts reachable without walking through one that does not link
    (``cues.links``: a species is reached, never walked through, unless it is the centre)."""
    dist, frontier = {center: 0}, [center]
    while frontier:
        nxt = []
        for n in frontier:
            if n != center and not cues.links(g.nodes[n]):
                continue
            for m in g[n]:
                if m not in dist:
                    dist[m] = dist[n] + 1
                    nxt.append(m)
        frontier = nxt
    return dist


def _shown(g: nx.Graph) -> nx.Graph:
    """Mark on each pair the edge to draw: the strongest claimed one, or the co-mention (``best_edges`` lists
    a pair's edges in that order)."""
    for _, _, d in g.edges(data=True):
        d["shown"] = (d.get("edges") or [d])[0]
        d["claimed"] = d["shown"].get("predicate") != COMENTION
    return g


def cut(g: nx.Graph, center: str, max_nodes: int) -> nx.Graph:
    """Keep ``center`` and the ``max_nodes - 1`` nearest concepts; among equally near ones, those with
    claimed relations first, then the papers of their best edge."""
    if g.number_of_nodes() <= max_nodes:
        return g
    dist = distances(g, center)

    def docs(n: str, claimed_only: bool) -> int:
        return max((d.get("doc_count") or 0 for _, _, d in g.edges(n, data=True)
                    if d.get("claimed", True) or not claimed_only), default=0)

    keep = sorted(dist, key=lambda n: (dist[n], -docs(n, True), -docs(n, False), n))[:max_nodes]
    return _ordered(g.subgraph(keep))


def _ordered(g: nx.Graph) -> nx.Graph:
    """A copy of the undirected picture graph ``g``, its nodes in id order and its edges in order of their ends.

    The layout starts from the node order and the drawing follows the edge order, so both must come
    from the graph alone: a subgraph iterates in the order of a set of ids, which changes from one
    process to the next (string hashing is salted), and with it the picture.
    """
    out = g.__class__()
    out.graph.update(g.graph)
    out.add_nodes_from(sorted(g.nodes(data=True), key=lambda n: n[0]))
    out.add_edges_from(sorted(((*sorted((u, v)), d) for u, v, d in g.edges(data=True)), key=lambda e: e[:2]))
    return out


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _present_types(g: nx.Graph) -> list[str]:
    """Relation types drawn, claimed ones by the legend order of EDGE_STYLES, co-mentions last."""
    drawn = {d["shown"].get("predicate") for _, _, d in g.edges(data=True)}
    order = [t for t in EDGE_STYLES if t in drawn and t != COMENTION]
    order += sorted(t for t in drawn if t not in EDGE_STYLES and t)
    return order + ([COMENTION] if COMENTION in drawn else [])


def _ends(u: str, v: str, shown: dict) -> tuple[str, str]:
    """The drawn edge's stored direction (subject -> object)."""
    return (shown.get("subject", u), shown.get("object", v))


def draw_png(g: nx.Graph, path: Path, *, center: str | None = None, title: str | None = None) -> Path:
    """Spring layout (seeded: the same graph gives the same picture); co-mentions first, claimed
    relations over them with arrows; legends of node labels and relation types."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    colours = label_colours()
    pos = nx.spring_layout(g, seed=7, k=1.8 / math.sqrt(max(g.number_of_nodes(), 1)), iterations=100)
    fig, ax = plt.subplots(figsize=(15, 10), dpi=110)
    node_labels = {n: _label(g.nodes[n]) for n in g}
    sizes = {n: 1500 if n == center else 380 + 80 * min(g.degree(n), 12) for n in g}
    by_type: dict[str, list[tuple[str, str, float]]] = {}
    for u, v, d in g.edges(data=True):
        shown = d["shown"]
        by_type.setdefault(shown.get("predicate") or "", []).append(
            (*_ends(u, v, shown), 0.8 + 1.1 * math.log1p(shown.get("doc_count") or 0)))
    types = _present_types(g)
    for z, predicate in enumerate([COMENTION] + [t for t in types if t != COMENTION]):
        edges = by_type.get(predicate)
        if not edges:
            continue
        colour, style = edge_style(predicate)
        cooc = predicate == COMENTION
        arrows = {} if cooc else {"arrowstyle": "-|>", "arrowsize": 14, "node_size": [sizes[n] for n in g],
                                  "nodelist": list(g), "connectionstyle": "arc3,rad=0.06"}
        drawn = nx.draw_networkx_edges(
            g, pos, ax=ax, edgelist=[(u, v) for u, v, _ in edges], width=[0.8 if cooc else w for *_, w in edges],
            edge_color=colour, style=style, alpha=0.55 if cooc else 0.95, arrows=not cooc, **arrows)
        for artist in drawn if isinstance(drawn, list) else [drawn]:
            artist.set_zorder(1 + z)
    nodes = nx.draw_networkx_nodes(
        g, pos, ax=ax, node_size=[sizes[n] for n in g], linewidths=[3 if n == center else 0.8 for n in g],
        node_color=[colours.get(node_labels[n], DEFAULT_COLOUR) for n in g], edgecolors="#333333")
    nodes.set_zorder(20)
    texts = nx.draw_networkx_labels(g, pos, labels={n: _short(g.nodes[n].get("name") or n) for n in g}, ax=ax,
                                    font_size=9, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                                       "alpha": 0.8})
    for n, t in texts.items():
        t.set_zorder(30)
        if n == center:
            t.set_fontweight("bold")
            t.set_fontsize(11)
    node_handles = [Line2D([], [], marker="o", linestyle="", markersize=10, markeredgecolor="#333333",
                           color=colours.get(x, DEFAULT_COLOUR), label=x) for x in sorted(set(node_labels.values()))]
    edge_handles = [Line2D([], [], color=edge_style(t)[0], linestyle=edge_style(t)[1], linewidth=2.2,
                           label="co-mention (same sentence, not a claim)" if t == COMENTION else f"{t} (claimed)")
                    for t in types]
    first = ax.legend(handles=node_handles, title="concepts", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                      frameon=False)
    ax.add_artist(first)
    ax.legend(handles=edge_handles, title="relations (arrow: subject -> object)", loc="upper left",
              bbox_to_anchor=(1.0, 0.62), frameon=False)
    ax.set_title(title or "", fontsize=13)
    ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _vis_network(parts: tuple[str, ...]) -> str:
    """A file of the vis-network copy that pyvis ships."""
    try:
        import pyvis
    except ModuleNotFoundError as exc:
        raise VizError(Errors.E931) from exc
    return Path(pyvis.__file__).parent.joinpath(*parts).read_text(encoding="utf-8")


def _tooltip(d: dict) -> str:
    """Every parallel edge, one per line: claimed relations first (as drawn), then the co-mention."""
    return "\n".join(
        f"{h.get('predicate')}{' (co-mention, not a claim)' if h.get('predicate') == COMENTION else ''}: "
        f"score {h['combined_score']:.3f}, {h['evidence_count']} sentence(s), {h['doc_count']} document(s)"
        for h in sorted(d.get("edges", [d]), key=lambda h: h.get("predicate") == COMENTION))


def vis_options(g: nx.Graph, colours: dict[str, str] | None = None) -> dict:
    """vis-network's options for the picture of ``g``: a group per node label in its colour (a node's own
    colour is the same), the improved layout only up to IMPROVED_LAYOUT_MAX concepts, a fixed seed."""
    colours = colours or label_colours()
    labels = sorted(set(colours) | {_label(d) for _, d in g.nodes(data=True)})
    return {
        "groups": {x: {"color": colours.get(x, DEFAULT_COLOUR)} for x in labels},
        "layout": {"improvedLayout": g.number_of_nodes() <= IMPROVED_LAYOUT_MAX, "randomSeed": LAYOUT_SEED},
        "nodes": {"shape": "dot", "font": {"size": 14, "strokeWidth": 4, "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.6}}},
        "physics": {"stabilization": {"iterations": 300},
                    "barnesHut": {"gravitationalConstant": -9000, "springLength": 150}},
        "interaction": {"hover": True, "tooltipDelay": 100},
    }


def write_html(g: nx.Graph, path: Path, *, center: str | None = None, title: str | None = None) -> Path:
    """One page: vis-network's script and stylesheet inlined, nodes and edges as JSON (co-mentions
    first, so claimed relations are drawn over them), tooltips with every parallel edge on its own
    line, a legend.

    Raises
    ------
    VizError
        When pyvis (the carrier of vis-network) is not installed.
    """
    colours = label_colours()
    nodes = [
        {"id": n, "label": _short(d.get("name") or n), "group": _label(d),
         "title": f"{d.get('name') or n}\n{n}\n{_label(d)}", "color": colours.get(_label(d), DEFAULT_COLOUR),
         "size": 30 if n == center else 12 + 2 * min(g.degree(n), 12), "borderWidth": 4 if n == center else 1,
         "font": {"size": 18 if n == center else 14, "bold": n == center}}
        for n, d in g.nodes(data=True)
    ]
    edges = []
    for u, v, d in sorted(g.edges(data=True), key=lambda e: e[2]["claimed"]):
        shown = d["shown"]
        predicate = shown.get("predicate") or ""
        colour, style = edge_style(predicate)
        cooc = predicate == COMENTION
        a, b = _ends(u, v, shown)
        edges.append({"from": a, "to": b, "predicate": predicate, "claimed": not cooc,
                      "width": 1 if cooc else 1.5 + math.log1p(shown.get("doc_count") or 0),
                      "color": {"color": colour, "opacity": 0.6 if cooc else 1.0}, "dashes": _VIS_DASHES[style],
                      "arrows": "" if cooc else "to", "title": _tooltip(d)})
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
    options = json.dumps(vis_options(g, colours), ensure_ascii=False).replace("</", "<\\/")
    e = html.escape
    present_labels = sorted({_label(d) for _, d in g.nodes(data=True)})
    legend_nodes = "".join(
        f"<li class=\"legend-node\" data-label=\"{e(x)}\"><span class=\"dot\" style=\"background:"
        f"{colours.get(x, DEFAULT_COLOUR)}\"></span>{e(x)}</li>" for x in present_labels)
    legend_edges = "".join(
        f"<li class=\"legend-edge\" data-type=\"{e(t)}\"><svg width=\"42\" height=\"10\"><line x1=\"1\" y1=\"5\" "
        f"x2=\"41\" y2=\"5\" stroke=\"{edge_style(t)[0]}\" stroke-width=\"3\" stroke-dasharray=\""
        f"{_SVG_DASHES[edge_style(t)[1]]}\"/></svg>"
        f"{'co-mention (same sentence, not a claim)' if t == COMENTION else e(t) + ' (claimed)'}</li>"
        for t in _present_types(g))
    css = _vis_network(VIS_CSS).replace("</", "<\\/")  # no "</style" can end the element early
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{e(title or "medkg")}</title>
<style>body{{margin:0;font-family:system-ui,sans-serif}}#graph{{width:100vw;height:92vh}}
h1{{font-size:1.1rem;margin:.5rem}}#legend{{position:absolute;top:3rem;right:.8rem;background:rgba(255,255,255,.93);
border:1px solid #ccc;border-radius:.4rem;padding:.4rem .7rem;font-size:.85rem;max-width:20rem}}
#legend h2{{font-size:.9rem;margin:.3rem 0}}#legend ul{{list-style:none;margin:0;padding:0}}
#legend li{{display:flex;align-items:center;gap:.4rem;margin:.15rem 0}}
.dot{{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;border:1px solid #333}}</style>
<style>{css}
{TOOLTIP_CSS}</style>
<script>{_vis_network(VIS_JS)}</script></head>
<body><h1>{e(title or "")}</h1><div id="graph"></div>
<div id="legend"><h2>Concepts</h2><ul>{legend_nodes}</ul>
<h2>Relations (arrow: subject &rarr; object)</h2><ul>{legend_edges}</ul></div>
<script>
const data = {data};
const options = {options};
const network = new vis.Network(document.getElementById("graph"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}}, options);
network.once("stabilizationIterationsDone", () => {{ network.setOptions({{physics: false}}); network.redraw(); }});
network.on("afterDrawing", () => {{ document.body.dataset.drawnEdges = String(data.edges.length); }});
</script></body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def viz_command(
    target: str, settings: Settings, *, out: Path, hops: int = 1, max_nodes: int = 40, min_score: float = 0.0,
    progress: Callable[[str], None] = _silent,
) -> Path:
    """What ``medkg viz`` does: resolve ``target`` (id or name), draw its neighbourhood to ``out``; ``progress`` is
    told each step, in words.

    Raises
    ------
    VizError
        When ``out`` is neither .png nor .html, or there is nothing to draw.
    NotInGraphError
        When the target is not in the graph.
    """
    from kg.graph.backends import open_store
    from kg.reason.ask import resolve_target

    suffix = out.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise VizError(Errors.E932, name=out.name)
    with open_store(settings) as store:
        progress(f"finding {target}")
        cid = resolve_target(store, settings, target)
        g = neighbourhood(store, cid, hops=hops, max_nodes=max_nodes, min_score=min_score, progress=progress)
    name = g.nodes[cid].get("name") or cid
    claimed = sum(d["claimed"] for _, _, d in g.edges(data=True))
    title = (f"{name} ({cid}): {hops} hop(s), {g.number_of_nodes()} concepts, {claimed} claimed relation(s), "
             f"{g.number_of_edges() - claimed} co-mention(s)")
    progress(f"drawing {out.name}")
    return (draw_png if suffix == ".png" else write_html)(g, out, center=cid, title=title)
