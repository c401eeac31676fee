// Filters and sorts the issue list in the browser. The table works without
// it: the form stays hidden and every issue shows.
(function () {
  "use strict";
  var table = document.getElementById("issue-list");
  var form = document.getElementById("filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var controls = form.querySelectorAll("[data-filter]");
  var count = document.getElementById("count");

  function value(name) {
    var c = form.querySelector('[data-filter="' + name + '"]');
    return c ? c.value : "";
  }

  function apply() {
    var q = value("q").toLowerCase().split(/\s+/).filter(Boolean);
    var state = value("state"), status = value("status"), label = value("label"),
      milestone = value("milestone"), assignee = value("assignee"), type = value("type");
    var shown = 0;
    rows.forEach(function (r, i) {
      var d = r.dataset;
      var ok = (!state || (state === "closed") === (d.closed === "true")) &&
        (!status || d.status === status) &&
        (!label || d.labels.split("\n").indexOf(label) >= 0) &&
        (!milestone || d.milestone === milestone) &&
        (!assignee || d.assignee === assignee) &&
        (!type || d.type === type) &&
        q.every(function (w) { return texts[i].indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " issues";
    var params = new URLSearchParams();
    Array.prototype.forEach.call(controls, function (c) { if (c.value) { params.set(c.name, c.value); } });
    var search = params.toString();
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", search ? "?" + search : window.location.pathname); } catch (e) { /* file:// may refuse */ }
    }
  }

  var sortKey = null, descending = false;
  function sortBy(key) {
    descending = sortKey === key ? !descending : (key === "updated" || key === "number");
    sortKey = key;
    var numeric = key === "number" || key === "updated" || key === "priority";
    var order = rows.map(function (r, i) { return i; });
    order.sort(function (a, b) {
      var x = rows[a].dataset[key] || "", y = rows[b].dataset[key] || "";
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      if (c === 0) { c = Number(rows[a].dataset.number) - Number(rows[b].dataset.number); }
      return descending ? -c : c;
    });
    var frag = document.createDocumentFragment();
    order.forEach(function (i) { frag.appendChild(rows[i]); });
    body.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.classList.remove("sorted-asc", "sorted-desc");
      if (th.dataset.sort === key) { th.classList.add(descending ? "sorted-desc" : "sorted-asc"); }
    });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.dataset.sort) { return; }
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th.dataset.sort); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(th.dataset.sort); } });
  });

  var params = new URLSearchParams(window.location.search);
  Array.prototype.forEach.call(controls, function (c) {
    var v = params.get(c.name);
    if (v !== null) {
      if (c.tagName === "SELECT" && !Array.prototype.some.call(c.options, function (o) { return o.value === v; })) { return; }
      c.value = v;
    }
    c.addEventListener(c.tagName === "SELECT" ? "change" : "input", apply);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
}());
