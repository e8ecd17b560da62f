// ketaclinic: progressive enhancement only. Every page works without script; this file makes
// the menu collapsible on phones, moves focus to form errors, lets people dismiss toasts and asks
// before destructive actions. No inline handlers: the content security policy forbids them.
(function () {
  "use strict";

  var NARROW = window.matchMedia("(max-width: 960px)");

  function setUpMenu() {
    var nav = document.getElementById("workspace-nav");
    var button = document.querySelector("[data-menu-button]");
    if (!nav || !button) { return; }
    button.hidden = false;
    function collapse(collapsed) {
      if (collapsed) { nav.setAttribute("data-collapsed", ""); } else { nav.removeAttribute("data-collapsed"); }
      button.setAttribute("aria-expanded", collapsed ? "false" : "true");
    }
    collapse(NARROW.matches);
    button.addEventListener("click", function () { collapse(!nav.hasAttribute("data-collapsed")); });
    NARROW.addEventListener("change", function (event) { collapse(event.matches); });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && !nav.hasAttribute("data-collapsed")) {
        collapse(true);
        button.focus();
      }
    });
  }

  // GOV.UK pattern: focus the error summary so it is read first; its links move to the field.
  function setUpErrors() {
    var summary = document.querySelector(".error-summary[data-autofocus]");
    if (summary) {
      summary.focus();
    } else if (!document.querySelector(".error-summary")) {
      var invalid = document.querySelector("[aria-invalid=true]");
      if (invalid) { invalid.focus(); }
    }
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        // Show the question (label or legend) above the input, not just the input.
        var group = target.closest("fieldset, .field") || target;
        group.scrollIntoView({ block: "start" });
        target.focus({ preventScroll: true });
      });
    });
  }

  function setUpToasts() {
    document.querySelectorAll(".toast").forEach(function (toast) {
      var close = toast.querySelector("[data-toast-close]");
      if (!close) { return; }
      close.hidden = false;
      close.addEventListener("click", function () {
        toast.hidden = true;
        var main = document.getElementById("main");
        if (main) { main.focus(); }
      });
    });
  }

  // components/confirm_button.html: the submit button opens the <dialog>; the dialog's own
  // submit button sends the form with confirmed=1. Without script the button submits directly
  // and the view may show a confirmation step (it sees no "confirmed" field).
  function setUpConfirmDialogs() {
    document.querySelectorAll("[data-confirm-open]").forEach(function (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm-open"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      opener.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.showModal();
      });
      dialog.querySelectorAll("[data-dialog-cancel]").forEach(function (cancel) {
        cancel.addEventListener("click", function () { dialog.close("cancel"); });
      });
      dialog.addEventListener("close", function () {
        if (dialog.returnValue !== "confirmed") { opener.focus(); }
        dialog.returnValue = "";
      });
      dialog.querySelectorAll("[data-dialog-confirm]").forEach(function (confirm) {
        confirm.addEventListener("click", function () { dialog.returnValue = "confirmed"; });
      });
    });
    // Older markup: a button with data-confirm="question" asks with the browser's own dialog.
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // Print buttons: hidden until script can print (app scripts use their own data-print).
  function setUpPrint() {
    document.querySelectorAll("[data-print-page]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpPrint();
    setUpErrors();
    setUpToasts();
    setUpConfirmDialogs();
  });
})();
