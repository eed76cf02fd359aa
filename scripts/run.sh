#!/usr/bin/env bash
# Installs Petition Kiosk (and what it needs from Debian) and starts it in a window on its
# embedded defaults: the demo campaigns and a local SQLite store in the user data folder.
# Extra arguments go to `kiosk` (e.g. --data-dir DIR, or omit --windowed for full screen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [[ $# -eq 0 ]]; then
  set -- --windowed
fi
exec .venv/bin/kiosk "$@"
