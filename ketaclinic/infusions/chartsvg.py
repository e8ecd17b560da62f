"""The live chart at the chair as one server-rendered SVG (pure: numpy only, no Django).

Four stacked panels on one time axis (minutes from the first pump start): blood pressure and
heart rate with the clinic's numeric threshold lines; SpO2 on its own scale; the pump rate as
a step line; the predicted plasma and effect-site concentration from what was charted, with
the plan's plasma curve dashed beside it. A vertical "now" line crosses all four.

Inline ``<svg>`` in the page: the strict CSP (``style-src 'self'``) forbids ``style``
attributes, so everything is drawn with presentation attributes (``stroke``, ``fill``,
``stroke-dasharray``), and every series differs by its dash or marker as well as its colour
(Okabe-Ito palette, safe for colour-blind readers). ``<title>``/``<desc>`` carry the text
summary; the flowsheet table is the full alternative. All text is XML-escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH = 720.0
LEFT = 56.0
RIGHT = 16.0
PLOT_W = WIDTH - LEFT - RIGHT

SYSTOLIC = "#d55e00"
DIASTOLIC = "#8a5a00"
HEART_RATE = "#0072b2"
SPO2 = "#009e73"
RATE = "#6b3fa0"
PLASMA = "#0072b2"
EFFECT = "#009e73"
PLAN = "#4a5568"
THRESHOLD = "#a01422"
NOW = "#1a2230"
GRID = "#d3d9e1"
TEXT = "#1a2230"


@dataclass(frozen=True)
class VitalsPoint:
    """One non-struck reading: minutes from the start (negative: a baseline before it)."""

    t_min: float
    systolic_mmhg: int
    diastolic_mmhg: int
    heart_rate_bpm: int
    spo2_percent: int
    label: str = ""  # the clinic time, for the point's tooltip


@dataclass(frozen=True)
class ThresholdLine:
    """A numeric rule drawn as a horizontal line: ``measure`` one of systolic, diastolic,
    heart_rate (the BP/HR panel) or spo2 (its own panel)."""

    measure: str
    value: float
    label: str


@dataclass(frozen=True)
class Curves:
    """Predicted ng/mL on ``times_min``; ``plan_plasma`` the plan's (dashed), if any."""

    times_min: np.ndarray
    plasma: np.ndarray
    effect: np.ndarray | None
    plan_plasma: np.ndarray | None
    analyte_label: str = ""


@dataclass(frozen=True)
class _Panel:
    top: float
    height: float
    lo: float
    hi: float

    def y(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        v = min(max(value, self.lo), self.hi)
        return self.top + self.height * (1 - (v - self.lo) / span)


def _f(v: float) -> str:
    return f"{v:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= value:
            return m * exp
    return 10 * exp


def _x_range(
    vitals: Sequence[VitalsPoint], curves: Curves | None, now_min: float | None
) -> tuple[float, float]:
    lo = min([0.0, *(p.t_min for p in vitals)])
    lo = max(lo, -30.0)  # a baseline long before the start does not squash the infusion
    hi = 60.0
    if curves is not None and len(curves.times_min):
        hi = float(curves.times_min[-1])
    hi = max([hi, *(p.t_min for p in vitals), now_min or 0.0, lo + 10])
    return lo, hi


class _Canvas:
    def __init__(self, lo: float, hi: float) -> None:
        self.lo, self.hi = lo, hi
        self.parts: list[str] = []

    def x(self, t: float) -> float:
        return LEFT + PLOT_W * (min(max(t, self.lo), self.hi) - self.lo) / (self.hi - self.lo)

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, anchor: str = "start", size: int = 12) -> None:
        self.add(
            f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" fill="{TEXT}" '
            f'text-anchor="{anchor}">{escape(s)}</text>'
        )

    def frame(self, p: _Panel, title: str, ticks: Sequence[float], unit: str) -> None:
        self.text(LEFT, p.top - 6, title, size=13)
        for v in ticks:
            y = p.y(v)
            self.add(
                f'<line x1="{_f(LEFT)}" x2="{_f(WIDTH - RIGHT)}" y1="{_f(y)}" y2="{_f(y)}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            self.text(LEFT - 6, y + 4, f"{v:g}", anchor="end", size=11)
        self.add(
            f'<rect x="{_f(LEFT)}" y="{_f(p.top)}" width="{_f(PLOT_W)}" height="{_f(p.height)}" '
            f'fill="none" stroke="#6b7586" stroke-width="1"/>'
        )
        if unit:
            self.text(4, p.top + p.height / 2, unit, size=11)

    def polyline(
        self, pts: Sequence[tuple[float, float]], color: str, *, dash: str = "", width: float = 2
    ) -> None:
        if len(pts) < 2:
            return
        d = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="{width}"'
            f'{extra} stroke-linejoin="round"/>'
        )

    def marker(self, x: float, y: float, shape: str, color: str, tip: str) -> None:
        if shape == "up":
            d = f"M{_f(x)} {_f(y - 5)} L{_f(x + 5)} {_f(y + 4)} L{_f(x - 5)} {_f(y + 4)} Z"
            body = f'<path d="{d}" fill="{color}"'
        elif shape == "down":
            d = f"M{_f(x)} {_f(y + 5)} L{_f(x + 5)} {_f(y - 4)} L{_f(x - 5)} {_f(y - 4)} Z"
            body = f'<path d="{d}" fill="{color}"'
        else:
            body = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="#ffffff" stroke="{color}"'
            body += ' stroke-width="2"'
        self.add(f"{body}><title>{escape(tip)}</title></{'path' if shape != 'dot' else 'circle'}>")

    def legend(self, y: float, items: Sequence[tuple[str, str, str]]) -> None:
        """``items``: (label, colour, dash) from the right edge leftwards."""
        x = WIDTH - RIGHT
        for label, color, dash in reversed(items):
            w = 7.0 * len(label) + 30
            x -= w
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            self.add(
                f'<line x1="{_f(x)}" x2="{_f(x + 20)}" y1="{_f(y - 4)}" y2="{_f(y - 4)}" '
                f'stroke="{color}" stroke-width="2"{extra}/>'
            )
            self.text(x + 24, y, label, size=11)


