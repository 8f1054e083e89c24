"""A whole mesh run through run_mesh with a fake runner: a run interrupted
after a few tests (and left with a torn last line, as a SIGKILL during a
write would) and run again in the same directory writes the same CSV, byte
for byte, as an uninterrupted run, and runs only the tests it lacked."""
import io
import json
import os
import tempfile
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.mesh import EXIT_INTERRUPTED, EXIT_OK, EXIT_TESTS_FAILED, Options, run_mesh
from nperf_mesh.results import Outcome
from nperf_mesh.runners import Runner
from nperf_mesh.table import TableError

TEMPLATE = json.loads(_paths.data("tcp-forward.json"))


class FakeRunner(Runner):
    """Answers every client with the real -J document in data/, its rate
    made a function of the pair, so each row is different and repeatable."""

    def __init__(self, interrupt_at=None, fail=()):
        super().__init__()
        self.calls = []
        self.interrupt_at = interrupt_at
        self.fail = set(fail)

    def discover(self):
        return _paths.three_nodes()

    def command(self, endpoint, nperf_args):
        return ["fake-exec", endpoint.pod, "nperf", *nperf_args]

    def run(self, endpoint, nperf_args, timeout):
        target = nperf_args[nperf_args.index("-c") + 1]
        self.calls.append((endpoint.pod, target))
        if len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt
        if (endpoint.pod, target) in self.fail:
            return Outcome(1, json.dumps({"error": "unable to connect to server: No route to host"}))
        doc = json.loads(json.dumps(TEMPLATE))
        doc["start"]["connected"][0]["local_host"] = endpoint.address
        doc["end"]["sum_received"]["bits_per_second"] = 1e9 + 1e6 * len(endpoint.pod + target) + hash_of(endpoint.pod + target)
        return Outcome(0, json.dumps(doc))


def hash_of(text):
    return sum(ord(c) * (i + 1) for i, c in enumerate(text))


def options(out, args=("-t", "1")):
    return Options(paths=["node->node", "pod->node", "node->pod", "pod->pod"], nperf_args=list(args), out=out,
                   labels=[("cluster", "fake")])


def csv_bytes(directory):
    with open(os.path.join(directory, "results.csv"), "rb") as f:
        return f.read()


class ResumeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.whole = os.path.join(self.tmp.name, "whole")
        self.resumed = os.path.join(self.tmp.name, "resumed")

    def tearDown(self):
        self.tmp.cleanup()

    def run_mesh(self, out, runner, args=("-t", "1")):
        stdout, stderr = io.StringIO(), io.StringIO()
        code = run_mesh(options(out, args), runner, stdout, stderr)
        return code, stdout.getvalue(), stderr.getvalue()

    def test_an_interrupted_and_resumed_run_writes_the_same_csv_as_an_uninterrupted_one(self):
        code, stdout, _ = self.run_mesh(self.whole, FakeRunner())
        self.assertEqual(EXIT_OK, code)
        self.assertIn("24 rows, 24 measured, 0 failed", stdout)
        self.assertEqual(25, csv_bytes(self.whole).count(b"\n"))

        first = FakeRunner(interrupt_at=6)
        code, _, stderr = self.run_mesh(self.resumed, first)
        self.assertEqual(EXIT_INTERRUPTED, code)
        self.assertIn("interrupted with 5 of 24 tests done", stderr)
        with open(os.path.join(self.resumed, "results.csv"), "a") as f:
            f.write("pod->pod,forward,n1,pod-1,198.19.16")  # torn by a kill
        second = FakeRunner()
        code, _, stderr = self.run_mesh(self.resumed, second)
        self.assertEqual(EXIT_OK, code)
        self.assertIn("already holds 5 of 24 tests; running the other 19", stderr)
        self.assertEqual(19, len(second.calls))
        self.assertFalse(set(first.calls[:5]) & set(second.calls))
        self.assertEqual(csv_bytes(self.whole), csv_bytes(self.resumed))
        self.assertTrue(os.path.exists(os.path.join(self.resumed, "heatmap.svg")))
        self.assertTrue(os.path.exists(os.path.join(self.resumed, "json", "pod-to-pod", "n3__n2.json")))

    def test_a_finished_run_run_again_runs_nothing(self):
        self.run_mesh(self.whole, FakeRunner())
        before = csv_bytes(self.whole)
        again = FakeRunner()
        self.assertEqual(EXIT_OK, self.run_mesh(self.whole, again)[0])
        self.assertEqual([], again.calls)
        self.assertEqual(before, csv_bytes(self.whole))

    def test_failed_tests_stay_failed_unless_retried(self):
        failing = ("host-1", "198.18.160.12")
        code, stdout, _ = self.run_mesh(self.whole, FakeRunner(fail=[failing]))
        self.assertEqual(EXIT_TESTS_FAILED, code)
        self.assertIn("1 failed", stdout)
        self.assertIn(b"No route to host", csv_bytes(self.whole))
        retry = FakeRunner()
        opts = options(self.whole)
        opts.retry_failed = True
        self.assertEqual(EXIT_OK, run_mesh(opts, retry, io.StringIO(), io.StringIO()))
        self.assertEqual([failing], retry.calls)

    def test_a_directory_of_another_run_is_refused(self):
        self.run_mesh(self.whole, FakeRunner(interrupt_at=3))
        with self.assertRaises(TableError):
            self.run_mesh(self.whole, FakeRunner(), args=("-t", "5"))


if __name__ == "__main__":
    unittest.main()
