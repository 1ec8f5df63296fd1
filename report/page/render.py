"""Fill the Jinja templates with already formatted values; autoescaping covers every run value."""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

SCRIPT = "report.js"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(files("report.templates"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def script_hash(environment: Environment) -> str:
    """The CSP source that allows our one inline script and nothing else: no injected script runs."""
    source, _, _ = environment.loader.get_source(environment, SCRIPT)
    if not environment.keep_trailing_newline:
        source = source.removesuffix("\n")  # as Jinja drops it when it includes the file
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def render_html(context: dict[str, Any], template: str = "report.html.j2") -> str:
    """The page for `context` (see `report.build`), with the script it may run pinned in its CSP."""
    environment = _environment()
    return environment.get_template(template).render(**context, script_hash=script_hash(environment))
