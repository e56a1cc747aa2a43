// Online tests: the question editor shows the fields of the chosen kind; the test page saves
// each answer as it is given, keeps it when the connection drops (an honest «нет связи» and
// retries), and counts down the time the server gave. No inline handlers (CSP).
(function () {
  "use strict";

  // --- the question editor: only the fields of the chosen kind
  var kind = document.querySelector("[data-question-kind]");
  if (kind) {
    var showKind = function () {
      document.querySelectorAll(".kind-fields").forEach(function (box) {
        var kinds = (box.getAttribute("data-kinds") || "").split(" ");
        box.hidden = kinds.indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", showKind);
    showKind();
  }

  // --- taking a test
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var status = document.getElementById("save-status");
  var timer = document.getElementById("timer");
  var timerText = document.getElementById("timer-text");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dirty = false;      // the page holds an answer the server has not confirmed
  var sending = null;     // the request in flight
  var retryTimer = null;
  var closed = false;
  var typingTimer = null;

  function say(text, kind) {
    status.textContent = text;
    status.className = "save-status small mt-1" + (kind ? " text-" + kind : "");
  }

  function lock(message) {
    closed = true;
    form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
    say(message, "danger");
    window.setTimeout(function () { window.location.reload(); }, 2500);
  }

  function save() {
    if (closed) { return Promise.resolve(false); }
    if (sending) { return sending; }
    var body = new FormData(form);
    body.delete("go");
    dirty = false;
    say("Сохраняется…", "secondary");
    sending = fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (data) {
        sending = null;
        if (response.ok && data.ok) {
          if (typeof data.remaining === "number") { startClock(data.remaining); }
          if (dirty) { return save(); }
          say("✓ Ответ сохранён", "success");
          markAnswered();
          return true;
        }
        // A refusal from the server (time is up, already finished): it is final.
        lock(data.error || "Ответ не принят.");
        return false;
      });
    }).catch(function () {
      sending = null;
      dirty = true;
      say("Нет связи с сервером: ответ пока не сохранён. Повторим автоматически, как только связь вернётся — ничего не потеряется.", "danger");
      status.setAttribute("data-offline", "1");
      scheduleRetry();
      return false;
    }).then(function (ok) {
      if (ok) { status.removeAttribute("data-offline"); }
      return ok;
    });
    return sending;
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      if (dirty) { save(); }
    }, 3000);
  }

  window.addEventListener("online", function () { if (dirty) { save(); } });

  function markAnswered() {
    var current = document.querySelector(".q-nav [aria-current=step]");
    if (current) { current.setAttribute("data-saved", "1"); }
  }

  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") { return; }
    dirty = true;
    say("Есть несохранённые изменения…", "secondary");
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(save, 1200);
  });

  // Enter in a one-line answer saves it (the form's first button would be «Назад»).
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT") {
      event.preventDefault();
      window.clearTimeout(typingTimer);
      dirty = true;
      save();
    }
  });

  // Moving on only after the answer is saved: offline, the student stays with the answer.
  function goWhenSaved(url) {
    var pending = dirty || sending;
    if (!pending) { window.location.href = url; return; }
    window.clearTimeout(typingTimer);
    Promise.resolve(sending || save()).then(function (ok) {
      if (ok && !dirty) { window.location.href = url; }
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var go = event.submitter && event.submitter.value;
    goWhenSaved(window.location.pathname + "?q=" + encodeURIComponent(go || ""));
  });
  document.querySelectorAll("[data-q-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!dirty && !sending) { return; }
      event.preventDefault();
      goWhenSaved(link.href);
    });
  });
  var finish = document.getElementById("finish-form");
  if (finish) {
    finish.addEventListener("submit", function (event) {
      if (!dirty && !sending) { return; }
      event.preventDefault();
      say("Сначала сохраним последний ответ…", "secondary");
      Promise.resolve(sending || save()).then(function (ok) {
        // Saved: finish now (the student already confirmed); offline, nothing is sent.
        if (ok && !dirty) { finish.submit(); }
      });
    });
  }

  // The countdown starts from the seconds the server gave (not the phone's clock).
  var deadline = 0;
  var ticking = null;
  function show(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    var h = Math.floor(m / 60);
    var text = (h ? h + ":" + String(m % 60).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    timerText.textContent = text;
    timer.classList.toggle("text-bg-danger", seconds <= 60);
    timer.classList.toggle("text-bg-dark", seconds > 60);
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    show(left);
    if (left <= 0 && !closed) {
      window.clearInterval(ticking);
      // The server closes the attempt; a reload shows the result with the saved answers.
      lock("Время вышло. Попытка завершается, сохранённые ответы засчитываются.");
    }
  }
  function startClock(seconds) {
    deadline = Date.now() + seconds * 1000;
    if (ticking) { window.clearInterval(ticking); }
    ticking = window.setInterval(tick, 1000);
    tick();
  }
  startClock(parseInt(timer.getAttribute("data-remaining"), 10) || 0);
})();
