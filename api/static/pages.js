// A live part (data-while-untouched) refreshes only while nobody works in it: not while focus
// is inside it, and not once a form in it has been typed in (until that form is sent). Its
// refresh by the clock has no triggering event; one by an event (a change) always goes.
document.addEventListener("input", (e) => {
  const form = e.target.closest("form");
  if (form) form.dataset.dirty = "1";
});
document.addEventListener("htmx:confirm", (e) => {
  const part = e.detail.elt;
  if (!part.hasAttribute("data-while-untouched") || e.detail.triggeringEvent) return;
  if (part.contains(document.activeElement) || part.querySelector("form[data-dirty]")) {
    e.preventDefault();
  }
});
