// The rally screen follows the server's event stream; the browser reconnects by itself after a
// server restart (retry: 1 s), or every 10 s when the server is too busy to keep the stream
// open (then it sends the figures other screens have). "Reconnecting" shows only once no
// figure has come for STALE_MS. License: AGPL-3.0-or-later.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("rally");
  const fmt = new Intl.NumberFormat(root.dataset.lang === "es" ? "es-US" : "en-US");
  const count = document.getElementById("count");
  const unit = document.getElementById("unit");
  const today = document.getElementById("today");
  const bar = document.getElementById("bar");
  const moving = document.getElementById("moving");
  const offline = document.getElementById("offline");
  let src = root.dataset.source;
  if (!/[?&]tzo=/.test(src)) {
    src += (src.includes("?") ? "&" : "?") + "tzo=" + String(-new Date().getTimezoneOffset());
  }
  const show = (snap) => {
    const text = fmt.format(snap.count);
    if (count.textContent !== text) {
      count.textContent = text;
      count.classList.remove("bump"); void count.offsetWidth; count.classList.add("bump");
      unit.textContent = snap.count === 1 ? unit.dataset.one : unit.dataset.many;
    }
    today.textContent = fmt.format(snap.today);
    bar.value = Math.min(snap.count, bar.max);
    moving.replaceChildren(...snap.moving.map((m) => {
      const li = document.createElement("li");
      const place = document.createElement("span");
      place.className = "place";
      place.textContent = m.state ? `${m.place}, ${m.state}` : m.place;
      const n = document.createElement("span");
      n.className = "n";
      n.textContent = `+${fmt.format(m.n)}`;
      li.append(place, " ", n);
      return li;
    }));
  };
  const STALE_MS = 15000;
  let fresh = Date.now();  // the page came with its figures
  const check = () => { offline.hidden = Date.now() - fresh < STALE_MS; };
  const es = new EventSource(src);
  es.onmessage = (ev) => { fresh = Date.now(); check(); show(JSON.parse(ev.data)); };
  es.addEventListener("alive", () => { fresh = Date.now(); check(); });  // nothing changed
  es.onerror = check;
  setInterval(check, 1000);
});
