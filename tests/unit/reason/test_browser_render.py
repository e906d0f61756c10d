"""The HTML report and picture open in a real (headless) browser and show what they should.

The page is loaded from a file URL; ``--dump-dom`` gives the DOM after the scripts ran (the
picture's script marks ``body[data-drawn-edges]`` once vis-network has drawn), ``--screenshot``
a PNG whose pixels are checked for the relation colours. Skipped where no Chromium is installed
(``apt-get install chromium-headless-shell``: .ci/run tries it; MEDKG_BROWSER names another).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from kg.reason.report import concept_report, patient_report, to_html
from kg.reason.viz import COMENTION, edge_style, neighbourhood, write_html

pytestmark = pytest.mark.slow  # a browser start per page: about 1-3 s each

BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "chrome-headless-shell")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=8000")


@pytest.fixture(scope="module")
def browser() -> str:
    found = os.environ.get("MEDKG_BROWSER") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        pytest.skip("no headless Chromium: apt-get install chromium-headless-shell (or set MEDKG_BROWSER)")
    return found


def dump_dom(browser: str, page: Path, *, ready: str | None = None, tries: int = 3):
    """The DOM after the page's scripts ran; with ``ready``, retried until that XPath matches (the
    browser's virtual clock can stop before the first animation frame on a loaded machine)."""
    for _ in range(tries):
        out = subprocess.run([browser, *FLAGS, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                             timeout=120, check=False)
        assert out.returncode == 0 and "<html" in out.stdout, out.stderr[-2000:]
        dom = lxml_html.fromstring(out.stdout)
        if ready is None or dom.xpath(ready):
            break
    return dom


def screenshot(browser: str, page: Path, png: Path, size: str = "1400,900") -> Path:
    out = subprocess.run([browser, *FLAGS, f"--window-size={size}", f"--screenshot={png}", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False, cwd=png.parent)
    assert out.returncode == 0 and png.exists(), out.stderr[-2000:]
    return png


def colour_pixels(png: Path, hex_colour: str, tolerance: int = 40, *, left: float = 1.0) -> int:
    """How many pixels of the screenshot (of its ``left`` fraction) are within ``tolerance`` of ``hex_colour``."""
    import numpy as np
    from matplotlib import image

    pixels = (image.imread(png)[..., :3] * 255).astype(int)
    pixels = pixels[:, : int(pixels.shape[1] * left)]
    want = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - want) <= tolerance).all(axis=-1).sum())


def test_concept_report_renders_its_sections(browser, store, tiny, tmp_path):
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    store.query("MATCH (d:Document {id: 'PMID:1'}) SET d.retracted = true", write=True)
    page = tmp_path / "metformin.html"
    page.write_text(to_html(concept_report(store, tiny.MET.id)), encoding="utf-8")
    dom = dump_dom(browser, page)
    assert dom.xpath("string(//h1)") == "Metformin (MESH:D008687)"
    sections = [s.get("id") for s in dom.xpath("//section")]
    assert sections == ["relations", "co-mentions", "unscored", "negated", "retracted", "contradictions", "papers"]
    relations = dom.xpath("//section[@id='relations']//li[@class='relation']")
    assert [li.get("data-predicate") for li in relations] == [
        tiny.predicate(store.schema, "biolink:causes"), tiny.predicate(store.schema, "biolink:negatively_correlated_with")]
    assert len(dom.xpath("//section[@id='co-mentions']//li[contains(@class, 'comention')]")) == 2
    assert dom.xpath("//section[@id='relations']//span[@class='badge retracted']")
    assert dom.xpath("//section[@id='relations']//blockquote[contains(@class, 'neg')]")
    assert "patients" not in dom.xpath("string(//body)")
    shot = screenshot(browser, page, tmp_path / "report.png", "1200,1600")
    assert colour_pixels(shot, "#B00000") > 50  # the red RETRACTED badges are on screen


def test_patient_report_renders_by_status(browser, store, tiny, tmp_path):
    store.write(tiny.second_note_batch())
    store.refresh_findings([tiny.PATIENT])
    page = tmp_path / "patient.html"
    page.write_text(to_html(patient_report(store, tiny.PATIENT)), encoding="utf-8")
    dom = dump_dom(browser, page)
    assert [s.get("id") for s in dom.xpath("//section")] == [
        "affirmed", "negated", "uncertain", "historical", "family", "hypothetical"]
    negated = dom.xpath("//section[@id='negated']//tr[@class='finding']/td[1]/text()")
    assert sorted(negated) == ["Diabetes Mellitus, Type 2 (MESH:D003924)", "Leukopenia (MESH:D007970)"]
    assert "NOTE:n2 (2022)" in dom.xpath("string(//section[@id='negated'])")


