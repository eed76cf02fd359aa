#!/usr/bin/env bash
# Installs what Petition Kiosk needs on a Debian machine, then the app into ./.venv.
#   scripts/bootstrap.sh          app only
#   scripts/bootstrap.sh --test   app, test tools, and PostgreSQL for the server's tests
# Debian packages are installed only when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
# An installer: a caller's PYTHONWARNINGS=error (the test suite sets it for its own child
# processes) is meant for Petition Kiosk's code, not for pip's and setuptools' notices.
unset PYTHONWARNINGS

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

# Qt's runtime libraries (offscreen, X11/xcb and Wayland), PulseAudio client for the
# Virtual Keyboard plugin, fonts, Python's venv, poppler for PDF previews in docs/tests.
# curl: the README's server commands use it. speech-dispatcher + espeak-ng: speech mode's voices
# (English and Spanish) for Qt TextToSpeech's speechd engine (issue #17).
pkgs=(python3 python3-venv python3-pip libpulse0 libgl1 libegl1 libopengl0 libglib2.0-0
      libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libnss3
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6
      libwayland-client0 libwayland-cursor0 libwayland-egl1 fonts-dejavu-core poppler-utils
      curl speech-dispatcher speech-dispatcher-espeak-ng espeak-ng)
if (( want_test )); then
  # chromium: the console's browser tests (Playwright drives this one; it never downloads its
  # own browsers); npm: axe-core for their accessibility checks (tests/console/package.json);
  # xvfb: the start-up test also runs on a real X server (tests/ui/test_run_app.py).
  pkgs+=(postgresql postgresql-client chromium xvfb)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if (( ${#missing[@]} )); then
    echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
    # (waits for another apt-get or dpkg that holds the lock, e.g. an unattended upgrade)
    scripts/apt.sh update
    scripts/apt.sh install -y --no-install-recommends "${missing[@]}"
  fi
else
  echo "bootstrap: not a Debian machine; install Qt's runtime libraries and PostgreSQL yourself" >&2
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
# pip runs only when .venv does not hold this install yet: the stamp names the extras and
# pyproject.toml's hash of the last install that finished (a test install covers the app's).
# A second run (the bundle build inside the test suite, every scripts/test.sh) then leaves the
# editable install alone instead of reinstalling it under tests that are running.
stamp=.venv/.petition-kiosk-installed
digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
if (( want_test )); then extras=test; else extras=kiosk,server; fi
installed=$(cat "$stamp" 2>/dev/null || true)
if [[ "$installed" == "test $digest" || "$installed" == "$extras $digest" ]] \
   && [[ -x .venv/bin/kiosk && -x .venv/bin/kiosk-server ]] \
   && { (( ! want_test )) || [[ -x .venv/bin/pytest ]]; }; then
  :
else
  rm -f "$stamp"
  # pip's and setuptools' notices (the editable install's "Please be careful with folders...")
  # read like a failure to a newcomer: they go to a log, shown only if the install fails.
  log=.venv/pip-install.log
  echo "installing Petition Kiosk ($extras) into .venv (a minute or two the first time)..."
  if ! { .venv/bin/python -m pip install -q --upgrade pip \
         && if (( want_test )); then
              PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv/bin/python -m pip install -q -e ".[test]"
            else
              .venv/bin/python -m pip install -q -e ".[kiosk,server]"
            fi; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: pip could not install Petition Kiosk (its output is above, and in $log)" >&2
    exit 1
  fi
  echo "$extras $digest" > "$stamp"
fi
if (( want_test )); then
  # axe-core, pinned by tests/console/package-lock.json, into tests/console/node_modules.
  npm ci --prefix tests/console --no-audit --no-fund --loglevel=error >/dev/null
fi
