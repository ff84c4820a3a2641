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
// A table wider than a phone's screen scrolls inside its card: it takes the keyboard's focus
// then, so that arrow keys scroll it (WCAG 2.1.1; axe: scrollable-region-focusable).
function reachableTables() {
  document.querySelectorAll("table").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  });
}
addEventListener("load", reachableTables);
addEventListener("resize", reachableTables);
document.addEventListener("htmx:afterSettle", reachableTables);
