/* Django's two-box selector (filter_horizontal: an answer's statutory exemptions) labels
   each filter box with an icon <span aria-label="Type into this box to filter ...">. A span
   has no role, so ARIA forbids naming it (axe: aria-prohibited-attr) and assistive
   technology may ignore the name, leaving the filter box named by its placeholder alone.
   Here the words become the label's own text (visually hidden) and the icon is hidden
   from assistive technology: the filter box is named by its label, as any input is.
   Django builds the selector on page load and for each inline form added, so every icon
   is fixed as it appears. */
(function () {
  "use strict";

  function fix(root) {
    root.querySelectorAll(".selector-filter label .search-label-icon[aria-label]").forEach(function (icon) {
      var words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = icon.getAttribute("aria-label");
      icon.removeAttribute("aria-label");
      icon.setAttribute("aria-hidden", "true");
      icon.parentNode.insertBefore(words, icon.nextSibling);
    });
  }

  function start() {
    fix(document);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) {
            fix(node.parentNode || node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
