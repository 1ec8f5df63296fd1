"""The parallel-coordinates plot in headless Chromium (Debian's, driven by Playwright): tooltips,
brushing and the jump to the ranking, on a page with the report's CSP, styles and one script."""

from __future__ import annotations

import base64
import hashlib
import math
import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CHROMIUM
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, StrictUndefined

from report.analysis.parallel import parallel_info
from report.figures.parallel import parallel_layout

HOSTILE = '<img src=x onerror="window.__pwned=1">'
CONFIGURATIONS, TABLE_ROWS, FAILED = 120, 110, 3  # the ranking table shows the best 110, 50 a page
NOT_SHOWN = "not among the ranked rows shown; see results.csv"

pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

PAGE = """{% extends "base.html.j2" %}
{% block main %}
<section id="ranking">
<div class="scroll">
<table class="data">
<thead><tr><th>rank</th><th>group</th><th>optimizer</th></tr></thead>
<tbody>
{% for line in rows %}
<tr id="rank-row-{{ line.group }}"><td>{{ line.rank }}</td><td>{{ line.group }}</td><td>{{ line.config[1][1] }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
</section>
{% include "_parallel.html.j2" %}
{% endblock %}
"""


def sweep_ranking() -> pd.DataFrame:
    """120 configurations, best first: a distinct lr each, three optimizers (one hostile), a
    boolean, and the last three failed."""
    rng = np.random.default_rng(3)
    means = np.sort(rng.uniform(0, 1, CONFIGURATIONS))
    means[-FAILED:] = np.nan
    return pd.DataFrame({
        "rank": np.arange(1, CONFIGURATIONS + 1),
        "group": rng.permutation(CONFIGURATIONS),
        "lr": 10 ** rng.uniform(-5, -1, CONFIGURATIONS),
        "optimizer": pd.Series(rng.choice(["sgd", "adam", HOSTILE], CONFIGURATIONS), dtype=object),
        "bn": rng.choice([True, False], CONFIGURATIONS),
        "mean": means,
    })


def script_hash(html: str) -> str:
    """The CSP source of the page's one inline script, as report.page.render computes it."""
    (script,) = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


