// The rally screen follows the server's event stream; the browser reconnects by itself after a
// server restart (retry: 1 s). License: AGPL-3.0-or-later.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("rally");
  const fmt = new Intl.NumberFormat(root.dataset.lang === "es" ? "es-US" : "en-US");
  const count = document.getElementById("count");
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
  const es = new EventSource(src);
  es.onmessage = (ev) => { offline.hidden = true; show(JSON.parse(ev.data)); };
  es.onopen = () => { offline.hidden = true; };
  es.onerror = () => { offline.hidden = false; };
});
