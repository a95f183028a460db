// Glossary pop-ups (markup from overrides/partials/data/glossary_term.html, styles in content.css).
// CSS shows a definition on hover and focus; this script only adds what CSS cannot:
// Escape hides an open definition (WCAG 1.4.13), tapping or clicking an open definition closes it
// (on a phone it would otherwise cover the text below until you tap elsewhere), and a definition
// near the right edge is shifted left. On a phone it is fixed to the screen, at the top for a low term (is-low).
(function () {
  "use strict";
  var MARGIN = 8;

  function termOf(node) {
    return node && node.closest ? node.closest(".dv-gl") : null;
  }

  function keepOnScreen(term) {
    var tip = term.querySelector(".dv-gl__tip");
    if (!tip) return;
    if (window.getComputedStyle(tip).position === "fixed") {
      term.classList.toggle("is-low", term.getBoundingClientRect().top > window.innerHeight / 2);
      return;
    }
    tip.style.setProperty("--dv-gl-shift", "0px");
    var rect = tip.getBoundingClientRect();
    var overflow = rect.right - (document.documentElement.clientWidth - MARGIN);
    if (overflow > 0) {
      tip.style.setProperty("--dv-gl-shift", -Math.min(overflow, Math.max(rect.left - MARGIN, 0)) + "px");
    }
  }

  function show(event) {
    var term = termOf(event.target);
    if (!term || term.contains(event.relatedTarget)) return; // moving within the term changes nothing
    term.classList.remove("is-dismissed");
    keepOnScreen(term);
  }

  function leave(event) {
    var term = termOf(event.target);
    if (term && !term.contains(event.relatedTarget)) term.classList.remove("is-dismissed");
  }

  document.addEventListener("focusin", show);
  document.addEventListener("mouseover", show);
  document.addEventListener("focusout", leave);
  document.addEventListener("mouseout", leave);
  document.addEventListener("click", function (event) {
    var tip = event.target && event.target.closest ? event.target.closest(".dv-gl__tip") : null;
    if (!tip) return;
    var term = termOf(tip);
    if (term.contains(document.activeElement)) document.activeElement.blur();
    term.classList.add("is-dismissed"); // after blur, whose focusout would clear it
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelectorAll(".dv-gl:hover, .dv-gl:focus-within");
    for (var i = 0; i < open.length; i++) open[i].classList.add("is-dismissed");
  });
})();
