// Small behaviours on top of server-rendered pages; everything works without them too.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-set-kind]");
  if (!button) return;
  const radio = document.getElementById("kind-" + button.dataset.setKind);
  if (radio) {
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    radio.focus();
  }
});
// A select marked data-autosubmit sends its form when changed (no inline handlers: the CSP
// forbids them; the form's <noscript> button does the same without JavaScript).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
