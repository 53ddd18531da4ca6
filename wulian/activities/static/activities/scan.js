/* The organisers' door scanner: read the person's QR code with the phone's camera and send
   it through the check-in form that typing and hand scanners use too.

   The browser's BarcodeDetector reads the code where there is one; elsewhere the vendored
   jsQR decoder (loaded only then, from this site) reads frames drawn on a canvas. Once a
   code is read the camera stops and the form is sent; the page after it starts the camera
   again by itself, so that one person after another can be scanned. The code just sent is
   not sent again while the camera keeps seeing it (to scan it again, stop and start). */
(function () {
  "use strict";
  var root = document.getElementById("camera-scan");
  if (!root) return;
  var form = document.getElementById("scan-form");
  var field = form ? form.querySelector("[name=code]") : null;
  var video = root.querySelector("video");
  var start = document.getElementById("camera-start");
  var stop = document.getElementById("camera-stop");
  var status = document.getElementById("camera-status");
  var KEY = "wulian-door-camera";
  var LAST = "wulian-door-last-code";
  var stream = null;
  var running = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function halt() {
    running = false;
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
  }

  function remember(name, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(name);
      else window.sessionStorage.setItem(name, value);
    } catch (e) { /* private mode */ }
  }

  function recall(name) {
    try { return window.sessionStorage.getItem(name); } catch (e) { return null; }
  }

  function found(code) {
    if (!code || !field) return false;
    if (code === recall(LAST)) return false;
    remember(LAST, code);
    halt();
    field.value = code;
    say(root.dataset.found || "");
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = root.dataset.decoder;
      script.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function nativeReader() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) return null;
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : "";
        });
      };
    }).catch(function () { return null; });
  }

  function canvasReader() {
    return loadJsQR().then(function (decode) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) return Promise.resolve("");
        var scale = Math.min(1, 800 / Math.max(width, height));
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        var result = decode(pixels.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(result ? result.data : "");
      };
    });
  }

  function loop(read) {
    if (!running) return;
    read().then(function (code) {
      if (code && found(code)) return;
      window.setTimeout(function () { loop(read); }, 150);
    }).catch(function () {
      window.setTimeout(function () { loop(read); }, 300);
    });
  }

  function begin() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(root.dataset.unsupported || "");
      return;
    }
    say(root.dataset.starting || "");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        running = true;
        remember(KEY, "on");
        return video.play();
      })
      .then(nativeReader)
      .then(function (read) { return read || canvasReader(); })
      .then(function (read) {
        say(root.dataset.ready || "");
        loop(read);
      })
      .catch(function () {
        halt();
        say(root.dataset.denied || "");
      });
  }

  start.hidden = false;
  start.addEventListener("click", function () {
    remember(LAST, null);
    begin();
  });
  stop.addEventListener("click", function () {
    remember(KEY, null);
    halt();
    say("");
  });
  if (recall(KEY) === "on") begin();
})();
