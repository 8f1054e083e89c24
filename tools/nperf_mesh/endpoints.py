"""The nodes of a mesh and the two places on each that a test can start from
or go to: the node's own network ("node" side) and its pod network ("pod"
side)."""
import dataclasses
import json

SIDES = ("node", "pod")


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One end of a test: where a client runs when it is the source, and
    where the server listens when it is the destination."""
    node: str      # the node's name
    side: str      # "node" or "pod"
    pod: str       # the pod (Kubernetes) or network namespace the client runs in
    address: str   # the server's address on this side


@dataclasses.dataclass(frozen=True)
class Node:
    name: str
    node: Endpoint
    pod: Endpoint

    def side(self, side):
        return self.node if side == "node" else self.pod


class EndpointError(ValueError):
    pass


def load_endpoints_file(path):
    """Reads the plain list of endpoints (the namespace runner's cluster):

    {"nodes": [{"name": "node1", "address": "198.18.160.11", "netns": "ns-node1",
                "pod": {"name": "pod1", "address": "198.19.161.2", "netns": "ns-pod1"}}, ...]}

    Returns [(Node, {"node": netns, "pod": netns})] in file order."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise EndpointError(f"endpoints file {path}: {e}") from None
    entries = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise EndpointError(f"endpoints file {path}: no \"nodes\" list")
    return [_node_from_entry(e, f"{path}: nodes[{i}]") for i, e in enumerate(entries)]


def _node_from_entry(entry, where):
    try:
        name, pod = entry["name"], entry["pod"]
        node_ep = Endpoint(name, "node", entry.get("netns", name), entry["address"])
        pod_ep = Endpoint(name, "pod", pod["name"], pod["address"])
        netns = {"node": entry["netns"], "pod": pod["netns"]}
    except (KeyError, TypeError) as e:
        raise EndpointError(f"{where}: missing {e}") from None
    return Node(name, node_ep, pod_ep), netns
