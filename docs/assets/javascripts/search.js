/* 党建创新案例库 search: exact substring search over a sharded n-gram index (see
   scripts/caselib/searchindex.py, which builds the index and holds the same algorithm in Python).
   No dependencies, nothing from other hosts. Contributor text is only ever set with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  var ROOT = new URL("../../", script.src);
  var DATA = new URL("search/data/", ROOT);
  var PAGE_SIZE = 10;
  /* Whitespace after NFKC, the same list as searchnorm.WHITESPACE. */
  var WHITESPACE = " \t\n\r\f\v\x85\u1680\u2028\u2029\ufeff";
  var cache = new Map();

  function gunzip(path) {
    return fetch(new URL(path, DATA)).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip")));
    });
  }
  function fetchGz(path) {
    if (!cache.has(path)) cache.set(path, gunzip(path).then(function (r) { return r.json(); }));
    return cache.get(path);
  }
  function fetchBytes(path) {
    if (!cache.has(path)) {
      cache.set(path, gunzip(path).then(function (r) { return r.arrayBuffer(); }).then(function (b) {
        return new Uint8Array(b);
      }));
    }
    return cache.get(path);
  }
  function manifest() {
    if (!cache.has("manifest")) {
      cache.set("manifest", fetch(new URL("manifest.json", DATA)).then(function (r) { return r.json(); }));
    }
    return cache.get("manifest");
  }

  /* --- normalisation, identical to searchnorm.py ------------------------------------------ */
  var charCache = new Map();
  function normChar(ch, t2s) {
    var got = charCache.get(ch);
    if (got !== undefined) return got;
    var out = "";
    if (ch !== "\0") {
      for (var c of ch.normalize("NFKC").toLowerCase()) {
        out += WHITESPACE.indexOf(c) >= 0 ? " " : (Object.prototype.hasOwnProperty.call(t2s, c) ? t2s[c] : c);
      }
    }
    charCache.set(ch, out);
    return out;
  }
  function normalize(text, t2s) {
    var out = "";
    for (var ch of text) out += normChar(ch, t2s);
    return out;
  }
  function queryTerms(query, t2s) {
    var terms = [];
    normalize(query, t2s).split(" ").forEach(function (t) {
      if (t && terms.indexOf(t) < 0) terms.push(t);
    });
    return terms;
  }

  /* --- the index (format in searchindex.py) ------------------------------------------------ */
  function shardOf(gram, shards) {
    var h = 0;
    for (var i = 0; i < gram.length; i++) h = (Math.imul(h, 31) + gram.charCodeAt(i)) >>> 0;
    return h % shards;
  }
  /* `count` unsigned LEB128 varints from buf at `at` (values below 2**35: plain arithmetic). */
  function varints(buf, at, count) {
    var out = new Array(count);
    for (var i = 0; i < count; i++) {
      var v = 0, mul = 1, b;
      do { b = buf[at++]; v += (b & 127) * mul; mul *= 128; } while (b >= 128);
      out[i] = v;
    }
    return { values: out, at: at };
  }
  function cumulative(values) {
    var sum = 0;
    return values.map(function (d) { sum += d; return sum; });
  }
  /* A doc-list shard: its directory, key → where the key's data starts and its row. */
  function shard(s, m) {
    var path = "k/" + s + ".gz";
    if (!cache.has("dir:" + path)) {
      cache.set("dir:" + path, fetchBytes(path).then(function (buf) {
        var fields = m.gram + 5, head = varints(buf, 0, 1), count = head.values[0];
        var rows = varints(buf, head.at, count * fields), at = rows.at, keys = new Map();
        for (var r = 0; r < count; r++) {
          var row = rows.values.slice(r * fields, (r + 1) * fields), key = "";
          for (var j = 0; j < m.gram; j++) if (row[j]) key += String.fromCodePoint(row[j]);
          keys.set(key, { at: at, row: row });
          at += row[m.gram + 1];
        }
        return { buf: buf, keys: keys };
      }));
    }
    return cache.get("dir:" + path);
  }
  /* A key's doc list (docs ascending, head flags) and where its positions are; null if absent. */
  function entry(key, m) {
    return shard(shardOf(key, m.shards), m).then(function (sh) {
      var got = sh.keys.get(key);
      if (!got) return null;
      var g = m.gram, row = got.row;
      var docs = varints(sh.buf, got.at, row[g]);
      var values = cumulative(docs.values);
      return {
        docs: values.map(function (v) { return Math.floor(v / 2); }),
        heads: values.map(function (v) { return v % 2 === 1; }),
        file: row[g + 2], offset: row[g + 3],
        breaks: cumulative(varints(sh.buf, docs.at, row[g + 4]).values)
      };
    });
  }
  /* Positions of a GRAM-gram in the wanted docs, fetching only the files that hold them. */
  function positions(e, wanted) {
    var bounds = [0].concat(e.breaks, [e.docs.length]), jobs = [];
    for (var k = 0; k < bounds.length - 1; k++) {
      var lo = bounds[k], hi = bounds[k + 1], need = false;
      for (var i = lo; i < hi && !need; i++) need = wanted.has(e.docs[i]);
      if (need) jobs.push({ k: k, lo: lo, hi: hi });
    }
    var out = new Map();
    return Promise.all(jobs.map(function (job) {
      return fetchBytes("p/" + (e.file + job.k) + ".gz").then(function (buf) {
        var at = job.k === 0 ? e.offset : 0, b, mul, c, j;
        for (var i = job.lo; i < job.hi; i++) {
          c = 0; mul = 1;
          do { b = buf[at++]; c += (b & 127) * mul; mul *= 128; } while (b >= 128);
          if (!wanted.has(e.docs[i])) {
            for (j = 0; j < c; at++) if (buf[at] < 128) j++;   /* skip c varints */
            continue;
          }
          var pos = new Array(c), p = 0;
          for (j = 0; j < c; j++) {
            var v = 0; mul = 1;
            do { b = buf[at++]; v += (b & 127) * mul; mul *= 128; } while (b >= 128);
            pos[j] = p += v;
          }
          out.set(e.docs[i], pos);
        }
      });
    })).then(function () { return out; });
  }
  /* Offsets of the fewest GRAM-grams covering a term: 0, GRAM, 2·GRAM, …, and the last
     (the same as searchindex._cover). */
  function cover(length, gram) {
    var out = [];
    for (var o = 0; o + gram <= length; o += gram) out.push(o);
    if (out[out.length - 1] !== length - gram) out.push(length - gram);
    return out;
  }
  /* Docs containing one normalised term → whether it occurs in the head fields. */
  function termDocs(term, m) {
    var cps = Array.from(term), g = m.gram;
    if (cps.length <= g) {
      return entry(term, m).then(function (e) {
        var out = new Map();
        if (e) e.docs.forEach(function (d, i) { out.set(d, e.heads[i]); });
        return out;
      });
    }
    var offsets = cover(cps.length, g);
    return Promise.all(offsets.map(function (o) { return entry(cps.slice(o, o + g).join(""), m); })).then(function (entries) {
      var out = new Map();
      if (entries.some(function (e) { return !e; })) return out;
      var cand = new Set(entries[0].docs);
      entries.slice(1).forEach(function (e) {
        var has = new Set(e.docs);
        cand.forEach(function (d) { if (!has.has(d)) cand.delete(d); });
      });
      if (!cand.size) return out;
      return Promise.all(entries.map(function (e) { return positions(e, cand); })).then(function (found) {
        /* positions are ascending: walk each list once; the first start found is the smallest */
        Array.from(cand).sort(function (a, b) { return a - b; }).forEach(function (doc) {
          var lists = found.map(function (f) { return f.get(doc); }), next = offsets.map(function () { return 0; });
          var first = lists[0];
          starts: for (var i = 0; i < first.length; i++) {
            for (var k = 1; k < offsets.length; k++) {
              var want = first[i] + offsets[k], list = lists[k];
              while (next[k] < list.length && list[next[k]] < want) next[k]++;
              if (list[next[k]] !== want) continue starts;
            }
            out.set(doc, first[i] < m.head);
            return;
          }
        });
        return out;
      });
    });
  }
  /* Matching docs ranked: a term in title, model or institution first, then newest first. */
  function search(query) {
    return Promise.all([manifest(), fetchGz("t2s.gz")]).then(function (got) {
      var m = got[0], terms = queryTerms(query, got[1]);
      if (!terms.length) return { terms: terms, docs: [] };
      return Promise.all(terms.map(function (t) { return termDocs(t, m); })).then(function (maps) {
        var found = new Map(maps[0]);
        maps.slice(1).forEach(function (mp) {
          found.forEach(function (head, doc) {
            if (!mp.has(doc)) found.delete(doc); else found.set(doc, head || mp.get(doc));
          });
        });
        var docs = Array.from(found.keys()).sort(function (a, b) {
          return (found.get(a) ? 0 : 1) - (found.get(b) ? 0 : 1) || a - b;
        });
        return { terms: terms, docs: docs, t2s: got[1] };
      });
    });
  }

  /* --- snippets ----------------------------------------------------------------------------- */
  /* Normalise text keeping, for each UTF-16 unit of the result, the offset of its source char. */
  function mapped(text, t2s) {
    var norm = "", origin = [], offset = 0;
    for (var ch of text) {
      var n = normChar(ch, t2s);
      for (var i = 0; i < n.length; i++) origin.push(offset);
      norm += n;
      offset += ch.length;
    }
    origin.push(offset);
    return { norm: norm, origin: origin };
  }
  function ranges(text, terms, t2s) {
    var mp = mapped(text, t2s), out = [];
    terms.forEach(function (t) {
      var at = mp.norm.indexOf(t);
      while (at >= 0) {
        var end = mp.origin[at + t.length - 1];
        end += text.codePointAt(end) > 0xffff ? 2 : 1;
        out.push([mp.origin[at], end]);
        at = mp.norm.indexOf(t, at + 1);
      }
    });
    return out.sort(function (a, b) { return a[0] - b[0]; });
  }
  function snippet(doc, terms, t2s) {
    var text = doc.r.split("\0").join(" · ");
    var found = ranges(text, terms, t2s);
    /* The first match in the body text if any, else in the other metadata, else the body start. */
    var cut = doc.r.lastIndexOf("\0");
    var bodyStart = cut < 0 ? 0 : text.length - (doc.r.length - cut - 1);
    var first = found.filter(function (r) { return r[0] >= bodyStart; })[0] || found[0];
    var start = first ? Math.max(0, first[0] - 30) : bodyStart;
    var end = Math.min(text.length, start + 120);
    var el = document.createElement("p");
    el.className = "caselib-result__snippet";
    var at = start;
    if (start > 0) el.appendChild(document.createTextNode("…"));
    found.forEach(function (r) {
      if (r[0] < at || r[1] > end) return;
      el.appendChild(document.createTextNode(text.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      el.appendChild(mark);
      at = r[1];
    });
    el.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? "…" : "")));
    return el;
  }
  function highlighted(tag, text, terms, t2s) {
    var el = document.createElement(tag), at = 0;
    ranges(text, terms, t2s).forEach(function (r) {
      if (r[0] < at) return;
      el.appendChild(document.createTextNode(text.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      el.appendChild(mark);
      at = r[1];
    });
    el.appendChild(document.createTextNode(text.slice(at)));
    return el;
  }

  /* --- the /search/ page -------------------------------------------------------------------- */
  function resultItem(doc, result) {
    var li = document.createElement("li");
    li.className = "caselib-result";
    var a = document.createElement("a");
    a.className = "caselib-result__title";
    a.href = new URL(doc.u, ROOT).href;
    a.appendChild(highlighted("span", doc.t, result.terms, result.t2s));
    var h = document.createElement("h3");
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "caselib-result__meta";
    meta.textContent = [doc.i, doc.d].filter(Boolean).join(" · ");
    li.appendChild(meta);
    li.appendChild(snippet(doc, result.terms, result.t2s));
    return li;
  }

  var sequence = 0;
  function show(box, query) {
    var mine = ++sequence;
    var status = box.querySelector(".caselib-search__status");
    var list = box.querySelector(".caselib-search__results");
    var more = box.querySelector(".caselib-search__more");
    if (!query.trim()) {
      status.textContent = "请输入要查找的词语，多个词之间用空格分隔。";
      list.replaceChildren();
      more.hidden = true;
      box.dataset.state = "empty";
      return Promise.resolve();
    }
    box.dataset.state = "loading";
    return search(query).then(function (result) {
      if (mine !== sequence) return;
      var shown = 0;
      list.replaceChildren();
      function page() {
        var batch = result.docs.slice(shown, shown + PAGE_SIZE);
        return Promise.all(batch.map(function (d) { return fetchGz("d/" + d + ".gz"); })).then(function (docs) {
          if (mine !== sequence) return;
          docs.forEach(function (doc) { list.appendChild(resultItem(doc, result)); });
          shown += docs.length;
          more.hidden = shown >= result.docs.length;
        });
      }
      return page().then(function () {
        if (mine !== sequence) return;
        status.textContent = result.docs.length
          ? "共找到 " + result.docs.length + " 个案例"
          : "没有找到包含“" + query.trim() + "”的案例。请检查用字，或换一个更短的词再试。";
        box.dataset.count = String(result.docs.length);
        box.dataset.query = query;
        box.dataset.state = "done";
        more.onclick = page;
      });
    }).catch(function (err) {
      if (mine !== sequence) return;
      status.textContent = "搜索出错，请刷新页面后重试。";
      box.dataset.state = "error";
      console.error(err);
    });
  }

  function init() {
    var params = new URLSearchParams(location.search);
    var q = params.get("q") || "";
    document.querySelectorAll(".caselib-header-search__input").forEach(function (input) {
      if (q) input.value = q;
    });
    var box = document.getElementById("caselib-search");
    if (!box) return;
    var input = box.querySelector(".caselib-search__input");
    input.value = q;
    input.addEventListener("input", function () {
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      show(box, input.value);
    });
    show(box, q);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.caselibSearch = { normalize: function (text) {
    return fetchGz("t2s.gz").then(function (t2s) { return normalize(text, t2s); });
  }, search: search };
})();
