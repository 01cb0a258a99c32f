// Copy buttons for long values (the evidence hashes). Progressive enhancement: the buttons stay
// hidden without this script or without the clipboard API, and the whole value is on the page.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  // The evidence panel may be replaced and this file loaded again: listen once.
  if (window.weiquanCopy) { return; }
  window.weiquanCopy = true;
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var panel = button.closest("[data-copied]");
    var status = document.getElementById("copy-status");
    // The visible word changes for a moment; the live region tells a screen reader.
    var label = button.querySelector(".copy-text") || button;
    function say(attr) {
      var text = panel ? panel.getAttribute(attr) : "";
      if (status) { status.textContent = text; }
      button.setAttribute("data-state", attr === "data-copied" ? "copied" : "failed");
      if (!button.hasAttribute("data-label")) { button.setAttribute("data-label", label.textContent); }
      label.textContent = text;
      window.setTimeout(function () {
        label.textContent = button.getAttribute("data-label");
        button.removeAttribute("data-state");
      }, 2000);
    }
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
      function () { say("data-copied"); },
      function () { say("data-copy-failed"); }
    );
  });
})();
