"""Draw the analysis' plain data with matplotlib and seaborn; nothing here computes a statistic.

Each figure comes back as a `data:` URI, so the report stays one self-contained file and no
markup of ours has to be trusted unescaped.
"""

from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from report.formatting import format_number

# Applied around each drawing (plt.rc_context), never globally: the recording callback imports
# this module into the user's own process.
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "sweep-report", "figure.dpi": 100, "font.size": 9}

BEST_CMAP = {"max": "viridis", "min": "viridis_r"}  # better is always the yellow end
MANY_POINTS = 300  # figures scattering more points are PNG: an SVG grows a node per point
FAILED_CELLS = {"hatch": "xx", "facecolor": "#d9d9d9", "edgecolor": "#8c8c8c"}  # no completed run: never coloured


def to_data_uri(figure: plt.Figure, image_format: str = "svg") -> str:
    """The figure as an inline `data:` URI (SVG, or PNG where vector data would be large)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if image_format == "svg" else {}
    figure.savefig(buffer, format=image_format, bbox_inches="tight", metadata=metadata, dpi=100)
    plt.close(figure)
    mime = "image/svg+xml" if image_format == "svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def set_param_axis(axis, kind: str) -> None:
    """Log-scale parameters on a log x axis; the others as they are."""
    if kind == "log":
        axis.set_xscale("log")


def number_formatter(digits: int = 4) -> FuncFormatter:
    """Tick labels with `digits` significant figures, as the tables print numbers."""
    return FuncFormatter(lambda value, _: format_number(float(value), digits))
