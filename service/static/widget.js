// Breather sidebar widget: the agent's own strain, one suggestion at a time, their choices.
// Everything it needs arrives in <meta name="breather-…"> tags or the standalone link's query;
// it talks to Breather alone, with a short-lived token for this agent only.
(function () {
  "use strict";

  var TEXT = {
    en: {
      privacy: "Your own view. Nobody else sees it; your team lead sees team totals only.",
      signinTitle: "Sign in once", signinButton: "Sign in with Zendesk",
      signinText: "Breather needs to know it is you. Sign in with your helpdesk once; this browser remembers it.",
      pairTitle: "Pair this browser", pairText: "Paste the personal code your admin gave you.",
      pairButton: "Pair", strainTitle: "Load and exposure", unit: "/ 100 load & exposure index",
      accept: "Yes, let's do it", in5: "In 5 min", in15: "In 15 min", in30: "In 30 min",
      decline: "No thanks", thanks: "Thanks!", actionsTitle: "Your choices",
      breakStart: "Start a break", breakEnd: "End my break", checkin: "How are you? (only you see this)",
      checkinScale: "1 means rough, 5 means great", winsTitle: "Wins today",
      offersTitle: "Tickets teammates are offering",
      offersHint: "Take one only if you have room; assign it to yourself in the helpdesk.",
      recentTitle: "Messages counted as hostile", notHostile: "Not hostile?",
      markedNotHostile: "marked not hostile", hostileTone: "hostile tone",
      take: "I'll take it", dismiss: "Not now", ticketFrom: "Ticket {0} from {1}",
      ownWins: "{0} customers thanked you today.", ownWin: "A customer thanked you today.",
      noWins: "No thank-yous yet today.", teamWins: "Your team: {0} thankful customers today.",
      rotation: "Fair turn on the hot queue (least exposure this week): {0}",
      confidence: "Confidence: {0}", calm: "calm", elevated: "elevated", high: "high",
      low: "low", medium: "medium", breakTimer: "On a break for {0}",
      saved: "Saved.", noToken: "Open this page from the helpdesk app, or with ?agent=…&token=… (see `breather token`).",
      expired: "Your session has ended. Reopen the Breather app in the helpdesk.",
      popupBlocked: "The sign-in window was blocked. Allow pop-ups for this page and try again."
    },
    de: {
      privacy: "Deine eigene Ansicht. Niemand sonst sieht sie; deine Teamleitung sieht nur Teamsummen.",
      signinTitle: "Einmal anmelden", signinButton: "Mit Zendesk anmelden",
      signinText: "Breather muss wissen, dass du es bist. Melde dich einmal beim Helpdesk an; dieser Browser merkt es sich.",
      pairTitle: "Diesen Browser koppeln", pairText: "Füge den persönlichen Code ein, den du von deinem Admin bekommen hast.",
      pairButton: "Koppeln", strainTitle: "Belastung und Exposition", unit: "/ 100 Belastungs- und Expositionsindex",
      accept: "Ja, mache ich", in5: "In 5 Min.", in15: "In 15 Min.", in30: "In 30 Min.",
      decline: "Nein danke", thanks: "Danke!", actionsTitle: "Deine Entscheidungen",
      breakStart: "Pause beginnen", breakEnd: "Pause beenden", checkin: "Wie geht es dir? (nur du siehst das)",
      checkinScale: "1 heißt schlecht, 5 heißt sehr gut", winsTitle: "Erfolge heute",
      offersTitle: "Tickets, die dir Kolleg:innen anbieten",
      offersHint: "Nimm eins nur, wenn du Luft hast; weise es dir im Helpdesk selbst zu.",
      recentTitle: "Als feindselig gezählte Nachrichten", notHostile: "Nicht feindselig?",
      markedNotHostile: "als nicht feindselig markiert", hostileTone: "feindseliger Ton",
      take: "Übernehme ich", dismiss: "Jetzt nicht", ticketFrom: "Ticket {0} von {1}",
      ownWins: "{0} Kund:innen haben sich heute bei dir bedankt.", ownWin: "Heute hat sich jemand bei dir bedankt.",
      noWins: "Heute noch kein Dank.", teamWins: "Dein Team: {0} dankbare Kund:innen heute.",
      rotation: "Faire Reihenfolge für die heiße Warteschlange (wenigste Exposition diese Woche): {0}",
      confidence: "Verlässlichkeit: {0}", calm: "ruhig", elevated: "erhöht", high: "hoch",
      low: "gering", medium: "mittel", breakTimer: "In der Pause seit {0}",
      saved: "Gespeichert.", noToken: "Öffne diese Seite aus der Helpdesk-App oder mit ?agent=…&token=… (siehe `breather token`).",
      expired: "Deine Sitzung ist abgelaufen. Öffne die Breather-App im Helpdesk neu.",
      popupBlocked: "Das Anmeldefenster wurde blockiert. Erlaube Pop-ups für diese Seite und versuche es erneut."
    }
  };
  var TITLES_DE = {
    cool_down: ["Die letzte Nachricht war heftig. Ein paar Minuten weg von der Warteschlange?",
                "Heftige Nachricht. 5 Minuten weg von der Warteschlange?"],
    "break": ["Du hast eine Weile viel getragen. Wie wäre eine echte Pause: 15 Minuten weg vom Bildschirm?",
              "Zeit für 15 Minuten Pause weg vom Bildschirm?"],
    handoff: ["Dieses Ticket ist hitzig. Möchtest du es jemandem im Team mit Luft anbieten? Du entscheidest, und die anderen auch.",
              "Dieses hitzige Ticket jemandem mit Luft anbieten?"],
    checkin: ["Wie geht es dir heute? Nur du siehst das.", "Kurzer Check-in: Wie geht's?"],
    wins: ["{0} Kund:innen haben sich heute bei dir bedankt. Gut gemacht!", "{0}× Dank heute."]
  };
  // The server words its factors in English; German follows these patterns (workers/strain.py).
  var PHRASES_DE = [
    [/^(\d+) hostile messages? in the last (.+)$/, function (m) { return m[1] + (m[1] === "1" ? " feindselige Nachricht" : " feindselige Nachrichten") + " in den letzten " + dur(m[2]); }],
    [/^a hostile message (.+) ago$/, function (m) { return "eine feindselige Nachricht vor " + dur(m[1]); }],
    [/^hostile messages earlier today still weigh in$/, "feindselige Nachrichten von heute wirken noch nach"],
    [/^on a break now$/, "gerade in der Pause"],
    [/^(.+) since your last break$/, function (m) { return dur(m[1]) + " seit deiner letzten Pause"; }],
    [/^(\d+) open tickets, ([\d.]+)x your usual$/, function (m) { return m[1] + " offene Tickets, " + m[2].replace(".", ",") + "× so viele wie sonst"; }],
    [/^customer messages at ([\d.]+)x your usual pace$/, function (m) { return "Kundennachrichten im " + m[1].replace(".", ",") + "-fachen deines üblichen Tempos"; }],
    [/^you checked in at (\d)\/5$/, "dein Check-in: $1/5"],
    [/^(\d+) thankful customers? today$/, "$1× Dank von Kund:innen heute"],
    [/^a calm stretch: no hostile messages in the last 2 h$/, "eine ruhige Phase: keine feindseligen Nachrichten in den letzten 2 Std."],
    [/^a very hostile customer message just now$/, "gerade eben eine sehr feindselige Kundennachricht"],
    [/^(\d+) hostile messages in 2 h; (\d+) teammate\(s\) have room$/, "$1 feindselige Nachrichten in 2 Std.; $2 im Team haben Luft"],
    [/^once a shift, if you like$/, "einmal pro Schicht, wenn du magst"],
    [/^wins of the day$/, "Erfolge des Tages"],
    [/^insult \((.+)\)$/, "Beleidigung ($1)"], [/^threat \((.+)\)$/, "Drohung ($1)"],
    [/^escalation \((.+)\)$/, "Eskalation ($1)"], [/^shouting$/, "Großbuchstaben"],
    [/^repeated !\/\?$/, "gehäufte !/?"]
  ];

  var s = { mode: meta("mode") || "standalone", agent: "", token: "", lang: "en",
            onBreak: false, breakSince: 0, current: null, view: null, timer: 0 };

  function $(id) { return document.getElementById(id); }
  function meta(name) {
    var el = document.querySelector('meta[name="breather-' + name + '"]');
    return el ? el.content : "";
  }
  function pickLang(tag) { return /^de\b/i.test(tag || "") ? "de" : "en"; }
  function t(key) {
    var text = (TEXT[s.lang] && TEXT[s.lang][key]) || TEXT.en[key] || key;
    for (var i = 1; i < arguments.length; i++) { text = text.replace("{" + (i - 1) + "}", arguments[i]); }
    return text;
  }
  function dur(text) { return text.replace(/(\d+) h/, "$1 Std.").replace(/(\d+) min/, "$1 Min."); }
  function say(text) {
    if (s.lang !== "de" || !text) { return text; }
    return String(text).split("; ").map(function (part) {
      for (var i = 0; i < PHRASES_DE.length; i++) {
        var m = part.match(PHRASES_DE[i][0]);
        if (m) { return typeof PHRASES_DE[i][1] === "function" ? PHRASES_DE[i][1](m) : part.replace(PHRASES_DE[i][0], PHRASES_DE[i][1]); }
      }
      return part;
    }).join("; ");
  }

  function setLang(tag) {
    s.lang = pickLang(tag);
    document.documentElement.lang = s.lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) {
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    $("break-toggle").textContent = t(s.onBreak ? "breakEnd" : "breakStart");
  }

  function call(method, path, body, base) {
    var init = { method: method, headers: {} };
    if (s.token) { init.headers.Authorization = "Bearer " + s.token; }
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var url = (base === undefined ? "/api/v1/agents/" + encodeURIComponent(s.agent) : base) + path;
    return fetch(url, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.error || (data.message) || JSON.stringify(data.errors || data));
          err.status = res.status; err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  function showError(err) {
    var box = $("error");
    box.textContent = err ? String(err.message || err) : "";
    box.hidden = !err;
  }
  function announce(text) { $("status").textContent = text; }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function button(label, onClick, cls) {
    var b = el("button", label, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function renderStrain(view) {
    s.view = view;
    var value = Math.max(0, Math.min(100, Math.round(view.strain)));
    $("strain").textContent = value;
    $("gauge-fill").style.width = value + "%";
    var gauge = $("gauge");
    gauge.setAttribute("aria-valuenow", value);
    gauge.setAttribute("aria-valuetext", value + " / 100, " + t(view.level));
    gauge.dataset.level = view.level;
    $("level").textContent = t(view.level);
    $("level").dataset.level = view.level;
    var list = $("factors");
    list.textContent = "";
    (view.factors || []).forEach(function (text) { list.appendChild(el("li", say(text))); });
    var basis = view.basis || {};
    $("basis").textContent = basis.confidence ? t("confidence", t(basis.confidence)) : "";
    if (typeof view.on_break === "boolean") { setBreak(view.on_break, view.minutes_since_break); }
    renderWins(view);
    renderRecent(view.recent_hostile || []);
  }

  function setBreak(on, minutesSince) {
    if (on && !s.onBreak) {
      var saved = Number(window.sessionStorage.getItem("breather.breakSince") || 0);
      s.breakSince = saved || Date.now() - (minutesSince || 0) * 60000;
    }
    s.onBreak = on;
    window.sessionStorage.setItem("breather.breakSince", on ? String(s.breakSince) : "");
    $("break-toggle").textContent = t(on ? "breakEnd" : "breakStart");
    $("break-timer").hidden = !on;
    tick();
  }
  function tick() {
    if (!s.onBreak) { return; }
    var secs = Math.max(0, Math.floor((Date.now() - s.breakSince) / 1000));
    var mm = Math.floor(secs / 60), ss = secs % 60;
    $("break-timer").textContent = t("breakTimer", mm + ":" + (ss < 10 ? "0" : "") + ss);
  }

  function renderWins(view) {
    var n = view.praise_today || 0;
    $("wins-box").hidden = false;
    $("own-wins").textContent = n > 1 ? t("ownWins", n) : (n === 1 ? t("ownWin") : t("noWins"));
    if (!view.team) { $("team-wins").hidden = true; return; }
    call("GET", "", undefined, "/api/v1/teams").then(function (data) {
      var team = (data.teams || {})[view.team];
      $("team-wins").hidden = !(team && team.praise_today);
      if (team && team.praise_today) { $("team-wins").textContent = t("teamWins", team.praise_today); }
    }).catch(function () { $("team-wins").hidden = true; });
  }

  function renderRecent(items) {
    var list = $("recent");
    list.textContent = "";
    $("recent-box").hidden = items.length === 0;
    items.forEach(function (item) {
      var cues = (item.cues && item.cues.length ? item.cues : ["hostile tone"]).map(function (c) {
        return c === "hostile tone" ? t("hostileTone") : say(c);
      });
      var when = item.at ? new Date(item.at * 1000).toLocaleTimeString(s.lang, { hour: "2-digit", minute: "2-digit" }) + ": " : "";
      var li = el("li", when + cues.join(", ") + " ");
      var b = button(t(item.corrected ? "markedNotHostile" : "notHostile"), function () {
        call("POST", "/corrections", { message: item.id, hostile: false })
          .then(function () { announce(t("saved")); return refresh(); }, showError);
      }, "quiet");
      b.disabled = !!item.corrected;
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function renderSuggestion(data) {
    s.current = data && data.suggestion;
    $("suggestion").hidden = !s.current;
    if (!s.current) { return; }
    var c = s.current, titles = TITLES_DE[c.kind];
    var title = s.lang === "de" && titles ? titles[c.gentle ? 0 : 1].replace("{0}", (s.view && s.view.praise_today) || "") : c.title;
    $("suggestion-title").textContent = title || c.kind;
    $("suggestion-reason").textContent = say(c.reason || "");
    var options = c.options || ["accept", "snooze", "decline"];
    var checkin = c.kind === "checkin";
    $("accept").hidden = checkin || options.indexOf("accept") < 0;
    $("accept").textContent = t(options.length === 1 ? "thanks" : "accept");
    ["snooze5", "snooze15", "snooze30"].forEach(function (id) { $(id).hidden = options.indexOf("snooze") < 0; });
    $("decline").hidden = options.indexOf("decline") < 0;
    if (checkin) { $("checkin-box").open = true; }
  }

  function respond(response, minutes) {
    if (!s.current) { return Promise.resolve(); }
    var body = { response: response };
    if (minutes) { body.minutes = minutes; }
    return call("POST", "/suggestion/" + encodeURIComponent(s.current.id), body)
      .then(function () { s.current = null; announce(t("saved")); return refresh(); }, showError);
  }

  function renderOffers(data) {
    var items = (data && data.offers) || [];
    var list = $("offers");
    list.textContent = "";
    $("offers-box").hidden = items.length === 0;
    items.forEach(function (offer) {
      var li = el("li", t("ticketFrom", offer.ticket, offer.by_name || "") + " ");
      [["take", t("take")], ["dismiss", t("dismiss")]].forEach(function (pair) {
        li.appendChild(button(pair[1], function () {
          call("POST", "/offers/" + encodeURIComponent(offer.ticket), { action: pair[0] })
            .then(refresh, showError);
        }));
      });
      list.appendChild(li);
    });
  }

  function renderRotation(view) {
    if (!view.team) { return; }
    call("GET", "", undefined, "/api/v1/teams/" + encodeURIComponent(view.team) + "/rotation")
      .then(function (data) {
        var names = ((data && data.order) || []).slice(0, 2).map(function (r) { return r.name; });
        $("rotation").hidden = names.length === 0;
        $("rotation").textContent = t("rotation", names.join(", "));
      }).catch(function () { $("rotation").hidden = true; });
  }

  function refresh() {
    return Promise.all([
      call("GET", "/strain").then(function (view) { renderStrain(view); renderRotation(view); }),
      call("GET", "/offers").then(renderOffers, function () { renderOffers(null); }),
      call("GET", "/suggestion").then(renderSuggestion, function () { renderSuggestion(null); })
    ]).then(function () { showError(null); }, function (err) {
      showError(err.status === 401 ? t("expired") : err);
    });
  }

  // The Freshdesk app sizes its iframe to fit; only a number leaves the page.
  function reportHeight() {
    if (window.parent === window) { return; }
    window.parent.postMessage({ type: "breather-height", height: document.documentElement.scrollHeight }, "*");
  }

  function start(session) {
    s.token = session.token;
    s.agent = session.agent;
    if (session.locale) { setLang(session.locale); }
    $("signin").hidden = true;
    refresh();
    if (!s.timer) {
      s.timer = window.setInterval(refresh, 15000);
      window.setInterval(tick, 1000);
      document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
    }
  }

  // Zendesk: launch (from the signed load) + this browser's binding -> a session token.
  function zendesk() {
    var launch = meta("launch");
    var binding = window.localStorage.getItem("breather.binding") || "";
    return call("POST", "", { launch: launch, binding: binding }, "/apps/zendesk/session")
      .then(function (session) {
        start(session);
        window.setTimeout(zendesk, Math.max(60, session.expires_in - 120) * 1000);
      }, function (err) {
        if (err.data && err.data.signin) { $("signin").hidden = false; return; }
        showError(err);
      });
  }
  function signIn() {
    var popup = window.open("/apps/zendesk/oauth/start?launch=" + encodeURIComponent(meta("launch")),
                            "breather-signin", "width=520,height=680");
    if (!popup) { showError(t("popupBlocked")); return; }
    window.addEventListener("message", function onMessage(ev) {
      if (ev.origin !== window.location.origin || ev.source !== popup || !ev.data ||
          ev.data.type !== "breather-binding") { return; }
      window.removeEventListener("message", onMessage);
      window.localStorage.setItem("breather.binding", ev.data.binding);
      zendesk();
    });
  }

  function boot() {
    var params = new URLSearchParams(window.location.search);
    setLang(meta("locale") || params.get("locale") || navigator.language);
    $("accept").addEventListener("click", function () { respond("accept"); });
    $("decline").addEventListener("click", function () { respond("decline"); });
    ["snooze5", "snooze15", "snooze30"].forEach(function (id) {
      $(id).addEventListener("click", function (ev) { respond("snooze", Number(ev.target.dataset.minutes)); });
    });
    $("break-toggle").addEventListener("click", function () {
      var on = !s.onBreak;
      if (on) { s.breakSince = Date.now(); }
      call("POST", "/breaks", { action: on ? "start" : "end" })
        .then(function () { setBreak(on); return refresh(); }, showError);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".checkin button"), function (b) {
      b.setAttribute("aria-label", b.dataset.value + " / 5");
      b.addEventListener("click", function () {
        call("POST", "/checkin", { value: Number(b.dataset.value) }).then(function () {
          $("checkin-box").open = false;
          return s.current && s.current.kind === "checkin" ? respond("accept") : refresh();
        }, showError);
      });
    });
    $("signin-button").addEventListener("click", signIn);
    if (window.parent !== window && window.ResizeObserver) { new ResizeObserver(reportHeight).observe(document.body); }
    if (s.mode === "zendesk") { return zendesk(); }
    if (s.mode === "freshdesk") { return start({ token: meta("token"), agent: meta("agent") }); }
    if (!params.get("agent") || !params.get("token")) { return showError(t("noToken")); }
    start({ agent: params.get("agent"), token: params.get("token") });
  }

  boot();
})();
