// Petition Kiosk console: small progressive enhancements (the pages work without them).
// License: the project's (AGPL-3.0-or-later).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Moments in the reader's own time zone and language (the server writes them in UTC, which
  // stays as each one's title and is what shows without script).
  const lang = document.documentElement.lang || "en";
  const formats = {};
  const formatOf = (seconds) => {
    const key = seconds ? "s" : "m";
    if (!formats[key]) {
      formats[key] = new Intl.DateTimeFormat(lang, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
        second: seconds ? "2-digit" : undefined, timeZoneName: "short",
      });
    }
    return formats[key];
  };
  // The export form's dates are days of this browser's time zone (without script: UTC).
  const tz = document.getElementById("x-tz");
  const tzNote = document.getElementById("x-tz-note");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz && zone) {
    tz.value = zone;
    if (tzNote) tzNote.textContent = tzNote.dataset.template.replace("{zone}", zone);
  }
  for (const el of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) continue;
    el.title = el.textContent;
    el.textContent = formatOf(el.hasAttribute("data-seconds")).format(moment);
  }
  // Confirm before a destructive form (revoke).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // The export form lists only the chosen campaign's local campaigns (the server refuses a
  // local campaign of another campaign; without script every one is listed).
  const campaign = document.getElementById("x-campaign");
  const local = document.getElementById("x-local");
  if (campaign && local) {
    const narrow = () => {
      for (const opt of local.options) {
        if (!opt.dataset.campaign) continue;
        const other = opt.dataset.campaign !== campaign.value;
        opt.hidden = other;
        opt.disabled = other;
        if (other && opt.selected) local.value = "*";
      }
    };
    campaign.addEventListener("change", narrow);
    narrow();
  }
  // Filter a table as one types (the search button still works without script).
  for (const input of document.querySelectorAll("input[data-filter]")) {
    const table = document.getElementById(input.dataset.filter);
    const shown = document.getElementById("shown");
    if (!table) continue;
    const rows = Array.from(table.tBodies[0].rows);
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLowerCase();
      let n = 0;
      for (const row of rows) {
        const hit = !needle || row.dataset.text.includes(needle);
        row.hidden = !hit;
        if (hit) n += 1;
      }
      if (shown) {  // "1 shown" is its own sentence ("1 mostrada", never "1 mostradas")
        shown.textContent = n === 1 ? input.dataset.shownOne : input.dataset.shown.replace("{n}", String(n));
      }
    });
  }
  // Follow running exports until they are ready.
  const running = document.querySelectorAll(".job[data-state='queued'], .job[data-state='running']");
  if (running.length) {
    const tick = async () => {
      let busy = false;
      for (const li of document.querySelectorAll(".job[data-state='queued'], .job[data-state='running']")) {
        try {
          const r = await fetch(`/console/exports/${li.dataset.job}.json`, { credentials: "same-origin" });
          if (!r.ok) continue;
          const job = await r.json();
          const bar = li.querySelector("progress");
          bar.max = job.total; bar.value = job.state === "done" ? job.total : job.done;
          if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
          busy = true;
        } catch (e) { busy = true; }
      }
      if (busy) setTimeout(tick, 700);
    };
    setTimeout(tick, 500);
  }
});
