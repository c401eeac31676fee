// Full-text search over the sharded index (data.js): a query loads only the
// shards of its words and the rows of the results it shows, offline and
// from file://. Results are built with DOM calls and textContent: nothing
// from the index is ever parsed as HTML.
(function () {
  "use strict";
  var G = window.GitIssue;
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!G || !input || !list) { return; }
  var SHOW = 25;
  var generation = 0, hits = [], shown = 0;
  var more = document.createElement("button");
  more.type = "button";
  more.textContent = "More results";
  more.hidden = true;
  list.parentNode.insertBefore(more, list.nextSibling);

  function item(r) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "issues/" + encodeURIComponent(r.k) + ".html";
    var key = document.createElement("span");
    key.className = "key";
    key.textContent = r.k + " ";
    a.appendChild(key);
    a.appendChild(document.createTextNode(r.t));
    li.appendChild(a);
    var st = document.createElement("span");
    st.className = "status-text";
    st.textContent = " (" + r.s + ")";
    li.appendChild(st);
    return li;
  }

  function showMore(mine) {
    var next = hits.slice(shown, shown + SHOW).map(function (h) { return h[1]; });
    shown += next.length;
    return G.rows(next).then(function (rs) {
      if (mine !== generation) { return; }
      rs.forEach(function (r) { list.appendChild(item(r)); });
      more.hidden = shown >= hits.length;
    });
  }

  function run() {
    var mine = ++generation;
    var q = input.value;
    var started = window.performance ? performance.now() : 0;
    list.dataset.busy = "true";
    var done = function () {
      if (mine === generation) {
        // How long the answer took, for the benchmarks (bench/site-browser.sh).
        if (window.performance) { list.dataset.took = String(Math.round(performance.now() - started)); }
        list.dataset.busy = "false";
      }
    };
    G.meta().then(function (m) {
      if (!q.trim()) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        more.hidden = true;
        status.textContent = m.count + " issues indexed.";
        return null;
      }
      return G.search(q).then(function (r) {
        if (mine !== generation) { return null; }
        while (list.firstChild) { list.removeChild(list.firstChild); }
        hits = r.hits;
        shown = 0;
        status.textContent = hits.length === 1 ? "1 issue found." : hits.length + " issues found.";
        return showMore(mine);
      });
    }).catch(function (e) {
      status.textContent = "Search could not load its index: " + e.message;
    }).then(done);
  }

  more.addEventListener("click", function () { showMore(generation); });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  input.addEventListener("input", run);
  document.getElementById("search").addEventListener("submit", function (e) { e.preventDefault(); run(); });
  run();
}());
