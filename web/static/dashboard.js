// Filter and sort the dashboard's tables without a reload, exactly as the server does
// (web/tables.py), and keep each table's CSV link and the address in step with what is shown.
"use strict";
(function () {
  function key(text, numeric) {
    if (numeric) {
      var n = parseFloat(text);
      if (text.trim() !== "" && !isNaN(n) && isFinite(text)) return [1, n, ""];
      return [0, 0, text.toLowerCase()];
    }
    return [1, 0, text.toLowerCase()];
  }
  function compare(a, b) {
    for (var i = 0; i < 3; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }
  document.querySelectorAll("section[data-table]").forEach(function (section) {
    var name = section.dataset.table;
    var body = section.querySelector("tbody");
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var state = { sort: null, desc: false };
    var current = new URLSearchParams(location.search);
    if (current.has(name + "-sort")) {
      state.sort = parseInt(current.get(name + "-sort"), 10);
      state.desc = current.get(name + "-dir") === "desc";
    }
    var input = section.querySelector("[data-filter]");
    var selects = section.querySelectorAll("select[data-choice]");
    var csv = section.querySelector("a.csv");
    var shown = section.querySelector("[data-shown]");
    var headers = section.querySelectorAll("th a[data-sort]");
    function params() {
      var p = new URLSearchParams(location.search);
      Array.from(p.keys()).forEach(function (k) { if (k.indexOf(name + "-") === 0) p.delete(k); });
      var q = input.value.trim();
      if (q) p.set(name + "-q", q);
      selects.forEach(function (s) { if (s.value) p.set(name + "-f" + s.dataset.choice, s.value); });
      if (state.sort !== null) {
        p.set(name + "-sort", String(state.sort));
        if (state.desc) p.set(name + "-dir", "desc");
      }
      return p;
    }
    function apply() {
      var needle = input.value.trim().toLowerCase();
      var visible = rows.filter(function (row) {
        var cells = Array.prototype.map.call(row.cells, function (c) { return c.textContent; });
        if (needle && !cells.some(function (c) { return c.toLowerCase().indexOf(needle) >= 0; })) return false;
        for (var i = 0; i < selects.length; i++) {
          var s = selects[i];
          if (s.value && cells[parseInt(s.dataset.choice, 10)] !== s.value) return false;
        }
        return true;
      });
      var ordered = visible.slice();
      if (state.sort !== null) {
        var numeric = headers[state.sort].hasAttribute("data-numeric");
        ordered.sort(function (a, b) {
          var c = compare(key(a.cells[state.sort].textContent, numeric), key(b.cells[state.sort].textContent, numeric));
          return state.desc ? -c : c;
        });
      }
      rows.forEach(function (row) { row.hidden = visible.indexOf(row) < 0; });
      ordered.forEach(function (row) { body.appendChild(row); });
      headers.forEach(function (a, i) {
        var th = a.parentNode;
        if (i === state.sort) th.setAttribute("aria-sort", state.desc ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
      shown.textContent = String(visible.length);
      var p = params();
      var query = p.toString();
      var own = new URLSearchParams();
      p.forEach(function (v, k) { if (k.indexOf(name + "-") === 0) own.set(k, v); });
      csv.href = csv.href.split("?")[0] + (own.toString() ? "?" + own.toString() : "");
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
    input.addEventListener("input", apply);
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    headers.forEach(function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        var column = parseInt(a.dataset.sort, 10);
        state.desc = state.sort === column ? !state.desc : false;
        state.sort = column;
        apply();
      });
    });
  });
})();
