// A live part refreshes only while nobody works in it: not while focus is inside it, and not
// once a form in it has been typed in (until that form is sent).
document.addEventListener("input", (e) => {
  const form = e.target.closest("form");
  if (form) form.dataset.dirty = "1";
});
window.untouched = (id) => {
  const part = document.getElementById(id);
  return !part.contains(document.activeElement) && !part.querySelector("form[data-dirty]");
};
