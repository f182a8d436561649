#!/usr/bin/env bash
# Runs a command, then fails if it changed the work tree (a test run must not rewrite tracked
# files or leave new ones), and says how long it took. Outside a git checkout it only runs it.
set -uo pipefail
start=$(date +%s)
before=$(git status --porcelain 2>/dev/null) || before=""
"$@"
status=$?
elapsed=$(( $(date +%s) - start ))
echo "$* took $((elapsed / 60)) min $((elapsed % 60)) s"
[ "$status" -eq 0 ] || exit "$status"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  after=$(git status --porcelain)
  if [ "$before" != "$after" ]; then
    echo "The run changed the work tree (git status before and after):" >&2
    diff <(echo "$before") <(echo "$after") >&2
    exit 1
  fi
fi
