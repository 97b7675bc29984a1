// Small behaviours the markup cannot express: toasts that dismiss themselves, filter counts.
(function () {
  "use strict";
  var LIFETIME_MS = { error: 15000, warning: 15000 };
  var DEFAULT_LIFETIME_MS = 8000;

  function arm(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    var level = (toast.className.match(/toast-(\w+)/) || [])[1];
    setTimeout(function () { toast.remove(); }, LIFETIME_MS[level] || DEFAULT_LIFETIME_MS);
  }

  function armAll() {
    document.querySelectorAll("#toasts .toast").forEach(arm);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
    // A "Copy" button puts its field's text on the clipboard and says so.
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.dataset.copy);
      field.select();
      var done = function () { copy.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    }
  });
  // A library's filter toggle counts the filters in use (sort and order are not filters).
  function countFilters(form) {
    var count = 0;
    form.querySelectorAll("[data-filter]").forEach(function (field) {
      if (field.value !== "" && field.validity.valid) count += 1;
    });
    var badge = form.closest(".filter-panel").querySelector("[data-filter-count]");
    badge.querySelector("[data-filter-number]").textContent = count;
    badge.hidden = count === 0;
  }

  // Browsers without ::details-content cannot show a closed panel's form on wide screens.
  var WIDE = "(min-width: 40.0625rem)";
  function openOnWideScreens(root) {
    if (window.CSS && CSS.supports("selector(::details-content)")) return;
    if (!window.matchMedia(WIDE).matches) return;
    root.querySelectorAll(".filter-panel").forEach(function (panel) { panel.open = true; });
  }

  ["change", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = event.target.closest && event.target.closest(".filter-panel form");
      if (form) countFilters(form);
    });
  });
  document.addEventListener("htmx:load", function (event) { openOnWideScreens(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    openOnWideScreens(document);
    armAll();
    new MutationObserver(armAll).observe(document.body, { childList: true, subtree: true });
  });
})();
