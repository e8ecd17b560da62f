"""Trajectory plots of one instrument's totals as SVG (matplotlib, Agg backend, as the
pharmacology plots).

The instrument's severity bands (``Instrument.bands``, clinical.md 6) are shaded and labelled,
the response threshold (from the baseline under the response rule) and the remission line
(the remission rule's threshold) drawn dashed, and infusions (when there are any) marked with
their dose. The SVG carries a ``<title>`` and a ``<desc>`` that say what it shows; the page
puts a table of the same numbers beside it. Output is deterministic: fixed hash salt, no date
in the metadata, text kept as text (``svg.fonttype = none``) so the labels are searchable.

The SVG has ``style`` attributes, so pages show it as an ``<img>`` from its own URL (served as
``image/svg+xml``), never inline: the page's Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from ketaclinic.measurement.outcomes import Infusion, Outcome

# Light, distinct fills from mild to severe; text stays dark on all of them (contrast).
_BAND_FILLS = ("#e8f4ea", "#f4f6dc", "#fbefd5", "#f9e0cf", "#f5d3d3", "#eed0e0")


def describe(outcome: Outcome) -> str:
    """The plot in one paragraph, for ``<desc>`` and the image's alternative text."""
    inst = outcome.instrument
    first, last = outcome.points[0], outcome.points[-1]
    zone = outcome.zone
    parts = [
        f"{inst.name}: {len(outcome.points)} scores from "
        f"{first.at.astimezone(zone):%Y-%m-%d} to {last.at.astimezone(zone):%Y-%m-%d}; "
        f"baseline {outcome.baseline.total}, latest {outcome.latest.total}."
    ]
    threshold = outcome.response_threshold
    if threshold is not None:
        parts.append(f"Response threshold {threshold:g} or less.")
    if outcome.remission_rule is not None:
        parts.append(f"Remission: {outcome.remission_rule.label}.")
    if inst.bands:
        parts.append(
            "Severity bands: " + ", ".join(f"{b.name} {b.low}-{b.high}" for b in inst.bands) + "."
        )
    return " ".join(parts)


def _with_title(svg: str, title: str, desc: str) -> str:
    """Insert ``<title>`` and ``<desc>`` as the first children of the root ``<svg>``."""
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    head = svg[:end].replace("<svg ", '<svg role="img" aria-labelledby="plot-title plot-desc" ', 1)
    return (
        head
        + f'\n <title id="plot-title">{escape(title)}</title>'
        + f'\n <desc id="plot-desc">{escape(desc)}</desc>'
        + svg[end:]
    )


def trajectory_svg(outcome: Outcome, infusions: Sequence[Infusion] = ()) -> str:
    """The SVG document of ``outcome``'s totals over time (module docstring)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    inst = outcome.instrument
    zone = outcome.zone
    low, high = inst.total_range or (0, max(p.total for p in outcome.points))
    with matplotlib.rc_context(
        {"svg.hashsalt": "ketaclinic", "svg.fonttype": "none", "font.family": "DejaVu Sans"}
    ):
        fig = Figure(figsize=(8, 4))
        ax = fig.add_subplot(1, 1, 1)
        for i, b in enumerate(inst.bands):
            top = min(b.high + 0.5, high + 0.5)
            ax.axhspan(b.low - 0.5, top, color=_BAND_FILLS[i % len(_BAND_FILLS)], zorder=0)
            ax.text(
                1.01,
                (b.low - 0.5 + top) / 2,
                b.name,
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize="small",
                color="#333333",
            )
        times = [float(mdates.date2num(p.at)) for p in outcome.points]
        ax.plot(
            times,
            [p.total for p in outcome.points],
            color="#1f4e8c",
            marker="o",
            markersize=4,
            label="total",
            zorder=3,
        )
        threshold = outcome.response_threshold
        if threshold is not None:
            ax.axhline(
                threshold,
                color="#1b7a3a",
                linestyle="--",
                label=f"response (total ≤ {threshold:g})",
            )
        remission = outcome.remission_rule
        if remission is not None:
            # "< 5" is at most 4; draw the line at the boundary between remitted and not.
            line = (
                remission.threshold - 0.5
                if remission.comparison == "<"
                else remission.threshold + 0.5
            )
            ax.axhline(line, color="#6b2c91", linestyle=":", label=f"remission ({remission.label})")
        for i, infusion in enumerate(sorted(infusions, key=lambda x: x.started_at)):
            at = float(mdates.date2num(infusion.started_at))
            ax.axvline(at, color="#8a5a00", alpha=0.6, label="infusion" if i == 0 else None)
            if infusion.dose_mg is not None:
                ax.annotate(
                    f"{infusion.dose_mg:g} mg",
                    (at, high),
                    rotation=90,
                    fontsize="x-small",
                    va="top",
                )
        ax.set_ylim(low - 0.5, high + 0.5)
        if len(times) == 1:
            ax.set_xlim(times[0] - 7, times[0] + 7)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d", tz=zone))
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(tz=zone, maxticks=8))
        fig.autofmt_xdate()
        ax.set_ylabel(f"{inst.name.split('(')[-1].rstrip(')')} total")
        ax.set_xlabel(f"Date ({zone})")
        ax.grid(True, alpha=0.3, zorder=1)
        ax.legend(loc="best", fontsize="small")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    title = f"{inst.name} over time"
    return _with_title(buf.getvalue(), title, describe(outcome))