def _series(c: _Canvas, p: _Panel, t: np.ndarray, v: np.ndarray) -> list[tuple[float, float]]:
    step = max(1, len(t) // 400)  # at most ~400 vertices a curve
    return [(c.x(float(a)), p.y(float(b))) for a, b in zip(t[::step], v[::step], strict=False)]


def live_chart_svg(
    *,
    chart_id: str,
    title: str,
    desc: str,
    vitals: Sequence[VitalsPoint],
    thresholds: Sequence[ThresholdLine] = (),
    segments: Sequence[tuple[float, float, float]] = (),
    curves: Curves | None = None,
    now_min: float | None = None,
) -> str:
    """The SVG markup (to put inline in the page).

    Parameters
    ----------
    chart_id : str
        Prefix of the element ids (unique in the page).
    title, desc : str
        Accessible name and the text summary.
    vitals : sequence of VitalsPoint
        Readings, minutes from the start.
    thresholds : sequence of ThresholdLine
        The clinic's numeric rules (mmHg, bpm or %).
    segments : sequence of (start_min, end_min, rate_ml_per_h)
        The pump as charted, pauses at 0 mL/h.
    curves : Curves, optional
        The predicted concentrations in ng/mL.
    now_min : float, optional
        Where the "now" line goes.
    """
    lo, hi = _x_range(vitals, curves, now_min)
    c = _Canvas(lo, hi)
    top_v = max([200.0, *(p.systolic_mmhg + 10.0 for p in vitals)])
    top_v = max([top_v, *(t.value + 10 for t in thresholds if t.measure != "spo2")])
    bp = _Panel(36, 200, 40, _nice_max(top_v))
    low_spo2 = min([88.0, *(p.spo2_percent - 2.0 for p in vitals)])
    low_spo2 = min([low_spo2, *(t.value - 2 for t in thresholds if t.measure == "spo2")])
    sp = _Panel(268, 60, math.floor(low_spo2), 100)
    max_rate = max([1.0, *(r for _, _, r in segments)])
    pu = _Panel(360, 44, 0, _nice_max(max_rate * 1.1))
    conc_values = [1.0]
    if curves is not None:
        conc_values += [float(np.max(curves.plasma))] if len(curves.plasma) else []
        for extra in (curves.effect, curves.plan_plasma):
            if extra is not None and len(extra):
                conc_values.append(float(np.max(extra)))
    co = _Panel(440, 160, 0, _nice_max(max(conc_values) * 1.05))
    height = co.top + co.height + 44

    # Panel 1: blood pressure and heart rate.
    c.frame(bp, "Blood pressure (mmHg) and heart rate (/min)", _ticks(bp.lo, bp.hi, 5), "")
    c.legend(bp.top - 6, [("systolic", SYSTOLIC, ""), ("diastolic", DIASTOLIC, "6 3"),
                          ("heart rate", HEART_RATE, "2 2")])  # fmt: skip
    for th in thresholds:
        panel = sp if th.measure == "spo2" else bp
        y = panel.y(th.value)
        c.add(
            f'<line x1="{_f(LEFT)}" x2="{_f(WIDTH - RIGHT)}" y1="{_f(y)}" y2="{_f(y)}" '
            f'stroke="{THRESHOLD}" stroke-width="1.5" stroke-dasharray="8 4">'
            f"<title>{escape(th.label)}</title></line>"
        )
        c.text(WIDTH - RIGHT - 4, y - 4, th.label, anchor="end", size=11)
    pts = sorted(vitals, key=lambda p: p.t_min)
    for attr, color, dash, shape in (
        ("systolic_mmhg", SYSTOLIC, "", "up"),
        ("diastolic_mmhg", DIASTOLIC, "6 3", "down"),
        ("heart_rate_bpm", HEART_RATE, "2 2", "dot"),
    ):
        c.polyline([(c.x(p.t_min), bp.y(getattr(p, attr))) for p in pts], color, dash=dash)
        for p in pts:
            tip = (
                f"{p.label} BP {p.systolic_mmhg}/{p.diastolic_mmhg} mmHg, "
                f"HR {p.heart_rate_bpm}/min, SpO2 {p.spo2_percent} %"
            )
            c.marker(c.x(p.t_min), bp.y(getattr(p, attr)), shape, color, tip.strip())

    # Panel 2: SpO2.
    c.frame(sp, "SpO2 (%)", _ticks(sp.lo, sp.hi, 3), "")
    c.polyline([(c.x(p.t_min), sp.y(p.spo2_percent)) for p in pts], SPO2)
    for p in pts:
        c.marker(
            c.x(p.t_min), sp.y(p.spo2_percent), "dot", SPO2, f"{p.label} SpO2 {p.spo2_percent} %"
        )

    # Panel 3: the pump rate as charted.
    c.frame(pu, "Pump rate (mL/h)", [pu.lo, pu.hi], "")
    for a, b, r in segments:
        if r > 0:
            c.add(
                f'<rect x="{_f(c.x(a))}" y="{_f(pu.y(r))}" width="{_f(c.x(b) - c.x(a))}" '
                f'height="{_f(pu.y(0) - pu.y(r))}" fill="{RATE}" fill-opacity="0.25" '
                f'stroke="{RATE}" stroke-width="1.5"><title>{a:g}–{b:g} min: {r:g} mL/h</title>'
                "</rect>"
            )
        else:
            c.text((c.x(a) + c.x(b)) / 2, pu.y(0) - 6, "paused", anchor="middle", size=10)

    # Panel 4: predicted concentration.
    analyte = curves.analyte_label if curves is not None and curves.analyte_label else "ketamine"
    c.frame(co, f"Predicted {analyte} (ng/mL)", _ticks(co.lo, co.hi, 4), "")
    legend = [("plasma, as given", PLASMA, ""), ("effect site", EFFECT, "3 3")]
    if curves is not None and curves.plan_plasma is not None:
        legend.append(("plasma, plan", PLAN, "8 5"))
    c.legend(co.top + 14, legend)
    if curves is not None:
        t = curves.times_min
        if curves.plan_plasma is not None:
            c.polyline(_series(c, co, t, curves.plan_plasma), PLAN, dash="8 5", width=1.5)
        if curves.effect is not None:
            c.polyline(_series(c, co, t, curves.effect), EFFECT, dash="3 3")
        c.polyline(_series(c, co, t, curves.plasma), PLASMA, width=2.5)
    else:
        c.text(LEFT + PLOT_W / 2, co.top + co.height / 2, "No prediction yet", anchor="middle")

    # The time axis (every panel shares it) and the "now" line.
    step = 10 if hi - lo <= 150 else 20 if hi - lo <= 300 else 60
    first = math.ceil(lo / step) * step
    for k in range(int((hi - first) // step) + 1):
        t_tick = first + k * step
        c.text(c.x(t_tick), co.top + co.height + 16, f"{t_tick:g}", anchor="middle", size=11)
    c.text(LEFT + PLOT_W / 2, co.top + co.height + 34, "Minutes from the start of the infusion",
           anchor="middle")  # fmt: skip
    if now_min is not None and lo <= now_min <= hi:
        x = c.x(now_min)
        c.add(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(bp.top)}" y2="{_f(co.top + co.height)}" '
            f'stroke="{NOW}" stroke-width="1.5" stroke-dasharray="1 3"/>'
        )
        c.text(x + 3, bp.top + 12, "now")

    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="live-chart" viewBox="0 0 '
        f'{_f(WIDTH)} {_f(height)}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return head + "".join(c.parts) + "</svg>"


def _ticks(lo: float, hi: float, n: int) -> list[float]:
    step = (hi - lo) / n
    return [round(lo + i * step, 1) for i in range(n + 1)]
