// Filters, sorts and pages every issue in the browser, from the data files
// (data.js). Without it, or with no filter set, the page is the static one:
// its newest issues and links to older pages.
(function () {
  "use strict";
  var G = window.GitIssue;
  var table = document.getElementById("issue-list");
  var form = document.getElementById("filters");
  if (!G || !table || !form) { return; }
  var body = table.tBodies[0];
  var original = Array.prototype.slice.call(body.rows);
  var staticPager = document.querySelector("nav.pager");
  var controls = form.querySelectorAll("[data-filter]");
  var count = document.getElementById("count");
  var PAGE = 100;
  var sort = "number", descending = true, page = 0, generation = 0;
  var pager = document.createElement("nav");
  pager.className = "pager";
  pager.hidden = true;
  pager.setAttribute("aria-label", "Pages");
  table.parentNode.insertBefore(pager, table.nextSibling);

  function value(name) {
    var c = form.querySelector('[data-filter="' + name + '"]');
    return c ? c.value : "";
  }
  function token(s) { return s.toLowerCase().replace(/[^a-z0-9]/g, "-"); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function link(href, text, cls) { var a = el("a", cls, text); a.href = href; return a; }
  function cell(child, cls) { var td = el("td", cls); if (child) { td.appendChild(child); } return td; }
  function time(t) {
    var d = new Date(t * 1000);
    var e = el("time", null, d.toISOString().slice(0, 16).replace("T", " ") + " UTC");
    e.dateTime = d.toISOString().replace(".000Z", "Z");
    return e;
  }

  // The same markup as the table's static rows (src/site/html/mod.rs).
  function row(m, r) {
    var tr = document.createElement("tr");
    tr.dataset.number = r.n;
    var href = G.root + "issues/" + encodeURIComponent(r.k) + ".html";
    tr.appendChild(cell(link(href, r.k), "key"));
    tr.appendChild(cell(link(href, r.t), "title"));
    tr.appendChild(cell(el("span", "status s-" + token(r.s) + " " + (r.c ? "closed" : "open"), r.s)));
    tr.appendChild(cell(document.createTextNode(r.y)));
    tr.appendChild(cell(document.createTextNode(r.p)));
    var labels = cell();
    r.l.forEach(function (l, i) {
      var s = G.slugOf(m, "label", l);
      if (i > 0) { labels.appendChild(document.createTextNode(" ")); }
      labels.appendChild(s ? link(G.root + "labels/" + s + ".html", l, "label") : el("span", "label", l));
    });
    tr.appendChild(labels);
    var ms = r.m && G.slugOf(m, "milestone", r.m);
    tr.appendChild(cell(r.m ? (ms ? link(G.root + "milestones/" + ms + ".html", r.m) : document.createTextNode(r.m)) : null));
    tr.appendChild(cell(r.a ? document.createTextNode(r.a) : null));
    tr.appendChild(cell(time(r.u)));
    return tr;
  }

  function filtered() {
    var any = sort !== "number" || !descending;
    Array.prototype.forEach.call(controls, function (c) { if (c.value) { any = true; } });
    return any;
  }

  function remember() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(controls, function (c) { if (c.value) { params.set(c.name, c.value); } });
    if (sort !== "number" || !descending) { params.set("sort", sort + (descending ? "-desc" : "-asc")); }
    if (page > 0) { params.set("page", String(page + 1)); }
    var search = params.toString();
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", search ? "?" + search : window.location.pathname); } catch (e) { /* file:// may refuse */ }
    }
  }

  function showHeaders() {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.classList.remove("sorted-asc", "sorted-desc");
      if (th.dataset.sort === sort && filtered()) { th.classList.add(descending ? "sorted-desc" : "sorted-asc"); }
    });
  }

  function pageButtons(total) {
    while (pager.firstChild) { pager.removeChild(pager.firstChild); }
    var pages = Math.max(1, Math.ceil(total / PAGE));
    pager.hidden = pages <= 1;
    var prev = el("button", null, "← Newer");
    prev.type = "button";
    prev.disabled = page === 0;
    prev.addEventListener("click", function () { page -= 1; apply(true); });
    var next = el("button", null, "Older →");
    next.type = "button";
    next.disabled = page >= pages - 1;
    next.addEventListener("click", function () { page += 1; apply(true); });
    pager.appendChild(prev);
    pager.appendChild(el("span", "page", "Page " + (page + 1) + " of " + pages));
    pager.appendChild(next);
  }

  function apply(keepPage) {
    if (!keepPage) { page = 0; }
    var mine = ++generation;
    var started = window.performance ? performance.now() : 0;
    form.dataset.busy = "true";
    remember();
    showHeaders();
    G.meta().then(function (m) {
      if (!filtered()) {
        while (body.firstChild) { body.removeChild(body.firstChild); }
        original.forEach(function (r) { body.appendChild(r); });
        pager.hidden = true;
        if (staticPager) { staticPager.hidden = false; }
        count.textContent = m.count + " issues";
        return null;
      }
      if (staticPager) { staticPager.hidden = true; }
      var wanted = [G.posting("f/all")];
      Array.prototype.forEach.call(controls, function (c) {
        if (!c.value) { return; }
        if (c.name === "q") {
          wanted.push(G.search(c.value).then(function (r) { return r.bits; }));
        } else if (c.name === "state") {
          wanted.push(G.posting("f/state/" + c.value));
        } else {
          var s = G.slugOf(m, c.name, c.value);
          wanted.push(s ? G.posting("f/" + c.name + "/" + s) : Promise.resolve(new Uint8Array((m.max >> 3) + 1)));
        }
      });
      var order = sort === "number" ? Promise.resolve(null) : G.load("sort/" + sort);
      return Promise.all([Promise.all(wanted), order]).then(function (got) {
        var set = got[0].reduce(G.and);
        var numbers = [];
        if (got[1]) {
          got[1].forEach(function (n) { if (G.has(set, n)) { numbers.push(n); } });
          if (descending) { numbers.reverse(); }
        } else {
          for (var n = m.max; n >= 0; n--) { if (G.has(set, n)) { numbers.push(n); } }
          if (!descending) { numbers.reverse(); }
        }
        var pages = Math.max(1, Math.ceil(numbers.length / PAGE));
        if (page >= pages) { page = pages - 1; }
        return G.rows(numbers.slice(page * PAGE, page * PAGE + PAGE)).then(function (rs) {
          if (mine !== generation) { return; }
          while (body.firstChild) { body.removeChild(body.firstChild); }
          rs.forEach(function (r) { body.appendChild(row(m, r)); });
          count.textContent = numbers.length + " of " + m.count + " issues";
          pageButtons(numbers.length);
        });
      });
    }).catch(function (e) {
      count.textContent = "The list could not load its data: " + e.message;
    }).then(function () {
      if (mine === generation) {
        // How long the answer took, for the benchmarks (bench/site-browser.sh).
        if (window.performance) { form.dataset.took = String(Math.round(performance.now() - started)); }
        form.dataset.busy = "false";
      }
    });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.dataset.sort) { return; }
    th.tabIndex = 0;
    var go = function () {
      descending = sort === th.dataset.sort ? !descending : (th.dataset.sort === "updated" || th.dataset.sort === "number");
      sort = th.dataset.sort;
      apply();
    };
    th.addEventListener("click", go);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
  });

  G.meta().then(function (m) {
    Array.prototype.forEach.call(controls, function (c) {
      if (c.tagName !== "SELECT" || c.name === "state") { return; }
      (m.fields[c.name] || []).forEach(function (v) {
        var o = document.createElement("option");
        o.value = v[0];
        o.textContent = v[0];
        c.appendChild(o);
      });
    });
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(controls, function (c) {
      var v = params.get(c.name);
      if (v !== null && (c.tagName !== "SELECT" || Array.prototype.some.call(c.options, function (o) { return o.value === v; }))) {
        c.value = v;
      }
      c.addEventListener(c.tagName === "SELECT" ? "change" : "input", function () { apply(); });
    });
    var s = /^(number|title|priority|updated)-(asc|desc)$/.exec(params.get("sort") || "");
    if (s) { sort = s[1]; descending = s[2] === "desc"; }
    page = Math.max(0, (Number(params.get("page")) || 1) - 1);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    if (window.performance && performance.mark) { performance.mark("git-issue-list-ready"); }
    apply(true);
  }).catch(function () { /* no data: the static list stays */ });
}());
