// A signature pad: draw with a finger or a mouse; the drawing is sent as a PNG data URL.
(function () {
  function setUp(form) {
    var canvas = form.querySelector("canvas.signature-pad");
    var field = form.querySelector("input[name=drawing]");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false, last = null;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width,
               y: (event.clientY - box.top) * canvas.height / box.height };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; last = point(event); canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; inked = true; event.preventDefault();
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    var clear = form.querySelector("[data-clear-pad]");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); inked = false; field.value = "";
    });
    form.addEventListener("submit", function () {
      field.value = inked ? canvas.toDataURL("image/png") : "";
    });
  }
  document.querySelectorAll("form.sign-form").forEach(setUp);
})();
