#!/usr/bin/env bash
# Makes sure a CUPS server runs with two PDF printer queues for the printing tests:
#   kiosk-test-pdf (cups-pdf backend, the default destination), its output in
#   /var/spool/cups-pdf/out; kiosk-test-paused, the same but stopped: jobs wait there, so
#   cancelling a submitted job can be tested.
# Installs the Debian packages cups, cups-client and printer-driver-cups-pdf when missing
# (as root, or through sudo, with apt-get), starts cupsd directly (no systemd needed) when it
# is not running, and creates the queue when it does not exist. Without root, sudo or apt it
# says why and exits 0: tests/test_printing.py then skips with the same reason.
set -euo pipefail
QUEUE=${KIOSK_TEST_PRINTER:-kiosk-test-pdf}
PAUSED=${KIOSK_TEST_PAUSED_PRINTER:-kiosk-test-paused}
OUT=${KIOSK_TEST_PRINT_DIR:-/var/spool/cups-pdf/out}

say() { echo "cups: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  if command -v lpstat >/dev/null && lpstat -e 2>/dev/null | grep -qx "$QUEUE"; then
    exit 0
  fi
  # Not root: the rest again through sudo (as scripts/apt.sh and postgres.sh do), when sudo
  # works without a password or can ask for one at this terminal.
  if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
    sudo --preserve-env=KIOSK_TEST_PRINTER,KIOSK_TEST_PAUSED_PRINTER,KIOSK_TEST_PRINT_DIR,APT_LOCK_WAIT bash \
      "$0" && exit 0
    say "sudo $0 failed (printing tests will be skipped)"
    exit 0
  fi
  say "not root and no sudo: cannot install or start CUPS (printing tests will be skipped)"
  exit 0
fi

missing=()
for pkg in cups cups-client printer-driver-cups-pdf; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  if ! command -v apt-get >/dev/null; then
    say "no apt-get: cannot install ${missing[*]} (printing tests will be skipped)"
    exit 0
  fi
  say "installing ${missing[*]}"
  "$(dirname "$0")/apt.sh" install -y --no-install-recommends "${missing[@]}" \
    || { "$(dirname "$0")/apt.sh" update && "$(dirname "$0")/apt.sh" install -y --no-install-recommends "${missing[@]}"; }
fi

# cups-pdf writes every job to one known folder (not the submitting user's home).
mkdir -p "$OUT"
chmod 1777 "$OUT"
conf=/etc/cups/cups-pdf.conf
if [[ -f $conf ]]; then
  sed -i -E "s|^#?Out .*|Out ${OUT}|; s|^#?AnonDirName .*|AnonDirName ${OUT}|; s|^#?Label .*|Label 2|" "$conf"
  grep -q "^Out " "$conf" || echo "Out ${OUT}" >> "$conf"
  grep -q "^Label " "$conf" || echo "Label 2" >> "$conf"
fi

# A kiosk's CUPS must not keep printed packets (signers' names) in its spool after printing;
# the default keeps them a day. The tests run with the setting docs/deploy-kiosk.md asks for.
conf_main=/etc/cups/cupsd.conf
if [[ -f $conf_main ]] && ! grep -qx "PreserveJobFiles No" "$conf_main"; then
  sed -i -E '/^PreserveJobFiles /d' "$conf_main"
  echo "PreserveJobFiles No" >> "$conf_main"
  pkill -HUP -x cupsd 2>/dev/null || true  # re-read the configuration if it runs
fi

running() { lpstat -r 2>/dev/null | grep -q "is running"; }
if ! running; then
  mkdir -p /run/cups
  say "starting cupsd"
  cupsd  # daemonizes itself
  for _ in $(seq 1 50); do running && break; sleep 0.2; done
  running || { say "cupsd did not start"; exit 1; }
fi

ppd=$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd /usr/share/ppd/cups-pdf/*.ppd 2>/dev/null | head -n1 || true)
add_queue() {  # name, description
  if [[ -n "$ppd" ]]; then
    lpadmin -p "$1" -E -v cups-pdf:/ -P "$ppd" -D "$2" 2>/dev/null
  else
    lpadmin -p "$1" -E -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd -D "$2" 2>/dev/null
  fi
  cupsaccept "$1"
}
queues=$(lpstat -e 2>/dev/null || true)
if ! grep -qx "$QUEUE" <<<"$queues"; then
  add_queue "$QUEUE" "Petition Kiosk test PDF printer"
  cupsenable "$QUEUE"
  lpstat -d 2>/dev/null | grep -q "destination:" || lpadmin -d "$QUEUE"
  say "queue $QUEUE ready (output in $OUT)"
fi
if ! grep -qx "$PAUSED" <<<"$queues"; then
  add_queue "$PAUSED" "Petition Kiosk test printer, stopped"
  say "queue $PAUSED ready (stopped)"
fi
cupsdisable "$PAUSED"  # stays stopped: its jobs wait to be cancelled
