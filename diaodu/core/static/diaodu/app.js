/* Diaodu page behaviour. No inline scripts anywhere: everything hooks onto data attributes. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    return document.body ? document.body.getAttribute("data-csrf-token") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <form data-autosubmit>: submit as soon as a select or input changes (the language switch).
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && !form.hasAttribute("hx-get")) {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });

  // Buttons with data-confirm ask before submitting.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
