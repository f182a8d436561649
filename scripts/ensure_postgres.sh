#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server binaries are installed (the test suite starts its own
# throwaway cluster with them).
set -euo pipefail
here=$(dirname "$0")
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  "$here/ensure_debian_package.sh" postgresql sh -c 'ls /usr/lib/postgresql/*/bin/pg_ctl'
  # The package starts a cluster of its own; the tests do not use it.
  service postgresql stop >/dev/null 2>&1 || true
fi
