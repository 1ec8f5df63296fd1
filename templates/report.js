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
