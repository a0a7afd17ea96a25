// Warns a signed-in member before the idle time-out and lets them stay signed in. The server puts
// the idle time-out and how long before it to warn, in seconds, on <body>; the dialog and its
// words are in the page. "Seguir conectado" posts the dialog's form (CSRF token included) to
// /sesion/extender: 204 means the session lives on, anything else that it has ended. Without
// this script nothing changes: the session simply times out and the next page asks to sign in.
(function () {
  "use strict";

  var body = document.body;
  var idle = Number(body.getAttribute("data-session-idle"));
  var warn = Number(body.getAttribute("data-session-warn"));
  var dialog = document.getElementById("aviso-sesion");
  if (!idle || !dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var live = dialog.querySelector("[data-part='live']");
  var ended = dialog.querySelector("[data-part='ended']");
  var extend = dialog.querySelector("form[data-action='extend']");
  var warnTimer = 0;
  var endTimer = 0;

  function open(part) {
    live.hidden = part !== live;
    ended.hidden = part !== ended;
    if (!dialog.open) {
      dialog.showModal();
    }
    var heading = part.querySelector("h2");
    if (heading) {
      dialog.setAttribute("aria-labelledby", heading.id);
      heading.focus();
    }
  }

  function showEnded() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    body.setAttribute("data-session-ended", "true");
    open(ended);
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () {
      open(live);
    }, Math.max(0, idle - warn) * 1000);
    endTimer = setTimeout(showEnded, idle * 1000);
  }

  function stay() {
    fetch(extend.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(extend)).toString()
    }).then(function (response) {
      if (response.status === 204) {
        dialog.close();
        schedule();
      } else {
        showEnded();
      }
    }).catch(function () {
      // Offline for a moment: leave the dialog open so the member can try again.
    });
  }

  extend.addEventListener("submit", function (event) {
    event.preventDefault();
    stay();
  });
  // Escape closes the warning; like GOV.UK's, closing it counts as staying.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (!live.hidden) {
      stay();
    }
  });
  schedule();
})();
