// Progressive enhancement only: every page works without script.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first field with an error so keyboard and screen-reader users land on it.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
  // Buttons that ask before acting (data-confirm="text").
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
