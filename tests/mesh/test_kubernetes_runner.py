"""The Kubernetes runner against a recorded kubectl (data/kubectl, first on
PATH): what nperf-mesh runs, checked as text, for the cluster of
data/pods.json (kubectl get pods -o json: worker-a and worker-b with both
servers ready, worker-c whose pod-network server is still Pending)."""
import csv
import json
import os
import shlex
import subprocess
import tempfile
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)

GET = "kubectl -n nperf get pods -l app.kubernetes.io/name=nperf,app.kubernetes.io/component=server -o json"
HOST_A, POD_A = "nperf-server-host-7x2kq", "nperf-server-9fzq4"
HOST_B, POD_B = "nperf-server-host-m4w8d", "nperf-server-kt6xv"
NODE_A, NODE_B, PODIP_A, PODIP_B = "198.18.200.1", "198.18.200.2", "198.19.200.10", "198.19.201.10"


def exec_line(pod, target, extra="-t 2 -P 2"):
    return f"kubectl -n nperf exec {pod} -c nperf -- /usr/bin/nperf -c {target} -p 5201 -J {extra}"


# The plan's order: node->node, pod->node, node->pod, pod->pod; a->b then b->a.
EXPECTED_EXECS = [
    exec_line(HOST_A, NODE_B), exec_line(HOST_B, NODE_A),
    exec_line(POD_A, NODE_B), exec_line(POD_B, NODE_A),
    exec_line(HOST_A, PODIP_B), exec_line(HOST_B, PODIP_A),
    exec_line(POD_A, PODIP_B), exec_line(POD_B, PODIP_A),
]


class KubernetesRunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "kubectl.log")
        self.env = dict(os.environ, PATH=_paths.DATA + os.pathsep + os.environ.get("PATH", ""),
                        FAKE_KUBECTL_LOG=self.log, FAKE_KUBECTL_PODS=os.path.join(_paths.DATA, "pods.json"),
                        FAKE_KUBECTL_EXEC=os.path.join(_paths.DATA, "tcp-forward.json"))
        self.env.pop("FAKE_KUBECTL_FAIL", None)

    def tearDown(self):
        self.tmp.cleanup()

    def mesh(self, *args):
        return subprocess.run([_paths.MESH, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def recorded(self):
        with open(self.log, encoding="utf-8") as f:
            return [shlex.join(["kubectl", *json.loads(line)]) for line in f]

    def test_a_run_lists_the_server_pods_then_execs_each_client_in_its_sources_pod(self):
        out = os.path.join(self.tmp.name, "out")
        done = self.mesh("--out", out, "--label", "cluster=kind", "--", "-t", "2", "-P", "2")
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual([GET] + EXPECTED_EXECS, self.recorded())
        self.assertIn("node worker-c: no ready nperf-pod server pod; left out", done.stderr)
        with open(os.path.join(out, "results.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(8, len(rows))
        first = rows[0]
        self.assertEqual(("node->node", "worker-a", HOST_A, "worker-b", HOST_B, NODE_B, "kind", "ok"),
                         (first["path"], first["source_node"], first["source_pod"], first["destination_node"],
                          first["destination_pod"], first["destination_address"], first["cluster"], first["status"]))
        self.assertEqual((POD_B, PODIP_A), (rows[-1]["source_pod"], rows[-1]["destination_address"]))
        self.assertIn("node->node (forward", done.stdout)

    def test_dry_run_prints_the_plan_and_runs_no_test(self):
        done = self.mesh("--dry-run", "--paths", "pod-pod", "--", "-u", "-b", "1G")
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual([GET], self.recorded())
        lines = done.stdout.splitlines()
        self.assertEqual("nperf-mesh plan: 2 nodes, 1 paths, 2 tests, one at a time, each stopped after 40 s", lines[0])
        self.assertEqual(f"  worker-a: node side {HOST_A} ({NODE_A}), pod side {POD_A} ({PODIP_A})", lines[1])
        self.assertEqual("[1/2] pod->pod worker-a -> worker-b: " + exec_line(POD_A, PODIP_B, "-u -b 1G"), lines[3])
        self.assertEqual("[2/2] pod->pod worker-b -> worker-a: " + exec_line(POD_B, PODIP_A, "-u -b 1G"), lines[4])

    def test_context_namespace_port_and_nodes_reach_kubectl(self):
        done = self.mesh("--dry-run", "--context", "prod", "-n", "perf", "--port", "5301", "--paths", "node-node",
                         "--nodes", "worker-b,worker-a", "-k", "2")
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual([GET.replace("kubectl -n nperf", "kubectl --context prod -n perf")], self.recorded())
        self.assertIn(f"kubectl --context prod -n perf exec {HOST_A} -c nperf -- /usr/bin/nperf -c {NODE_B} -p 5301 -J",
                      done.stdout)
        self.assertIn("up to 2 at once on distinct nodes", done.stdout)

    def test_an_unreachable_cluster_is_a_clear_error(self):
        self.env["FAKE_KUBECTL_FAIL"] = "1"
        done = self.mesh("--dry-run")
        self.assertEqual(2, done.returncode)
        self.assertIn(f"nperf-mesh: {GET} failed: The connection to the server localhost:8080 was refused", done.stderr)

    def test_options_the_mesh_owns_and_bad_labels_are_refused_before_kubectl_runs(self):
        for args in (["--dry-run", "--", "-J"], ["--dry-run", "--label", "novalue"],
                     ["--dry-run", "--label", "verdict=x"], ["--", "-t", "1"], ["--dry-run", "--paths", "pods"]):
            done = self.mesh(*args)
            self.assertEqual(2, done.returncode, args)
            self.assertTrue(done.stderr.startswith("nperf-mesh: "), done.stderr)
        self.assertFalse(os.path.exists(self.log))


if __name__ == "__main__":
    unittest.main()
