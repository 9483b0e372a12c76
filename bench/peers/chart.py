"""chart.svg: each peer's median time normalised to dlc's (dlc = 1), log scale, by hand.

One panel per thread setting; one group per model × batch; one bar per peer, drawn from the
dlc = 1 line up (the peer is slower than dlc) or down (faster). A peer without a checked time
(failed, wrong) gets an "×" at the line. Self-contained SVG: no fonts, scripts or images
beyond the SVG itself. Deliberately not here: the numbers (report.py decides what is shown).
"""

import math
from xml.sax.saxutils import escape

COLORS = {"jax": "#4c78a8", "ort": "#f58518", "openvino": "#54a24b", "tvm": "#b279a2",
          "tvm-tuned": "#e45756"}
BAR, GAP, LEFT, RIGHT, PANEL_H, TOP, MIN_WIDTH = 12, 18, 70, 150, 260, 40, 760


def _panel(out, y0, title, groups, peers, lo, hi):
    """groups: [(label, {peer: ratio or None})]."""
    height = PANEL_H - 70
    def y_of(v):
        return y0 + 30 + height * (math.log10(hi) - math.log10(v)) / (math.log10(hi) - math.log10(lo))
    width = len(groups) * (len(peers) * BAR + GAP)
    out.append(f'<text x="{LEFT}" y="{y0 + 18}" font-size="14" font-weight="bold">'
               f'{escape(title)}</text>')
    for e in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1):
        v = 10.0 ** e
        if lo <= v <= hi:
            y = y_of(v)
            out.append(f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{y:.1f}" y2="{y:.1f}" '
                       f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
                       f'text-anchor="end">{v:g}×</text>')
    one = y_of(1.0)
    out.append(f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{one:.1f}" y2="{one:.1f}" '
               f'stroke="#000" stroke-width="1.5"/>')
    out.append(f'<text x="{LEFT + width + 4}" y="{one + 4:.1f}" font-size="11">dlc = 1</text>')
    for g, (label, ratios) in enumerate(groups):
        x0 = LEFT + g * (len(peers) * BAR + GAP) + GAP / 2
        for p, peer in enumerate(peers):
            x = x0 + p * BAR
            ratio = ratios.get(peer)
            if ratio is None:
                if peer in ratios:
                    out.append(f'<text x="{x + BAR / 2:.1f}" y="{one + 4:.1f}" font-size="11" '
                               f'text-anchor="middle" fill="{COLORS[peer]}">×</text>')
                continue
            y = y_of(min(max(ratio, lo), hi))
            top, h = min(y, one), max(abs(y - one), 1.0)
            out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{BAR - 2}" height="{h:.1f}" '
                       f'fill="{COLORS[peer]}"><title>{escape(peer)} {escape(label)}: '
                       f'{ratio:.3g}× dlc time</title></rect>')
        cx = x0 + len(peers) * BAR / 2
        out.append(f'<text x="{cx:.1f}" y="{y0 + PANEL_H - 28}" font-size="11" '
                   f'text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text x="{LEFT + width / 2:.1f}" y="{y0 + PANEL_H - 12}" font-size="11" '
               f'text-anchor="middle">model and batch</text>')
    out.append(f'<text transform="translate(16,{y0 + 30 + height / 2:.0f}) rotate(-90)" '
               f'font-size="11" text-anchor="middle">peer time / dlc time (log)</text>')
    return width


def svg(panels, peers):
    """panels: [(title, groups)]; returns the SVG text."""
    ratios = [r for _, groups in panels for _, rs in groups for r in rs.values() if r]
    lo = 10.0 ** math.floor(math.log10(min(ratios + [0.5])))
    hi = 10.0 ** math.ceil(math.log10(max(ratios + [2.0])))
    body = []
    width = 0
    for i, (title, groups) in enumerate(panels):
        width = max(width, _panel(body, TOP + i * PANEL_H, title, groups, peers, lo, hi))
    total_w, total_h = max(LEFT + width + RIGHT, MIN_WIDTH), TOP + len(panels) * PANEL_H
    legend_x = LEFT + width + 60
    for i, peer in enumerate(peers):
        y = TOP + 30 + i * 18
        body.append(f'<rect x="{legend_x}" y="{y - 10}" width="12" height="12" '
                    f'fill="{COLORS[peer]}"/><text x="{legend_x + 16}" y="{y}" '
                    f'font-size="12">{escape(peer)}</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}" height="{total_h}" '
            f'viewBox="0 0 {total_w:.0f} {total_h}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<text x="{LEFT}" y="22" font-size="15">Median time of each peer relative to dlc '
            f'(above the line: dlc is faster; × = failed or wrong)</text>')
    return head + "".join(body) + "</svg>\n"
