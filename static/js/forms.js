// A form is sent once: a second click while the next page loads does nothing.
// (The server also refuses a form token it has already seen.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) return; // stays on the page
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  form.setAttribute("aria-busy", "true");
  // Back from the browser's cache, the form must be usable again.
  window.addEventListener("pageshow", function () {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  }, { once: true });
});

// Filters fold away on a phone, so that the results come first; wide screens show them.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(min-width: 48rem)").matches) return;
  document.querySelectorAll("details.fold-on-phone").forEach(function (d) { d.open = true; });
});
