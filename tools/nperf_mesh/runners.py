"""Where a test's client runs: the seam between the mesh and a cluster.

A runner lists the nodes (discover) and turns one client's nperf arguments
into the command that runs it on the source endpoint (command). Two
implementations:
  KubernetesRunner  kubectl get pods / kubectl exec into the DaemonSets'
                    server pods (deploy/kubernetes/): placement, execution
                    and logs stay with the cluster, no agent of our own
  NetnsRunner       network namespaces on this machine, one per node and one
                    per pod, listed in an endpoints file (the tests' cluster)
"""
import json
import shlex
import subprocess
import threading
import time

from .endpoints import Endpoint, Node, load_endpoints_file
from .results import Outcome

SERVER_SELECTOR = "app.kubernetes.io/name=nperf,app.kubernetes.io/component=server"
POD_INSTANCE = "nperf-pod"    # server-daemonset.yaml: on the pod network
HOST_INSTANCE = "nperf-host"  # server-daemonset-host.yaml: hostNetwork
DISCOVERY_TIMEOUT_S = 60
# A server still finishing a test that a killed run left behind answers
# "busy"; wait for it this long (in steps) before calling the test failed.
BUSY_RETRY_S = 2.0
BUSY_RETRIES = 10


class RunnerError(Exception):
    pass


class Runner:
    def __init__(self):
        self.warnings = []  # nodes left out, and why
        self._live = set()
        self._lock = threading.Lock()

    def discover(self):
        """[endpoints.Node] in a stable order."""
        raise NotImplementedError

    def command(self, endpoint, nperf_args):
        """The argv that runs nperf with these arguments as a client on endpoint."""
        raise NotImplementedError

    def run(self, endpoint, nperf_args, timeout):
        """Runs one client; returns results.Outcome. A server busy with a
        left-over test is waited for (BUSY_RETRIES times BUSY_RETRY_S)."""
        for _ in range(BUSY_RETRIES):
            outcome = self.run_process(self.command(endpoint, nperf_args), timeout)
            if outcome.returncode == 0 or "server is busy" not in outcome.stdout + outcome.stderr:
                return outcome
            time.sleep(BUSY_RETRY_S)
        return outcome

    def run_process(self, argv, timeout):
        """Runs argv with a deadline; kills it when the deadline passes. The
        child stays in the mesh's process group, so killing the group (a
        terminal's Ctrl-C, a kill of a supervised job) ends it with the mesh."""
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, errors="replace")
        except OSError as e:
            return Outcome(127, "", f"cannot run {argv[0]}: {e.strerror}")
        with self._lock:
            self._live.add(process)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
            return Outcome(process.returncode, stdout, stderr)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            return Outcome(process.returncode, stdout, stderr, timed_out_after=timeout)
        finally:
            with self._lock:
                self._live.discard(process)

    def stop_all(self):
        """Kills every client still running (the mesh was interrupted)."""
        with self._lock:
            for process in self._live:
                process.kill()

    def describe(self, endpoint, nperf_args):
        return shlex.join(self.command(endpoint, nperf_args))


class KubernetesRunner(Runner):
    """Clients run by `kubectl exec` in the DaemonSets' pods: a node-side
    client in the node's nperf-server-host pod (hostNetwork), a pod-side one
    in its nperf-server pod. Targets: the pod's podIP, the host pod's hostIP."""

    def __init__(self, kubectl="kubectl", namespace="nperf", context=None, container="nperf",
                 remote_nperf="/usr/bin/nperf", only_nodes=None):
        super().__init__()
        self.base = [kubectl] + (["--context", context] if context else []) + ["-n", namespace]
        self.container = container
        self.remote_nperf = remote_nperf
        self.only_nodes = only_nodes

    def discover(self):
        argv = self.base + ["get", "pods", "-l", SERVER_SELECTOR, "-o", "json"]
        outcome = self.run_process(argv, DISCOVERY_TIMEOUT_S)
        if outcome.returncode != 0 or outcome.timed_out_after:
            raise RunnerError(f"{shlex.join(argv)} failed: {outcome.stderr.strip() or outcome.returncode}")
        try:
            items = json.loads(outcome.stdout)["items"]
        except (ValueError, KeyError, TypeError):
            raise RunnerError(f"{shlex.join(argv)} printed no pod list") from None
        by_node = {}
        for pod in items:
            node, instance = pod.get("spec", {}).get("nodeName"), _label(pod, "app.kubernetes.io/instance")
            if node and instance in (POD_INSTANCE, HOST_INSTANCE) and _ready(pod):
                by_node.setdefault(node, {})[instance] = pod
        return self._nodes(by_node)

    def _nodes(self, by_node):
        nodes = []
        for name in sorted(set(by_node) | set(self.only_nodes or [])):
            if self.only_nodes and name not in self.only_nodes:
                continue
            pods = by_node.get(name, {})
            missing = [i for i in (HOST_INSTANCE, POD_INSTANCE) if i not in pods]
            if missing:
                self.warnings.append(f"node {name}: no ready {' or '.join(missing)} server pod; left out")
                continue
            host, pod = pods[HOST_INSTANCE], pods[POD_INSTANCE]
            nodes.append(Node(name,
                              Endpoint(name, "node", host["metadata"]["name"], host["status"]["hostIP"]),
                              Endpoint(name, "pod", pod["metadata"]["name"], pod["status"]["podIP"])))
        return nodes

    def command(self, endpoint, nperf_args):
        return self.base + ["exec", endpoint.pod, "-c", self.container, "--", self.remote_nperf, *nperf_args]


def _label(pod, key):
    return pod.get("metadata", {}).get("labels", {}).get(key)


def _ready(pod):
    """Running, Ready, and not being deleted."""
    status = pod.get("status", {})
    if status.get("phase") != "Running" or pod.get("metadata", {}).get("deletionTimestamp"):
        return False
    ready = [c for c in status.get("conditions", []) if c.get("type") == "Ready"]
    return bool(ready) and ready[0].get("status") == "True" and bool(status.get("podIP"))


class NetnsRunner(Runner):
    """Clients run by `ip netns exec NS nperf ...` in the namespaces named by
    an endpoints file (endpoints.load_endpoints_file)."""

    def __init__(self, endpoints_file, nperf="nperf", only_nodes=None):
        super().__init__()
        self.endpoints_file = endpoints_file
        self.nperf = nperf
        self.only_nodes = only_nodes
        self.netns = {}

    def discover(self):
        nodes = []
        for node, netns in load_endpoints_file(self.endpoints_file):
            if self.only_nodes and node.name not in self.only_nodes:
                continue
            self.netns[(node.name, "node")] = netns["node"]
            self.netns[(node.name, "pod")] = netns["pod"]
            nodes.append(node)
        return nodes

    def command(self, endpoint, nperf_args):
        return ["ip", "netns", "exec", self.netns[(endpoint.node, endpoint.side)], self.nperf, *nperf_args]
