/* The staff check-in page: scan QR tickets (camera or photo), type codes, show the rotating
 * 签到码. Every scan goes into a queue kept in localStorage and is sent until the server has
 * answered it, so a scan made while the venue's connection drops is not lost. The server
 * recognises a re-sent scan by its scan_id and does not count it twice. */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root) { return; }
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var queueKey = root.dataset.queueKey;
  var result = document.getElementById("checkin-result");
  var pending = document.getElementById("checkin-pending");
  var sending = false;

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) {
    el.classList.remove("d-none");
  });

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function show(kind, message) {
    result.className = "alert alert-" + kind;
    result.textContent = message;
  }
  function showPending() {
    var n = loadQueue().length;
    pending.classList.toggle("d-none", n === 0);
    pending.textContent = root.dataset.msgPending.replace("N", String(n));
  }
  function addRecent(row) {
    var list = document.getElementById("recent-checkins");
    var empty = document.getElementById("recent-empty");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "list-group-item d-flex justify-content-between";
    var who = document.createElement("span");
    var code = document.createElement("span");
    code.className = "font-monospace";
    code.textContent = row.code;
    who.appendChild(code);
    who.appendChild(document.createTextNode(" " + (row.name || "")));
    var when = document.createElement("span");
    when.className = "text-muted";
    when.textContent = row.at + " · " + row.method;
    li.appendChild(who);
    li.appendChild(when);
    list.insertBefore(li, list.firstChild);
  }

  function enqueue(item) {
    item.scan_id = newId();
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    showPending();
    flush();
  }

  function flush() {
    if (sending) { return; }
    var queue = loadQueue();
    if (!queue.length) { showPending(); return; }
    sending = true;
    var item = queue[0];
    show("info", root.dataset.msgSending);
    fetch(root.dataset.scanUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.status >= 500 || response.status === 0) { throw new Error("server"); }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      // Answered (checked in, already, or refused): drop it from the queue, never resend.
      saveQueue(loadQueue().filter(function (q) { return q.scan_id !== item.scan_id; }));
      var data = answer.data;
      if (data.ok) {
        show(data.outcome === "ok" ? "success" : "warning", data.message);
        document.getElementById("checkin-count").textContent = data.checked_in;
        if (data.outcome === "ok") { addRecent(data.row); }
      } else {
        show("danger", data.message);
      }
      sending = false;
      showPending();
      if (loadQueue().length) { flush(); }
    }).catch(function () {
      sending = false;
      show("warning", root.dataset.msgOfflineSaved);
      showPending();
    });
  }

  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  showPending();
  flush();

  // --- decoding -------------------------------------------------------------------------------
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  var canvas = document.getElementById("scan-canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function decodeWithJsQR(source, width, height) {
    var scale = Math.min(1, 1280 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR ? window.jsQR(pixels.data, pixels.width, pixels.height) : null;
    return found ? found.data : null;
  }
  function decode(source, width, height) {
    if (detector) {
      return detector.detect(source).then(function (codes) {
        return codes.length ? codes[0].rawValue : decodeWithJsQR(source, width, height);
      }).catch(function () { return decodeWithJsQR(source, width, height); });
    }
    return Promise.resolve(decodeWithJsQR(source, width, height));
  }

  var lastText = "";
  var lastAt = 0;
  function scanned(text) {
    var now = Date.now();
    if (text === lastText && now - lastAt < 4000) { return; }  // the same ticket still in view
    lastText = text;
    lastAt = now;
    enqueue({ ticket: text });
  }

  // A photo of the ticket (phones open the camera for this input).
  document.getElementById("scan-photo").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) { return; }
    // createImageBitmap reads the file without a blob: URL (which the CSP's img-src refuses).
    window.createImageBitmap(file).then(function (bitmap) {
      return decode(bitmap, bitmap.width, bitmap.height);
    }).then(function (text) {
      if (text) { scanned(text); } else { show("danger", root.dataset.msgUnreadable); }
    }).catch(function () {
      show("danger", root.dataset.msgUnreadable);
    });
    event.target.value = "";
  });

  // Live camera.
  var video = document.getElementById("camera");
  document.getElementById("camera-start").addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("danger", root.dataset.msgCameraDenied);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.classList.remove("d-none");
        return video.play();
      }).then(function () {
        var busy = false;
        (function tick() {
          if (!busy && video.readyState >= 2) {
            busy = true;
            decode(video, video.videoWidth, video.videoHeight).then(function (text) {
              busy = false;
              if (text) { scanned(text); }
            });
          }
          requestAnimationFrame(tick);
        })();
      }).catch(function () { show("danger", root.dataset.msgCameraDenied); });
  });

  // Typed codes go through the same queue.
  document.getElementById("code-form").addEventListener("submit", function (event) {
    var input = event.target.querySelector("input[name=code]");
    if (!input.value.trim()) { return; }
    event.preventDefault();
    enqueue({ code: input.value.trim() });
    input.value = "";
  });

  // The rotating 签到码: a fresh image every 30 seconds while shown.
  var codeImage = document.getElementById("rotating-code");
  var timer = null;
  document.getElementById("show-code").addEventListener("click", function () {
    function refresh() { codeImage.src = root.dataset.codeUrl + "?t=" + Date.now(); }
    if (timer) {
      clearInterval(timer);
      timer = null;
      codeImage.classList.add("d-none");
      return;
    }
    refresh();
    codeImage.classList.remove("d-none");
    timer = setInterval(refresh, 30000);
  });
})();
