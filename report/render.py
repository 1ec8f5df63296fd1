"""Fill the Jinja templates with already formatted values; autoescaping covers every run value."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(files("report.templates"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(context: dict[str, Any], template: str = "report.html.j2") -> str:
    """The report page for `context` (see `report.build.report_context`)."""
    return _environment().get_template(template).render(**context)
