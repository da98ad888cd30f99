/* The portal's only script (no inline script anywhere: the CSP forbids it).
 * 1. A mailed link carries its token in the URL fragment (#token=...), which no server
 *    ever sees: a form marked data-token-from-fragment gets it in its `token` field, then
 *    the fragment is removed from the address bar. With data-autosubmit the form is sent.
 *    Without JavaScript the person pastes the code from the mail into the same field.
 * 2. htmx requests carry the CSRF token as the X-CSRF-Token header.
 * 3. An error summary gets the focus when the page loads.
 */
(function () {
  "use strict";

  function tokenFromFragment() {
    var hash = window.location.hash.replace(/^#/, "");
    var params = new URLSearchParams(hash);
    return params.get("token");
  }

  function fillTokenForms() {
    var forms = document.querySelectorAll("form[data-token-from-fragment]");
    if (!forms.length) return;
    var token = tokenFromFragment();
    if (!token) return;
    forms.forEach(function (form) {
      var field = form.querySelector("[name=token]");
      if (field) field.value = token;
      var paste = form.querySelector("[data-token-paste]");
      if (paste) paste.hidden = true;
    });
    history.replaceState(null, "", window.location.pathname + window.location.search);
    forms.forEach(function (form) {
      if (form.hasAttribute("data-autosubmit")) form.requestSubmit();
    });
  }

  function csrfHeader() {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (!meta) return;
    document.body.addEventListener("htmx:configRequest", function (event) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    });
  }

  function focusErrors() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    fillTokenForms();
    csrfHeader();
    focusErrors();
  });
})();
