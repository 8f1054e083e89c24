"""One test at a time or K at once on distinct nodes, progress, interruption
(scheduler.py)."""
import io
import threading
import time
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.endpoints import Endpoint, Node
from nperf_mesh.plan import plan_tests
from nperf_mesh.scheduler import Progress, eta_seconds, format_duration, run_all


def nodes(n):
    return [Node(f"n{i}", Endpoint(f"n{i}", "node", f"h{i}", f"198.18.0.{i}"),
                 Endpoint(f"n{i}", "pod", f"p{i}", f"198.19.0.{i}")) for i in range(1, n + 1)]


class Recorder:
    """An execute() that notes which tests overlap in time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = set()
        self.overlaps = []
        self.most = 0

    def __call__(self, test):
        with self.lock:
            for other in self.running:
                self.overlaps.append((other, test))
            self.running.add(test)
            self.most = max(self.most, len(self.running))
        time.sleep(0.02)
        with self.lock:
            self.running.discard(test)
        return test.index


class SchedulerTest(unittest.TestCase):
    def test_one_at_a_time_runs_the_plan_in_order(self):
        tests = plan_tests(nodes(3), ["node->node"])
        done, recorder = [], Recorder()
        run_all(tests, recorder, lambda t, o: done.append(o))
        self.assertEqual([t.index for t in tests], done)
        self.assertEqual(1, recorder.most)

    def test_k_at_once_never_puts_two_tests_on_one_node(self):
        tests = plan_tests(nodes(6), ["pod->pod"])
        done, recorder = [], Recorder()
        run_all(tests, recorder, lambda t, o: done.append(o), concurrency=3)
        self.assertEqual(sorted(t.index for t in tests), sorted(done))
        self.assertGreater(recorder.most, 1)
        self.assertLessEqual(recorder.most, 3)
        for a, b in recorder.overlaps:
            self.assertFalse({a.source.node, a.destination.node} & {b.source.node, b.destination.node}, (a, b))

    def test_an_interrupt_stops_the_running_clients_and_drops_their_results(self):
        tests = plan_tests(nodes(3), ["node->node"])
        done, stopped = [], []

        def execute(test):
            if test.index == 2:
                raise KeyboardInterrupt
            return test.index
        with self.assertRaises(KeyboardInterrupt):
            run_all(tests, execute, lambda t, o: done.append(o), stop=lambda: stopped.append(True))
        self.assertEqual([0, 1], done)
        self.assertEqual([True], stopped)

    def test_eta_follows_the_pace_so_far(self):
        self.assertIsNone(eta_seconds(5, 0, 10))
        self.assertEqual(30, eta_seconds(10, 2, 6))
        self.assertEqual("0:30", format_duration(30))
        self.assertEqual("1:01:05", format_duration(3665))
        self.assertEqual("?", format_duration(None))

    def test_progress_is_written_only_to_a_terminal(self):
        plain = io.StringIO()
        Progress(plain, 10, 0).update(1, [])
        self.assertEqual("", plain.getvalue())

        class Tty(io.StringIO):
            def isatty(self):
                return True
        now = [100.0]
        tty = Tty()
        progress = Progress(tty, 10, 2, clock=lambda: now[0])
        now[0] = 120.0
        test = plan_tests(nodes(2), ["pod->node"])[0]
        progress.update(4, [test])
        progress.finish()
        self.assertEqual("\r\033[Knperf-mesh: 6/10 tests done, ETA 0:20, running pod->node n1->n2\n", tty.getvalue())


if __name__ == "__main__":
    unittest.main()
