"""Pair planning and the nperf command line of each test (plan.py)."""
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.plan import (PlanError, check_nperf_args, directions, nperf_client_args, parse_paths,
                             plan_tests, test_timeout)


class PlanTest(unittest.TestCase):
    def test_every_ordered_pair_of_distinct_nodes_on_every_path_in_order(self):
        tests = plan_tests(_paths.three_nodes(), parse_paths("all"))
        self.assertEqual(24, len(tests))
        self.assertEqual(list(range(24)), [t.index for t in tests])
        self.assertEqual(("node->node", "n1", "n2"), tests[0].key)
        self.assertEqual(("node->node", "n1", "n3"), tests[1].key)
        self.assertEqual(("pod->pod", "n3", "n2"), tests[-1].key)
        self.assertEqual(len({t.key for t in tests}), 24)
        self.assertFalse([t for t in tests if t.source.node == t.destination.node])

    def test_each_path_takes_the_client_and_the_target_from_its_sides(self):
        tests = {t.key: t for t in plan_tests(_paths.three_nodes(), parse_paths("all"))}
        pod_to_node = tests[("pod->node", "n1", "n2")]
        self.assertEqual(("pod", "pod-1"), (pod_to_node.source.side, pod_to_node.source.pod))
        self.assertEqual("198.18.160.12", pod_to_node.destination.address)
        node_to_pod = tests[("node->pod", "n2", "n3")]
        self.assertEqual(("node", "host-2"), (node_to_pod.source.side, node_to_pod.source.pod))
        self.assertEqual("198.19.163.2", node_to_pod.destination.address)

    def test_include_self_adds_each_node_with_itself(self):
        self.assertEqual(9, len(plan_tests(_paths.three_nodes(), ["pod->node"], include_self=True)))

    def test_paths_are_read_in_several_spellings_and_kept_in_canonical_order(self):
        self.assertEqual(["node->pod", "pod->pod"], parse_paths("pod-pod, node→pod"))
        self.assertEqual(["node->node", "pod->node"], parse_paths("pod2node,node->node,node-node"))
        for bad in ("pod pod", "nodes", "", "node->cluster"):
            with self.assertRaises(PlanError, msg=bad):
                parse_paths(bad)

    def test_options_the_mesh_sets_itself_are_refused_by_name(self):
        for args in (["-c", "x"], ["-J"], ["--port=5202"], ["-p", "1"], ["--csv"], ["--json-stream"], ["-s"]):
            with self.assertRaises(PlanError, msg=args) as caught:
                check_nperf_args(args)
            self.assertIn(args[0].split("=")[0], str(caught.exception))
        check_nperf_args(["-P", "4", "-t", "5", "-R", "-u", "-b", "1G", "-A", "0-3,0-3", "--bidir"])

    def test_directions_follow_reverse_and_bidir(self):
        self.assertEqual(["forward"], directions(["-P", "2"]))
        self.assertEqual(["reverse"], directions(["-R"]))
        self.assertEqual(["reverse"], directions(["--reverse"]))
        self.assertEqual(["forward", "reverse"], directions(["--bidir"]))

    def test_every_test_has_a_deadline_from_its_duration(self):
        self.assertEqual(40, test_timeout([]))
        self.assertEqual(37, test_timeout(["-t", "5", "-O", "2"]))
        self.assertEqual(33, test_timeout(["--time=3"]))
        self.assertEqual(300, test_timeout(["-n", "1G"]))
        self.assertEqual(300, test_timeout(["-t", "0"]))

    def test_the_client_command_targets_the_destination_with_json_then_the_users_options(self):
        test = plan_tests(_paths.three_nodes(), ["node->pod"])[0]
        self.assertEqual(["-c", "198.19.162.2", "-p", "5202", "-J", "-P", "2"],
                         nperf_client_args(test, 5202, ["-P", "2"]))


if __name__ == "__main__":
    unittest.main()
