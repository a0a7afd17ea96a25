// Small enhancements for every page. Every page works without this file: it only moves focus to
// the error summary when the browser ignored `autofocus`, moves focus from an error link to its
// field, and turns a contents list with panels into tabs.
(function () {
  "use strict";

  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) {
    if (document.activeElement !== summary) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-module='tabs']"), function (tabs) {
    var list = tabs.querySelector(".tabs-list");
    var links = Array.prototype.slice.call(tabs.querySelectorAll(".tabs-list a"));
    var panels = links.map(function (a) {
      return document.getElementById(a.getAttribute("href").slice(1));
    });
    if (!list || links.length === 0 || panels.indexOf(null) !== -1) {
      return;
    }
    tabs.classList.add("tabs-enhanced");
    list.setAttribute("role", "tablist");
    function select(index, focus) {
      links.forEach(function (a, i) {
        var on = i === index;
        a.setAttribute("aria-selected", on ? "true" : "false");
        a.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) {
        links[index].focus();
      }
    }
    links.forEach(function (a, i) {
      a.parentElement.setAttribute("role", "presentation");
      a.setAttribute("role", "tab");
      a.id = a.id || panels[i].id + "-tab";
      a.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", a.id);
      panels[i].setAttribute("tabindex", "0");
      a.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, true);
      });
      a.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          event.preventDefault();
          select((i + step + links.length) % links.length, true);
        }
      });
    });
    select(0, false);
  });
})();
