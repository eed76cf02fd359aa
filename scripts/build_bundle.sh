#!/usr/bin/env bash
# Builds the kiosk app as a one-folder bundle in dist/kiosk/ and checks it, from a fresh clone:
#   scripts/build_bundle.sh             bootstrap, build, then `dist/kiosk/kiosk --self-check`
#   scripts/build_bundle.sh --no-check  bootstrap and build only
# Steps: scripts/bootstrap.sh (Debian packages, .venv), binutils (PyInstaller needs objdump),
# PyInstaller into .venv, the translations' .qm files, PyInstaller with build_spec/kiosk.spec,
# and the bundle's self-check offscreen. Exits non-zero if any step fails.
# KIOSK_BUNDLE_DIST (default dist) and KIOSK_BUNDLE_WORK (default build) move the output and
# the work folders, so that builds running at the same time (tests) do not collide.
set -euo pipefail
cd "$(dirname "$0")/.."

check=1
[[ "${1:-}" == "--no-check" ]] && check=0

dist=${KIOSK_BUNDLE_DIST:-dist}
work=${KIOSK_BUNDLE_WORK:-build}
started=$SECONDS

mkdir -p build
# One install into .venv at a time (other builds or test runs may be starting too).
exec 9>build/.build_bundle.lock
flock 9
scripts/bootstrap.sh

if ! command -v objdump >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "build_bundle: installing binutils (PyInstaller needs objdump)" >&2
    scripts/apt.sh update
    scripts/apt.sh install -y --no-install-recommends binutils
  else
    echo "build_bundle: objdump is missing: install binutils" >&2
    exit 1
  fi
fi

PYINSTALLER_SPEC=${PYINSTALLER_SPEC:-"pyinstaller>=6.22,<7"}
# pip and PyInstaller are tools, not the kiosk: a caller's PYTHONWARNINGS=error is not for them
# (the bundle's own self-check below still runs with it).
env -u PYTHONWARNINGS .venv/bin/python -m pip install -q "$PYINSTALLER_SPEC"
flock -u 9

# The UI's translations, compiled from resources/translations/*.ts with the wheel's lrelease.
mkdir -p "$work"
export KIOSK_BUNDLE_QM="$(cd "$work" && pwd)/translations"
rm -rf "$KIOSK_BUNDLE_QM"
.venv/bin/python -m kiosk.ui.i18n build "$KIOSK_BUNDLE_QM"

echo "build_bundle: building $dist/kiosk/ (PyInstaller $(env -u PYTHONWARNINGS .venv/bin/pyinstaller --version))" >&2
rm -rf "$work/pyinstaller"
env -u PYTHONWARNINGS .venv/bin/pyinstaller --noconfirm --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" build_spec/kiosk.spec
echo "build_bundle: $dist/kiosk/ is $(du -sh "$dist/kiosk" | cut -f1), built in $((SECONDS - started)) s" >&2

if (( check )); then
  QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$dist/kiosk/kiosk" --self-check
fi
