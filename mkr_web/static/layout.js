/* Narrow screens (no inline scripts: CSP).
 *
 * A search or filter form (a GET form of three fields or more) folds on a phone behind a button
 * ("Поиск и фильтры", its text from <body data-filters-label>) so the first screen shows the
 * results; from 768 px up the form is always shown (mkr.css) and the button hidden.
 *
 * Every table of the page gets its own horizontal scroll box (Bootstrap's .table-responsive), so
 * a wide table scrolls inside itself and the page never scrolls sideways on a phone. A box that
 * does scroll is made reachable from the keyboard (tabindex=0, named after the table's caption
 * or the heading before it), as WCAG asks of scrollable regions.
 */
(function () {
  "use strict";

  function nameOf(table) {
    if (table.caption) return table.caption.textContent.trim();
    var label = table.getAttribute("aria-label");
    if (label) return label;
    for (var el = table.parentElement; el && el.tagName !== "MAIN"; el = el.parentElement) {
      var heading = el.querySelector("h1, h2, h3, h4, legend");
      if (heading && heading.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING) {
        return heading.textContent.trim();
      }
    }
    return "";
  }

  function wrap(table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-responsive")) return;
    var box = document.createElement("div");
    box.className = "table-responsive";
    parent.insertBefore(box, table);
    box.appendChild(table);
  }

  function markScrolling() {
    document.querySelectorAll("main .table-responsive").forEach(function (box) {
      var table = box.querySelector("table");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        var name = table ? nameOf(table) : "";
        if (name) box.setAttribute("aria-label", name);
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function fold(form, index) {
    var fields = form.querySelectorAll(
      'input:not([type="hidden"]):not([type="submit"]), select, textarea'
    );
    if (fields.length < 3 || form.classList.contains("collapse")) return;
    if (!form.id) form.id = "filters-" + index;
    var label = form.getAttribute("aria-label") || document.body.getAttribute("data-filters-label");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm mb-2 filters-toggle";
    button.setAttribute("data-bs-toggle", "collapse");
    button.setAttribute("data-bs-target", "#" + form.id);
    button.setAttribute("aria-controls", form.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = label;
    form.classList.add("collapse", "filters-fold");
    form.parentNode.insertBefore(button, form);
  }

  document.querySelectorAll('main form[method="get" i]').forEach(fold);
  document.querySelectorAll("main table").forEach(wrap);
  markScrolling();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrolling, 100);
  });
})();
