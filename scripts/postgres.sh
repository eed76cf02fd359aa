#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and has the role the tests use
# (kiosk_test, password kiosk_test, allowed to create databases). Starts the Debian cluster if
# it is installed but stopped. Skipped when KIOSK_TEST_POSTGRES_URL points elsewhere.
set -euo pipefail
if [[ -n "${KIOSK_TEST_POSTGRES_URL:-}" && "${KIOSK_TEST_POSTGRES_URL}" != *"@127.0.0.1:5432/"* ]]; then
  exit 0
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [[ -z "$version" ]]; then
    echo "postgres: no PostgreSQL cluster found (is the postgresql package installed?)" >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
as_postgres=(runuser -u postgres --)
[[ $(id -u) -ne 0 ]] && as_postgres=(sudo -u postgres)
"${as_postgres[@]}" psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL' >/dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kiosk_test') THEN
    CREATE ROLE kiosk_test LOGIN PASSWORD 'kiosk_test' CREATEDB;
  END IF;
END
$$;
SQL
