#!/usr/bin/python3
"""The assertions of mesh_e2e.sh, on what nperf-mesh wrote.

  check_mesh_e2e.py full DIR STDOUT_FILE CAP_MBIT
  check_mesh_e2e.py resumed DIR ROWS_BEFORE_RESUME_CSV FULL_DIR
"""
import csv
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from nperf_mesh.results import FIELDS  # noqa: E402

NODES = ["node1", "node2", "node3"]
PATHS = ["node->node", "pod->node", "node->pod", "pod->pod"]
LABELS = ["run", "slow"]
SLOW = ("node3", "node2")
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        check(reader.fieldnames == FIELDS + LABELS, f"{path}: header {reader.fieldnames}")
        return list(reader)


def key(row):
    return (row["path"], row["source_node"], row["destination_node"], row["direction"])


def check_rows(rows, directory, paths):
    expected = [(p, s, d, "forward") for p in paths for s in NODES for d in NODES if s != d]
    check([key(r) for r in rows] == expected, f"rows {[key(r) for r in rows]} are not every pair in plan order")
    for r in rows:
        where = "/".join(key(r))
        check(r["status"] == "ok" and float(r["rate_bps"] or 0) > 0, f"{where}: {r['status']} {r['rate_bps']} {r['error']}")
        check(r["run"] == "e2e" and r["slow"] == "node3-node2", f"{where}: label columns {r['run']} {r['slow']}")
        with open(os.path.join(directory, r["json"])) as f:
            check("sum_received" in json.load(f)["end"], f"{where}: {r['json']} is not nperf's -J")
        side = r["path"].split("->")[0]
        check(r["source_address"].startswith("198.19.16" if side == "pod" else "198.18.160."),
              f"{where}: client address {r['source_address']} is not on its {side} side")


def full(directory, stdout_file, cap_mbit):
    rows = read_csv(os.path.join(directory, "results.csv"))
    check_rows(rows, directory, PATHS)
    slow = [r for r in rows if (r["source_node"], r["destination_node"]) == SLOW]
    fast = [r for r in rows if (r["source_node"], r["destination_node"]) != SLOW]
    cap = float(cap_mbit) * 1e6
    slowest_fast = min(float(r["rate_bps"]) for r in fast)
    fastest_slow = max(float(r["rate_bps"]) for r in slow)
    for r in slow:
        check(float(r["rate_bps"]) <= cap * 1.05, f"slow {r['path']}: {r['rate_bps']} bit/s above the {cap_mbit} Mbit/s cap")
        check(r["verdict"] == "network-limited", f"slow {r['path']}: verdict {r['verdict']} ({r['verdict_reason']})")
    check(slowest_fast >= 2 * fastest_slow,
          f"the slow pair does not stand out: other cells from {slowest_fast:.0f} bit/s, slow up to {fastest_slow:.0f}")
    print(f"slow pair {SLOW[0]}->{SLOW[1]}: up to {fastest_slow / 1e6:.0f} Mbit/s, network-limited; "
          f"every other cell at least {slowest_fast / 1e6:.0f} Mbit/s")
    check_matrix(open(stdout_file).read())
    check_svg(os.path.join(directory, "heatmap.svg"), len(rows))


def check_matrix(text):
    """In every path's matrix, node3's row has node2's cell marked "net"."""
    blocks = [b for b in text.split("\n\n") if "->" in b.split("\n", 1)[0]]
    check(len(blocks) == 4, f"{len(blocks)} matrices on stdout, not 4")
    for block in blocks:
        lines = block.splitlines()
        header = re.split(r"\s{2,}", lines[1])  # columns are at least two spaces apart
        cells = re.split(r"\s{2,}", next(l for l in lines if l.startswith("node3")))
        check(cells[header.index("node2")].endswith(" net"), f"{lines[0]}: node3's row is {cells}")


def check_svg(path, cells):
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    check(root.tag == ns + "svg", f"{path}: root element {root.tag}")
    texts = [t.text for t in root.iter(ns + "text")]
    for arrow in ("node → node", "pod → node", "node → pod", "pod → pod"):
        check(any(t and t.startswith(arrow) for t in texts), f"{path}: no {arrow} panel")
    tips = [t.text for t in root.iter(ns + "title")]
    check(len(tips) == cells, f"{path}: {len(tips)} cells, not {cells}")
    check(sum("network-limited" in t for t in tips) >= 4, f"{path}: the slow cells are not marked")


def resumed(directory, before_csv, full_dir):
    rows = read_csv(os.path.join(directory, "results.csv"))
    check_rows(rows, directory, ["node->node", "pod->pod"])
    before = read_csv(before_csv)
    check(0 < len(before) < len(rows), f"the kill came after {len(before)} of {len(rows)} rows: nothing to resume")
    by_key = {key(r): r for r in rows}
    for r in before:
        check(by_key.get(key(r)) == r, f"row {key(r)} changed on resume: {r} -> {by_key.get(key(r))}")
    reference = [key(r) for r in read_csv(os.path.join(full_dir, "results.csv")) if r["path"] in ("node->node", "pod->pod")]
    check([key(r) for r in rows] == reference, "the resumed table's rows differ from an uninterrupted run's")
    print(f"resumed: {len(before)} rows kept from the killed run, {len(rows) - len(before)} run after; "
          f"same {len(rows)} rows as an uninterrupted run")


if __name__ == "__main__":
    {"full": full, "resumed": resumed}[sys.argv[1]](*sys.argv[2:])
    for p in problems:
        print("FAIL", p)
    sys.exit(1 if problems else 0)
