// Progressive enhancement for the inquiries pages; everything works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Print buttons (inline handlers are forbidden by the content security policy).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Move focus to the error summary so screen readers announce it before the fields.
  var summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) { summary.focus(); }
});
