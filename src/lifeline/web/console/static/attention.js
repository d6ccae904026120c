// Lifeline console: the SMC alarm banner's live refresh, and a short beep (Web Audio, no file)
// when a case line turns loud that this page has not seen. Browsers allow sound only after a
// gesture on the page: the first click or key press unlocks it; the "sound" toggle also does.
// Progressive enhancement only: the banner and its forms work without it.
(function () {
  "use strict";

  var zone = document.getElementById("alarm-zone");
  var lines = document.getElementById("alarm-lines");
  var toggle = document.getElementById("alarm-sound");
  if (!zone || !lines) return;
  var KEY = "lifeline.sound";  // shared with the queue's sound button (console.js)
  var audio = null;

  function soundOn() { return localStorage.getItem(KEY) !== "off"; }

  function unlock() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }

  function beep() {
    if (!soundOn() || !audio || audio.state !== "running") return;
    [0, 0.18, 0.36].forEach(function (at) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 988;
      gain.gain.setValueAtTime(0.25, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.14);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.15);
    });
    zone.dataset.beeps = String(parseInt(zone.dataset.beeps || "0", 10) + 1);
  }

  function keysOf(root) {
    var banner = root.querySelector("[data-keys]");
    return banner ? banner.dataset.keys.split(" ").filter(Boolean) : [];
  }

  function showToggle() {
    if (!toggle) return;
    toggle.hidden = !lines.querySelector(".alarm-banner");
    var on = soundOn();
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? toggle.dataset.on : toggle.dataset.off;
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      localStorage.setItem(KEY, soundOn() ? "off" : "on");
      unlock();
      showToggle();
    });
  }
  ["click", "keydown"].forEach(function (name) {
    document.addEventListener(name, unlock, { once: true, capture: true });
  });

  var seen = new Set(keysOf(lines));
  var last = null;
  var busy = false;
  var every = parseInt(zone.dataset.pollMs, 10) || 5000;

  function poll() {
    if (busy) return;
    busy = true;
    var url = zone.dataset.url + "?back=" + encodeURIComponent(location.pathname);
    fetch(url, { headers: { "X-Lifeline-Poll": "1" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { clearInterval(timer); throw new Error("signed out"); }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        if (html === last) return;  // nothing changed: leave what the person opened alone
        var tmp = document.createElement("div");
        tmp.innerHTML = html;
        var now = keysOf(tmp), fresh = now.filter(function (k) { return !seen.has(k); });
        var focused = document.activeElement && lines.contains(document.activeElement);
        if (!focused || fresh.length) {  // not under a person's hands, unless something is new
          last = html;
          // "N more" and "acknowledged" stay as the person left them; the banner itself is
          // open while something is loud, unless they closed it and nothing new came
          var before = lines.querySelector("details.alarm-all");
          var keepClosed = before && !before.open && !fresh.length;
          var was = {};
          lines.querySelectorAll("details.alarm-more, details.alarm-acked").forEach(function (d) {
            was[d.className] = d.open;
          });
          lines.replaceChildren.apply(lines, Array.from(tmp.childNodes));
          lines.querySelectorAll("details.alarm-more, details.alarm-acked").forEach(function (d) {
            if (d.className in was) d.open = was[d.className];
          });
          var all = lines.querySelector("details.alarm-all");
          if (all && keepClosed) all.open = false;
        }
        if (fresh.length) beep();
        seen = new Set(now);
        showToggle();
      })
      .catch(function () { /* the next poll tries again; the page still shows the last banner */ })
      .finally(function () { busy = false; });
  }

  showToggle();
  var timer = setInterval(poll, every);
})();
