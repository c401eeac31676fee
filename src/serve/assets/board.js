// The board of `git issue serve`: drag a card to another column to change
// its status. Each card also has a Move menu, which works from the keyboard
// and without JavaScript; dragging posts the same form.
(function () {
  "use strict";
  var dragged = null;

  function say(text) {
    var p = document.getElementById("board-status");
    if (!p) {
      p = document.createElement("p");
      p.id = "board-status";
      p.className = "notice";
      p.setAttribute("role", "alert");
      var board = document.querySelector(".board");
      board.parentNode.insertBefore(p, board);
    }
    p.textContent = text;
  }

  function move(card, status) {
    var form = card.querySelector("form.move");
    if (!form || card.dataset.status === status) { return; }
    var body = new URLSearchParams(new FormData(form));
    body.set("status", status);
    card.classList.add("moving");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (r) { return r.json(); }).then(function (d) {
      card.classList.remove("moving");
      if (!d.ok) { say(d.error); return; }
      var column = document.querySelector('.column[data-status="' + CSS.escape(status) + '"] .cards') ||
        document.querySelector('.column[data-status="closed"] .cards');
      if (column) { column.insertBefore(card, column.firstChild); }
      card.dataset.status = status;
      var seen = form.querySelector('input[name="seen.status"]');
      if (seen) { seen.value = status; }
    }).catch(function () {
      card.classList.remove("moving");
      say("The server did not answer; nothing was moved.");
    });
  }

  function bind() {
    Array.prototype.forEach.call(document.querySelectorAll(".card[draggable=true]"), function (card) {
      card.addEventListener("dragstart", function (e) {
        dragged = card;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", card.dataset.key);
        card.classList.add("dragging");
      });
      card.addEventListener("dragend", function () { card.classList.remove("dragging"); dragged = null; });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".column"), function (column) {
      column.addEventListener("dragover", function (e) { e.preventDefault(); column.classList.add("drop"); });
      column.addEventListener("dragleave", function () { column.classList.remove("drop"); });
      column.addEventListener("drop", function (e) {
        e.preventDefault();
        column.classList.remove("drop");
        var key = e.dataTransfer.getData("text/plain");
        var card = dragged || document.querySelector('.card[data-key="' + CSS.escape(key) + '"]');
        var status = column.dataset.status;
        if (!card) { return; }
        if (status === "closed") {
          var options = Array.prototype.map.call(card.querySelectorAll("form.move option"), function (o) { return o.value; });
          status = options.indexOf("closed") >= 0 ? "closed" : options[options.length - 1];
        }
        move(card, status);
      });
    });
  }

  bind();
  document.addEventListener("git-issue:updated", bind);
}());
