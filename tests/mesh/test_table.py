"""The CSV file and what a resumed run keeps of it (table.py)."""
import os
import tempfile
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.plan import plan_tests
from nperf_mesh.results import FIELDS
from nperf_mesh.table import (ResultsTable, TableError, check_run_file, completed_rows, header,
                              with_labels)

LABELS = [("cluster", "lab"), ("cni", "cilium")]


def row(path, src, dst, direction="forward", status="ok", **extra):
    r = {f: "" for f in FIELDS}
    r.update(path=path, source_node=src, destination_node=dst, direction=direction, status=status,
             rate_bps=1000, **extra)
    return r


class TableTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.table = ResultsTable(self.dir.name, header(LABELS))

    def tearDown(self):
        self.dir.cleanup()

    def test_labels_are_extra_columns_after_the_fixed_ones(self):
        self.assertEqual(FIELDS + ["cluster", "cni"], header(LABELS))
        [r] = with_labels([row("pod->pod", "a", "b")], LABELS)
        self.assertEqual(("lab", "cilium"), (r["cluster"], r["cni"]))

    def test_appended_rows_read_back_with_the_header_written_once(self):
        self.table.append(with_labels([row("pod->pod", "a", "b")], LABELS))
        self.table.append(with_labels([row("pod->pod", "b", "a", error="two\nlines")], LABELS))
        with open(self.table.path) as f:
            lines = f.read().splitlines()
        self.assertEqual(3, len(lines))
        self.assertEqual(",".join(FIELDS + ["cluster", "cni"]), lines[0])
        rows = self.table.load()
        self.assertEqual(["a", "b"], [r["source_node"] for r in rows])
        self.assertEqual("two lines", rows[1]["error"])  # a row stays on one line
        self.assertEqual("1000", rows[0]["rate_bps"])

    def test_a_torn_last_line_from_a_kill_is_cut_off(self):
        self.table.append(with_labels([row("pod->pod", "a", "b")], LABELS))
        with open(self.table.path, "a") as f:
            f.write("pod->pod,forward,b,pod-b,198.1")
        self.assertEqual(1, len(self.table.load()))
        with open(self.table.path) as f:
            self.assertTrue(f.read().endswith("\n"))

    def test_a_file_with_other_columns_is_refused(self):
        ResultsTable(self.dir.name, header([])).append([row("pod->pod", "a", "b")])
        with self.assertRaises(TableError):
            self.table.load()

    def test_rewrite_replaces_the_file_whole(self):
        self.table.append(with_labels([row("pod->pod", "a", "b")], LABELS))
        self.table.rewrite(with_labels([row("node->node", "b", "a")], LABELS))
        self.assertEqual(["node->node"], [r["path"] for r in self.table.load()])
        self.assertFalse(os.path.exists(self.table.path + ".tmp"))

    def test_a_run_file_refuses_a_different_run_in_the_same_directory(self):
        check_run_file(self.dir.name, {"nperf_args": ["-t", "2"], "paths": ["pod->pod"]})
        check_run_file(self.dir.name, {"nperf_args": ["-t", "2"], "paths": ["pod->pod"]})
        with self.assertRaises(TableError) as caught:
            check_run_file(self.dir.name, {"nperf_args": ["-t", "5"], "paths": ["pod->pod"]})
        self.assertIn("nperf_args", str(caught.exception))


class CompletedRowsTest(unittest.TestCase):
    tests = plan_tests(_paths.three_nodes(), ["pod->pod"])

    def test_tests_with_every_direction_are_kept_half_done_ones_run_again(self):
        rows = [row("pod->pod", "n1", "n2", "forward"), row("pod->pod", "n1", "n2", "reverse"),
                row("pod->pod", "n1", "n3", "forward")]  # killed between its two rows
        kept, foreign = completed_rows(rows, self.tests, ["forward", "reverse"])
        self.assertEqual([("pod->pod", "n1", "n2")], list(kept))
        self.assertEqual([], foreign)

    def test_failed_tests_are_kept_unless_asked_to_retry_them(self):
        rows = [row("pod->pod", "n1", "n2"), row("pod->pod", "n1", "n3", status="failed")]
        self.assertEqual(2, len(completed_rows(rows, self.tests, ["forward"])[0]))
        self.assertEqual([("pod->pod", "n1", "n2")], list(completed_rows(rows, self.tests, ["forward"], True)[0]))

    def test_rows_of_nodes_no_longer_planned_are_kept_apart(self):
        gone = row("pod->pod", "n1", "n9")
        kept, foreign = completed_rows([gone], self.tests, ["forward"])
        self.assertEqual(({}, [gone]), (kept, foreign))


if __name__ == "__main__":
    unittest.main()
