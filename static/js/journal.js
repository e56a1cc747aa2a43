// The teacher's journal grid: keyboard entry, one small POST per saved cell answered with the
// cell's HTML (an HTMX-style partial; sent with fetch so a save never depends on script order).
// A cell is addressed by (row, column) so it can be found again after the server swaps it.
(function () {
  "use strict";
  var grid = document.getElementById("journal-grid");
  if (!grid) { return; }
  // A period has thirty-odd columns: open the grid at the latest lesson already given (with a
  // few of the next ones), not at the first week of the period.
  (function scrollToToday() {
    var box = grid.closest(".journal-scroll");
    var today = grid.getAttribute("data-today");
    if (!box || !today || box.scrollWidth <= box.clientWidth) { return; }
    var last = null;
    grid.querySelectorAll("thead th.jl[data-date]").forEach(function (th) {
      if (th.getAttribute("data-date") <= today) { last = th; }
    });
    if (last) {
      box.scrollLeft = Math.max(0, last.offsetLeft + 3 * last.offsetWidth - box.clientWidth);
    }
  })();
  var body = grid.tBodies[0];
  var statusBox = document.getElementById("journal-status");
  var detailsButton = document.getElementById("cell-details");
  var panel = document.getElementById("cell-panel");
  var panelBody = document.getElementById("cell-panel-body");
  var sel = null; // {r, c}
  var editing = null; // {td, input, original}
  var pending = 0;
  var queue = Promise.resolve();

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (err) { return ""; }
  }
  function request(method, url, form) {
    return fetch(url, {
      method: method,
      body: form || undefined,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" }
    });
  }
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
    for (var i = 0; i < 500; i++) {
      r += dr; c += dc;
      var row = body.rows[r];
      if (!row || c < 0 || c >= row.cells.length) { return; }
      if (select(r, c)) { return; }
    }
  }
  function saved(d) {
    if (!d) { return; }
    var avg = document.getElementById("avg-" + d.student);
    if (avg) { avg.textContent = d.average; }
    var sug = document.getElementById("sug-" + d.student);
    if (sug) { sug.textContent = d.suggested || "—"; }
  }
  function failed(td) {
    td.classList.remove("saving");
    td.classList.add("err");
    td.dataset.msg = "Не сохранено: нет связи с сервером. Выберите клетку и нажмите Enter, чтобы повторить.";
    td.title = td.dataset.msg;
    say(td.dataset.msg, true);
  }
  function post(td, text) {
    var form = new FormData();
    form.append("text", text);
    form.append("fp", td.dataset.fp || "");
    form.append("journal", grid.dataset.journal || "main");
    if (td.dataset.post) {
      new URLSearchParams(td.dataset.post).forEach(function (v, k) { form.append(k, v); });
    } else {
      form.append("lesson", td.dataset.l);
      form.append("student", td.dataset.s);
    }
    var url = td.dataset.save || grid.dataset.save;
    td.classList.remove("err", "conflict");
    td.classList.add("saving");
    td.dataset.typed = text;
    td.querySelector(".cv").textContent = text;
    pending += 1;
    grid.dataset.pending = String(pending);
    // Saves go one after another: the order of a teacher's entries is kept, and a busy
    // server (or SQLite) never sees one browser racing itself.
    queue = queue.then(function () { return send(td, url, form); });
  }
  function send(td, url, form) {
    return request("POST", url, form).then(function (response) {
      // 200 saved, 422 invalid (typed value kept), 409 conflict (current value shown).
      if (response.status !== 200 && response.status !== 409 && response.status !== 422) {
        throw new Error("HTTP " + response.status);
      }
      var trigger = response.headers.get("HX-Trigger");
      return response.text().then(function (html) {
        var holder = document.createElement("tbody");
        holder.innerHTML = "<tr>" + html + "</tr>";
        var fresh = holder.querySelector("td");
        if (!fresh || !td.parentElement) { return; }
        if (td.classList.contains("sel")) { fresh.classList.add("sel"); }
        td.replaceWith(fresh);
        if (trigger) { saved(JSON.parse(trigger).journalSaved); }
        if (fresh.dataset.msg) { say(fresh.dataset.msg, true); }
        else if (!grid.querySelector("td.err, td.conflict")) { say(""); }
      });
    }).catch(function () { failed(td); }).then(function () {
      pending -= 1;
      grid.dataset.pending = String(pending);
    });
  }
  function startEdit(initial) {
    if (!sel || editing) { return; }
    var td = cellAt(sel.r, sel.c);
    if (!editable(td)) { return; }
    var bad = td.classList.contains("err") || td.classList.contains("conflict");
    var original = bad ? null : textOf(td);
    var input = document.createElement("input");
    input.type = "text";
    input.className = "cell-input";
    input.autocomplete = "off";
    input.setAttribute("aria-label", "Отметка");
    input.value = initial !== undefined ? initial : (bad ? (td.dataset.typed || "") : original);
    editing = { td: td, input: input, original: original };
    td.appendChild(input);
    input.focus();
    if (initial === undefined) { input.select(); }
    input.addEventListener("keydown", onEditorKey);
    input.addEventListener("blur", function () {
      if (editing && editing.input === input) { finish(0, 0); }
    });
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
    if (k === "Enter") { e.preventDefault(); startEdit(); }
    else if (k === "ArrowDown") { e.preventDefault(); move(1, 0); }
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

  // The selected cell's comments and history, in a side panel.
  function showPanel(html) {
    panelBody.innerHTML = html;
    if (window.bootstrap) { window.bootstrap.Offcanvas.getOrCreateInstance(panel).show(); }
    else { panel.classList.add("show"); }
  }
  if (detailsButton && panel && panelBody) {
    detailsButton.addEventListener("click", function () {
      if (!sel) { return; }
      var td = cellAt(sel.r, sel.c);
      var url;
      if (td.dataset.post) { url = grid.dataset.finalPanel + "?" + td.dataset.post; }
      else {
        url = grid.dataset.panel + "?lesson=" + td.dataset.l + "&student=" + td.dataset.s +
          "&journal=" + (grid.dataset.journal || "main");
      }
      request("GET", url).then(function (r) { return r.text(); }).then(showPanel);
    });
    panelBody.addEventListener("submit", function (e) {
      var form = e.target.closest("form.mark-note");
      if (!form) { return; }
      e.preventDefault();
      request("POST", form.action, new FormData(form)).then(function (r) { return r.text(); }).then(function (html) {
        panelBody.innerHTML = html;
        var td = sel && cellAt(sel.r, sel.c);
        if (!td) { return; }
        var noted = Array.prototype.some.call(panelBody.querySelectorAll("form.mark-note"), function (f) {
          return f.querySelector("textarea").value || f.querySelector("input[name=work_name]").value;
        });
        td.classList.toggle("has-note", noted);
      });
    });
    panel.addEventListener("click", function (e) {
      if (!window.bootstrap && e.target.closest("[data-bs-dismiss=offcanvas]")) { panel.classList.remove("show"); }
    });
  }

  // Opened from «Мои уроки сегодня»: select the lesson's column.
  var m = /^#lesson-(\d+)$/.exec(window.location.hash);
  if (m) {
    var th = document.getElementById("lesson-" + m[1]);
    if (th) { select(0, th.cellIndex); }
  }
})();