def test_viz_page_draws_the_graph_with_a_legend(browser, store, tiny, tmp_path):
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    g = neighbourhood(store, tiny.MET.id, hops=2)
    page = write_html(g, tmp_path / "metformin-viz.html", center=tiny.MET.id, title="Metformin")
    dom = dump_dom(browser, page, ready="//body[@data-drawn-edges]")
    body = dom.xpath("//body")[0]
    assert body.get("data-drawn-edges") == str(g.number_of_edges())  # vis-network ran and drew
    assert dom.xpath("//div[@id='graph']//canvas")
    causes = tiny.predicate(store.schema, "biolink:causes")
    legend_types = [li.get("data-type") for li in dom.xpath("//div[@id='legend']//li[@class='legend-edge']")]
    assert causes in legend_types and legend_types[-1] == COMENTION
    assert {li.get("data-label") for li in dom.xpath("//li[@class='legend-node']")} == {"Chemical", "Disease"}
    for _ in range(3):  # as dump_dom: a loaded machine may take the picture before the first frame
        shot = screenshot(browser, page, tmp_path / "viz.png")
        drawn = colour_pixels(shot, edge_style(causes)[0], tolerance=30, left=0.7)  # the legend is on the right
        if drawn > 60:
            break
    assert drawn > 60  # the INDUCES edge is drawn in its colour


COLOUR_PROBE = """<script>
// once vis-network has drawn, compare the fill it draws each node with (its options after layout) to the page's data
const colours = setInterval(() => {
  if (!document.body.dataset.drawnEdges) return;
  clearInterval(colours);
  const wrong = data.nodes.filter(n => network.body.nodes[n.id].options.color.background.toUpperCase()
                                       !== n.color.toUpperCase()).map(n => n.id);
  Object.assign(document.body.dataset, {drawnNodes: String(Object.keys(network.body.nodes).length),
                                        wrongColours: wrong.join(" ")});
}, 100);
</script></body>"""


def test_viz_page_draws_every_concept_in_its_label_colour_at_any_size(browser, tiny, tmp_path):
    """Above 150 nodes vis-network's improved layout clustered the outliers and re-opened them in its own
    group colours (a chemical drawn red like a disease): every node keeps its label's colour, small or large."""
    for hubs, leaves in ((4, 9), (16, 10), (25, 19)):  # 41, 177 and 501 concepts
        g = tiny.picture_graph(hubs, leaves)
        page = write_html(g, tmp_path / f"colours{hubs}.html", center="X:center", title="colours")
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", COLOUR_PROBE), encoding="utf-8")
        body = dump_dom(browser, page, ready="//body[@data-drawn-nodes]").xpath("//body")[0]
        assert body.get("data-drawn-nodes") == str(g.number_of_nodes())
        assert body.get("data-wrong-colours") == "", f"{g.number_of_nodes()} nodes: drawn off their label's colour"


TOOLTIP_PROBE = """<script>
// hover the middle of the one edge once vis-network has drawn, then report the tooltip as the browser shows it
const probe = setInterval(() => {
  if (!document.body.dataset.drawnEdges) return;
  clearInterval(probe);
  const [a, b] = data.nodes.map(n => network.getPosition(n.id));
  const p = network.canvasToDOM({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2});
  const canvas = document.querySelector("#graph canvas"), r = canvas.getBoundingClientRect();
  canvas.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + p.x, clientY: r.top + p.y, bubbles: true}));
  setTimeout(() => {
    const tip = document.querySelector("div.vis-tooltip");
    if (!tip) { document.body.dataset.tipPosition = "none"; return; }
    const style = getComputedStyle(tip), box = tip.getBoundingClientRect();
    Object.assign(document.body.dataset, {tipPosition: style.position, tipWhiteSpace: style.whiteSpace,
      tipVisibility: style.visibility, tipWidth: String(box.width), pageWidth: String(window.innerWidth),
      tipTop: String(box.top), pageHeight: String(window.innerHeight), tipText: tip.innerText});
  }, 1500);
}, 100);
</script></body>"""


def test_viz_tooltip_floats_by_the_pointer_with_one_line_per_parallel_edge(browser, store, tiny, tmp_path):
    from kg.models import GraphBatch, Triple

    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    causes = tiny.predicate(store.schema, "biolink:causes")
    store.write(GraphBatch(evidence=(tiny.ev(Triple(subject=tiny.MET.id, predicate=cooc, object=tiny.LA.id), "PMID:1",
                                             "Metformin induced lactic acidosis in an elderly patient.", 1.0),)))
    g = neighbourhood(store, tiny.LA.id, hops=1, max_nodes=2)  # lactic acidosis and metformin: two parallel edges
    assert g.number_of_nodes() == 2 and len(g.edges[tiny.MET.id, tiny.LA.id]["edges"]) == 2
    page = write_html(g, tmp_path / "tooltip.html", center=tiny.LA.id, title="Lactic acidosis")
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", TOOLTIP_PROBE), encoding="utf-8")
    body = dump_dom(browser, page, ready="//body[@data-tip-position]").xpath("//body")[0]
    assert body.get("data-tip-position") == "absolute"  # vis-network's stylesheet is there: a box by the pointer
    assert body.get("data-tip-visibility") == "visible" and body.get("data-tip-white-space") == "pre-line"
    assert float(body.get("data-tip-width")) < 0.8 * float(body.get("data-page-width"))  # not a full-width block
    assert 0 <= float(body.get("data-tip-top")) < float(body.get("data-page-height"))  # on screen, not below the graph
    lines = body.get("data-tip-text").strip().split("\n")
    assert len(lines) == 2 and lines[0].startswith(causes) and lines[1].startswith(cooc)  # one line per edge
