// The Known issues page's filter: hides the known issues that lack a word
// typed (in the title, the labels or the workaround). Reads the page's own
// text and sets `hidden`: nothing is ever parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("known-filter");
  var input = document.getElementById("known-q");
  var list = document.getElementById("known-list");
  var count = document.getElementById("known-count");
  var none = document.getElementById("known-none");
  if (!form || !input || !list) { return; }
  var items = Array.prototype.slice.call(list.children);
  var texts = items.map(function (li) { return li.textContent.toLowerCase(); });

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li, i) {
      var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = words.length ? shown + " of " + items.length + " shown" : "";
    if (none) { none.hidden = shown > 0; }
    form.dataset.shown = String(shown);
  }

  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  input.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
})();
