// Hands the binding to the Breather sidebar that opened this pop-up (same origin only), then closes.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="breather-binding"]');
  var opener = window.opener;
  if (!meta || !opener) {
    document.getElementById("orphan").hidden = false;
    return;
  }
  opener.postMessage({ type: "breather-binding", binding: meta.content }, window.location.origin);
  window.setTimeout(function () { window.close(); }, 300);
})();
