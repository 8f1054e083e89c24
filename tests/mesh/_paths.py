"""Lets the tests import tools/nperf_mesh, and names their data."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
TOOLS = os.path.join(REPO, "tools")
DATA = os.path.join(HERE, "data")
MESH = os.path.join(TOOLS, "nperf-mesh")
sys.path.insert(0, TOOLS)
sys.dont_write_bytecode = True


def data(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read()


def three_nodes():
    from nperf_mesh.endpoints import Endpoint, Node
    return [Node(f"n{i}", Endpoint(f"n{i}", "node", f"host-{i}", f"198.18.160.1{i}"),
                 Endpoint(f"n{i}", "pod", f"pod-{i}", f"198.19.16{i}.2")) for i in (1, 2, 3)]
