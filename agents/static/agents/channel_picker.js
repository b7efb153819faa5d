"use strict";
// The Communication channels card: Add, pick the channel from the dropdown, tick the connections.
// A tick adds a row through Django's own "add another" link of the card's formset, so the form
// posts exactly what the table would; an untick removes that row again (saved rows stay: Delete? does that).
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.getElementById("channel-picker");
  if (!picker) return;
  const group = document.getElementById(picker.dataset.group);
  const panel = document.getElementById("channel-picker-panel");
  const kind = document.getElementById("channel-kind");
  const addButton = document.getElementById("channel-add");

  const rows = () => [...group.querySelectorAll("tr.form-row")].filter((row) => !row.classList.contains("empty-form"));
  const connectionOf = (row) => row.querySelector("select[name$='-connection']");
  const rowFor = (value) => rows().find((row) => connectionOf(row) && connectionOf(row).value === value);
  const isSaved = (row) => Boolean(row.querySelector("input[name$='-id']")?.value);

  function refresh() {
    for (const box of panel.querySelectorAll("input[type=checkbox]")) {
      const row = rowFor(box.value);
      box.checked = Boolean(row);
      box.disabled = Boolean(row) && isSaved(row);
      box.title = box.disabled ? "Already attached: use Delete? in the table to detach it" : "";
    }
    for (const list of panel.querySelectorAll("[data-kind]")) list.hidden = list.dataset.kind !== kind.value;
  }

  addButton.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    addButton.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden && !kind.value && kind.options.length === 2) kind.focus();
    refresh();
  });
  kind.addEventListener("change", refresh);
  panel.addEventListener("change", (event) => {
    const box = event.target;
    if (box.type !== "checkbox") return;
    if (box.checked) {
      group.querySelector("tr.add-row a.addlink").click();
      connectionOf(rows().at(-1)).value = box.value;
    } else {
      const row = rowFor(box.value);
      if (row && !isSaved(row)) row.querySelector("a.inline-deletelink").click();
    }
  });
});
