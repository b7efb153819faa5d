"use strict";
// The agent page's three-dot menu (a <details>): close it on a click elsewhere or on Escape, as menus do.
document.addEventListener("DOMContentLoaded", () => {
  const menu = document.getElementById("agent-menu");
  if (!menu) return;
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
});
