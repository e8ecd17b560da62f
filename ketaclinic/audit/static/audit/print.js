// The audit report's "Print this page" button (no inline script: the CSP forbids it).
// A printout shows every value in full: folded long values open before printing and fold
// back afterwards, whichever way printing was started.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
});
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.audit-value:not([open])").forEach(function (el) {
    el.setAttribute("open", "");
    el.setAttribute("data-opened-for-print", "");
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-opened-for-print]").forEach(function (el) {
    el.removeAttribute("open");
    el.removeAttribute("data-opened-for-print");
  });
});
