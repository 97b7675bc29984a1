// Small behaviours the markup cannot express: toasts that dismiss themselves.
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
  });
  document.addEventListener("DOMContentLoaded", function () {
    armAll();
    new MutationObserver(armAll).observe(document.body, { childList: true, subtree: true });
  });
})();
