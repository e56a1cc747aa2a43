// «Копировать»: the secret link goes to the clipboard; without the Clipboard API (an old
// browser, a page not served over HTTPS) the text is selected for the person to copy.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  if (!field) { return; }
  field.focus();
  field.select();
  var label = button.querySelector("span");
  function done() { if (label) { label.textContent = "Скопировано"; } }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {});
  } else {
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected for manual copy */ }
  }
});
