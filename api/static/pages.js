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

// What a referral asks (fieldset.referral[data-decision]) shows only while its decision is
// chosen in the same form; the Content-Security-Policy allows no inline style or script.
function showChosenReferral(form) {
  const chosen = form.querySelector('select[name="decision"]');
  form.querySelectorAll("fieldset.referral").forEach((part) => {
    part.hidden = !chosen || part.dataset.decision !== chosen.value;
  });
}
document.addEventListener("change", (e) => {
  const form = e.target.closest("form");
  if (form) showChosenReferral(form);
});
document.addEventListener("htmx:load", (e) => {
  e.detail.elt.querySelectorAll("form").forEach(showChosenReferral);
});

// A table stacks its rows on a narrow screen (style.css); each cell then shows its column's
// name, taken here from the table's header row.
function labelCells(root) {
  root.querySelectorAll("table").forEach((table) => {
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        if (names[i] && !cell.hasAttribute("data-label")) cell.dataset.label = names[i];
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", () => labelCells(document));
document.addEventListener("htmx:load", (e) => labelCells(e.detail.elt));

// What a person unfolded (a <details> with an id) stays unfolded when its live part refreshes.
let unfolded = [];
document.addEventListener("htmx:beforeSwap", (e) => {
  unfolded = [...e.detail.target.querySelectorAll("details[id][open]")].map((d) => d.id);
});
document.addEventListener("htmx:afterSwap", () => {
  unfolded.forEach((id) => document.getElementById(id)?.setAttribute("open", ""));
});
