"""``medkg viz CONCEPT --hops N --out FILE.png|html``: a picture of a concept's neighbourhood.

PNG through matplotlib (Agg, no display needed); HTML as one self-contained page with
vis-network 9.1.2 inlined from the copy the ``pyvis`` package ships (no CDN, so it opens
offline and can be archived next to a report). Colours follow the label, as in the Neo4j
Browser: from ``ontology/medkg.grass`` when it defines the label, else the palette here.
The neighbourhood is cut to ``max_nodes``, nearest first and then best documented, so a hub
such as "patients" still gives a readable picture.
"""

from __future__ import annotations

import html
import json
import math
import re
from importlib.resources import files
from pathlib import Path

import networkx as nx

from kg.config import Settings
from kg.errors import Errors, VizError
from kg.graph.base import GraphStore
from kg.reason.subgraph import add_edges_among, best_edges, extract_subgraph

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
GRASS = Path(str(files("ontology") / "medkg.grass"))
VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
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


def _label(node: dict) -> str:
    labels = [x for x in node.get("labels") or () if x != "Concept"]
    return labels[0] if labels else (node.get("type") or "Concept")


def neighbourhood(
    store: GraphStore, concept_id: str, *, hops: int = 1, max_nodes: int = 40, min_score: float = 0.0,
    max_edges: int = 20_000,
) -> nx.Graph:
    """The undirected best-edge graph around ``concept_id``, cut to ``max_nodes`` concepts.

    Raises
    ------
    SubgraphTooLargeError
        When the neighbourhood exceeds ``max_edges`` before cutting.
    VizError
        When the concept has no edge to draw.
    """
    g = best_edges(extract_subgraph(store, [concept_id], hops=hops, min_score=min_score, max_edges=max_edges))
    if g.number_of_edges() == 0:
        raise VizError(Errors.E930, concept=concept_id)
    kept = cut(g, concept_id, max_nodes)
    full = nx.MultiDiGraph()
    full.add_nodes_from(kept.nodes(data=True))
    return best_edges(add_edges_among(store, full, min_score=min_score, max_edges=max_edges))


def cut(g: nx.Graph, center: str, max_nodes: int) -> nx.Graph:
    """Keep ``center`` and the ``max_nodes - 1`` nearest concepts, ties by the papers of their best edge."""
    if g.number_of_nodes() <= max_nodes:
        return g
    dist = nx.single_source_shortest_path_length(g, center)
    support = {n: max((d.get("doc_count") or 0) for _, _, d in g.edges(n, data=True)) for n in g}
    keep = sorted(dist, key=lambda n: (dist[n], -support[n], n))[:max_nodes]
    return g.subgraph(keep).copy()


def draw_png(g: nx.Graph, path: Path, *, center: str | None = None, title: str | None = None) -> Path:
    """Spring layout (seeded, so the same graph gives the same picture), nodes coloured by label,
    edge width by papers, a legend of the labels present."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = label_colours()
    pos = nx.spring_layout(g, seed=7, k=1.6 / math.sqrt(max(g.number_of_nodes(), 1)))
    fig, ax = plt.subplots(figsize=(13, 10), dpi=110)
    widths = [0.6 + 1.2 * math.log1p(d.get("doc_count") or 0) for _, _, d in g.edges(data=True)]
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color="#9a9a9a", alpha=0.7)
    node_labels = {n: _label(g.nodes[n]) for n in g}
    sizes = [1400 if n == center else 350 + 90 * g.degree(n) for n in g]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, linewidths=[3 if n == center else 0.8 for n in g],
                           node_color=[colours.get(node_labels[n], DEFAULT_COLOUR) for n in g], edgecolors="#333333")
    names = {n: _short(g.nodes[n].get("name") or n) for n in g}
    nx.draw_networkx_labels(g, pos, labels=names, ax=ax, font_size=8)
    present = sorted(set(node_labels.values()))
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=10, color=colours.get(x, DEFAULT_COLOUR),
                          label=x) for x in present]
    ax.legend(handles=handles, loc="lower left", frameon=False)
    ax.set_title(title or "", fontsize=13)
    ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _short(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _vis_network_js() -> str:
    try:
        import pyvis
    except ModuleNotFoundError as exc:
        raise VizError(Errors.E931) from exc
    return Path(pyvis.__file__).parent.joinpath(*VIS_JS).read_text(encoding="utf-8")


def write_html(g: nx.Graph, path: Path, *, center: str | None = None, title: str | None = None) -> Path:
    """One page: vis-network inlined, nodes and edges as JSON, tooltips with ids, scores and papers.

    Raises
    ------
    VizError
        When pyvis (the carrier of vis-network) is not installed.
    """
    colours = label_colours()
    nodes = [
        {"id": n, "label": _short(d.get("name") or n), "group": _label(d),
         "title": f"{d.get('name') or n}\n{n}\n{_label(d)}", "color": colours.get(_label(d), DEFAULT_COLOUR),
         "size": 30 if n == center else 12 + 2 * g.degree(n), "borderWidth": 4 if n == center else 1}
        for n, d in g.nodes(data=True)
    ]
    edges = [
        {"from": u, "to": v, "width": 1 + math.log1p(d.get("doc_count") or 0),
         "title": "\n".join(f"{h['predicate']}: score {h['combined_score']:.3f}, {h['evidence_count']} sentence(s), "
                            f"{h['doc_count']} paper(s)" for h in d.get("edges", [d]))}
        for u, v, d in g.edges(data=True)
    ]
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title or "medkg")}</title>
<style>body{{margin:0;font-family:system-ui,sans-serif}}#graph{{width:100vw;height:92vh}}
h1{{font-size:1.1rem;margin:.5rem}}</style>
<script>{_vis_network_js()}</script></head>
<body><h1>{html.escape(title or "")}</h1><div id="graph"></div>
<script>
const data = {data};
const network = new vis.Network(document.getElementById("graph"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
  {{nodes: {{shape: "dot", font: {{size: 14}}}}, edges: {{color: {{color: "#9a9a9a"}}, smooth: false}},
    physics: {{stabilization: {{iterations: 300}}, barnesHut: {{gravitationalConstant: -8000, springLength: 140}}}},
    interaction: {{hover: true, tooltipDelay: 100}}}});
</script></body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def viz_command(
    target: str, settings: Settings, *, out: Path, hops: int = 1, max_nodes: int = 40, min_score: float = 0.0
) -> Path:
    """What ``medkg viz`` does: resolve ``target`` (id or name), draw its neighbourhood to ``out``.

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
        cid = resolve_target(store, settings, target)
        g = neighbourhood(store, cid, hops=hops, max_nodes=max_nodes, min_score=min_score)
    name = g.nodes[cid].get("name") or cid
    title = f"{name} ({cid}): {hops} hop(s), {g.number_of_nodes()} concepts, {g.number_of_edges()} relations"
    return (draw_png if suffix == ".png" else write_html)(g, out, center=cid, title=title)
