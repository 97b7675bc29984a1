// Small behaviours the markup cannot express: toasts that dismiss themselves, filter counts,
// and live fragments that only land on pages that show them.
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
  // The socket pushes each widget's fragment by id to every page of a person, and not every page
  // has every widget (the sync bar is on the library admin page only). A fragment whose target
  // is not on this page is dropped before htmx swaps, as htmx would report it as an error.
  function oobTarget(part) {
    var spec = part.getAttribute("hx-swap-oob") || part.getAttribute("data-hx-swap-oob") || "true";
    var colon = spec.indexOf(":");
    if (colon > 0) return spec.slice(colon + 1);
    return part.id ? "#" + CSS.escape(part.id) : null;
  }

  // A list that takes new entries at its top ("afterbegin:#list") must not take one it shows.
  function alreadyHere(part) {
    var spec = part.getAttribute("hx-swap-oob") || "";
    var entry = part.firstElementChild;
    return spec.indexOf("afterbegin:") === 0 && entry && entry.id && document.getElementById(entry.id) !== null;
  }

  function onThisPage(selector) {
    if (!selector) return false;
    try {
      return document.querySelector(selector) !== null;
    } catch (error) {
      return true; // not a plain selector: leave it to htmx
    }
  }

  // The server's first message says this socket now hears every event; the body keeps the mark
  // across boosted page changes (the socket stays) and loses it while the socket is away.
  var LIVE_MESSAGE = '<span id="live-state" hidden></span>';
  document.addEventListener("htmx:wsClose", function () { delete document.body.dataset.live; });

  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    if (event.detail.message === LIVE_MESSAGE) {
      event.preventDefault();
      document.body.dataset.live = "on";
      return;
    }
    var template = document.createElement("template");
    template.innerHTML = event.detail.message;
    var parts = Array.prototype.slice.call(template.content.children);
    var wanted = parts.filter(function (part) {
      return onThisPage(oobTarget(part)) && !alreadyHere(part);
    });
    if (wanted.length === parts.length) return;
    event.preventDefault();
    if (wanted.length === 0) return;
    // The ws extension swaps each top-level element out of band; htmx.swap does so for marked ones.
    var html = wanted.map(function (part) {
      if (!part.hasAttribute("hx-swap-oob") && !part.hasAttribute("data-hx-swap-oob")) {
        part.setAttribute("hx-swap-oob", "true");
      }
      return part.outerHTML;
    }).join("");
    htmx.swap(document.body, html, { swapStyle: "none" });
  });

  // A row of posters wider than the screen: arrows scroll it, and its edges fade where more waits.
  function fitRow(section) {
    var row = section.querySelector(".poster-row");
    var scroller = section.querySelector(".poster-scroller");
    var arrows = section.querySelector(".row-arrows");
    if (!row || !scroller || !arrows) return;
    var end = row.scrollWidth - row.clientWidth - 1;
    arrows.hidden = end <= 0;
    scroller.classList.toggle("more-before", row.scrollLeft > 1);
    scroller.classList.toggle("more-after", row.scrollLeft < end);
    arrows.querySelector('[data-row-scroll="-1"]').disabled = row.scrollLeft <= 1;
    arrows.querySelector('[data-row-scroll="1"]').disabled = row.scrollLeft >= end;
  }

  function fitRows(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".recently-added").forEach(fitRow);
  }

  document.addEventListener("click", function (event) {
    var arrow = event.target.closest && event.target.closest("[data-row-scroll]");
    if (!arrow) return;
    var row = arrow.closest(".recently-added").querySelector(".poster-row");
    row.scrollBy({ left: Number(arrow.dataset.rowScroll) * row.clientWidth * 0.8, behavior: "smooth" });
  });
  document.addEventListener("scroll", function (event) {
    var section = event.target.closest && event.target.closest(".recently-added");
    if (section) fitRow(section);
  }, true);
  window.addEventListener("resize", function () { fitRows(document); });
  document.addEventListener("htmx:load", function (event) { fitRows(event.target); });
  document.addEventListener("htmx:load", function (event) { openOnWideScreens(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    openOnWideScreens(document);
    fitRows(document);
    armAll();
    new MutationObserver(armAll).observe(document.body, { childList: true, subtree: true });
  });
})();
