"""Figures as the page shows them: `data:` URIs, so the report stays one self-contained file and
no markup of ours has to be trusted unescaped.

Kept apart from the drawers, which return matplotlib Figures: a notebook looks at those, the
page needs images, and the size cap and save settings are applied here once for every figure.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Literal

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from report.figures.style import MAX_INCHES, STYLE
from report.formatting import short_text

MIME = {"svg": "image/svg+xml", "png": "image/png"}


def embed(figure: Figure, image_format: Literal["svg", "png"] = "svg") -> str:
    """The figure as an inline `data:` URI: SVG, or PNG where vector data would be large. Each
    side is capped at MAX_INCHES, and STYLE is in force again while saving, as matplotlib reads
    the SVG settings and lays out tick labels then. The figure is closed: the page keeps the image."""
    mime = MIME[image_format]
    try:
        width, height = figure.get_size_inches()
        figure.set_size_inches(min(width, MAX_INCHES), min(height, MAX_INCHES))
        buffer = io.BytesIO()
        metadata = {"Date": None} if image_format == "svg" else {}
        with plt.rc_context(STYLE):
            figure.savefig(buffer, format=image_format, bbox_inches="tight", metadata=metadata, dpi=100)
    finally:
        plt.close(figure)
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def placeholder_uri(message: str) -> str:
    """A small SVG saying why a figure is not there, for the figure's place in the page."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40"><text x="8" y="24" font-family="sans-serif" '
        f'font-size="14" fill="#666">{html.escape(short_text(message, 200))}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
