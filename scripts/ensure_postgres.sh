#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server binaries are installed (the test suite starts its own
# throwaway cluster with them). Installs the `postgresql` package when missing and possible.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL (Debian package postgresql)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package starts a cluster of its own; the tests do not use it.
  service postgresql stop >/dev/null 2>&1 || true
else
  echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get);" \
       "the PostgreSQL test run will be skipped." >&2
fi
