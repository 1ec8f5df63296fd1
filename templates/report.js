// Sorting, filtering and paging of the report's tables, and copy buttons. No network, no libraries.
(function () {
  "use strict";
  var PAGE = 50;

  function sortKey(cell) {
    if (!cell) return { number: NaN, text: "" };  // rows leave out an empty last cell
    var raw = cell.getAttribute("data-sort") || cell.getAttribute("title") || cell.textContent.trim();
    var number = /^[-+]?(\d|\.\d)/.test(raw) ? parseFloat(raw) : NaN;
    return { number: number, text: raw.toLowerCase() };
  }

  function compare(a, b) {
    if (!isNaN(a.number) && !isNaN(b.number)) return a.number - b.number;
    if (!isNaN(a.number)) return -1;
    if (!isNaN(b.number)) return 1;
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }

  function enhance(table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var state = { shown: rows, page: 0, column: -1, ascending: true };
    var controls = document.createElement("div");
    controls.className = "table-controls";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.placeholder = "Filter rows…";
    filter.setAttribute("aria-label", "Filter the rows of this table");
    var pager = document.createElement("span");
    pager.className = "pager";
    var previous = document.createElement("button");
    previous.type = "button";
    previous.textContent = "‹ Previous";
    var next = document.createElement("button");
    next.type = "button";
    next.textContent = "Next ›";
    var where = document.createElement("span");
    pager.appendChild(previous);
    pager.appendChild(where);
    pager.appendChild(next);
    controls.appendChild(filter);
    controls.appendChild(pager);
    table.parentNode.parentNode.insertBefore(controls, table.parentNode);

    function draw() {
      var pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      var first = state.page * PAGE;
      var visible = new Set(state.shown.slice(first, first + PAGE));
      rows.forEach(function (row) { row.hidden = !visible.has(row); });
      state.shown.forEach(function (row) { body.appendChild(row); });
      where.textContent = state.shown.length + " of " + rows.length + " rows" +
        (pages > 1 ? ", page " + (state.page + 1) + " of " + pages : "");
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      pager.hidden = rows.length <= PAGE && state.shown.length === rows.length;
    }

    filter.addEventListener("input", function () {
      var query = filter.value.trim().toLowerCase();
      state.shown = rows.filter(function (row) { return row.textContent.toLowerCase().indexOf(query) !== -1; });
      if (state.column >= 0) sortRows();
      state.page = 0;
      draw();
    });
    previous.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });
    // Another part of the page (the parallel-coordinates plot) asks to see one of our rows:
    // clear the filter and turn to the page that holds it, so that it can be scrolled to.
    document.addEventListener("show-row", function (event) {
      var row = document.getElementById(event.detail.id);
      if (rows.indexOf(row) === -1) return;
      filter.value = "";
      state.shown = rows.slice();
      if (state.column >= 0) sortRows();
      state.page = Math.floor(state.shown.indexOf(row) / PAGE);
      draw();
    });

    function sortRows() {
      var column = state.column, direction = state.ascending ? 1 : -1;
      state.shown.sort(function (a, b) {
        return direction * compare(sortKey(a.cells[column]), sortKey(b.cells[column]));
      });
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.tabIndex = 0;
      header.setAttribute("aria-sort", "none");
      function sortBy() {
        state.ascending = state.column === column ? !state.ascending : true;
        state.column = column;
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", state.ascending ? "ascending" : "descending");
        sortRows();
        draw();
      }
      header.addEventListener("click", sortBy);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") sortBy(); });
    });
    draw();
  }

  function copy(button) {
    var text = button.getAttribute("data-copy");
    function done() {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      document.body.removeChild(area);
      done();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.querySelectorAll("table.data").forEach(enhance);
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
})();
// The parallel-coordinates plot: a tooltip per line, brushing along the axes, and a click on a
// line to find its row in the ranking. It only adds behaviour to the SVG the page already holds.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NEAR = 6;  // viewBox px from a line within which the pointer is on it
  var CLICK = 3;  // a drag along an axis shorter than this is a click: it clears that axis' brush
  var BRUSH = 14;  // width of a brush
  var NOT_SHOWN = "not among the ranked rows shown; see results.csv";
  var HINT = " · Hover a line for its configuration, click it to find its row in the ranking; " +
    "drag along an axis to keep the lines that cross it there (a click on the axis clears it).";

  var svg = document.querySelector("#parallel svg.parallel-plot");
  if (!svg) return;
  var figure = svg.parentNode;
  var axes = Array.prototype.map.call(svg.querySelectorAll("rect.pc-hit"), function (hit) {
    return { x: parseFloat(hit.getAttribute("x")) + parseFloat(hit.getAttribute("width")) / 2, brush: null, rect: null };
  });
  var names = svg.getAttribute("data-names").split("\t");
  var lines = Array.prototype.map.call(svg.querySelectorAll("path.line"), function (path) {
    var ys = path.getAttribute("d").slice(1).split(" ").map(function (point) {
      return parseFloat(point.split(",")[1]);
    });
    return { path: path, group: path.getAttribute("data-group"), ys: ys, shown: true };
  });

  var tip = document.createElement("div");
  tip.className = "pc-tooltip";
  tip.hidden = true;
  document.body.appendChild(tip);
  var status = document.createElement("p");
  status.className = "note pc-status";
  status.setAttribute("aria-live", "polite");
  figure.parentNode.insertBefore(status, figure.nextSibling);
  var hover = document.createElementNS(SVG, "path");
  hover.setAttribute("class", "pc-hover");
  svg.insertBefore(hover, svg.querySelector("g.pc-axes"));
  var pinned = null, drag = null, marked = null;  // pinned: the line whose click left a message

  function local(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  // The shown line nearest to a point between two axes; the one drawn last where they tie.
  function nearest(point) {
    var k = -1;
    for (var i = 0; i + 1 < axes.length; i++) {
      if (point.x >= axes[i].x && point.x <= axes[i + 1].x) { k = i; break; }
    }
    if (k < 0) return null;
    var width = axes[k + 1].x - axes[k].x, t = (point.x - axes[k].x) / width;
    var found = null, closest = NEAR;
    lines.forEach(function (line) {
      if (!line.shown || line.ys.length < k + 2) return;
      var rise = line.ys[k + 1] - line.ys[k];
      var distance = Math.abs(line.ys[k] + t * rise - point.y) / Math.sqrt(1 + rise * rise / (width * width));
      if (distance <= closest) { closest = distance; found = line; }
    });
    return found;
  }

  function showTip(text, event) {
    tip.textContent = text;
    tip.hidden = false;
    var right = window.pageXOffset + document.documentElement.clientWidth - tip.offsetWidth - 8;
    tip.style.left = Math.max(window.pageXOffset, Math.min(event.pageX + 14, right)) + "px";
    tip.style.top = (event.pageY + 14) + "px";
  }

  // "group 12 · rank 3", each parameter's "name = value", then "mean loss = 0.25".
  function describe(line) {
    var values = line.path.getAttribute("data-values").split("\t");
    var text = "group " + line.group + " · rank " + line.path.getAttribute("data-rank");
    values.forEach(function (value, i) {
      text += "\n" + (i === names.length - 1 ? "mean " : "") + names[i] + " = " + value;
    });
    return text;
  }

  function setHover(line, event) {
    if (line && line === pinned) return;  // keep the message of a click on it
    pinned = null;
    if (!line) {
      tip.hidden = true;
      hover.removeAttribute("d");
      return;
    }
    hover.setAttribute("d", line.path.getAttribute("d"));
    showTip(describe(line), event);
  }

  function jump(line, event) {
    var id = "rank-row-" + line.group;
    var row = document.getElementById(id);
    if (!row) {
      showTip("group " + line.group + ": " + NOT_SHOWN, event);
      pinned = line;
      return;
    }
    document.dispatchEvent(new CustomEvent("show-row", { detail: { id: id }, bubbles: true }));
    if (marked) marked.classList.remove("pc-target");
    marked = row;
    row.classList.add("pc-target");
    setHover(null);
    row.scrollIntoView({ block: "center" });
  }

  function drawBrush(axis, range) {
    if (!range) {
      if (axis.rect) svg.removeChild(axis.rect);
      axis.rect = null;
      return;
    }
    if (!axis.rect) {
      axis.rect = document.createElementNS(SVG, "rect");
      axis.rect.setAttribute("class", "pc-brush");
      axis.rect.setAttribute("x", axis.x - BRUSH / 2);
      axis.rect.setAttribute("width", BRUSH);
      svg.insertBefore(axis.rect, svg.querySelector("g.pc-labels"));
    }
    axis.rect.setAttribute("y", range[0]);
    axis.rect.setAttribute("height", range[1] - range[0]);
  }

  function dragRange(event) {
    var y = local(event).y;
    return Math.abs(y - drag.from) < CLICK ? null : [Math.min(y, drag.from), Math.max(y, drag.from)];
  }

  // A line is shown when it crosses every brushed axis inside its brush.
  function filter() {
    var shown = 0;
    lines.forEach(function (line) {
      line.shown = axes.every(function (axis, i) {
        return !axis.brush || (i < line.ys.length && line.ys[i] >= axis.brush[0] && line.ys[i] <= axis.brush[1]);
      });
      line.path.classList.toggle("dimmed", !line.shown);
      if (line.shown) shown += 1;
    });
    status.textContent = shown + " of " + lines.length + " lines shown" + HINT;
  }

  svg.addEventListener("pointerdown", function (event) {
    var hit = event.target;
    if (!hit.classList.contains("pc-hit")) return;
    event.preventDefault();
    drag = { axis: axes[Number(hit.getAttribute("data-axis"))], from: local(event).y };
    hit.setPointerCapture(event.pointerId);
    setHover(null);
  });
  svg.addEventListener("pointermove", function (event) {
    if (drag) drawBrush(drag.axis, dragRange(event) || drag.axis.brush);
    else setHover(nearest(local(event)), event);
  });
  svg.addEventListener("pointerup", function (event) {
    if (!drag) return;
    drag.axis.brush = dragRange(event);
    drawBrush(drag.axis, drag.axis.brush);
    drag = null;
    filter();
  });
  svg.addEventListener("pointercancel", function () {
    if (drag) drawBrush(drag.axis, drag.axis.brush);
    drag = null;
  });
  svg.addEventListener("pointerleave", function () { if (!drag) setHover(null); });
  svg.addEventListener("click", function (event) {
    if (event.target.classList.contains("pc-hit")) return;
    var line = nearest(local(event));
    if (line) jump(line, event);
  });
  filter();
})();
