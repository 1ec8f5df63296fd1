"""The report as a person sees it, in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CHROMIUM, multirun
from handmade import make_job

from report.build import build_report

HOSTILE = "</table><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">'\"é✓"

pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)



class Visit:
    """One page load, with every console message, page error, request and dialog it caused."""

    def __init__(self, browser, path: Path, width: int = 1200, scheme: str = "light") -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        self.errors, self.requests, self.dialogs = [], [], []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def external_requests(self) -> list[str]:
        return [url for url in self.requests if url != self.url and not url.startswith("data:")]

    def broken_images(self) -> int:
        return self.page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length")

    def column(self, table, index: int) -> list[str]:
        return [cell.strip() for cell in table.locator(f"tbody tr:not([hidden]) td:nth-child({index + 1})").all_inner_texts()]


@pytest.fixture(scope="module")
def demo_report(module_dir) -> Path:
    process, sweep = multirun(
        module_dir, ["-m", "sweeps.train"], "model.n_estimators=10,20", "model.max_depth=2,3", "seed=0,1", sweep_dir="demo"
    )
    assert process.returncode == 0, process.stderr
    return sweep / "report.html"


@pytest.fixture(scope="module")
def troubled_report(module_dir) -> Path:
    sweep = module_dir / "troubled"
    num = 0
    for x in range(8):
        for seed in range(2):
            if x == 5:
                error = {"type": "ValueError", "message": "diverged", "traceback": "Traceback ...\nValueError: diverged"}
                make_job(sweep, str(num), [f"x={x}", f"seed={seed}"], num, result={"status": "failed", "error": error})
            elif x == 6 and seed == 1:
                make_job(sweep, str(num), [f"x={x}", f"seed={seed}"], num)
            else:
                make_job(sweep, str(num), [f"x={x}", f"seed={seed}"], num, metrics={"loss": (x - 3) ** 2 + 0.1 * seed})
            num += 1
    return build_report(sweep).html


@pytest.fixture(scope="module")
def hostile_report(module_dir) -> Path:
    sweep = module_dir / "hostile"
    for num in range(4):
        make_job(
            sweep, str(num), [f"x={num}"], num,
            result={"params": {"x": num, f"name{HOSTILE}": f"{HOSTILE}{num % 2}"}, "metrics": {f"acc{HOSTILE}": 0.5 + num / 10},
                    "status": "failed" if num == 3 else "completed",
                    "error": {"type": "Boom", "message": HOSTILE, "traceback": HOSTILE} if num == 3 else None},
        )
    return build_report(sweep).html


@pytest.fixture(scope="module")
def wide_report(module_dir) -> Path:
    """A random search as Optuna leaves it: full-precision floats, long names, four metrics, a crash."""
    sweep = module_dir / "wide"
    rng = __import__("random").Random(0)
    for num in range(12):
        lr, decay = 10 ** rng.uniform(-5, -1), rng.uniform(0, 0.1)
        overrides = [
            f"learning_rate={lr!r}", f"depth={rng.randint(1, 20)}", f"weight_decay_coefficient={decay!r}",
            f"optimizer_name={rng.choice(['sgd_with_momentum', 'adamw'])}",
        ]
        if num == 5:
            error = {"type": "FloatingPointError", "message": "loss diverged to nan at epoch 3 " * 4}
            make_job(sweep, str(num), overrides, num, result={"status": "failed", "error": error})
            continue
        accuracy = 0.95 - lr - decay
        make_job(sweep, str(num), overrides, num, metrics={
            "validation_accuracy": accuracy, "training_loss_final": 1 - accuracy,
            "weighted_f1_macro_score": 0.9 * accuracy, "examples_per_second_throughput": 1234.5 + num,
        })
    return build_report(sweep).html


@pytest.fixture(scope="module")
def many_parameters_report(module_dir) -> Path:
    """Fifteen swept parameters with long dotted names, and seven metrics."""
    sweep = module_dir / "many-parameters"
    rng = __import__("random").Random(1)
    for num in range(20):
        overrides = [f"model.layer_{i}.dropout_rate={rng.uniform(0, 0.5)!r}" for i in range(13)]
        overrides += [f"optimizer.learning_rate={10 ** rng.uniform(-5, -1)!r}", f"optimizer.name={rng.choice(['sgd_momentum', 'adamw'])}"]
        make_job(sweep, str(num), overrides, num, metrics={f"validation_metric_number_{k}": rng.random() for k in range(7)})
    return build_report(sweep).html


@pytest.mark.parametrize("report", ["demo_report", "troubled_report", "wide_report", "many_parameters_report"])
def test_no_table_is_wider_than_its_container_at_1280px(browser, request, report):
    visit = Visit(browser, request.getfixturevalue(report), width=1280)
    overflowing = visit.page.evaluate(
        """() => Array.from(document.querySelectorAll('table')).map(table => {
            const box = table.parentElement;
            return [table.closest('section').id, Math.ceil(table.getBoundingClientRect().width), box.clientWidth];
        }).filter(([, width, room]) => width > room)"""
    )
    assert overflowing == []


@pytest.mark.parametrize("report", ["demo_report", "troubled_report", "hostile_report"])
def test_loads_offline_without_errors_and_every_figure_decodes(browser, request, report):
    visit = Visit(browser, request.getfixturevalue(report))
    assert visit.errors == []
    assert visit.external_requests() == []
    assert visit.page.locator("img").count() >= 1
    assert visit.broken_images() == 0
    assert visit.page.locator(".table-controls").count() >= 2, "our script ran"


def test_no_injected_script_runs_and_values_show_as_text(browser, hostile_report):
    visit = Visit(browser, hostile_report)
    assert visit.page.evaluate("window.__pwned") is None
    assert visit.dialogs == []
    assert visit.page.locator("script").count() == 1
    assert HOSTILE in visit.page.locator("#runs").inner_text()


@pytest.mark.parametrize("report", ["demo_report", "troubled_report", "hostile_report"])
def test_no_horizontal_scroll_on_a_phone(browser, request, report):
    visit = Visit(browser, request.getfixturevalue(report), width=375)
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= 375


def test_sorting_by_a_number_column_sorts_numerically(browser, troubled_report):
    visit = Visit(browser, troubled_report)
    table = visit.page.locator("#ranking table")
    headers = table.locator("thead th").all_inner_texts()
    mean = headers.index("mean loss")
    table.locator("thead th").nth(mean).click()
    ascending = [float(text) for text in visit.column(table, mean) if text != "–"]
    assert ascending == sorted(ascending) and len(ascending) >= 6
    table.locator("thead th").nth(mean).click()
    descending = [float(text) for text in visit.column(table, mean) if text != "–"]
    assert descending == sorted(descending, reverse=True)
    assert ascending[-1] >= 10 > ascending[1], "numbers, not text: 16 after 4"
    runs = visit.page.locator("#runs table thead th")
    runs.last.click()  # the error column, empty (left out) in completed runs
    runs.nth(runs.all_inner_texts().index("duration")).click()
    assert visit.errors == []


def test_filtering_keeps_only_matching_rows(browser, troubled_report):
    visit = Visit(browser, troubled_report)
    runs = visit.page.locator("#runs")
    runs.locator("input[type=search]").fill("diverged")
    status = visit.column(runs.locator("table"), 1)
    assert status == ["failed", "failed"]
    assert "2 of 16 rows" in runs.locator(".pager").inner_text()
    error = runs.locator("tr:not([hidden]) details").first
    error.locator("summary").click()
    assert "Traceback" in error.inner_text()


def test_long_tables_are_paged(browser, module_dir):
    sweep = module_dir / "long"
    for num in range(120):
        make_job(sweep, str(num), [f"x={num}"], num, metrics={"loss": float(num % 17)})
    visit = Visit(browser, build_report(sweep).html)
    runs = visit.page.locator("#runs")
    assert runs.locator("tbody tr:not([hidden])").count() == 50
    assert "120 of 120 rows, page 1 of 3" in runs.locator(".pager").inner_text()
    runs.get_by_role("button", name="Next ›").click()
    assert visit.column(runs.locator("table"), 0)[0] == "50"


def test_copy_button_copies_the_reproduce_command(browser, demo_report):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(demo_report.resolve().as_uri())
    button = page.locator("#summary .command-line button.copy").first
    command = button.get_attribute("data-copy")
    button.click()
    page.wait_for_function("document.querySelector('#summary .command-line button.copy').textContent === 'Copied'")
    assert command.startswith("python -m sweeps.train")
    context.close()


def test_dark_mode_follows_the_system(browser, demo_report):
    light = Visit(browser, demo_report, scheme="light").page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark = Visit(browser, demo_report, scheme="dark").page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light == "rgb(255, 255, 255)" and dark != light


def test_the_parallel_coordinates_of_a_real_report_hover_and_lead_to_the_ranking(browser, demo_report):
    visit = Visit(browser, demo_report)
    lines = visit.page.locator("#parallel path.line")
    assert lines.count() == 4  # 2 x 2 configurations over 2 seeds
    visit.page.locator("#parallel svg").scroll_into_view_if_needed()
    # A point a third of the way along the last-drawn line (the best), in the page's coordinates.
    point = visit.page.evaluate(
        """() => { const paths = document.querySelectorAll('#parallel path.line'); const path = paths[paths.length - 1];
            const at = path.getPointAtLength(path.getTotalLength() / 3); const svg = path.ownerSVGElement;
            const p = svg.createSVGPoint(); p.x = at.x; p.y = at.y; const s = p.matrixTransform(svg.getScreenCTM()); return [s.x, s.y]; }"""
    )
    visit.page.mouse.move(*point)
    tooltip = visit.page.locator(".pc-tooltip").inner_text()
    group = int(re.search(r"group (\d+)", tooltip)[1])
    assert "model.n_estimators = " in tooltip and "model.max_depth = " in tooltip
    visit.page.mouse.click(*point)
    row = visit.page.locator(f"#rank-row-{group}")
    assert row.evaluate("row => { const box = row.getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }")
    assert visit.errors == [] and visit.external_requests() == []
