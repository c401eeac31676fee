// The new-issue form of `git issue serve`: a preview of the description,
// rendered and sanitized by the server exactly as the issue page will be.
(function () {
  "use strict";
  var button = document.getElementById("preview-button");
  var body = document.getElementById("body");
  var preview = document.getElementById("preview");
  var form = document.getElementById("new-issue");
  if (!button || !body || !preview || !form) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (!preview.hidden) {
      preview.hidden = true;
      body.hidden = false;
      button.textContent = "Preview";
      return;
    }
    var data = new URLSearchParams();
    data.set("token", form.querySelector('input[name="token"]').value);
    data.set("body", body.value);
    fetch("/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString()
    }).then(function (r) { return r.text(); }).then(function (html) {
      // Sanitized by the server (ammonia), as every description is.
      preview.innerHTML = html.trim() ? html : "<p class=\"empty\">Nothing to preview.</p>";
      preview.hidden = false;
      body.hidden = true;
      button.textContent = "Edit";
    });
  });
}());
