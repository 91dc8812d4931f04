// Refreshes the unacknowledged-alert counter every minute (the page shows the value at load time).
(function () {
  "use strict";
  var badge = document.getElementById("alert-count");
  if (!badge || !window.fetch) { return; }
  function refresh() {
    fetch(badge.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || typeof data.count !== "number") { return; }
        badge.textContent = String(data.count);
        badge.classList.toggle("badge-hot", data.count > 0);
      })
      .catch(function () { /* offline: keep the last value */ });
  }
  setInterval(refresh, 60000);
}());
