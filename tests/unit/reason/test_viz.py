"""The picture's graph, without a store: the neighbourhood cut, the order it is drawn in, the page's options."""

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx

from kg.reason.viz import cut, label_colours, write_html

CENTER = "MESH:D006973"


def star(n: int = 30) -> nx.Graph:
    """A centre and ``n`` neighbours, added in reverse id order, each with a ring edge to the next one."""
    g = nx.Graph()
    others = [f"MESH:C{i:06d}" for i in range(n)][::-1]
    g.add_node(CENTER, name="Hypertension")
    for i, o in enumerate(others):
        g.add_edge(CENTER, o, doc_count=1, claimed=True)
        if i:
            g.add_edge(others[i - 1], o, doc_count=1, claimed=False)
    return g


def test_the_cut_neighbourhood_is_in_id_order():
    for max_nodes in (10, 25):  # under and over half the nodes: networkx iterates a subgraph either way
        kept = cut(star(), CENTER, max_nodes)
        assert kept.number_of_nodes() == max_nodes and list(kept.nodes) == sorted(kept.nodes)
        edges = [tuple(e) for e in kept.edges]
        assert all(u < v for u, v in edges) and edges == sorted(edges)
        assert kept.nodes[CENTER]["name"] == "Hypertension"


ORDER = """
import sys
sys.path.insert(0, {tests!r})
from test_viz import CENTER, star
from kg.reason.viz import cut
kept = cut(star(), CENTER, 10)
print(list(kept.nodes), list(kept.edges))
"""


def test_the_same_graph_gives_the_same_picture_in_every_process():
    """String hashing is salted per process: the drawing order must not depend on it."""
    script = ORDER.format(tests=str(Path(__file__).parent))
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2] and CENTER in runs[0]


def _page_json(page: str, name: str) -> dict:
    """A JSON constant (``const data = …;``) of a written picture page (the last: vis-network's code has its own)."""
    return json.loads(page.rsplit(f"const {name} = ", 1)[1].split(";\n", 1)[0].replace("<\\/", "</"))


def test_every_label_is_a_group_in_its_colour_and_large_pictures_skip_the_improved_layout(tiny, tmp_path):
    """vis-network's improved layout clusters outliers above 150 nodes and re-opens them with their group's
    options: a label it does not know as a group got one of its own palette's colours (a chemical drawn
    red like a disease). Every label is a group in medkg's colour, and large pictures skip that layout."""
    for hubs, leaves, improved in ((4, 9, True), (16, 10, False)):  # 41 and 177 concepts
        g = tiny.picture_graph(hubs, leaves)
        page = write_html(g, tmp_path / f"p{hubs}.html", center="X:center").read_text(encoding="utf-8")
        data, options = _page_json(page, "data"), _page_json(page, "options")
        assert len(data["nodes"]) == g.number_of_nodes()
        assert {n["group"] for n in data["nodes"]} == {"Disease", "Chemical", "Gene", "Finding", "Species"}
        for node in data["nodes"]:
            assert options["groups"][node["group"]]["color"] == node["color"] == label_colours()[node["group"]]
        assert options["layout"]["improvedLayout"] is improved
        assert "new vis.Network(" in page and "}, options);" in page  # the options written are the ones used
