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

// Sign-in: only the roles of the chosen organisation's kind are offered (option[data-kind]).
function offerRolesOf(form) {
  const org = form.querySelector('select[name="org"]');
  const role = form.querySelector('select[name="role"]');
  if (!org || !role || !org.selectedOptions[0]) return;
  const kind = org.selectedOptions[0].dataset.kind;
  role.querySelectorAll("option").forEach((o) => {
    o.hidden = o.disabled = o.dataset.kind !== kind;
  });
  if (role.selectedOptions[0]?.disabled) {
    const first = role.querySelector("option:not([disabled])");
    if (first) first.selected = true;
  }
}
document.addEventListener("change", (e) => {
  const form = e.target.closest("form.sign-in");
  if (form && e.target.name === "org") offerRolesOf(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.sign-in").forEach(offerRolesOf);
});

// A form sent with htmx says it is being saved (its button disabled, a status beside it) until
// the answer comes; the answer's confirmation or refusal is then brought into view.
document.addEventListener("htmx:beforeRequest", (e) => {
  const form = e.detail.elt.closest("form");
  if (!form) return;
  form.setAttribute("aria-busy", "true");
  form.querySelectorAll('button[type="submit"]').forEach((b) => { b.disabled = true; });
  if (!form.querySelector(".saving")) {
    const note = document.createElement("p");
    note.className = "saving";
    note.setAttribute("role", "status");
    note.textContent = "Bezig met opslaan…";
    form.querySelector('button[type="submit"]')?.after(note);
  }
});
document.addEventListener("htmx:afterRequest", (e) => {
  const form = e.detail.elt.closest("form");
  if (!form || !form.isConnected) return;
  form.removeAttribute("aria-busy");
  form.querySelectorAll('button[type="submit"]').forEach((b) => { b.disabled = false; });
  form.querySelector(".saving")?.remove();
});
document.addEventListener("htmx:afterSettle", (e) => {
  if (e.detail.requestConfig?.verb !== "post") return;
  const swapped = e.detail.target;
  const part = swapped.isConnected ? swapped : document.getElementById(swapped.id);
  const told = part?.querySelector('[role="alert"], [role="status"]:not(.saving)');
  if (told) told.scrollIntoView({ block: "center" });
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
