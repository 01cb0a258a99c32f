// Evidence upload with a progress bar (issue 6). Without this script the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("evidence-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = document.getElementById("evidence-progress");
  var text = document.getElementById("evidence-progress-text");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    // The token travels as a header, so the body is streamed instead of buffered for the check.
    xhr.setRequestHeader("x-csrf-token", form.getAttribute("data-csrf"));
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var pct = Math.floor((e.loaded / e.total) * 100);
      bar.hidden = false;
      bar.value = pct;
      text.textContent = pct + "%";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // An error: show the panel as the server rendered it, with the message beside the field.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = doc.getElementById("evidence");
      var current = document.getElementById("evidence");
      if (fresh && current) {
        current.replaceWith(fresh);
        ["/static/evidence.js", "/static/copy.js"].forEach(function (src) {
          var script = document.createElement("script");
          script.src = src;
          document.body.appendChild(script);
        });
      } else {
        text.textContent = xhr.status + " " + xhr.statusText;
      }
    });
    xhr.addEventListener("error", function () { text.textContent = "✕"; });
    xhr.send(new FormData(form));
  });
})();
