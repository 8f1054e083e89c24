"""The mesh as matrices of text: one per path and direction, sources down,
destinations across, each cell the received rate and a short verdict code.
Shared by the text output and the SVG heatmap."""
from .plan import PATHS

VERDICT_CODES = {
    "rate-limited": "rate",
    "sender-CPU-bound": "sCPU",
    "receiver-CPU-bound": "rCPU",
    "receiver-window-limited": "rwnd",
    "send-buffer-limited": "sbuf",
    "network-limited": "net",
    "receiver-buffer-overflow": "rbuf",
    "undetermined": "?",
    "failed": "FAIL",
}


def verdict_code(verdict):
    return VERDICT_CODES.get(verdict, verdict[:4])


def panels(rows):
    """[(path, direction, sources, destinations, {(src, dst): row})] for every
    path and direction present, in the plan's order (PATHS, forward first)."""
    nodes = []
    for row in rows:
        for name in (row["source_node"], row["destination_node"]):
            if name not in nodes:
                nodes.append(name)
    result = []
    for path in PATHS:
        for direction in ("forward", "reverse"):
            cells = {(r["source_node"], r["destination_node"]): r for r in rows
                     if r["path"] == path and r["direction"] == direction}
            if cells:
                result.append((path, direction, nodes, nodes, cells))
    return result


def rate_unit(rows):
    """("Gbit/s", 1e9) when any rate reaches 1 Gbit/s, else Mbit/s."""
    top = max((_rate(r) for r in rows), default=0.0)
    return ("Gbit/s", 1e9) if top >= 1e9 else ("Mbit/s", 1e6)


def cell_text(row, scale):
    if row is None:
        return "-"
    if row["status"] != "ok":
        return "FAIL"
    code = verdict_code(row["verdict"])
    return f"{_rate(row) / scale:.2f} {code}".rstrip()


def _rate(row):
    try:
        return float(row["rate_bps"])
    except (TypeError, ValueError, KeyError):
        return 0.0


def render(rows):
    """The text on stdout after a run."""
    unit, scale = rate_unit(rows)
    out = []
    for path, direction, sources, destinations, cells in panels(rows):
        out.append(f"{path} ({direction}: received {unit}, verdict)")
        table = [["source \\ destination", *destinations]]
        for src in sources:
            table.append([src] + [cell_text(cells.get((src, dst)), scale) for dst in destinations])
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            out.append("  ".join(text.ljust(w) if i == 0 else text.rjust(w)
                                 for i, (text, w) in enumerate(zip(line, widths))).rstrip())
        out.append("")
    failed = sum(1 for r in rows if r["status"] != "ok")
    out.append(f"{len(rows)} rows, {len(rows) - failed} measured, {failed} failed")
    used = sorted({verdict_code(r["verdict"]) + " " + r["verdict"] for r in rows if r["verdict"]})
    if used:
        out.append("verdicts: " + ", ".join(f"{code}={name}" for code, name in (u.split(" ", 1) for u in used)))
    return "\n".join(out) + "\n"