@pytest.fixture(scope="module")
def plot(tmp_path_factory):
    """The page, and the layout it draws."""
    table = sweep_ranking()
    info = parallel_info(table, ["lr", "optimizer", "bn"], {"lr": "log", "optimizer": "categorical", "bn": "boolean"},
                         "loss", "min", pick=int(table["group"][1]), best=int(table["group"][0]))
    layout = parallel_layout(info)
    environment = Environment(
        loader=ChoiceLoader([DictLoader({"page.html.j2": PAGE}), FileSystemLoader(str(files("report.templates")))]),
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    context = {"title": "Parallel coordinates", "generated": "now", "parallel": layout, "rows": info.lines[:TABLE_ROWS]}
    draft = environment.get_template("page.html.j2").render(**context, script_hash="sha256-draft")
    path = tmp_path_factory.mktemp("parallel") / "page.html"
    path.write_text(draft.replace("sha256-draft", script_hash(draft)), encoding="utf-8")
    return path, layout



class Visit:
    """One page load that lets no request but the page's own through, and keeps every console
    error, page error and refused request."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.url = path.resolve().as_uri()
        self.errors, self.refused = [], []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: request.url != self.url and self.refused.append(request.url))
        self.page.route("**/*", self._only_the_page)
        self.page.goto(self.url)
        self.page.locator("#parallel svg").scroll_into_view_if_needed()

    def _only_the_page(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def client(self, x: float, y: float) -> tuple[float, float]:
        """Viewport coordinates of a point of the plot's viewBox."""
        return tuple(self.page.evaluate(
            """([x, y]) => { const svg = document.querySelector('#parallel svg');
                const point = svg.createSVGPoint(); point.x = x; point.y = y;
                const screen = point.matrixTransform(svg.getScreenCTM()); return [screen.x, screen.y]; }""",
            [x, y],
        ))

    def drag(self, x: float, y_from: float, y_to: float) -> None:
        self.page.mouse.move(*self.client(x, y_from))
        self.page.mouse.down()
        self.page.mouse.move(*self.client(x, y_to), steps=5)
        self.page.mouse.up()

    def dimmed(self) -> int:
        return self.page.locator("#parallel path.line.dimmed").count()

    def clean(self) -> bool:
        return self.errors == [] and self.refused == [] and self.page.evaluate("window.__pwned") is None


def points(d: str) -> list[tuple[float, float]]:
    return [tuple(map(float, point.split(","))) for point in d[1:].split(" ")]


def distance(line: list[tuple[float, float]], x: float, y: float) -> float:
    """From (x, y) to a line's segment over x, across the segment (as the script measures it)."""
    for (x0, y0), (x1, y1) in zip(line, line[1:]):
        if x0 <= x <= x1:
            rise, run = y1 - y0, x1 - x0
            return abs(y0 + (x - x0) / run * rise - y) / math.sqrt(1 + rise * rise / (run * run))
    return math.inf


def lone_point(layout, ranks) -> tuple[int, tuple[float, float]]:
    """The first of `ranks` whose line has a point between two axes at least 2 px from every
    other line, and that point."""
    for rank in ranks:
        target = next(line for line in layout.lines if line.rank == rank)
        others = [points(line.d) for line in layout.lines if line is not target]
        mine = points(target.d)
        for (x0, y0), (x1, y1) in zip(mine, mine[1:]):
            for share in np.arange(0.15, 0.86, 0.05):
                x, y = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
                if all(distance(other, x, y) > 2 for other in others):
                    return rank, (x, y)
    pytest.fail(f"no line of ranks {ranks} stands 2 px apart from the others")


def group_of(layout, rank: int) -> int:
    return next(line.group for line in layout.lines if line.rank == rank)


def test_hovering_a_line_shows_its_configuration_and_group(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    rank, point = lone_point(layout, range(51, TABLE_ROWS + 1))
    line = next(line for line in layout.lines if line.rank == rank)
    visit.page.mouse.move(*visit.client(*point))
    tooltip = visit.page.locator(".pc-tooltip")
    assert tooltip.is_visible()
    pairs = [f"{name} = {value}" for name, value in zip(layout.names.split("\t"), line.values.split("\t"))]
    assert tooltip.inner_text() == "\n".join([f"group {line.group} · rank {rank}", *pairs[:-1], "mean " + pairs[-1]])
    assert visit.page.locator("#parallel .pc-hover").get_attribute("d") == line.d, "the hovered line is highlighted"
    visit.page.mouse.move(5, 5)
    assert tooltip.is_hidden()
    assert visit.clean()


def test_hostile_values_show_as_text_in_the_tooltip(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    _, point = lone_point(layout, [line.rank for line in layout.lines if line.values.split("\t")[1] == HOSTILE])
    visit.page.mouse.move(*visit.client(*point))
    assert f"optimizer = {HOSTILE}" in visit.page.locator(".pc-tooltip").inner_text()
    assert visit.page.locator("#parallel img").count() == 0
    assert visit.clean()


def between(values: list[float], near: int) -> float:
    """A y between two neighbouring values, from the `near`-th on, where they are 2 px apart."""
    ordered = sorted(values)
    i = next(i for i in range(near, len(ordered) - 1) if ordered[i + 1] - ordered[i] > 2)
    return (ordered[i] + ordered[i + 1]) / 2


def test_brushing_dims_the_lines_outside_every_brush(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    lines = [points(line.d) for line in layout.lines]
    lr_x, loss_x = float(layout.axes[0].x), float(layout.axes[-1].x)
    low, high = between([line[0][1] for line in lines], 30), between([line[0][1] for line in lines], 80)
    in_lr = [line for line in lines if low <= line[0][1] <= high]
    status = visit.page.locator("#parallel .pc-status")
    assert status.inner_text().startswith(f"{CONFIGURATIONS} of {CONFIGURATIONS} lines shown")

    visit.drag(lr_x, high, low)  # upwards: a brush is the range between the two ends
    assert visit.dimmed() == CONFIGURATIONS - len(in_lr) and len(in_lr) >= 40
    assert visit.page.locator("#parallel rect.pc-brush").count() == 1
    assert status.inner_text().startswith(f"{len(in_lr)} of {CONFIGURATIONS} lines shown")

    top, bottom = float(layout.top) - 5, between([line[-1][1] for line in lines if len(line) == 4], 60)
    visit.drag(loss_x, top, bottom)
    in_loss = [line for line in lines if len(line) == 4 and top <= line[-1][1] <= bottom]
    both = [line for line in in_loss if line in in_lr]
    assert 0 < len(both) < len(in_lr)
    assert visit.dimmed() == CONFIGURATIONS - len(both), "brushes on two axes combine with AND"

    visit.page.mouse.click(*visit.client(lr_x, (low + high) / 2))  # a click without a drag clears the axis
    assert visit.dimmed() == CONFIGURATIONS - len(in_loss)
    assert visit.page.locator("#parallel rect.pc-brush").count() == 1
    assert visit.page.locator("#parallel path.line.failed:not(.dimmed)").count() == 0, "failed lines have no objective"
    assert visit.clean()


def in_view(row) -> bool:
    return row.evaluate("row => { const box = row.getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }")


def test_clicking_a_line_on_another_page_of_the_ranking_shows_its_row(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    rank, point = lone_point(layout, range(51, 101))
    row = visit.page.locator(f"#rank-row-{group_of(layout, rank)}")
    assert row.is_hidden(), "on the ranking's second page"
    visit.page.locator("#ranking input[type=search]").fill("no such row")
    visit.page.locator("#parallel svg").scroll_into_view_if_needed()
    visit.page.mouse.click(*visit.client(*point))
    assert row.is_visible()
    assert in_view(row)
    assert "pc-target" in row.get_attribute("class")
    assert visit.page.locator("#ranking input[type=search]").input_value() == ""
    assert "page 2 of 3" in visit.page.locator("#ranking .pager").inner_text()
    assert visit.clean()


def test_clicking_a_line_of_the_first_page_scrolls_to_its_row(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    rank, point = lone_point(layout, range(1, 51))
    row = visit.page.locator(f"#rank-row-{group_of(layout, rank)}")
    visit.page.mouse.click(*visit.client(*point))
    assert in_view(row)
    assert visit.clean()


def test_clicking_a_line_missing_from_the_ranking_says_where_to_look(browser, plot):
    path, layout = plot
    visit = Visit(browser, path)
    rank, point = lone_point(layout, range(TABLE_ROWS + 1, CONFIGURATIONS + 1))
    visit.page.mouse.click(*visit.client(*point))
    tooltip = visit.page.locator(".pc-tooltip")
    assert tooltip.inner_text() == f"group {group_of(layout, rank)}: {NOT_SHOWN}"
    assert visit.page.evaluate("scrollY") > 0, "the page stayed at the plot"
    assert visit.clean()
