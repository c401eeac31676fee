// Live pages for `git issue serve`: when the branch moves (a change here,
// a command, a hook, a sync), the server says so over server-sent events
// and the page fetches itself again and swaps its content in place. A page
// with something typed and not yet sent is not swapped: it says that it
// changed and keeps what was typed. Everything swapped in is the server's
// own escaped HTML; no script comes with it.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch) { return; }
  var issue = /\/issues\/([^/]+)\.html$/.exec(window.location.pathname);
  var key = issue ? decodeURIComponent(issue[1]) : null;
  var banner = null;

  function dirty() {
    var main = document.querySelector("main");
    if (!main) { return false; }
    if (document.activeElement && main.contains(document.activeElement) &&
        /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) &&
        !document.activeElement.closest("#filters, #board-filter")) { return true; }
    // A file chosen to attach and not yet sent.
    if (Array.prototype.some.call(main.querySelectorAll("input[type=file]"), function (e) {
      return e.files && e.files.length > 0;
    })) { return true; }
    return Array.prototype.some.call(main.querySelectorAll("form:not(#filters) textarea, form:not(#filters) input[type=text]"), function (e) {
      return e.value !== e.defaultValue;
    }) || Array.prototype.some.call(main.querySelectorAll("form:not(#filters) select"), function (s) {
      var shown = Array.prototype.filter.call(s.options, function (o) { return o.defaultSelected; })[0] || s.options[0];
      return shown !== undefined && s.value !== shown.value;
    });
  }

  function say(text) {
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "notice live";
      banner.setAttribute("role", "status");
      var main = document.querySelector("main");
      main.parentNode.insertBefore(banner, main);
    }
    banner.textContent = text;
  }

  function refresh() {
    // A list filtered in the browser keeps its state; say it changed.
    if (document.getElementById("filters") && window.location.search) {
      say("Issues changed since this list was filtered. Change a filter or reload to see them.");
      return;
    }
    if (dirty()) {
      say("This page changed elsewhere. What you typed is kept; reload to see the change.");
      return;
    }
    fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { say("This page is gone: the issue was deleted or moved."); return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main");
        var main = document.querySelector("main");
        if (!fresh || !main || dirty()) { return; }
        main.replaceWith(document.adoptNode(fresh));
        document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
        document.dispatchEvent(new CustomEvent("git-issue:updated"));
      })
      .catch(function () { /* the next change tries again */ });
  }

  var events = new EventSource("/events");
  events.addEventListener("change", function (e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (err) { d = {}; }
    if (key && Array.isArray(d.keys) && d.keys.indexOf(key) < 0) { return; }
    refresh();
  });
  events.addEventListener("open", function () { document.body.dataset.live = "on"; });
}());
