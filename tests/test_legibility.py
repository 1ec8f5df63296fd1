"""Numbers a person can read in tables, with full precision one hover or one copy away."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
from handmade import make_job

from report.build import build_report

LR = 0.00055607802386143


class Rows(HTMLParser):
    """The cells of each row of one table section, by section id."""

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section, self.inside, self.rows, self.header = section, False, [], []
        self.cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.inside = attrs.get("id") == self.section
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = {"tag": tag, "title": attrs.get("title"), "text": ""}
            self.rows[-1].append(self.cell)
        elif self.inside and tag == "button" and self.cell is not None:
            self.cell["copy"] = attrs.get("data-copy")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None


def table_of(html: str, section: str) -> list[list[dict]]:
    parser = Rows(section)
    parser.feed(html)
    return [row for row in parser.rows if row]


def test_parameters_show_four_significant_digits_with_the_full_value_on_hover_and_in_copies(tmp_path):
    for num, (lr, depth) in enumerate([(LR, 3), (0.0123456789012, 4), (0.1, 5), (0.12345, 6)]):
        make_job(tmp_path, str(num), [f"lr={lr!r}", f"depth={depth}"], num, metrics={"loss": lr * 10 + depth / 1000})
    written = build_report(tmp_path)
    html = written.html.read_text()
    ranking = table_of(html, "ranking")
    header = [cell["text"] for cell in ranking[0]]
    first = dict(zip(header, ranking[1]))
    assert first["lr"]["text"] == "0.0005561" and first["lr"]["title"] == repr(LR)
    assert ranking[1][-1]["copy"] == f"lr={LR!r} depth=3"
    runs = table_of(html, "runs")
    lr_column = [cell["text"] for cell in runs[0]].index("lr")
    assert [row[lr_column]["text"] for row in runs[1:]] == ["0.0005561", "0.01235", "0.1", "0.12345"], "short values as written"
    assert [row[lr_column]["title"] for row in runs[1:]] == [repr(LR), "0.0123456789012", None, None]
    assert pd.read_csv(written.csv)["lr"].tolist() == [LR, 0.0123456789012, 0.1, 0.12345]
    assert f"handmade.py lr={LR!r} depth=3</code>" in html, "the reproduce command keeps full precision"


def test_every_runs_row_has_a_cell_under_every_header(tmp_path):
    make_job(tmp_path, "0", ["x=1"], 0, metrics={"loss": 1.0})
    make_job(tmp_path, "1", ["x=2"], 1, result={"status": "failed", "error": {"type": "ValueError", "message": "boom"}})
    html = build_report(tmp_path).html.read_text()
    rows = table_of(html, "runs")
    assert len({len(row) for row in rows}) == 1, "row borders run under the error column too"
    assert re.search(r"ValueError: boom", html)
