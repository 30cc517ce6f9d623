/* 全部案例 (/cases/): facet filters over the server-rendered list (no dependencies).
   - AND across facets, OR within a facet.
   - The count beside a value is the number of cases with that value among the cases that
     match every OTHER facet's selection (so it is what ticking it would add within its facet).
   - State lives in the query string: ?province=四川&model=四力&sort=oldest; each change adds a
     history entry, Back restores the previous selection.
   - The list is rendered once by the server; the script keeps its items and puts back only the
     matching ones, in the chosen order, at most PAGE at a time ("再列出" lists more). Toggling
     `hidden` on thousands of siblings instead took Chromium over ten seconds at 10,000 cases. */
(function () {
  "use strict";
  var root = document.getElementById("case-browser");
  var dataEl = document.getElementById("case-facets");
  var list = document.getElementById("case-list");
  var panel = document.getElementById("case-filters");
  if (!root || !dataEl || !list || !panel) { return; }
  var data = JSON.parse(dataEl.textContent);
  var facets = data.facets;
  var rows = data.cases;
  var items = Array.prototype.slice.call(list.children);  // newest first, same order as rows
  if (items.length !== rows.length) { return; }
  var N = rows.length;
  var F = facets.length;
  var selected = facets.map(function () { return {}; });   // value index -> true
  var sizes = facets.map(function () { return 0; });
  var sort = "newest";
  var PAGE = 200;  // items listed at a time: hiding or showing thousands of items is slow to lay out
  var limit = PAGE;
  var countEls = [], boxEls = [], labelEls = [], summaryEls = [], shownCounts = [];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- the panel ---------------------------------------------------------------------------
  var bar = el("div", "case-filter-bar");
  var status = el("p", "case-browse-status");
  status.id = "case-status";
  status.setAttribute("aria-live", "polite");
  var sortLabel = el("label", "case-sort", "排序 ");
  var sortSelect = el("select");
  sortSelect.id = "case-sort";
  [["newest", "发布日期：新到旧"], ["oldest", "发布日期：旧到新"]].forEach(function (o) {
    var opt = el("option", null, o[1]);
    opt.value = o[0];
    sortSelect.appendChild(opt);
  });
  sortLabel.appendChild(sortSelect);
  var clear = el("button", "md-button case-filter-clear", "清除筛选");
  clear.type = "button";
  bar.appendChild(status);
  bar.appendChild(sortLabel);
  bar.appendChild(clear);

  var groups = el("div", "case-facets");
  facets.forEach(function (facet, f) {
    var group = el("details", "case-facet");
    group.setAttribute("data-facet", facet.key);
    var summary = el("summary", null, facet.label);
    var picked = el("span", "case-facet-picked");
    summary.appendChild(picked);
    summaryEls.push(picked);
    group.appendChild(summary);
    countEls.push(null); boxEls.push(null); labelEls.push(null); shownCounts.push(null);
    group.addEventListener("toggle", function () { if (group.open) { build(f); } });
    groups.appendChild(group);
  });

  // A facet's values are built when it is first opened (10,000 cases have thousands of models).
  function build(f) {
    if (labelEls[f]) { return; }
    var facet = facets[f], group = groups.children[f];
    var box = el("div", "case-facet-values");
    if (facet.values.length > 40) {  // long lists (院校, 模式) get a text box to find a value
      var find = el("input", "case-facet-find");
      find.type = "search";
      find.placeholder = "查找" + facet.label;
      find.setAttribute("aria-label", "查找" + facet.label);
      find.addEventListener("input", function () {
        var needle = find.value.trim();
        labelEls[f].forEach(function (label, v) {
          label.hidden = needle !== "" && facet.values[v].indexOf(needle) < 0;
        });
      });
      group.appendChild(find);
    }
    countEls[f] = []; boxEls[f] = []; labelEls[f] = []; shownCounts[f] = [];
    facet.values.forEach(function (value, v) {
      var label = el("label", "case-facet-value");
      var input = el("input");
      input.type = "checkbox";
      input.setAttribute("data-f", f);
      input.setAttribute("data-v", v);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + value + " "));
      var count = el("span", "case-facet-count");
      label.appendChild(count);
      box.appendChild(label);
      countEls[f].push(count); boxEls[f].push(input); labelEls[f].push(label);
    });
    group.appendChild(box);
    if (lastCounts) { renderFacet(f); }
  }

  panel.appendChild(bar);
  panel.appendChild(groups);
  var more = el("button", "md-button case-list-more");
  more.type = "button";
  more.hidden = true;
  list.insertAdjacentElement("afterend", more);
  more.addEventListener("click", function () { limit += PAGE; apply(); });
  panel.hidden = false;

  // --- filtering ---------------------------------------------------------------------------
  var lastCounts = null;

  function renderFacet(a) {
    var n = 0;
    for (var v in selected[a]) { if (selected[a][v]) { n++; } }
    summaryEls[a].textContent = n ? "（已选 " + n + "）" : "";
    if (!labelEls[a]) { return; }
    var counts = lastCounts[a];
    for (var b = 0; b < countEls[a].length; b++) {
      var on = !!selected[a][b];
      var c = counts[b];
      var key = on ? -1 - c : c;  // touch the DOM only where something changed
      if (shownCounts[a][b] !== key) {
        countEls[a][b].textContent = "(" + c + ")";
        boxEls[a][b].checked = on;
        labelEls[a][b].classList.toggle("case-facet-empty", c === 0 && !on);
        shownCounts[a][b] = key;
      }
    }
  }

  function matches(values, picked) {
    for (var k = 0; k < values.length; k++) { if (picked[values[k]]) { return true; } }
    return false;
  }

  function apply() {
    var counts = facets.map(function (facet) { return new Int32Array(facet.values.length); });
    var shown = 0, listed = 0;
    var frag = document.createDocumentFragment();
    for (var p = 0; p < N; p++) {
      var i = sort === "oldest" ? N - 1 - p : p;
      var r = rows[i].f;
      var failed = -1, fails = 0;
      for (var f = 0; f < F; f++) {
        if (sizes[f] && !matches(r[f], selected[f])) {
          fails++; failed = f;
          if (fails > 1) { break; }
        }
      }
      var match = fails === 0;
      if (match && listed < limit) { frag.appendChild(items[i]); listed++; }
      if (match) {
        shown++;
        for (var g = 0; g < F; g++) {
          var vs = r[g];
          for (var k = 0; k < vs.length; k++) { counts[g][vs[k]]++; }
        }
      } else if (fails === 1) {
        var ws = r[failed];
        for (var m = 0; m < ws.length; m++) { counts[failed][ws[m]]++; }
      }
    }
    lastCounts = counts;
    for (var a = 0; a < F; a++) { renderFacet(a); }
    sortSelect.value = sort;
    list.textContent = "";
    list.appendChild(frag);
    var any = sizes.some(function (s) { return s > 0; });
    status.textContent = (any ? "显示 " + shown + " 个案例（共 " + N + " 个）" : "共 " + N + " 个案例") +
      (listed < shown ? "，列出前 " + listed + " 个" : "");
    more.hidden = listed >= shown;
    more.textContent = "再列出 " + Math.min(PAGE, shown - listed) + " 个（还有 " + (shown - listed) + " 个）";
    clear.hidden = !any;
  }

  // --- the URL -----------------------------------------------------------------------------
  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    facets.forEach(function (facet, f) {
      selected[f] = {};
      sizes[f] = 0;
      params.getAll(facet.key).forEach(function (value) {
        var v = facet.values.indexOf(value);
        if (v >= 0 && !selected[f][v]) { selected[f][v] = true; sizes[f]++; }
      });
    });
    sort = params.get("sort") === "oldest" ? "oldest" : "newest";
    facets.forEach(function (facet, f) {
      if (sizes[f]) { build(f); groups.children[f].open = true; }
    });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    facets.forEach(function (facet, f) {
      facet.values.forEach(function (value, v) {
        if (selected[f][v]) { params.append(facet.key, value); }
      });
    });
    if (sort !== "newest") { params.set("sort", sort); }
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url !== window.location.pathname + window.location.search) {
      window.history.pushState(null, "", url);
    }
  }

  groups.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.hasAttribute("data-f")) { return; }
    var f = +input.getAttribute("data-f"), v = +input.getAttribute("data-v");
    if (input.checked && !selected[f][v]) { selected[f][v] = true; sizes[f]++; }
    if (!input.checked && selected[f][v]) { delete selected[f][v]; sizes[f]--; }
    limit = PAGE;
    writeUrl();
    apply();
  });
  sortSelect.addEventListener("change", function () {
    sort = sortSelect.value === "oldest" ? "oldest" : "newest";
    limit = PAGE;
    writeUrl();
    apply();
  });
  clear.addEventListener("click", function () {
    selected = facets.map(function () { return {}; });
    sizes = facets.map(function () { return 0; });
    limit = PAGE;
    writeUrl();
    apply();
  });
  window.addEventListener("popstate", function () { readUrl(); limit = PAGE; apply(); });

  readUrl();
  apply();
})();
