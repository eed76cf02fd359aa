#!/usr/bin/env bash
# apt-get, as root or through sudo, that waits for another apt-get or dpkg to finish instead of
# failing at once on its lock (an unattended upgrade at boot, a second install in parallel).
#   scripts/apt.sh update
#   scripts/apt.sh install -y --no-install-recommends PACKAGE...
# The wait lasts up to $APT_LOCK_WAIT seconds (default 600). apt's own DPkg::Lock::Timeout
# covers dpkg's lock; `apt-get update` takes the package lists' lock, which that option does
# not cover (apt 2.6), so this script retries while apt names a lock as the reason.
# apt-get's output is shown only when it fails.
set -uo pipefail
wait_s=${APT_LOCK_WAIT:-600}
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
waited=0
while :; do
  out=$("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -o DPkg::Lock::Timeout="$wait_s" "$@" 2>&1)
  rc=$?
  if (( rc != 0 )) && grep -qE "Could not get lock|Unable to lock|Unable to acquire" <<<"$out" \
     && (( waited < wait_s )); then
    (( waited == 0 )) && echo "apt: another apt-get or dpkg is running; waiting for it (up to ${wait_s} s)" >&2
    sleep 2
    waited=$((waited + 2))
    continue
  fi
  (( rc != 0 )) && printf '%s\n' "$out" >&2
  exit "$rc"
done
