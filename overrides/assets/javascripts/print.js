// [data-printed] (main.html; on paper only, site.css): when the page was printed, in UK time (window.DAPG's time zone,
// site-constants.js). No storage, no network.
(function () {
  "use strict";
  var FORMAT = new Intl.DateTimeFormat("en-GB", {
    timeZone: window.DAPG.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    weekday: "long", day: "numeric", month: "long", year: "numeric"
  });

  function stamp() {
    var out = document.querySelector("[data-printed]");
    var p = {};
    FORMAT.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
    if (out) out.textContent = "Printed at " + p.hour + ":" + p.minute + " on " + p.weekday + " " + p.day + " " + p.month + " " + p.year +
      " (UK time). Check the details with the service: they can change.";
  }

  window.addEventListener("beforeprint", stamp);
  stamp();
})();
