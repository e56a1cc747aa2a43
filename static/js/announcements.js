// The announcement form: show the parallels or the classes only when «Охват» asks for them.
// Without this script every list stays visible and the form works the same (the service
// ignores the lists the chosen scope does not use).
(function () {
  "use strict";
  var form = document.getElementById("announcement-form");
  if (!form) return;
  var radios = form.querySelectorAll("input[name=scope]");
  if (!radios.length) return;
  var parallels = document.getElementById("fieldset-parallels");
  var classes = document.getElementById("fieldset-class_units");
  var hint = document.getElementById("scope-hint");
  function update() {
    var checked = form.querySelector("input[name=scope]:checked");
    var scope = checked ? checked.value : "school";
    if (parallels) parallels.hidden = scope !== "parallels";
    if (classes) classes.hidden = scope !== "classes";
    if (hint) hint.hidden = true;
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
