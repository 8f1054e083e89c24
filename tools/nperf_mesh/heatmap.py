"""The mesh as one SVG picture, written as text (no plotting library): a
heatmap per path and direction, sources down, destinations across. A cell's
colour is its received rate on one scale for the whole picture; its text is
the rate and the verdict's code; cells where data was lost or the test
failed get a red frame. Hovering a cell shows the full verdict."""
from xml.sax.saxutils import escape

from .matrix import VERDICT_CODES, cell_text, panels, rate_unit, verdict_code

CELL_H = 40
MIN_CELL_W = 84
MAX_NAME_CHARS = 24
CHAR_W = 7.0      # a generous width of one 12 px sans-serif character
GAP = 28
MARGIN = 16
# Low rate dark, high rate bright (viridis, five stops): readable in grey too.
STOPS = [(0.0, (0x44, 0x01, 0x54)), (0.25, (0x3b, 0x52, 0x8b)), (0.5, (0x21, 0x91, 0x8c)),
         (0.75, (0x5e, 0xc9, 0x62)), (1.0, (0xfd, 0xe7, 0x25))]
LOSS_VERDICTS = {"network-limited", "receiver-buffer-overflow", "failed"}
ARROW = {"node->node": "node → node", "pod->node": "pod → node", "node->pod": "node → pod", "pod->pod": "pod → pod"}


def colour(fraction):
    fraction = min(max(fraction, 0.0), 1.0)
    for (x0, c0), (x1, c1) in zip(STOPS, STOPS[1:]):
        if fraction <= x1:
            t = (fraction - x0) / (x1 - x0)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1))
    return "#fde725"


def _short(name):
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def _rate(row):
    try:
        return float(row["rate_bps"]) if row and row["status"] == "ok" else 0.0
    except (TypeError, ValueError):
        return 0.0


class _Canvas:
    def __init__(self):
        self.parts = []

    def text(self, x, y, s, size=12, anchor="start", weight="normal", fill="#000"):
        self.parts.append(f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" '
                          f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')

    def rect(self, x, y, w, h, fill, stroke="#fff", stroke_width=1, tip=None):
        title = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="{stroke_width}">{title}</rect>')


def render(rows, subtitle=""):
    """The SVG document (a str) for these CSV rows."""
    unit, scale = rate_unit(rows)
    top = max((_rate(r) for r in rows), default=0.0) or 1.0
    all_panels = panels(rows)
    names = all_panels[0][2] if all_panels else []
    label_w = max([len(_short(n)) for n in names] + [6]) * CHAR_W + 12
    cell_w = max(MIN_CELL_W, max([len(_short(n)) for n in names] + [0]) * CHAR_W + 12)
    panel_w = label_w + cell_w * len(names)
    panel_h = 44 + CELL_H * len(names)
    columns = 2 if len(all_panels) > 1 else 1
    canvas = _Canvas()
    canvas.text(MARGIN, 24, f"nperf-mesh: received rate per source × destination ({unit})", size=16, weight="bold")
    canvas.text(MARGIN, 42, subtitle, size=12, fill="#444")
    y0 = 60
    for i, panel in enumerate(all_panels):
        x = MARGIN + (i % columns) * (panel_w + GAP)
        y = y0 + (i // columns) * (panel_h + GAP)
        _panel(canvas, panel, x, y, label_w, cell_w, top, scale)
    rows_of_panels = (len(all_panels) + columns - 1) // columns
    legend_y = y0 + rows_of_panels * (panel_h + GAP)
    width = max(MARGIN * 2 + columns * panel_w + (columns - 1) * GAP, 560)
    height = _legend(canvas, rows, MARGIN, legend_y, top / scale, unit, width - 2 * MARGIN)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" font-family="DejaVu Sans, Arial, sans-serif">\n'
            f'<rect width="100%" height="100%" fill="#fff"/>\n')
    return head + "\n".join(canvas.parts) + "\n</svg>\n"


def _panel(canvas, panel, x, y, label_w, cell_w, top, scale):
    path, direction, sources, destinations, cells = panel
    arrow = ARROW.get(path, path)
    canvas.text(x, y + 14, f"{arrow}  ({'data source → destination' if direction == 'forward' else 'reverse: destination → source'})",
                size=13, weight="bold")
    canvas.text(x + label_w - 8, y + 36, "from \\ to", size=11, anchor="end", fill="#888")
    for j, dst in enumerate(destinations):
        canvas.text(x + label_w + j * cell_w + cell_w / 2, y + 36, _short(dst), anchor="middle", fill="#333")
    for i, src in enumerate(sources):
        cy = y + 44 + i * CELL_H
        canvas.text(x + label_w - 8, cy + CELL_H / 2 + 4, _short(src), anchor="end", fill="#333")
        for j, dst in enumerate(destinations):
            _cell(canvas, cells.get((src, dst)), x + label_w + j * cell_w, cy, cell_w, top, scale,
                  f"{src} → {dst}, {arrow}, {direction}")


def _cell(canvas, row, x, y, w, top, scale, where):
    if row is None:
        canvas.rect(x, y, w, CELL_H, "#f2f2f2")
        canvas.text(x + w / 2, y + CELL_H / 2 + 4, "–", anchor="middle", fill="#999")
        return
    failed = row["status"] != "ok"
    fraction = _rate(row) / top
    fill = "#d9d9d9" if failed else colour(fraction)
    lossy = row["verdict"] in LOSS_VERDICTS or failed
    tip = f"{where}: " + (f"failed: {row['error']}" if failed else
                          f"{cell_text(row, scale)}; {row['verdict']}: {row['verdict_reason']}")
    canvas.rect(x + 1, y + 1, w - 2, CELL_H - 2, fill, stroke="#d62728" if lossy else "#fff",
                stroke_width=3 if lossy else 1, tip=tip)
    ink = "#fff" if fraction < 0.6 and not failed else "#000"
    if failed:
        canvas.text(x + w / 2, y + CELL_H / 2 + 4, "FAIL", anchor="middle", weight="bold", fill="#d62728")
        return
    canvas.text(x + w / 2, y + 17, f"{_rate(row) / scale:.2f}", anchor="middle", weight="bold", fill=ink)
    canvas.text(x + w / 2, y + 32, verdict_code(row["verdict"]), size=11, anchor="middle", fill=ink)


def _legend(canvas, rows, x, y, top_value, unit, width):
    """A colour bar from 0 to the highest rate, the verdict codes in use and
    what the red frame means. Returns the picture's height."""
    steps = 40
    bar_w = min(320, width)
    for k in range(steps):
        canvas.rect(x + k * bar_w / steps, y, bar_w / steps + 0.5, 12, colour(k / (steps - 1)), stroke="none", stroke_width=0)
    canvas.text(x, y + 26, "0", size=11)
    canvas.text(x + bar_w, y + 26, f"{top_value:.2f} {unit}", size=11, anchor="end")
    used = sorted({r["verdict"] for r in rows if r["verdict"]})
    codes = ", ".join(f"{VERDICT_CODES.get(v, v[:4])} = {v}" for v in used)
    canvas.text(x, y + 46, f"verdicts: {codes}" if codes else "verdicts: none reported", size=11)
    canvas.text(x, y + 62, "red frame: data lost on the way or at the receiver, or the test failed", size=11)
    return y + 62 + MARGIN
