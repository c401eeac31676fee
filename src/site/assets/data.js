// The site's data, loaded on demand: each file data/<name>.js is a script
// that calls gitIssueData(name, value). Scripts load from file:// where
// fetch() is refused, and the CSP allows the site's own scripts only.
// Everything here is data: it reaches the page through textContent and
// DOM calls, never as HTML. See src/site/data.rs for the formats.
(function () {
  "use strict";
  var me = document.currentScript;
  var root = me ? me.src.replace(/data\.js(?:[?#].*)?$/, "") : "";
  var cache = Object.create(null);
  var waiting = Object.create(null);

  window.gitIssueData = function (name, value) {
    cache[name] = value;
    var w = waiting[name];
    delete waiting[name];
    (w || []).forEach(function (f) { f[0](value); });
  };

  function load(name) {
    if (name in cache) { return Promise.resolve(cache[name]); }
    return new Promise(function (resolve, reject) {
      if (waiting[name]) { waiting[name].push([resolve, reject]); return; }
      waiting[name] = [[resolve, reject]];
      var s = document.createElement("script");
      s.src = root + "data/" + name + ".js";
      var fail = function () {
        var w = waiting[name];
        delete waiting[name];
        (w || []).forEach(function (f) { f[1](new Error("cannot load data/" + name + ".js")); });
      };
      s.onerror = fail;
      s.onload = function () { s.remove(); if (waiting[name]) { fail(); } };
      document.head.appendChild(s);
    });
  }

  var metaPromise = null;
  function meta() {
    if (!metaPromise) { metaPromise = load("meta"); }
    return metaPromise;
  }

  // A posting list as a bitmap indexed by issue number.
  function bits(posting, max) {
    var out = new Uint8Array((max >> 3) + 1);
    if (typeof posting === "string") {
      var raw = atob(posting.slice(1));
      for (var i = 0; i < raw.length && i < out.length; i++) { out[i] = raw.charCodeAt(i); }
    } else if (posting) {
      var n = 0;
      for (var j = 0; j < posting.length; j++) { n += posting[j]; out[n >> 3] |= 1 << (n & 7); }
    }
    return out;
  }
  function and(a, b) { var o = new Uint8Array(a.length); for (var i = 0; i < a.length; i++) { o[i] = a[i] & b[i]; } return o; }
  function or(a, b) { for (var i = 0; i < a.length; i++) { a[i] |= b[i]; } return a; }
  function has(b, n) { return (b[n >> 3] >> (n & 7)) & 1; }
  function count(b) { var c = 0; for (var i = 0; i < b.length; i++) { var x = b[i]; while (x) { x &= x - 1; c++; } } return c; }

  // Words as data.rs cuts them: letters and digits, lower case.
  function terms(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t && t.length <= 40; });
  }
  function shardName(term, len) {
    var out = "";
    Array.from(term).slice(0, len).forEach(function (c) {
      out += /^[a-z0-9]$/.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_";
    });
    return out;
  }
  // The shards that hold every term starting with `term`.
  function shardsFor(term, m) {
    var two = shardName(term, 2);
    if (m.split.indexOf(two) < 0) { return [two]; }
    if (Array.from(term).length > 2) { return [shardName(term, 3)]; }
    return m.shards.filter(function (s) { return s === two || s.indexOf(two) === 0; });
  }

  // Issues matching every word of `text` (a word matches the terms it
  // starts), scored: 3 for a word in the title, 1 in the text, 10 for the
  // issue's own key or number. Resolves to {bits, hits: [[score, n]]},
  // best first, newest first among equals.
  function search(text) {
    return meta().then(function (m) {
      var ts = terms(text);
      var key = /^\s*(?:[A-Za-z][A-Za-z0-9]*-)?(\d+)\s*$/.exec(text);
      var names = [];
      ts.forEach(function (t) { shardsFor(t, m).forEach(function (s) { if (names.indexOf(s) < 0) { names.push(s); } }); });
      return Promise.all(names.map(function (s) { return load("s/" + s).catch(function () { return { t: {}, w: {} }; }); }))
        .then(function (shards) {
          var all = null;
          var score = new Uint16Array(m.max + 1);
          ts.forEach(function (t) {
            var inTitle = new Uint8Array((m.max >> 3) + 1), inText = new Uint8Array((m.max >> 3) + 1);
            var exact = Array.from(t).length < 2;
            shards.forEach(function (sh) {
              ["t", "w"].forEach(function (part) {
                Object.keys(sh[part]).forEach(function (term) {
                  if (exact ? term === t : term.indexOf(t) === 0) {
                    or(part === "t" ? inTitle : inText, bits(sh[part][term], m.max));
                  }
                });
              });
            });
            var either = or(new Uint8Array(inTitle), inText);
            all = all ? and(all, either) : either;
            for (var n = 0; n <= m.max; n++) {
              if (has(either, n)) { score[n] += (has(inTitle, n) ? 3 : 0) + (has(inText, n) ? 1 : 0); }
            }
          });
          all = all || new Uint8Array((m.max >> 3) + 1);
          var finish = function (exists) {
            if (key && exists) {
              var k = Number(key[1]);
              if (k <= m.max && has(exists, k)) { all[k >> 3] |= 1 << (k & 7); score[k] += 10; }
            }
            var hits = [];
            for (var n = m.max; n >= 0; n--) { if (has(all, n)) { hits.push([score[n], n]); } }
            hits.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1]; });
            return { bits: all, hits: hits };
          };
          return key ? posting("f/all").then(finish) : finish(null);
        });
    });
  }

  // A posting file as a bitmap.
  function posting(name) {
    return meta().then(function (m) { return load(name).then(function (p) { return bits(p, m.max); }); });
  }

  // The rows of some issues, in the order asked.
  function rows(numbers) {
    return meta().then(function (m) {
      var chunks = [];
      numbers.forEach(function (n) { var c = Math.floor(n / m.rows); if (chunks.indexOf(c) < 0) { chunks.push(c); } });
      return Promise.all(chunks.map(function (c) { return load("rows/" + c); })).then(function (lists) {
        var by = Object.create(null);
        lists.forEach(function (l) { l.forEach(function (r) { by[r.n] = r; }); });
        return numbers.map(function (n) { return by[n]; }).filter(Boolean);
      });
    });
  }

  // The slug of a filter value, for links to its page.
  function slugOf(m, field, value) {
    var vs = m.fields[field] || [];
    for (var i = 0; i < vs.length; i++) { if (vs[i][0] === value) { return vs[i][1]; } }
    return null;
  }

  window.GitIssue = {
    root: root, load: load, meta: meta, posting: posting, search: search, rows: rows,
    and: and, has: has, count: count, slugOf: slugOf
  };
}());
