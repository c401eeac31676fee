// Full-text search over the prebuilt index in search-index.js, offline and
// from file://. Results are built with DOM calls and textContent: nothing
// from the index is ever parsed as HTML.
(function () {
  "use strict";
  var docs = window.GIT_ISSUE_SEARCH || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list) { return; }
  var titles = docs.map(function (d) { return d.t.toLowerCase(); });
  var LIMIT = 200;

  function run() {
    var terms = input.value.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (terms.length === 0) { status.textContent = docs.length + " issues indexed."; return; }
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var score = 0, all = true;
      var words = " " + docs[i].w;
      for (var j = 0; j < terms.length; j++) {
        var t = terms[j];
        var inTitle = titles[i].indexOf(t) >= 0;
        var inKey = docs[i].k.toLowerCase() === t;
        var inText = words.indexOf(" " + t) >= 0;
        if (!inTitle && !inText && !inKey) { all = false; break; }
        score += (inKey ? 10 : 0) + (inTitle ? 3 : 0) + (inText ? 1 : 0);
      }
      if (all) { hits.push([score, i]); }
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = hits.length === 1 ? "1 issue found." : hits.length + " issues found.";
    hits.slice(0, LIMIT).forEach(function (h) {
      var d = docs[h[1]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "issues/" + encodeURIComponent(d.k) + ".html";
      var key = document.createElement("span");
      key.className = "key";
      key.textContent = d.k + " ";
      a.appendChild(key);
      a.appendChild(document.createTextNode(d.t));
      li.appendChild(a);
      var st = document.createElement("span");
      st.className = "status-text";
      st.textContent = " (" + d.s + ")";
      li.appendChild(st);
      list.appendChild(li);
    });
  }

  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  input.addEventListener("input", run);
  document.getElementById("search").addEventListener("submit", function (e) { e.preventDefault(); run(); });
  run();
}());
