/* 全部案例 (/cases/): one place to search and filter, over the server-rendered list.
   - A keyword box (search.js: window.caselibSearch) and facet filters; the cases shown match the
     keywords AND every facet (OR within a facet).
   - The count beside a value is the number of cases with that value among the cases that match
     the keywords and every OTHER facet's selection (what ticking it would add within its facet);
     a value with none is disabled (still readable).
   - State lives in the query string: ?q=两张皮&province=四川&model=四力&sort=oldest. A filter
     change adds a history entry (Back restores the previous selection); typing replaces it.
   - With keywords the cases are ranked (searchindex.rank) unless a date order is chosen, and
     listed PAGE_SIZE at a time with the passage of the body that holds the terms.
   - The list is rendered once by the server; the script keeps its items and puts back only the
     matching ones, in the chosen order, at most PAGE at a time ("再列出" lists more). Toggling
     `hidden` on thousands of siblings instead took Chromium over ten seconds at 10,000 cases.
   - On a phone the facets are in a drawer: "筛选" opens it, "显示 N 个案例" closes it.
   - Nothing matches: each condition is offered for removal, with the count it would give. */
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("case-browser");
    var dataEl = document.getElementById("case-facets");
    var list = document.getElementById("case-list");
    var panel = document.getElementById("case-filters");
    if (!root || !dataEl || !list || !panel) { return; }
    browse(root, dataEl, list, panel, window.caselibSearch);
  }

  function browse(root, dataEl, list, panel, engine) {
    var data = JSON.parse(dataEl.textContent);
    var facets = data.facets;
    var rows = data.cases;
    var items = Array.prototype.slice.call(list.children);  // newest first, same order as rows
    if (items.length !== rows.length) { return; }
    var N = rows.length;
    var F = facets.length;
    var selected = facets.map(function () { return {}; });   // value index -> true
    var sizes = facets.map(function () { return 0; });
    var sort = "";  // "" = by relevance with keywords, newest first without; or "newest", "oldest"
    var PAGE = 200;  // items listed at a time: hiding or showing thousands of items is slow to lay out
    var QPAGE = engine ? engine.PAGE_SIZE : PAGE;  // with keywords: each item fetches its passage
    var limit = PAGE;
    var query = "";    // the keywords as typed
    var hits = null;   // with keywords: {docs: ranked doc numbers, set: doc -> true, terms, t2s}
    var sequence = 0, runs = 0;
    var countEls = [], boxEls = [], labelEls = [], summaryEls = [], shownCounts = [];
    var titleText = items.map(function (li) { return li.querySelector(".case-item-title").textContent; });
    var decorated = {};  // item index -> the keywords its title and passage show

    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) { node.className = cls; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    // --- the panel -------------------------------------------------------------------------
    var form = panel.querySelector("form.case-search");
    var input = form && form.querySelector("input[name=q]");
    if (form && !engine) { form.hidden = true; }
    var help = panel.querySelector(".case-filter-help");
    var bar = el("div", "case-filter-bar");
    var status = el("p", "case-browse-status");
    status.id = "case-status";
    status.setAttribute("aria-live", "polite");
    var sortLabel = el("label", "case-sort", "排序 ");
    var sortSelect = el("select");
    sortSelect.id = "case-sort";
    var relevance = el("option", null, "相关度");
    relevance.value = "relevance";
    sortSelect.appendChild(relevance);
    [["newest", "发布日期：新到旧"], ["oldest", "发布日期：旧到新"]].forEach(function (o) {
      var opt = el("option", null, o[1]);
      opt.value = o[0];
      sortSelect.appendChild(opt);
    });
    sortLabel.appendChild(sortSelect);
    var opener = el("button", "md-button case-drawer-open", "筛选");
    opener.type = "button";
    opener.setAttribute("aria-expanded", "false");
    opener.setAttribute("aria-controls", "case-drawer");
    var clear = el("button", "md-button case-filter-clear", "清除筛选");
    clear.type = "button";
    bar.appendChild(status);
    bar.appendChild(sortLabel);
    bar.appendChild(opener);
    bar.appendChild(clear);

    var drawer = el("div", "case-drawer");
    drawer.id = "case-drawer";
    var drawerHead = el("div", "case-drawer-head");
    drawerHead.appendChild(el("p", "case-drawer-title", "筛选"));
    var drawerClear = el("button", "md-button case-drawer-clear", "清除筛选");
    drawerClear.type = "button";
    drawerHead.appendChild(drawerClear);
    drawer.appendChild(drawerHead);
    if (help) { drawer.appendChild(help); }
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
    drawer.appendChild(groups);
    var closer = el("button", "md-button md-button--primary case-drawer-close");
    closer.type = "button";
    drawer.appendChild(closer);
    var empty = el("div", "case-empty");
    empty.id = "case-empty";
    empty.hidden = true;

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
        var box2 = el("input");
        box2.type = "checkbox";
        box2.setAttribute("data-f", f);
        box2.setAttribute("data-v", v);
        label.appendChild(box2);
        label.appendChild(document.createTextNode(" " + value + " "));
        var count = el("span", "case-facet-count");
        label.appendChild(count);
        box.appendChild(label);
        countEls[f].push(count); boxEls[f].push(box2); labelEls[f].push(label);
      });
      group.appendChild(box);
      if (lastCounts) { renderFacet(f); }
    }

    panel.appendChild(bar);
    panel.appendChild(drawer);
    list.insertAdjacentElement("beforebegin", empty);
    var more = el("button", "md-button case-list-more");
    more.type = "button";
    more.hidden = true;
    list.insertAdjacentElement("afterend", more);
    more.addEventListener("click", function () { limit += query ? QPAGE : PAGE; apply(); });
    panel.hidden = false;

    // --- the drawer (phones) -----------------------------------------------------------------
    function setDrawer(open) {
      root.classList.toggle("case-drawer--open", open);
      opener.setAttribute("aria-expanded", open ? "true" : "false");
      // opened (phones), the drawer covers the page: a modal dialog; closed, the facets are inline
      if (open) {
        drawer.setAttribute("role", "dialog");
        drawer.setAttribute("aria-modal", "true");
        drawer.setAttribute("aria-label", "筛选");
      } else {
        drawer.removeAttribute("role");
        drawer.removeAttribute("aria-modal");
        drawer.removeAttribute("aria-label");
      }
      if (open) {
        var first = drawer.querySelector("summary");
        if (first) { first.focus(); }
      } else if (window.getComputedStyle(opener).display !== "none") {
        opener.focus();
      }
    }
    opener.addEventListener("click", function () { setDrawer(true); });
    closer.addEventListener("click", function () { setDrawer(false); });
    drawer.addEventListener("keydown", function (e) {
      if (!root.classList.contains("case-drawer--open")) { return; }
      if (e.key === "Escape") { setDrawer(false); return; }
      if (e.key !== "Tab") { return; }
      // the focus stays in the open dialog: Tab from its last control goes to its first, and back
      var all = drawer.querySelectorAll("summary, button, input, a[href], select, textarea");
      var shown = [];
      for (var i = 0; i < all.length; i++) {
        if (!all[i].disabled && all[i].offsetParent !== null) { shown.push(all[i]); }
      }
      if (!shown.length) { return; }
      var first = shown[0], last = shown[shown.length - 1];
      if (e.shiftKey && document.activeElement === first) { last.focus(); e.preventDefault(); }
      else if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); }
    });

    // --- filtering -------------------------------------------------------------------------
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
          boxEls[a][b].disabled = c === 0 && !on;
          labelEls[a][b].classList.toggle("case-facet-empty", c === 0 && !on);
          shownCounts[a][b] = key;
        }
      }
    }

    function matches(values, picked) {
      for (var k = 0; k < values.length; k++) { if (picked[values[k]]) { return true; } }
      return false;
    }

    // how many facets row i fails (0, 1 or 2 = "more than one"), and the one it fails
    function failing(i) {
      var r = rows[i].f, failed = -1, fails = 0;
      for (var f = 0; f < F; f++) {
        if (sizes[f] && !matches(r[f], selected[f])) {
          fails++; failed = f;
          if (fails > 1) { break; }
        }
      }
      return [fails, failed];
    }

    function order() {
      if (query && hits && (sort === "" || sort === "relevance")) { return hits.docs; }
      var out = [];
      var inSet = query && hits ? hits.set : null;
      for (var p = 0; p < N; p++) {
        var i = sort === "oldest" ? N - 1 - p : p;
        if (!inSet || inSet[i]) { out.push(i); }
      }
      return out;
    }

    function apply() {
      var counts = facets.map(function (facet) { return new Int32Array(facet.values.length); });
      var shown = 0, listed = 0, pending = query && !hits;
      var frag = document.createDocumentFragment();
      var candidates = pending ? [] : order();
      var listedIdx = [];
      for (var p = 0; p < candidates.length; p++) {
        var i = candidates[p], r = rows[i].f;
        var fl = failing(i);
        if (fl[0] === 0) {
          if (listed < limit) { frag.appendChild(items[i]); listed++; listedIdx.push(i); }
          shown++;
          for (var g = 0; g < F; g++) {
            var vs = r[g];
            for (var k = 0; k < vs.length; k++) { counts[g][vs[k]]++; }
          }
        } else if (fl[0] === 1) {
          var ws = r[fl[1]];
          for (var m = 0; m < ws.length; m++) { counts[fl[1]][ws[m]]++; }
        }
      }
      lastCounts = counts;
      for (var a = 0; a < F; a++) { renderFacet(a); }
      sortSelect.value = sort || (query ? "relevance" : "newest");
      relevance.disabled = !query;
      relevance.hidden = !query;
      list.textContent = "";
      list.appendChild(frag);
      decorate(listedIdx);
      var picked = sizes.reduce(function (s, x) { return s + x; }, 0);
      var any = picked > 0;
      if (pending) {
        status.textContent = "正在搜索……";
      } else if (query) {
        status.textContent = shown ? "共找到 " + shown + " 个案例" + (listed < shown ? "，列出前 " + listed + " 个" : "")
          : "没有找到符合条件的案例";
      } else {
        status.textContent = (any ? "显示 " + shown + " 个案例（共 " + N + " 个）" : "共 " + N + " 个案例") +
          (listed < shown ? "，列出前 " + listed + " 个" : "");
      }
      var step = query ? QPAGE : PAGE;
      more.hidden = listed >= shown;
      more.textContent = "再列出 " + Math.min(step, shown - listed) + " 个（还有 " + (shown - listed) + " 个）";
      clear.hidden = !any;
      drawerClear.hidden = !any;
      opener.textContent = any ? "筛选（" + picked + "）" : "筛选";
      closer.textContent = pending ? "显示案例" : "显示 " + shown + " 个案例";
      root.setAttribute("data-count", String(shown));
      showEmpty(!pending && shown === 0);
    }

    // --- nothing matches: which conditions to remove -------------------------------------------
    function countWithout(skipF, skipV, dropQuery) {
      var n = 0;
      for (var i = 0; i < N; i++) {
        if (!dropQuery && query && hits && !hits.set[i]) { continue; }
        var r = rows[i].f, ok = true;
        for (var f = 0; f < F && ok; f++) {
          if (!sizes[f]) { continue; }
          if (f === skipF) {
            if (sizes[f] === 1) { continue; }  // the only value of this facet: the facet is gone
            var rest = {};
            for (var v in selected[f]) { if (+v !== skipV) { rest[v] = true; } }
            ok = matches(r[f], rest);
          } else {
            ok = matches(r[f], selected[f]);
          }
        }
        if (ok) { n++; }
      }
      return n;
    }

    function showEmpty(on) {
      empty.hidden = !on;
      empty.textContent = "";
      if (!on) { return; }
      var conditions = [];
      if (query) { conditions.push("关键词“" + query.trim() + "”"); }
      facets.forEach(function (facet, f) {
        facet.values.forEach(function (value, v) {
          if (selected[f][v]) { conditions.push(facet.label + "“" + value + "”"); }
        });
      });
      empty.appendChild(el("p", "case-empty-text", (conditions.length > 1 ? "没有同时符合" : "没有符合") +
        conditions.join("、") + "的案例。" +
        (conditions.length > 1 ? "可以去掉其中一个条件：" : (query ? "请检查用字，或换一个更短的词再试。" : ""))));
      var offers = el("div", "case-empty-offers");
      if (query && conditions.length > 1) {
        var b = el("button", "md-button case-empty-remove", "去掉关键词“" + query.trim() + "”（" + countWithout(-1, -1, true) + " 个案例）");
        b.type = "button";
        b.addEventListener("click", function () { setQuery(""); if (input) { input.value = ""; } });
        offers.appendChild(b);
      }
      facets.forEach(function (facet, f) {
        facet.values.forEach(function (value, v) {
          if (!selected[f][v]) { return; }
          var b2 = el("button", "md-button case-empty-remove",
            "去掉" + facet.label + "“" + value + "”（" + countWithout(f, v, false) + " 个案例）");
          b2.type = "button";
          b2.addEventListener("click", function () {
            delete selected[f][v]; sizes[f]--;
            limit = query ? QPAGE : PAGE;
            writeUrl(true);
            apply();
          });
          offers.appendChild(b2);
        });
      });
      empty.appendChild(offers);
    }

    // --- keywords: titles highlighted, passages fetched for the items listed --------------------
    function decorate(listedIdx) {
      var want = {};
      listedIdx.forEach(function (i) { want[i] = true; });
      Object.keys(decorated).forEach(function (k) {
        if (!want[k] || !query || !hits || decorated[k] !== hits) { undecorate(+k); }
      });
      if (!query || !hits) { return; }
      var mine = hits;
      listedIdx.forEach(function (i) {
        if (decorated[i] === mine) { return; }
        decorated[i] = mine;
        var a = items[i].querySelector(".case-item-title");
        a.textContent = "";
        a.appendChild(engine.highlighted("span", titleText[i], mine.terms, mine.t2s));
        engine.doc(i).then(function (doc) {
          if (decorated[i] !== mine || items[i].querySelector(".case-item-snippet")) { return; }
          items[i].appendChild(engine.snippet(doc, mine.terms, mine.t2s));
        });
      });
    }
    function undecorate(i) {
      delete decorated[i];
      items[i].querySelector(".case-item-title").textContent = titleText[i];
      var s = items[i].querySelector(".case-item-snippet");
      if (s) { s.parentNode.removeChild(s); }
    }

    // searchindex.list_hash of this page's list: the index must number the same cases
    function listHash() {
      var text = rows.map(function (r) { return "cases/" + r.id + "/"; }).join("\n");
      var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
      for (var i = 0; i < bytes.length; i++) { h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0; }
      return h;
    }
    var pageList = null;

    var titles = null;
    function normalisedTitles(t2s) {
      if (!titles) { titles = titleText.map(function (t) { return engine.normalizeWith(t, t2s); }); }
      return titles;
    }

    function runSearch() {
      var mine = ++sequence;
      hits = null;
      if (!query.trim()) {
        root.setAttribute("data-state", "done");
        root.setAttribute("data-query", query);
        apply();
        return;
      }
      runs++;
      root.setAttribute("data-runs", String(runs));
      root.setAttribute("data-state", "loading");
      apply();
      engine.search(query, normalisedTitles).then(function (result) {
        if (mine !== sequence) { return; }
        if (pageList === null) { pageList = listHash(); }
        if (result.list !== pageList) {
          status.textContent = "网站刚刚更新，请刷新页面后再搜索。";
          root.setAttribute("data-state", "error");
          return;
        }
        var set = {};
        result.docs.forEach(function (d) { set[d] = true; });
        hits = { docs: result.docs, set: set, terms: result.terms, t2s: result.t2s };
        apply();
        root.setAttribute("data-query", query);
        root.setAttribute("data-state", "done");
      }).catch(function (err) {
        if (mine !== sequence) { return; }
        status.textContent = "搜索出错，请刷新页面后重试。";
        root.setAttribute("data-state", "error");
        if (window.console) { window.console.error(err); }
      });
    }

    function setQuery(value) {
      query = value;
      limit = query.trim() ? QPAGE : PAGE;
      if (!query.trim()) { query = ""; }
      writeUrl(false);
      runSearch();
    }

    // --- the URL ---------------------------------------------------------------------------
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
      var s = params.get("sort");
      sort = s === "oldest" || s === "newest" ? s : "";
      query = engine ? (params.get("q") || "").trim() ? params.get("q") : "" : "";
      if (input) {
        input.value = query;
        if (bound) { bound.reset(query); }
      }
      facets.forEach(function (facet, f) {
        if (sizes[f]) { build(f); groups.children[f].open = true; }
      });
    }

    function writeUrl(push) {
      var params = new URLSearchParams();
      if (query) { params.set("q", query); }
      facets.forEach(function (facet, f) {
        facet.values.forEach(function (value, v) {
          if (selected[f][v]) { params.append(facet.key, value); }
        });
      });
      if (sort) { params.set("sort", sort); }
      var qs = params.toString();
      var url = window.location.pathname + (qs ? "?" + qs : "");
      if (url !== window.location.pathname + window.location.search) {
        if (push) { window.history.pushState(null, "", url); } else { window.history.replaceState(null, "", url); }
      }
    }

    groups.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.hasAttribute("data-f")) { return; }
      var f = +box.getAttribute("data-f"), v = +box.getAttribute("data-v");
      if (box.checked && !selected[f][v]) { selected[f][v] = true; sizes[f]++; }
      if (!box.checked && selected[f][v]) { delete selected[f][v]; sizes[f]--; }
      limit = query ? QPAGE : PAGE;
      writeUrl(true);
      apply();
    });
    sortSelect.addEventListener("change", function () {
      var v = sortSelect.value;
      sort = v === "oldest" || v === "newest" ? v : "";
      if (!query && sort === "newest") { sort = ""; }
      limit = query ? QPAGE : PAGE;
      writeUrl(true);
      apply();
    });
    function clearFilters() {
      selected = facets.map(function () { return {}; });
      sizes = facets.map(function () { return 0; });
      limit = query ? QPAGE : PAGE;
      writeUrl(true);
      apply();
    }
    clear.addEventListener("click", clearFilters);
    drawerClear.addEventListener("click", clearFilters);
    var bound = null;
    if (input && engine) {
      bound = engine.bindQuery(input, setQuery);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (input.value !== query) { bound.reset(input.value); setQuery(input.value); }
        input.blur();
      });
    }
    window.addEventListener("popstate", function () {
      var before = query;
      readUrl();
      limit = query ? QPAGE : PAGE;
      if (query !== before) { runSearch(); } else { apply(); }
    });

    readUrl();
    if (query) { runSearch(); } else { root.setAttribute("data-state", "done"); apply(); }
  }

  // search.js may come after this script: start once every script of the page has run
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
