// Breather sidebar widget: the agent's own strain, one suggestion at a time, their choices.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var agent = params.get("agent") || "";
  var token = params.get("token") || "";
  var base = "/api/v1/agents/" + encodeURIComponent(agent);
  var onBreak = false;
  var current = null;

  function $(id) { return document.getElementById(id); }

  function call(method, path, body) {
    var init = { method: method, headers: { "Authorization": "Bearer " + token } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { throw new Error(data.error || JSON.stringify(data.errors || data)); }
        return data;
      });
    });
  }

  function showError(err) {
    var box = $("error");
    box.textContent = err ? String(err.message || err) : "";
    box.hidden = !err;
  }

  function renderStrain(view) {
    $("strain").textContent = Math.round(view.strain);
    $("gauge-fill").style.width = Math.max(0, Math.min(100, view.strain)) + "%";
    var level = $("level");
    level.textContent = view.level;
    level.dataset.level = view.level;
    var list = $("factors");
    list.textContent = "";
    (view.factors || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    var basis = view.basis || {};
    $("basis").textContent = basis.confidence ? "Confidence: " + basis.confidence : "";
    if (typeof view.on_break === "boolean") { onBreak = view.on_break; }
    $("break-toggle").textContent = onBreak ? "End my break" : "Start a break";
    renderRecent(view.recent_hostile || []);
  }

  function renderRecent(items) {
    var list = $("recent");
    list.textContent = "";
    $("recent-box").hidden = items.length === 0;
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = (item.cues && item.cues.length ? item.cues.join(", ") : "hostile tone") + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quiet";
      button.textContent = item.corrected ? "marked not hostile" : "Not hostile?";
      button.disabled = !!item.corrected;
      button.addEventListener("click", function () {
        call("POST", "/corrections", { message: item.id, hostile: false })
          .then(refresh, showError);
      });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function renderSuggestion(data) {
    current = data && data.suggestion;
    $("suggestion").hidden = !current;
    if (!current) { return; }
    $("suggestion-title").textContent = current.title || current.kind;
    $("suggestion-reason").textContent = current.reason || "";
  }

  function respond(response, minutes) {
    if (!current) { return; }
    var body = { response: response };
    if (minutes) { body.minutes = minutes; }
    call("POST", "/suggestion/" + encodeURIComponent(current.id), body)
      .then(function () { current = null; return refresh(); }, showError);
  }

  function renderOffers(data) {
    var items = (data && data.offers) || [];
    var list = $("offers");
    list.textContent = "";
    $("offers-box").hidden = items.length === 0;
    items.forEach(function (offer) {
      var li = document.createElement("li");
      li.textContent = "Ticket " + offer.ticket + " from " + offer.by_name + " ";
      [["take", "I'll take it"], ["dismiss", "Not now"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = pair[1];
        button.addEventListener("click", function () {
          call("POST", "/offers/" + encodeURIComponent(offer.ticket), { action: pair[0] })
            .then(refresh, showError);
        });
        li.appendChild(button);
      });
      list.appendChild(li);
    });
  }

  function renderTeamWins(view) {
    if (!view.team) { return; }
    fetch("/api/v1/teams").then(function (res) { return res.json(); }).then(function (data) {
      var team = (data.teams || {})[view.team];
      var box = $("team-wins");
      box.hidden = !(team && team.praise_today);
      if (team && team.praise_today) {
        box.textContent = "Team wins today: " + team.praise_today + " thankful customers.";
      }
    }).catch(function () { return null; });
  }

  function renderRotation(view) {
    if (!view.team) { return; }
    fetch("/api/v1/teams/" + encodeURIComponent(view.team) + "/rotation")
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        var box = $("rotation");
        var names = ((data && data.order) || []).slice(0, 2).map(function (r) { return r.name; });
        box.hidden = names.length === 0;
        box.textContent = "Fair turn on the hot queue (least exposure this week): " +
          names.join(", ");
      }).catch(function () { return null; });
  }

  function refresh() {
    showError(null);
    return Promise.all([
      call("GET", "/strain").then(function (view) {
        renderStrain(view);
        renderTeamWins(view);
        renderRotation(view);
      }),
      call("GET", "/offers").then(renderOffers).catch(function () { renderOffers(null); }),
      call("GET", "/suggestion").then(renderSuggestion).catch(function () { renderSuggestion(null); })
    ]).catch(showError);
  }

  $("accept").addEventListener("click", function () { respond("accept"); });
  $("decline").addEventListener("click", function () { respond("decline"); });
  ["snooze5", "snooze15", "snooze30"].forEach(function (id) {
    $(id).addEventListener("click", function (ev) {
      respond("snooze", Number(ev.target.dataset.minutes));
    });
  });
  $("break-toggle").addEventListener("click", function () {
    call("POST", "/breaks", { action: onBreak ? "end" : "start" })
      .then(function () { onBreak = !onBreak; return refresh(); }, showError);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".checkin button"), function (button) {
    button.addEventListener("click", function () {
      call("POST", "/checkin", { value: Number(button.dataset.value) })
        .then(function () { $("checkin-box").open = false; return refresh(); }, showError);
    });
  });

  if (!agent || !token) {
    showError("Open this page from the helpdesk app, or with ?agent=…&token=… (see `breather token`).");
  } else {
    refresh();
    window.setInterval(refresh, 15000);
  }
})();
