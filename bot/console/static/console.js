// Refreshes the unacknowledged-alert counter every minute (the page shows the value at load time).
// The polling does not keep the session alive (server side); once the session has ended (30 minutes
// without the user's own activity, 8 hours at most, logout elsewhere) the page reloads, which leads
// to the login page and takes the patient data off the screen.
(function () {
  "use strict";
  var badge = document.getElementById("alert-count");
  if (!badge || !window.fetch) { return; }
  function refresh() {
    fetch(badge.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data || typeof data.count !== "number") { return; }
        badge.textContent = String(data.count);
        badge.classList.toggle("badge-hot", data.count > 0);
      })
      .catch(function () { /* offline: keep the last value */ });
  }
  setInterval(refresh, 60000);
}());
