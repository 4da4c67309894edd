/* Keyboard, screen-reader and phone fixes to the theme's widgets (see book.css). */
"use strict";

// ---------- Scroll boxes that show they scroll ----------
// An element whose content is wider than it gets the class `scrolls`, and `more-left` /
// `more-right` while content is hidden on that side (book.css fades that edge). A display
// formula that scrolls is made focusable, so that a keyboard can scroll it (WCAG 2.1.1).
const SCROLL_BOXES = "div.math > mjx-container[display='true'], .pst-scrollable-table-container, div.highlight > pre";

function markScrollBox(box) {
  const overflows = box.scrollWidth > box.clientWidth + 1;
  box.classList.toggle("scrolls", overflows);
  box.classList.toggle("more-left", overflows && box.scrollLeft > 1);
  box.classList.toggle("more-right", overflows && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
  if (overflows && box.tabIndex < 0) {
    box.setAttribute("tabindex", "0");  // the theme does so only for boxes visible at load
  } else if (!overflows && box.matches("mjx-container")) {
    box.removeAttribute("tabindex");
  }
}

function watchScrollBoxes() {
  const resized = new ResizeObserver((entries) => entries.forEach((e) => markScrollBox(e.target)));
  document.querySelectorAll(SCROLL_BOXES).forEach((box) => {
    markScrollBox(box);
    box.addEventListener("scroll", () => markScrollBox(box), { passive: true });
    resized.observe(box);
  });
}

// ---------- Tables read row by row on a phone ----------
// Each cell gets its column's name (shown before it by book.css on a phone), and the table
// keeps its roles, which `display: block` would otherwise take from it.
function stackTables() {
  document.querySelectorAll(".bd-article table").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (headers.length < 3) return;
    table.classList.add("stacks");
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody").forEach((group) => group.setAttribute("role", "rowgroup"));
    table.querySelectorAll("tr").forEach((row) => row.setAttribute("role", "row"));
    table.querySelectorAll("thead th").forEach((th) => th.setAttribute("role", "columnheader"));
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        cell.setAttribute("role", "cell");
        if (headers[i]) cell.dataset.label = headers[i];
      });
    });
  });
}

// ---------- Search results: summaries of the text, formulas typeset ----------
// Sphinx's summary is 240 characters of the page's main block: the page's table of contents
// included, TeX delimiters and all. Here it is the article's text; a display formula becomes
// inline when short (else "…"), a formula cut by the window is dropped, and MathJax (loaded on
// the search page only) typesets the rest.
function articleText(htmlString, anchor) {
  const page = new DOMParser().parseFromString(htmlString, "text/html");
  page.querySelectorAll(".headerlink, script, style, details.hide > summary, .eqno").forEach((e) => e.remove());
  page.querySelectorAll("div.math").forEach((div) => {
    const tex = div.textContent.trim().replace(/^\\\[|\\\]$/g, "").replace(/\\begin\{split\}|\\end\{split\}/g, "").trim();
    div.replaceWith(tex.length <= 80 ? ` \\(${tex}\\) ` : " … ");
  });
  const article = page.querySelector("article") ?? page.querySelector('[role="main"]');
  const part = anchor ? article?.querySelector(anchor) : null;
  return (part ?? article)?.textContent ?? "";
}

function wholeFormulas(text) {
  text = text.replace(/\\(\.\.\.)$/, "$1");  // the window ended between "\\" and "("
  const lastOpen = text.lastIndexOf("\\("), lastClose = text.lastIndexOf("\\)");
  if (lastOpen > lastClose) text = text.slice(0, lastOpen) + "…";
  const firstOpen = text.indexOf("\\("), firstClose = text.indexOf("\\)");
  if (firstClose > -1 && (firstOpen === -1 || firstClose < firstOpen)) text = "…" + text.slice(firstClose + 2);
  return text;
}

function typesetSearchSummaries() {
  // searchtools.js declares `const Search`: a global name, not a property of window.
  if (typeof Search === "undefined" || !document.getElementById("search-results")) return;
  Search.htmlToText = articleText;
  const makeSearchSummary = Search.makeSearchSummary;
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const summary = makeSearchSummary(htmlText, keywords, anchor);
    if (summary) {
      // A definition, example or exercise found by its title is listed as "(Its title)": name
      // it with its number, read from the page, once the summary is in the result's item.
      const number = anchor && new DOMParser().parseFromString(htmlText, "text/html")
        .querySelector(`article ${anchor} > .admonition-title > .caption-number`)?.textContent.trim();
      if (number) {
        queueMicrotask(() => {
          const link = summary.parentElement?.querySelector(":scope > a");
          if (link) link.textContent = link.textContent.replace(/ >\s*\(/, ` > ${number} (`);
        });
      }
      summary.textContent = wholeFormulas(summary.textContent);
      summary.classList.add("mathjax_process");
      window.MathJax?.startup?.promise.then(() => MathJax.typesetPromise([summary]));
    }
    return summary;
  };
}

document.addEventListener("DOMContentLoaded", () => {
  typesetSearchSummaries();

  // myst-nb's "Show code cell source" summaries are announced as "Toggle hidden content":
  // let the visible text name them (WCAG 2.5.3, label in name).
  // Likewise the sidebar's search field, a button whose visible text ("Search this book...
  // Ctrl+K") is not in its name ("Search").
  document.querySelectorAll("details.hide > summary[aria-label], button.search-button-field[aria-label]").forEach((e) => {
    e.removeAttribute("aria-label");
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

  stackTables();
});

window.addEventListener("load", () => {
  // sphinx-togglebutton names every dropdown's button "Toggle hidden content": name a
  // solution's button after its solution (aria-expanded tells its state).
  document.querySelectorAll("div.solution[data-name] > .admonition-title > button.toggle-button").forEach((button) => {
    button.setAttribute("aria-label", button.closest("div.solution").dataset.name);
  });
  // Formulas are boxes only once MathJax has typeset them.
  const typeset = window.MathJax?.startup?.promise ?? Promise.resolve();
  typeset.then(watchScrollBoxes);
});
