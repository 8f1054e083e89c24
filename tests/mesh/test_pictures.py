"""The text matrix (matrix.py) and the SVG heatmap (heatmap.py)."""
import re
import unittest
import xml.etree.ElementTree as ET

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh import heatmap, matrix
from nperf_mesh.results import FIELDS

SVG = "{http://www.w3.org/2000/svg}"


def row(path, src, dst, rate, verdict="undetermined", status="ok", direction="forward"):
    r = {f: "" for f in FIELDS}
    r.update(path=path, source_node=src, destination_node=dst, rate_bps=rate, verdict=verdict,
             status=status, direction=direction, error="refused" if status != "ok" else "")
    return r


ROWS = [
    row("node->node", "a", "b", 9.4e9, "sender-CPU-bound"),
    row("node->node", "b", "a", 0.19e9, "network-limited"),
    row("pod->pod", "a", "b", 0, "failed", status="failed"),
    row("pod->pod", "b", "a", 4.2e9),
]


class MatrixTest(unittest.TestCase):
    def test_one_matrix_per_path_sources_down_destinations_across(self):
        text = matrix.render(ROWS)
        blocks = text.split("\n\n")
        self.assertTrue(blocks[0].startswith("node->node (forward: received Gbit/s, verdict)"))
        self.assertTrue(blocks[1].startswith("pod->pod (forward"))
        lines = blocks[0].splitlines()
        self.assertEqual(["source \\ destination", "a", "b"], re.split(r"\s{2,}", lines[1]))
        self.assertEqual(["a", "-", "9.40 sCPU"], re.split(r"\s{2,}", lines[2]))
        self.assertEqual(["b", "0.19 net", "-"], re.split(r"\s{2,}", lines[3]))
        self.assertEqual(["a", "-", "FAIL"], re.split(r"\s{2,}", blocks[1].splitlines()[2]))
        self.assertIn("4 rows, 3 measured, 1 failed", text)
        self.assertIn("net=network-limited", text)

    def test_rates_below_a_gigabit_are_shown_in_megabits(self):
        self.assertEqual(("Mbit/s", 1e6), matrix.rate_unit([row("pod->pod", "a", "b", 5e8)]))
        self.assertEqual("500.00 ?", matrix.cell_text(row("pod->pod", "a", "b", 5e8), 1e6))

    def test_reverse_rows_get_a_matrix_of_their_own(self):
        rows = [row("pod->node", "a", "b", 1e9), row("pod->node", "a", "b", 2e9, direction="reverse")]
        self.assertEqual(["forward", "reverse"], [p[1] for p in matrix.panels(rows)])


class HeatmapTest(unittest.TestCase):
    def parse(self, rows, subtitle="nperf -t 1"):
        return ET.fromstring(heatmap.render(rows, subtitle))

    def test_a_cell_per_row_with_its_rate_verdict_and_colour(self):
        svg = self.parse(ROWS)
        self.assertEqual(SVG + "svg", svg.tag)
        tips = [t.text for t in svg.iter(SVG + "title")]
        self.assertEqual(4, len(tips))
        self.assertIn("a → b, node → node, forward: 9.40 sCPU; sender-CPU-bound: ", tips)
        texts = [t.text for t in svg.iter(SVG + "text")]
        for expected in ("node → node  (data source → destination)", "pod → pod  (data source → destination)",
                         "9.40", "sCPU", "0.19", "net", "FAIL", "nperf -t 1"):
            self.assertIn(expected, texts)

    def test_loss_and_failures_get_a_red_frame_and_the_fastest_cell_the_top_colour(self):
        svg = self.parse(ROWS)
        cells = {r.find(SVG + "title").text.split(":")[0]: r for r in svg.iter(SVG + "rect")
                 if r.find(SVG + "title") is not None}
        self.assertEqual("#d62728", cells["b → a, node → node, forward"].get("stroke"))
        self.assertEqual("#d62728", cells["a → b, pod → pod, forward"].get("stroke"))
        self.assertEqual("#fff", cells["a → b, node → node, forward"].get("stroke"))
        self.assertEqual(heatmap.colour(1.0), cells["a → b, node → node, forward"].get("fill"))
        self.assertEqual(heatmap.colour(0.19 / 9.4), cells["b → a, node → node, forward"].get("fill"))

    def test_colours_run_from_dark_to_bright(self):
        luminance = lambda c: sum(int(c[i:i + 2], 16) for i in (1, 3, 5))
        shades = [luminance(heatmap.colour(k / 10)) for k in range(11)]
        self.assertEqual(shades, sorted(shades))
        self.assertEqual("#440154", heatmap.colour(0))
        self.assertEqual("#fde725", heatmap.colour(1))

    def test_names_are_escaped_and_long_ones_shortened(self):
        long_name = "ip-10-0-0-1.eu-west-1.compute.internal"
        svg = self.parse([row("pod->pod", "<a&b>", long_name, 1e9)], subtitle="label=<x>")
        texts = [t.text for t in svg.iter(SVG + "text")]
        self.assertIn("<a&b>", texts)
        self.assertIn("label=<x>", texts)
        self.assertIn(long_name[:23] + "…", texts)


if __name__ == "__main__":
    unittest.main()
