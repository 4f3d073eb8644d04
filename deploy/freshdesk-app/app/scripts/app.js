// Breather for Freshdesk: ask Breather for a short-lived session through the request template
// (Freshworks' proxy adds the secure installation secret), then post it into Breather's page.
(function () {
  "use strict";
  var GERMAN = {
    connecting: "Verbinde mit Breather…", pair: "Füge den persönlichen Breather-Code ein, den du von deinem Admin bekommen hast (einmalig).",
    pairButton: "Koppeln", failed: "Breather ist nicht erreichbar: "
  };
  var ENGLISH = {
    connecting: "Connecting to Breather…", pair: "Paste the personal Breather code your admin gave you (once).",
    pairButton: "Pair", failed: "Breather could not be reached: "
  };
  var text = ENGLISH;

  function $(id) { return document.getElementById(id); }

  function parse(raw) {
    try { return JSON.parse(raw || "{}"); } catch (e) { return {}; }
  }

  function show(session) {
    var form = $("launch");
    form.action = session.sidebar;
    form.elements.session.value = session.token;
    form.elements.locale.value = session.locale || "";
    $("message").hidden = true;
    $("pairing").hidden = true;
    $("breather").hidden = false;
    form.submit();
  }

  function connect(client) {
    return client.data.get("loggedInUser")
      .then(function (got) {
        var user = got.loggedInUser || {};
        var locale = (user.contact && user.contact.language) || navigator.language || "en";
        text = /^de/i.test(locale) ? GERMAN : ENGLISH;
        document.documentElement.lang = text === GERMAN ? "de" : "en";
        $("message").textContent = text.connecting;
        $("pairing-label").textContent = text.pair;
        $("pairing-button").textContent = text.pairButton;
        var body = { agent_id: String(user.id), locale: locale };
        var pairing = window.localStorage.getItem("breather.pairing");
        if (pairing) { body.pairing = pairing; }
        return client.request.invokeTemplate("breatherSession", { body: JSON.stringify(body) })
          .then(function (res) { show(parse(res.response)); }, function (err) {
            var data = parse(err.response);
            if (data.pair) {
              window.localStorage.removeItem("breather.pairing");
              $("pairing").hidden = false;
              $("message").textContent = data.error || "";
              return;
            }
            $("message").textContent = text.failed + (data.error || err.status);
          });
      });
  }

  function fitFrame(client) {
    window.addEventListener("message", function (ev) {
      var frame = $("breather");
      if (ev.source !== frame.contentWindow || !ev.data || ev.data.type !== "breather-height") { return; }
      var height = Math.min(4000, Math.max(200, Number(ev.data.height) || 0));
      frame.style.height = height + "px";
      if (client.instance && client.instance.resize) { client.instance.resize({ height: height + 8 }); }
    });
  }

  function main(client) {
    fitFrame(client);
    $("pairing").addEventListener("submit", function (ev) {
      ev.preventDefault();
      window.localStorage.setItem("breather.pairing", $("pairing-code").value.trim());
      connect(client);
    });
    client.events.on("app.activated", function () { connect(client); });
  }

  // the app client loads async: wait until it has defined window.app
  (function whenReady() {
    if (window.app && window.app.initialized) { window.app.initialized().then(main); return; }
    window.setTimeout(whenReady, 50);
  })();
})();
