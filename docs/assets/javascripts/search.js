/* 党建创新案例库 search: exact substring search over a sharded n-gram index (see
   scripts/caselib/search/searchindex.py, which builds the index and holds the same algorithm and
   ranking in Python). The page that shows results is /cases/ (cases-browse.js, which calls
   window.caselibSearch); this file also fills the header box and forwards the old /search/?q=.
   Nothing from other hosts; fflate (vendored) only without DecompressionStream. Contributor text
   is only ever set with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  var ROOT = new URL("../../", script.src);
  var INDEX = new URL("search/data/", ROOT);
  /* Only where the browser has no DecompressionStream (Safari < 16.4, older iOS WebViews):
     the vendored fflate (vendor/README.txt), loaded on first use. */
  var FFLATE = new URL("vendor/fflate-0.8.2.min.js", script.src);
  /* Whitespace after NFKC, the same list as searchnorm.WHITESPACE. */
  var WHITESPACE = " \t\n\r\f\v\x85\u1680\u2028\u2029\ufeff";
  var COUNT_CAP = 127, SCORE_CAP = 20;  /* searchindex.COUNT_CAP, searchindex.SCORE_CAP */
  var cache = new Map();
  var inflater = null;

  /* The entry file names the folder of this build's index (searchindex.build); it is fetched
     past any cache once per page, every other file is immutable. */
  function entry() {
    if (!cache.has("entry")) {
      cache.set("entry", fetch(new URL("entry.json?ts=" + Date.now(), INDEX)).then(function (r) {
        if (!r.ok) throw new Error("entry.json: " + r.status);
        return r.json();
      }));
    }
    return cache.get("entry");
  }
  function fflate() {
    if (!inflater) {
      inflater = new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = FFLATE.href;
        el.onload = function () { resolve(window.fflate); };
        el.onerror = function () { reject(new Error("fflate did not load")); };
        document.head.appendChild(el);
      });
    }
    return inflater;
  }
  /* The unpacked bytes of one gzip file of the index. */
  function gunzip(path) {
    return entry().then(function (m) {
      return fetch(new URL(m.dir + "/" + path, INDEX));
    }).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      if (typeof DecompressionStream === "function") {
        return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(function (b) {
          return new Uint8Array(b);
        });
      }
      return Promise.all([r.arrayBuffer(), fflate()]).then(function (got) {
        return got[1].gunzipSync(new Uint8Array(got[0]));
      });
    });
  }
  function fetchGz(path) {
    if (!cache.has(path)) {
      cache.set(path, gunzip(path).then(function (bytes) { return JSON.parse(utf8(bytes)); }));
    }
    return cache.get(path);
  }
  function utf8(bytes) { return new TextDecoder("utf-8").decode(bytes); }
  function fetchBytes(path) {
    if (!cache.has(path)) cache.set(path, gunzip(path));
    return cache.get(path);
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
  /* A doc-list shard: its directory, key → where the key's data starts and its row
     (docs, size, file, offset, breaks). A row is: the key's length, its code points, the row. */
  function shard(s) {
    var path = "k/" + s + ".gz";
    if (!cache.has("dir:" + path)) {
      cache.set("dir:" + path, fetchBytes(path).then(function (buf) {
        var head = varints(buf, 0, 1), count = head.values[0], at = head.at, rows = [];
        for (var r = 0; r < count; r++) {
          var n = varints(buf, at, 1), row = varints(buf, n.at, n.values[0] + 5);
          rows.push({ n: n.values[0], values: row.values });
          at = row.at;
        }
        var keys = new Map();
        rows.forEach(function (row) {
          var key = "";
          for (var j = 0; j < row.n; j++) key += String.fromCodePoint(row.values[j]);
          keys.set(key, { at: at, row: row.values.slice(row.n) });
          at += row.values[row.n + 1];
        });
        return { buf: buf, keys: keys };
      }));
    }
    return cache.get("dir:" + path);
  }
  /* A key's doc list (docs ascending, head flags, occurrence counts) and where its positions
     are; null if absent. */
  function entryOf(key, m) {
    return shard(shardOf(key, m.shards)).then(function (sh) {
      var got = sh.keys.get(key);
      if (!got) return null;
      var row = got.row;
      var docs = varints(sh.buf, got.at, row[0]);
      var counts = varints(sh.buf, docs.at, row[0]);
      var values = cumulative(docs.values);
      return {
        docs: values.map(function (v) { return Math.floor(v / 2); }),
        heads: values.map(function (v) { return v % 2 === 1; }),
        counts: counts.values,
        file: row[2], offset: row[3],
        breaks: cumulative(varints(sh.buf, counts.at, row[4]).values)
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
  /* Docs containing one normalised term → {head: in title, model or institution, count}. */
  function termDocs(term, m) {
    var cps = Array.from(term);
    if (cps.length > m.long) return verified(cps, m);
    /* up to GRAM characters: always a key; up to LONG: a key if frequent, else verified */
    return entryOf(term, m).then(function (e) {
      if (!e && cps.length > m.gram) return verified(cps, m);
      var out = new Map();
      if (e) e.docs.forEach(function (d, i) { out.set(d, { head: e.heads[i], count: e.counts[i] }); });
      return out;
    });
  }
  /* A term longer than GRAM: the docs where the GRAM-grams covering it are at their offsets. */
  function verified(cps, m) {
    var g = m.gram, offsets = cover(cps.length, g);
    return Promise.all(offsets.map(function (o) { return entryOf(cps.slice(o, o + g).join(""), m); })).then(function (entries) {
      var out = new Map();
      if (entries.some(function (e) { return !e; })) return out;
      var cand = new Set(entries[0].docs);
      entries.slice(1).forEach(function (e) {
        var has = new Set(e.docs);
        cand.forEach(function (d) { if (!has.has(d)) cand.delete(d); });
      });
      if (!cand.size) return out;
      return Promise.all(entries.map(function (e) { return positions(e, cand); })).then(function (found) {
        /* positions are ascending: walk each list once, counting the starts where every
           GRAM-gram of the cover is at its offset */
        Array.from(cand).sort(function (a, b) { return a - b; }).forEach(function (doc) {
          var lists = found.map(function (f) { return f.get(doc); }), next = offsets.map(function () { return 0; });
          var first = lists[0], count = 0, head = false;
          starts: for (var i = 0; i < first.length; i++) {
            for (var k = 1; k < offsets.length; k++) {
              var want = first[i] + offsets[k], list = lists[k];
              while (next[k] < list.length && list[next[k]] < want) next[k]++;
              if (list[next[k]] !== want) continue starts;
            }
            if (!count) head = first[i] < m.head;
            count++;
          }
          if (count) out.set(doc, { head: head, count: Math.min(count, COUNT_CAP) });
        });
        return out;
      });
    });
  }
  /* Matching docs in the order of searchindex.rank: the query as one phrase in the title, then
     more terms in title, model or institution, then the terms side by side in the case
     (`adjacent`, see adjacentDocs), then how often the terms occur (each counted at most
     SCORE_CAP times), then newest first. `title(doc)` gives a doc's normalised title. */
  /* The docs holding the terms side by side, in order: only when they join into a key of up to
     GRAM characters (searchindex.Index.adjacent). */
  function adjacentDocs(terms, m) {
    var phrase = terms.join("");
    if (terms.length < 2 || Array.from(phrase).length > m.gram) return Promise.resolve(new Set());
    return entryOf(phrase, m).then(function (e) { return new Set(e ? e.docs : []); });
  }
  function rank(found, terms, title, adjacent) {
    var phrase = terms.join(""), keys = new Map();
    found.forEach(function (hits, doc) {
      var heads = 0, score = 0;
      hits.forEach(function (h) { heads += h.head ? 1 : 0; score += Math.min(h.count, SCORE_CAP); });
      keys.set(doc, [title(doc).indexOf(phrase) >= 0 ? 0 : 1, -heads, adjacent.has(doc) ? 0 : 1, -score, doc]);
    });
    return Array.from(found.keys()).sort(function (a, b) {
      var x = keys.get(a), y = keys.get(b);
      for (var i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return 0;
    });
  }
  /* `titles`: the normalised title of every doc, by doc number (the /cases/ page has them all;
     doc n is item n of its list), or a function of the t2s map returning them. */
  function search(query, titles) {
    return Promise.all([entry(), fetchGz("t2s.gz")]).then(function (got) {
      var m = got[0], t2s = got[1], terms = queryTerms(query, t2s);
      if (!terms.length) return { terms: terms, docs: [], t2s: t2s, list: m.list };
      return Promise.all(terms.map(function (t) { return termDocs(t, m); }).concat([adjacentDocs(terms, m)])).then(function (maps) {
        var adjacent = maps.pop();
        var found = new Map();
        maps[0].forEach(function (hit, doc) {
          var hits = [hit];
          for (var k = 1; k < maps.length; k++) {
            if (!maps[k].has(doc)) return;
            hits.push(maps[k].get(doc));
          }
          found.set(doc, hits);
        });
        var names = (typeof titles === "function" ? titles(t2s) : titles) || [];
        var docs = rank(found, terms, function (d) { return names[d] || ""; }, adjacent);
        return { terms: terms, docs: docs, t2s: t2s, list: m.list };
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
  /* The passage of the body (never the metadata) of at most SNIPPET characters holding the most
     different query terms, then the most matches; the body's start when no term is in it. */
  var SNIPPET = 120;
  function snippet(doc, terms, t2s) {
    var text = doc.b.replace(/\s+/g, " ");
    var mp = mapped(text, t2s), found = [];
    terms.forEach(function (t, k) {
      for (var at = mp.norm.indexOf(t); at >= 0; at = mp.norm.indexOf(t, at + 1)) {
        var end = mp.origin[at + t.length - 1];
        end += text.codePointAt(end) > 0xffff ? 2 : 1;
        found.push([mp.origin[at], end, k]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var best = null;
    for (var i = 0; i < found.length; i++) {
      var seen = {}, kinds = 0, hits = 0;
      for (var j = i; j < found.length && found[j][1] <= found[i][0] + SNIPPET; j++) {
        if (!seen[found[j][2]]) { seen[found[j][2]] = true; kinds++; }
        hits++;
      }
      if (!best || kinds > best.kinds || (kinds === best.kinds && hits > best.hits)) {
        best = { start: found[i][0], kinds: kinds, hits: hits };
      }
    }
    var start = best ? Math.max(0, best.start - 20) : 0;
    var end = Math.min(text.length, start + SNIPPET);
    var el = document.createElement("p");
    el.className = "case-item-snippet";
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

  /* --- typing: an input method's composition is not a query ------------------------------
     While a pinyin (or any) input method composes, the box holds the letters typed so far
     ("liangzhang"); `onQuery` runs only for committed text: on an input event outside a
     composition, and once at compositionend (browsers differ on whether an input event follows
     it, so a value already handed on is not handed on again). */
  function bindQuery(input, onQuery) {
    var composing = false, last = null;
    function hand() {
      if (input.value === last) return;
      last = input.value;
      onQuery(input.value);
    }
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; hand(); });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) return;
      hand();
    });
    return { reset: function (value) { last = value; } };
  }

  function init() {
    var q = new URLSearchParams(location.search).get("q") || "";
    /* the header box repeats the query, except on /cases/, whose own box shows it (on a phone the
       header box, once filled, opens and cuts the site title) */
    if (!document.getElementById("case-q")) {
      document.querySelectorAll(".caselib-header-search__input").forEach(function (input) {
        if (q) input.value = q;
      });
    }
    /* /search/ (the old results page): the same query on /cases/, where search and filters meet */
    if (document.getElementById("caselib-search-moved")) {
      location.replace(new URL("cases/", ROOT).href + location.search + location.hash);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.caselibSearch = {
    normalize: function (text) {
      return fetchGz("t2s.gz").then(function (t2s) { return normalize(text, t2s); });
    },
    normalizeWith: normalize,
    search: search,
    doc: function (n) { return fetchGz("d/" + n + ".gz"); },
    snippet: snippet,
    highlighted: highlighted,
    bindQuery: bindQuery,
    PAGE_SIZE: 10  /* searchindex.PAGE_SIZE */
  };
})();
