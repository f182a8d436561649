#!/usr/bin/env bash
# Make sure a Debian package is installed: `ensure_debian_package.sh PACKAGE PROBE...` runs
# PROBE (a command that succeeds once the package is there) and installs PACKAGE when it fails
# and installing is possible (root with apt-get). Exits 0 either way; the tests that need the
# package skip with the reason when it is missing.
set -euo pipefail
package=$1
shift
if "$@" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing $package (Debian package)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
else
  echo "$package is not installed and cannot be installed here (needs root and apt-get);" \
       "the tests that need it will be skipped." >&2
fi
