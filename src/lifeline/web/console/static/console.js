// Lifeline console: live queue refresh, running clocks, a mutable alarm sound, copy buttons,
// and the map's and dashboard's live refresh.
// Progressive enhancement only: every page reads fine without it.
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tickClocks() {
    document.querySelectorAll("time.clock[datetime]").forEach(function (el) {
      var s = Math.max(0, Math.floor((Date.now() - Date.parse(el.getAttribute("datetime"))) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      el.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
    });
  }

  var audio = null;
  function beep() {
    if (localStorage.getItem("lifeline.sound") === "off") return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.25].forEach(function (at) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 0.2);
      });
    } catch (e) { /* no audio device: the highlight still shows */ }
  }

  function setupSound() {
    var button = document.getElementById("sound");
    if (!button) return;
    button.hidden = false;
    function show() {
      var on = localStorage.getItem("lifeline.sound") !== "off";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? button.dataset.on : button.dataset.off;
    }
    button.addEventListener("click", function () {
      var on = localStorage.getItem("lifeline.sound") !== "off";
      localStorage.setItem("lifeline.sound", on ? "off" : "on");
      show();
    });
    show();
  }

  function caseIds(root) {
    var ids = new Set();
    root.querySelectorAll("tr[data-case]").forEach(function (tr) { ids.add(tr.dataset.case); });
    return ids;
  }

  function setupQueue() {
    var section = document.querySelector("section.queue");
    var body = document.getElementById("queue-rows");
    if (!section || !body) return;
    var every = parseInt(section.dataset.pollMs, 10) || 1500;
    var live = document.getElementById("live");
    var known = caseIds(body);
    // a new case stays highlighted for a minute, across the refreshes that redraw its row
    var freshUntil = {};
    var FRESH_MS = 60000;
    var busy = false;
    function poll() {
      if (busy) return;
      busy = true;
      fetch("/console/queue/rows", { headers: { "X-Lifeline-Poll": "1" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { throw new Error("signed out"); }
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.text();
        })
        .then(function (html) {
          var focused = document.activeElement && document.activeElement.closest("tr[data-case]");
          var keep = focused ? focused.dataset.case : null;
          var tmp = document.createElement("tbody");
          tmp.innerHTML = html;
          var now = caseIds(tmp), fresh = [];
          now.forEach(function (id) { if (!known.has(id)) fresh.push(id); });
          body.replaceChildren.apply(body, Array.from(tmp.children));
          var at = Date.now();
          fresh.forEach(function (id) { freshUntil[id] = at + FRESH_MS; });
          Object.keys(freshUntil).forEach(function (id) {
            if (freshUntil[id] < at) { delete freshUntil[id]; return; }
            var row = body.querySelector('tr[data-case="' + id + '"]');
            if (row) row.classList.add("fresh");
          });
          if (fresh.length) beep();
          known = now;
          document.getElementById("queue-count").textContent = now.size;
          if (keep) {
            var link = body.querySelector('tr[data-case="' + keep + '"] a');
            if (link) link.focus();
          }
          live.classList.remove("lost");
          tickClocks();
        })
        .catch(function (err) {
          if (String(err.message) === "signed out") {
            live.textContent = live.dataset.lost;
            live.classList.add("lost");
            clearInterval(timer);
            beep();
          }
        })
        .finally(function () { busy = false; });
    }
    var timer = setInterval(poll, every);
    // keyboard: j/k move between cases, Enter opens (links are focusable anyway)
    document.addEventListener("keydown", function (ev) {
      if (ev.target.closest("input, textarea, select")) return;
      if (ev.key !== "j" && ev.key !== "k") return;
      var links = Array.from(body.querySelectorAll("a.case-link"));
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      var next = ev.key === "j" ? Math.min(links.length - 1, at + 1) : Math.max(0, at - 1);
      links[next].focus();
      ev.preventDefault();
    });
  }

  function setupCopy() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = document.getElementById(button.dataset.copy).textContent;
        navigator.clipboard.writeText(text).then(function () {
          var was = button.textContent;
          button.textContent = button.dataset.done;
          setTimeout(function () { button.textContent = was; }, 1500);
        });
      });
    });
  }

  // the map and the dashboard: their /live fragment replaces the parts that change
  function setupOverview() {
    var section = document.querySelector("section.overview[data-live-url]");
    if (!section) return;
    var live = document.getElementById("live");
    live.hidden = false;
    var every = parseInt(section.dataset.pollMs, 10) || 5000;
    var busy = false;
    function swap(id, from) {
      var target = document.getElementById(id), source = from.querySelector("#" + id + "-new");
      if (target && source) target.replaceChildren.apply(target, Array.from(source.childNodes));
    }
    function apply(html) {
      var tmp = document.createElement("div");
      tmp.innerHTML = html;
      if (section.classList.contains("case-map")) {
        var frame = tmp.querySelector("[data-frame]");
        if (frame && frame.dataset.frame !== section.dataset.frame) {
          window.location.reload();  // another district to draw: the boundaries change
          return;
        }
        var overlay = tmp.querySelector("#map-overlay");
        if (overlay) document.getElementById("map-overlay").replaceWith(overlay);
        swap("map-side", tmp);
        swap("map-list", tmp);
      } else {
        var body = document.getElementById("dash-body");
        body.replaceChildren.apply(body, Array.from(tmp.childNodes));
      }
      document.dispatchEvent(new CustomEvent("lifeline:refreshed"));
    }
    function poll() {
      if (busy) return;
      busy = true;
      fetch(section.dataset.liveUrl, { headers: { "X-Lifeline-Poll": "1" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { throw new Error("signed out"); }
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.text();
        })
        .then(function (html) {
          var focused = document.activeElement && document.activeElement.closest("[data-case]");
          var keep = focused ? [focused.dataset.case, !!focused.closest("svg")] : null;
          apply(html);
          if (keep) {
            var scope = keep[1] ? "#map-overlay " : "#map-list ";
            var again = document.querySelector(scope + '[data-case="' + keep[0] + '"]');
            var link = again && (again.matches("a") ? again : again.querySelector("a"));
            if (link) link.focus();
          }
          live.classList.remove("lost");
        })
        .catch(function (err) {
          if (String(err.message) === "signed out") {
            live.textContent = live.dataset.lost;
            live.classList.add("lost");
            clearInterval(timer);
          }
        })
        .finally(function () { busy = false; });
    }
    var timer = setInterval(poll, every);
  }

  // the header's held-mail badge (quarantine): count, and an alarm when mail waits too long
  function setupHeldBadge() {
    var slot = document.getElementById("held-slot");
    if (!slot || !slot.dataset.liveUrl) return;
    var every = parseInt(slot.dataset.pollMs, 10) || 3000;
    var busy = false;
    function alarmed() {
      var badge = slot.querySelector("#held-mail");
      return !!badge && badge.dataset.alarm === "yes";
    }
    function poll() {
      if (busy) return;
      busy = true;
      fetch(slot.dataset.liveUrl, { headers: { "X-Lifeline-Poll": "1" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { throw new Error("signed out"); }
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.text();
        })
        .then(function (html) {
          var was = alarmed();
          if (slot.innerHTML.trim() !== html.trim()) slot.innerHTML = html;
          if (alarmed() && !was) beep();
        })
        .catch(function (err) {
          if (String(err.message) === "signed out") clearInterval(timer);
        })
        .finally(function () { busy = false; });
    }
    var timer = setInterval(poll, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupHeldBadge();
    setupSound();
    setupQueue();
    setupOverview();
    setupCopy();
    tickClocks();
    setInterval(tickClocks, 1000);
  });
})();
