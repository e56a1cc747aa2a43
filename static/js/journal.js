// The teacher's journal grid: keyboard entry, one small HTMX POST per saved cell.
// A cell is addressed by (row, column) so it can be found again after the server swaps it.
(function () {
  "use strict";
  var grid = document.getElementById("journal-grid");
  if (!grid || !window.htmx) { return; }
  var body = grid.tBodies[0];
  var statusBox = document.getElementById("journal-status");
  var detailsButton = document.getElementById("cell-details");
  var sel = null; // {r, c}
  var editing = null; // {td, input, original}

  function say(text, bad) {
    if (!statusBox) { return; }
    statusBox.textContent = text || "";
    statusBox.classList.toggle("text-danger", !!bad);
  }
  function cellAt(r, c) {
    var row = body.rows[r];
    return row ? row.cells[c] || null : null;
  }
  function editable(td) { return !!td && td.classList.contains("jc"); }
  function textOf(td) {
    var parts = [];
    td.querySelectorAll(".cv b").forEach(function (b) { parts.push(b.textContent); });
    return parts.join(" ");
  }
  function select(r, c) {
    var td = cellAt(r, c);
    if (!editable(td)) { return false; }
    var old = sel && cellAt(sel.r, sel.c);
    if (old) { old.classList.remove("sel"); }
    sel = { r: r, c: c };
    td.classList.add("sel");
    td.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (detailsButton) { detailsButton.disabled = false; }
    if (td.dataset.msg) { say(td.dataset.msg, true); }
    return true;
  }
  function move(dr, dc) {
    if (!sel) { return; }
    var r = sel.r, c = sel.c;
    for (var i = 0; i < 200; i++) {
      r += dr; c += dc;
      var row = body.rows[r];
      if (!row || c < 0 || c >= row.cells.length) { return; }
      if (select(r, c)) { return; }
    }
  }
  function post(td, text) {
    var values = { text: text, fp: td.dataset.fp || "", journal: grid.dataset.journal || "main" };
    if (td.dataset.post) {
      new URLSearchParams(td.dataset.post).forEach(function (v, k) { values[k] = v; });
    } else {
      values.lesson = td.dataset.l;
      values.student = td.dataset.s;
    }
    var url = td.dataset.save || grid.dataset.save;
    td.classList.remove("err", "conflict");
    td.classList.add("saving");
    td.dataset.typed = text;
    td.querySelector(".cv").textContent = text;
    htmx.ajax("POST", url, { source: td, target: td, swap: "outerHTML", values: values });
  }
  function startEdit(initial) {
    if (!sel) { return; }
    var td = cellAt(sel.r, sel.c);
    if (!editable(td) || editing) { return; }
    var input = document.createElement("input");
    input.type = "text";
    input.className = "cell-input";
    input.autocomplete = "off";
    input.setAttribute("aria-label", "Отметка");
    var original = td.dataset.typed !== undefined && (td.classList.contains("err") || td.classList.contains("conflict")) ? null : textOf(td);
    input.value = initial !== undefined ? initial : (original === null ? td.dataset.typed : original);
    editing = { td: td, input: input, original: original };
    td.appendChild(input);
    input.focus();
    if (initial === undefined) { input.select(); }
    input.addEventListener("keydown", onEditorKey);
    input.addEventListener("blur", function () { if (editing && editing.input === input) { finish(0, 0); } });
  }
  function finish(dr, dc, cancel) {
    var ed = editing;
    if (!ed) { return; }
    editing = null;
    var text = ed.input.value.trim();
    ed.input.remove();
    if (!cancel && (ed.original === null || text !== ed.original)) { post(ed.td, text); }
    if (dr || dc) { move(dr, dc); }
  }
  function onEditorKey(e) {
    if (e.key === "Enter") { e.preventDefault(); finish(e.shiftKey ? -1 : 1, 0); }
    else if (e.key === "Tab") { e.preventDefault(); finish(0, e.shiftKey ? -1 : 1); }
    else if (e.key === "Escape") { e.preventDefault(); finish(0, 0, true); }
    else if (e.key === "ArrowDown") { e.preventDefault(); finish(1, 0); }
    else if (e.key === "ArrowUp") { e.preventDefault(); finish(-1, 0); }
  }
  document.addEventListener("keydown", function (e) {
    if (editing || !sel || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var k = e.key;
    if (k === "ArrowDown" || k === "Enter") { e.preventDefault(); if (k === "Enter") { startEdit(); } else { move(1, 0); } }
    else if (k === "ArrowUp") { e.preventDefault(); move(-1, 0); }
    else if (k === "ArrowRight") { e.preventDefault(); move(0, 1); }
    else if (k === "ArrowLeft") { e.preventDefault(); move(0, -1); }
    else if (k === "Tab") { e.preventDefault(); move(0, e.shiftKey ? -1 : 1); }
    else if (k === "Delete" || k === "Backspace") { e.preventDefault(); startEdit(""); }
    else if (k.length === 1 && k !== " ") { e.preventDefault(); startEdit(k); }
  });
  grid.addEventListener("click", function (e) {
    var td = e.target.closest("td");
    if (!editable(td) || (editing && editing.td === td)) { return; }
    if (editing) { finish(0, 0); }
    if (select(td.parentElement.sectionRowIndex, td.cellIndex)) { startEdit(); }
  });
  // Validation errors (422) and conflicts (409) come back as a cell to show, not as a failure.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var s = e.detail.xhr.status;
    if (s === 409 || s === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (!sel) { return; }
    var td = cellAt(sel.r, sel.c);
    if (td && !td.classList.contains("sel")) { td.classList.add("sel"); }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var bad = grid.querySelector("td.err, td.conflict");
    if (!bad) { say(""); return; }
    say(bad.dataset.msg || "", true);
  });
  function failed(e) {
    var td = e.detail.elt;
    if (!td || !td.classList || !td.classList.contains("saving")) { return; }
    td.classList.remove("saving");
    td.classList.add("err");
    td.dataset.msg = "Не сохранено: нет связи с сервером. Выберите клетку и нажмите Enter, чтобы повторить.";
    td.title = td.dataset.msg;
    say(td.dataset.msg, true);
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("journalSaved", function (e) {
    var d = e.detail || {};
    var avg = document.getElementById("avg-" + d.student);
    if (avg) { avg.textContent = d.average; }
    var sug = document.getElementById("sug-" + d.student);
    if (sug) { sug.textContent = d.suggested || "—"; }
  });
  if (detailsButton) {
    detailsButton.addEventListener("click", function () {
      if (!sel) { return; }
      var td = cellAt(sel.r, sel.c);
      var url;
      if (td.dataset.post) { url = grid.dataset.finalPanel + "?" + td.dataset.post; }
      else { url = grid.dataset.panel + "?lesson=" + td.dataset.l + "&student=" + td.dataset.s + "&journal=" + (grid.dataset.journal || "main"); }
      htmx.ajax("GET", url, { target: "#cell-panel-body", swap: "innerHTML" }).then(function () {
        var panel = document.getElementById("cell-panel");
        if (panel && window.bootstrap) { window.bootstrap.Offcanvas.getOrCreateInstance(panel).show(); }
      });
    });
  }
  // Opened from «Мои уроки сегодня»: select the lesson's column.
  var m = /^#lesson-(\d+)$/.exec(window.location.hash);
  if (m) {
    var th = document.getElementById("lesson-" + m[1]);
    if (th) { select(0, th.cellIndex); }
  }
})();
