#!/usr/bin/env bash
# Installs Petition Kiosk (and what it needs from Debian) and starts the demo kiosk in a window
# (`kiosk --demo`): its own data folder, the demo campaigns, set up with the demo staff PIN 2468
# and the demo passphrase "demo passphrase", so it opens on the signer's attract screen at once.
# Extra arguments go to `kiosk --demo` (e.g. omit --windowed for full screen: pass --data-dir
# or any other option). A real kiosk is `.venv/bin/kiosk` without --demo (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [[ $# -eq 0 ]]; then
  set -- --windowed
fi
exec .venv/bin/kiosk --demo "$@"
