"""nperf-mesh's command line: mesh options, then `--`, then nperf's options
for every test."""
import argparse
import re
import signal
import sys

from .endpoints import EndpointError
from .mesh import EXIT_INTERRUPTED, EXIT_USAGE, Options, run_mesh
from .plan import PlanError, check_nperf_args, parse_paths
from .results import FIELDS
from .runners import KubernetesRunner, NetnsRunner, RunnerError
from .table import TableError

USAGE = "nperf-mesh [OPTIONS] [-- NPERF-OPTIONS...]"
EPILOG = """\
Everything after `--` goes to every test's nperf client unchanged (-P, -t, -R,
--bidir, -u -b, -A, -w, -C ...); nperf-mesh sets -c, -p and -J itself.

examples:
  nperf-mesh --out mesh1 -- -t 5 -P 4
  nperf-mesh --paths pod-pod,node-node --label cni=cilium --out mesh2 -- -t 5
  nperf-mesh --dry-run -- -u -b 1G
  nperf-mesh --runner netns --endpoints cluster.json --nperf ./build/nperf --out m -- -t 2

exit status: 0 every test measured, 1 some tests failed (their rows say why),
2 bad usage or no cluster, 130 interrupted (run the same command again to go on).
See docs/kubernetes.md, "Cluster-wide run"."""
LABEL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def parser():
    p = argparse.ArgumentParser(prog="nperf-mesh", usage=USAGE, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="nperf between every ordered pair of nodes of a cluster, on every path "
                                            "(node->node, pod->node, node->pod, pod->pod): one CSV, a text matrix "
                                            "and an SVG heatmap.")
    p.add_argument("--out", metavar="DIR", help="output directory: results.csv, json/, heatmap.svg, matrix.txt; "
                   "a directory from an interrupted run is continued (required unless --dry-run)")
    p.add_argument("--paths", default="all", help="comma-separated: node-node, pod-node, node-pod, pod-pod, or all "
                   "(default)")
    p.add_argument("--label", action="append", default=[], metavar="KEY=VALUE",
                   help="your own context (cluster, CNI, kernel...): an extra CSV column; repeatable")
    p.add_argument("-k", "--concurrency", type=int, default=1, metavar="K",
                   help="run up to K tests at once, never two on one node (default 1: a shared NIC makes "
                        "concurrent pairs lie)")
    p.add_argument("--nodes", help="comma-separated node names: only these")
    p.add_argument("--include-self", action="store_true", help="also test each node with itself")
    p.add_argument("--port", type=int, default=5201, help="the servers' port (deploy/kubernetes/port.yaml; default 5201)")
    p.add_argument("--test-timeout", type=int, metavar="SEC",
                   help="stop a test after this many seconds (default: -t plus -O plus 30, or 300 with -n/-k)")
    p.add_argument("--retry-failed", action="store_true", help="when continuing a run, run its failed tests again")
    p.add_argument("--dry-run", action="store_true", help="print the plan (every command it would run) and exit")
    p.add_argument("--runner", choices=["kubernetes", "netns"], default="kubernetes",
                   help="kubernetes (default): kubectl exec into the nperf DaemonSets' pods; netns: network "
                        "namespaces of this machine listed by --endpoints")
    k8s = p.add_argument_group("Kubernetes runner")
    k8s.add_argument("--kubectl", default="kubectl", help="the kubectl command (default: kubectl on PATH)")
    k8s.add_argument("--context", help="kubeconfig context")
    k8s.add_argument("-n", "--namespace", default="nperf", help="namespace of the nperf servers (default nperf)")
    k8s.add_argument("--remote-nperf", default="/usr/bin/nperf", help="nperf's path in the image (default /usr/bin/nperf)")
    ns = p.add_argument_group("namespace runner")
    ns.add_argument("--endpoints", metavar="FILE", help="JSON list of nodes, their pods and network namespaces")
    ns.add_argument("--nperf", default="nperf", help="the nperf binary to run in the namespaces (default: nperf on PATH)")
    return p


def parse_labels(texts):
    labels = []
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not LABEL_RE.fullmatch(key):
            raise PlanError(f"--label {text!r}: expected KEY=VALUE with a KEY of letters, digits, _ . -")
        if key in FIELDS or key in (k for k, _ in labels):
            raise PlanError(f"--label {key}: the CSV already has a column {key}")
        labels.append((key, value))
    return labels


def split_argv(argv):
    """(mesh arguments, nperf arguments): nperf's come after the first `--`."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def make_runner(a):
    only = a.nodes.split(",") if a.nodes else None
    if a.runner == "netns":
        if not a.endpoints:
            raise PlanError("--runner netns needs --endpoints FILE")
        return NetnsRunner(a.endpoints, a.nperf, only)
    return KubernetesRunner(a.kubectl, a.namespace, a.context, remote_nperf=a.remote_nperf, only_nodes=only)


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv=None, stdout=sys.stdout, stderr=sys.stderr):
    mesh_argv, nperf_args = split_argv(sys.argv[1:] if argv is None else argv)
    a = parser().parse_args(mesh_argv)
    try:
        if not a.out and not a.dry_run:
            raise PlanError("--out DIR is required (or --dry-run)")
        if a.concurrency < 1:
            raise PlanError("--concurrency must be at least 1")
        check_nperf_args(nperf_args)
        options = Options(paths=parse_paths(a.paths), nperf_args=nperf_args, out=a.out, port=a.port,
                          labels=parse_labels(a.label), concurrency=a.concurrency,
                          include_self=a.include_self, dry_run=a.dry_run, retry_failed=a.retry_failed,
                          test_timeout=a.test_timeout)
        signal.signal(signal.SIGTERM, _terminate)
        return run_mesh(options, make_runner(a), stdout, stderr)
    except (PlanError, EndpointError, RunnerError, TableError, OSError) as e:
        print(f"nperf-mesh: {e}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nperf-mesh: interrupted", file=stderr)
        return EXIT_INTERRUPTED
