// The drawn signature: strokes on a canvas, saved as a PNG data URL in the hidden
// "signature" input when the form is sent. Without JavaScript the typed name alone signs.
(function () {
  "use strict";

  function setUp(box) {
    var canvas = box.querySelector("canvas");
    var input = box.querySelector("input[name='signature']");
    var clear = box.querySelector("[data-signature-clear]");
    if (!canvas || !input) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height),
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      if (drawing && drawn) { input.value = canvas.toDataURL("image/png"); }
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        input.value = "";
        drawn = false;
      });
    }
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
