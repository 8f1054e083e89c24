"""Which tests a mesh runs, in which order, and the nperf command of each.

Pure: no processes, no files. A test is one ordered pair of nodes on one path;
the plan's order is the order of the CSV rows, so an interrupted run and an
uninterrupted one write the same table.
"""
import dataclasses
import re

# source side -> destination side. "pod->node": a client in the source node's
# pod tests the destination node's host-network server.
PATHS = {
    "node->node": ("node", "node"),
    "pod->node": ("pod", "node"),
    "node->pod": ("node", "pod"),
    "pod->pod": ("pod", "pod"),
}

# Options the mesh sets itself (or that would break reading -J); the rest of
# the command line goes to every test unchanged.
RESERVED_OPTIONS = {
    "-c", "--client", "-s", "--server", "-J", "--json", "--json-stream", "--csv",
    "-p", "--port", "--logfile", "-D", "--daemon", "-1", "--one-off", "-I", "--pidfile",
    "-h", "--help", "-v", "--version", "--check",
}
DEFAULT_SECONDS = 10
# Beyond the test's own duration: connecting (nperf's default 10 s connect
# timeout), the results exchange, and kubectl exec's start-up.
TIMEOUT_MARGIN_S = 30
# With -n or -k the duration is not known in advance.
TIMEOUT_BY_VOLUME_S = 300


class PlanError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Test:
    index: int     # position in the plan (0-based)
    path: str      # a key of PATHS
    source: object       # endpoints.Endpoint
    destination: object  # endpoints.Endpoint

    @property
    def key(self):
        """What identifies a test across runs (addresses may change)."""
        return (self.path, self.source.node, self.destination.node)


_PATH_RE = re.compile(r"(node|pod)\s*(?:->|-|→|2)\s*(node|pod)")


def parse_paths(text):
    """"node->pod,pod-pod", "node→node" or "all" -> canonical names, in PATHS order."""
    if text.strip() == "all":
        return list(PATHS)
    asked = []
    for word in text.split(","):
        match = _PATH_RE.fullmatch(word.strip())
        name = f"{match.group(1)}->{match.group(2)}" if match else None
        if name not in PATHS:
            raise PlanError(f"unknown path '{word}': use node->node, pod->node, node->pod, pod->pod or all")
        if name not in asked:
            asked.append(name)
    return [p for p in PATHS if p in asked]


def check_nperf_args(args):
    """Refuses the options the mesh sets itself, by name."""
    for arg in args:
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in RESERVED_OPTIONS:
            raise PlanError(f"nperf option {name} is set by nperf-mesh itself (-c, -p, -J), "
                            "or would stop it reading -J; leave it out")


def directions(args):
    """The data directions every test of these nperf options measures."""
    if "--bidir" in args:
        return ["forward", "reverse"]
    if "-R" in args or "--reverse" in args:
        return ["reverse"]
    return ["forward"]


def test_timeout(args):
    """Seconds a test may take before the mesh kills it: -t plus -O plus a
    margin, or a fixed bound when -n/-k make the duration unknown."""
    seconds, omit = DEFAULT_SECONDS, 0
    for i, arg in enumerate(args):
        value = args[i + 1] if i + 1 < len(args) else ""
        if arg in ("-n", "--bytes", "-k", "--blockcount") or arg.startswith(("--bytes=", "--blockcount=")):
            return TIMEOUT_BY_VOLUME_S
        if arg in ("-t", "--time") or arg.startswith("--time="):
            seconds = _number(arg.split("=", 1)[1] if "=" in arg else value, seconds)
        if arg in ("-O", "--omit") or arg.startswith("--omit="):
            omit = _number(arg.split("=", 1)[1] if "=" in arg else value, 0)
    if seconds == 0:  # -t 0: endless; the mesh still bounds it
        return TIMEOUT_BY_VOLUME_S
    return int(seconds + omit + TIMEOUT_MARGIN_S)


def _number(text, fallback):
    try:
        return float(text)
    except ValueError:
        return fallback


def plan_tests(nodes, paths, include_self=False):
    """Every ordered pair of nodes on every asked path: paths in the asked
    order, then sources, then destinations, both in the nodes' order."""
    tests = []
    for path in paths:
        src_side, dst_side = PATHS[path]
        for src in nodes:
            for dst in nodes:
                if src.name == dst.name and not include_self:
                    continue
                tests.append(Test(len(tests), path, src.side(src_side), dst.side(dst_side)))
    return tests


def nperf_client_args(test, port, user_args):
    """The nperf arguments of one test (the runner puts them after its own
    command: kubectl exec ... -- or ip netns exec ...)."""
    return ["-c", test.destination.address, "-p", str(port), "-J", *user_args]
