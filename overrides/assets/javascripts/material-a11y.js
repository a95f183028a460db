/*
 * Keyboard and screen reader fixes for Material's own markup (WCAG 2.1.1 Keyboard, 4.1.2 Name, Role, Value).
 *
 * - On small screens Material's menu and search buttons are <label>s, which a keyboard cannot reach and which may
 *   not take role="button" (axe and Lighthouse: aria-allowed-role). Each is replaced by a real <button> with the
 *   same class, icon and for= (Material's CSS places it by [for=...]), named, with aria-expanded. Enter or Space
 *   opens its panel and moves focus into it; Escape, or focus leaving it, closes it and returns to the button.
 * - A wide table's scrolling wrapper (.md-typeset__scrollwrap) that overflows becomes a focusable region named
 *   after its table, so the arrow keys scroll it. Checked again on resize.
 */
(function () {
  "use strict";

  var SCROLLER = ".md-typeset__scrollwrap";

  // Make a Material <label for="toggle"> work as a button that opens `panel` and focuses `first()`.
  function labelButton(options) {
    var toggle = document.getElementById(options.toggle);
    var label = document.querySelector(".md-header label.md-header__button[for='" + options.toggle + "']");
    var panel = document.querySelector(options.panel);
    if (!toggle || !label || !panel) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.setAttribute("for", options.toggle);
    while (label.firstChild) button.appendChild(label.firstChild);
    label.replaceWith(button);
    button.addEventListener("click", function () { toggle.click(); });
    panel.id = panel.id || options.panelId;
    button.setAttribute("aria-label", options.name);
    button.setAttribute("aria-controls", panel.id);

    function sync() {
      button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
      // Closed while focus was inside (Escape, or Material closing it): give focus back to the button.
      if (!toggle.checked && panel.contains(document.activeElement) && button.offsetParent !== null) button.focus();
    }

    button.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();
      button.click();
      // The panel is visible only once the change has been styled.
      if (toggle.checked) requestAnimationFrame(function () { var first = options.first(panel); if (first) first.focus(); });
    });
    toggle.addEventListener("change", sync);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) button.click();
    });
    panel.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (toggle.checked && next && !panel.contains(next) && next !== button) button.click();
    });
    sync();
  }

  function setUpMenus() {
    labelButton({
      toggle: "__drawer", panel: ".md-sidebar--primary", panelId: "site-navigation-drawer", name: "Menu",
      first: function (panel) { return panel.querySelector("a[href]"); }
    });
    labelButton({
      toggle: "__search", panel: ".md-search", panelId: "site-search", name: "Search",
      first: function (panel) { return panel.querySelector("input"); }
    });
  }

  function tableLabel(wrap) {
    var caption = wrap.querySelector("caption");
    var text = caption ? caption.textContent.trim() : "";
    return (text ? "Table: " + text : "Table") + " (scroll sideways to see all of it)";
  }

  function updateScrollers() {
    var wraps = document.querySelectorAll(SCROLLER);
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", tableLabel(wrap));
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(updateScrollers, 100);
  });
  // Deferred, so this runs after Material's bundle has set up its components (and wrapped the tables).
  document.addEventListener("DOMContentLoaded", function () {
    setUpMenus();
    updateScrollers();
  });
  window.addEventListener("load", updateScrollers);
})();
