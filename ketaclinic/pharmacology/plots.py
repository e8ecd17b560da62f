"""Concentration-time plots as SVG (matplotlib, Agg backend, no display needed)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .systems import FloatArray


def concentration_svg(
    times_min: FloatArray,
    typical_ng_per_ml: FloatArray,
    band_ng_per_ml: tuple[FloatArray, FloatArray] | None = None,
    band_label: str = "5th-95th percentile",
    effect_ng_per_ml: FloatArray | None = None,
    infusion_segments_min: Sequence[tuple[float, float]] = (),
    target_ng_per_ml: float | None = None,
    title: str = "",
    path: str | Path | None = None,
) -> str:
    """Render a concentration-time curve to SVG.

    Parameters
    ----------
    times_min : ndarray, shape (T,)
        Time axis in min.
    typical_ng_per_ml : ndarray, shape (T,)
        Typical (or median) plasma concentration, ng/mL.
    band_ng_per_ml : (lower, upper), optional
        Percentile band in ng/mL, drawn shaded.
    band_label : str
        Legend text for the band.
    effect_ng_per_ml : ndarray, optional
        Effect-site concentration, ng/mL.
    infusion_segments_min : sequence of (start_min, end_min)
        Drug-running intervals, shaded on the time axis.
    target_ng_per_ml : float, optional
        Horizontal target line.
    title : str
        Plot title (model and analyte).
    path : str or Path, optional
        Also write the SVG to this file.

    Returns
    -------
    str
        The SVG document.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    for i, (a, b) in enumerate(infusion_segments_min):
        ax.axvspan(
            a, b, color="tab:orange", alpha=0.12, label="infusion running" if i == 0 else None
        )
    if band_ng_per_ml is not None:
        ax.fill_between(
            times_min,
            band_ng_per_ml[0],
            band_ng_per_ml[1],
            color="tab:blue",
            alpha=0.25,
            label=band_label,
        )
    ax.plot(times_min, typical_ng_per_ml, color="tab:blue", label="plasma, typical patient")
    if effect_ng_per_ml is not None:
        ax.plot(times_min, effect_ng_per_ml, color="tab:green", linestyle="--", label="effect site")
    if target_ng_per_ml is not None:
        ax.axhline(
            target_ng_per_ml,
            color="tab:red",
            linestyle=":",
            label=f"target {target_ng_per_ml:g} ng/mL",
        )
    ax.set_xlabel("Time (min)")
    ax.set_ylabel("Ketamine concentration (ng/mL)")
    ax.set_xlim(float(np.min(times_min)), float(np.max(times_min)))
    ax.set_ylim(bottom=0)
    if title:
        # Model titles are long; wrap rather than let the figure clip them.
        ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    if path is not None:
        Path(path).write_text(svg, encoding="utf-8")
    return svg
