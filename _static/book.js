/* Keyboard and screen-reader fixes to the theme's widgets. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // myst-nb's "Show code cell source" summaries are announced as "Toggle hidden content":
  // let the visible text name them (WCAG 2.5.3, label in name).
  document.querySelectorAll("details.hide > summary[aria-label]").forEach((summary) => {
    summary.removeAttribute("aria-label");
  });

  // A solution's bar reads "Solution to Exercise 3.7.n (title)". Its exercise link made a click
  // on the bar jump away with the solution still closed: the bar's text becomes plain text (a
  // click anywhere on the bar opens the solution) and the link moves into the solution.
  document.querySelectorAll("div.solution > .admonition-title > a.reference").forEach((link) => {
    const solution = link.closest("div.solution");
    const text = document.createElement("span");
    text.className = "solution-title-text";
    text.append(...link.childNodes);
    link.replaceWith(text);
    const exercise = text.textContent.trim().replace(/\s*\(.*$/s, "");  // "Exercise 3.7.10"
    solution.dataset.name = "Solution to " + exercise;
    link.textContent = "Back to " + exercise;
    const back = document.createElement("p");
    back.className = "solution-backlink";
    back.append(link);
    solution.querySelector(":scope > section").prepend(back);
  });
});

// sphinx-togglebutton names every dropdown's button "Toggle hidden content": name a solution's
// button after its solution (its state is aria-expanded). Its buttons exist by now.
window.addEventListener("load", () => {
  document.querySelectorAll("div.solution[data-name] > .admonition-title > button.toggle-button").forEach((button) => {
    button.setAttribute("aria-label", button.closest("div.solution").dataset.name);
  });
});
