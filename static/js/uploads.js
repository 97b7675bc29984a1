// Uploads: the drop zone sends each file with tus-js-client (loaded only on this page), in
// chunks that resume after a dropped connection or when the same file is dropped again.
(function () {
  "use strict";

  function token() {
    var page = document.getElementById("page");
    try { return JSON.parse(page.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function sizeWords(bytes) {
    var units = ["B", "KB", "MB", "GB"], n = bytes, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }

  function loadTus(src, then) {
    if (window.tus) { then(); return; }
    var script = document.createElement("script");
    script.src = src;
    script.onload = then;
    document.head.appendChild(script);
  }

  function row(file) {
    var item = document.createElement("li");
    item.className = "up-item";
    var name = document.createElement("span");
    name.className = "up-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var words = document.createElement("small");
    words.className = "up-words muted";
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "secondary outline small"; cancel.textContent = "Cancel";
    item.append(name, bar, words, cancel);
    return { item: item, bar: bar, words: words, cancel: cancel };
  }

  function refusal(error) {
    var response = error && error.originalResponse;
    var body = response && response.getBody && response.getBody();
    if (body && body.length < 500 && body.indexOf("<") === -1) return body.trim();
    if (response && response.getStatus() === 404) return "This upload is gone; drop the file again.";
    return "The connection dropped. Drop the same file again to go on where it stopped.";
  }

  function send(zone, file, left) {
    var parts = row(file);
    document.getElementById("upload-queue").prepend(parts.item);
    var maxFile = Number(zone.dataset.maxFile);
    if (file.size === 0) { parts.words.textContent = "The file is empty."; parts.cancel.remove(); return; }
    if (file.size > maxFile) {
      parts.words.textContent = "Files may be at most " + sizeWords(maxFile) + ".";
      parts.cancel.remove(); return;
    }
    if (left !== null && file.size > left) {
      parts.words.textContent = "This file would take you past your upload space (" + sizeWords(left) + " left).";
      parts.cancel.remove(); return;
    }
    var upload = new window.tus.Upload(file, {
      endpoint: zone.dataset.endpoint,
      chunkSize: Number(zone.dataset.chunkSize),
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      metadata: { filename: file.name, filetype: file.type },
      headers: { "X-CSRFToken": token() },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        parts.bar.value = Math.floor((sent / total) * 100);
        parts.words.textContent = sizeWords(sent) + " of " + sizeWords(total);
      },
      onError: function (error) {
        parts.words.textContent = refusal(error);
        parts.words.classList.add("warn");
        parts.cancel.textContent = "Dismiss";
      },
      onSuccess: function () {
        parts.bar.value = 100;
        parts.words.textContent = "Uploaded; processing it now.";
        parts.cancel.remove();
        htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#upload-cards", select: "#upload-cards", swap: "outerHTML" });
      },
    });
    parts.cancel.addEventListener("click", function () {
      if (parts.cancel.textContent === "Cancel") upload.abort(true);
      parts.item.remove();
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        parts.words.textContent = "Going on where it stopped…";
      }
      upload.start();
    });
  }

  function take(zone, chosen) {
    // A copy: the input's list empties when it is reset, before tus-js-client has loaded.
    var files = Array.prototype.slice.call(chosen);
    loadTus(zone.dataset.tus, function () {
      var left = zone.dataset.left === "" ? null : Number(zone.dataset.left);
      files.forEach(function (file) {
        send(zone, file, left);
        if (left !== null) left -= file.size;
      });
    });
  }

  function arm(root) {
    var zone = root.id === "upload-drop" ? root : root.querySelector && root.querySelector("#upload-drop");
    if (!zone || zone.dataset.armed) return;
    zone.dataset.armed = "1";
    var input = zone.querySelector("#upload-files");
    input.addEventListener("change", function () { take(zone, input.files); input.value = ""; });
  }

  // On the Uploads page a file dropped anywhere is taken, rather than opened by the browser in
  // place of the page (which would stop every upload in it).
  function dropZone(event) {
    var zone = document.getElementById("upload-drop");
    var files = event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
    return zone && files ? zone : null;
  }
  document.addEventListener("dragover", function (event) {
    var zone = dropZone(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.toggle("up-over", zone.contains(event.target));
  });
  document.addEventListener("dragleave", function (event) {
    var zone = dropZone(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("up-over");
  });
  document.addEventListener("drop", function (event) {
    var zone = dropZone(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("up-over");
    take(zone, event.dataTransfer.files);
  });

  // The card's preview plays while pointed at or focused, and stops (back to the poster) when
  // the pointer or focus leaves the card, not when it moves from one part of it to another.
  function preview(event, play) {
    var card = event.target.closest && event.target.closest(".up-card");
    var clip = card && card.querySelector("video.up-preview");
    if (!clip || (event.relatedTarget && card.contains(event.relatedTarget))) return;
    if (play) { clip.play().catch(function () {}); } else { clip.pause(); clip.currentTime = 0; }
  }
  document.addEventListener("mouseover", function (event) { preview(event, true); });
  document.addEventListener("mouseout", function (event) { preview(event, false); });
  document.addEventListener("focusin", function (event) { preview(event, true); });
  document.addEventListener("focusout", function (event) { preview(event, false); });

  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  document.addEventListener("htmx:load", function (event) { arm(event.target); });
})();
