// Shkola's shared behaviour. Loaded on every page with the CSP nonce; no inline handlers.
(function () {
  "use strict";
  // htmx would inject a <style> for its request indicator, which the CSP (style-src 'self')
  // refuses with a console error on every page; the rule lives in shkola.css instead. This
  // runs before DOMContentLoaded, when htmx reads its config.
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }
  // Elements with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });
  // A form carrying a one-time token (shkola/core/once.py) is sent once: a second click does
  // nothing and the buttons turn disabled. Disabled only after this event, so the clicked
  // button's name and value still go with the form. The server guards it anyway.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector || !form.querySelector("input[name=form_token]")) { return; }
    if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    window.setTimeout(function () {
      var buttons = document.querySelectorAll("button[type=submit], input[type=submit]");
      Array.prototype.forEach.call(buttons, function (button) {
        if (button.form === form) { button.disabled = true; }
      });
    }, 0);
  });
  // Back to a page kept in the browser's cache: its forms may be sent again (each has a new
  // token only after a reload, and the server answers a repeat with the first result).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitted]"), function (form) {
      form.removeAttribute("data-submitted");
      Array.prototype.forEach.call(document.querySelectorAll("button[type=submit], input[type=submit]"), function (button) {
        if (button.form === form) { button.disabled = false; }
      });
    });
  });
  // Filters whose select sends the form as soon as it changes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]")) { field.form.submit(); }
  });
  // A table or grid that scrolls sideways must be reachable by keyboard (WCAG 2.1.1): such a
  // box gets a tab stop, so arrow keys scroll it; one that fits the screen is left alone.
  function focusableScrollBoxes() {
    document.querySelectorAll(".table-responsive, .journal-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  }
  focusableScrollBoxes();
  window.addEventListener("resize", focusableScrollBoxes);
  document.addEventListener("htmx:afterSettle", focusableScrollBoxes);
  // The database is away (503 from shkola.core.middleware): htmx swaps no error response, so
  // the notice it sends is shown above the page instead of the click doing nothing. Only its
  // text is taken, never its markup.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var main = document.getElementById("main");
    if (!xhr || xhr.status !== 503 || !main) { return; }
    var sent = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var text = (sent.body.textContent || "").replace(/\s+/g, " ").trim();
    var notice = document.getElementById("service-unavailable") || document.createElement("div");
    notice.id = "service-unavailable";
    notice.className = "alert alert-warning";
    notice.setAttribute("role", "alert");
    notice.textContent = text;
    main.insertBefore(notice, main.firstChild);
    notice.scrollIntoView({ block: "nearest" });
  });
  // Print buttons.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
