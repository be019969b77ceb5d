#!/usr/bin/env bash
# Stops what deploy/local/up.sh started: the services (SIGTERM, then SIGKILL after 15 s) and
# the servers. The data in .local/ stays for the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."
state="$(pwd)/.local"

for pidfile in "$state"/run/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $(basename "$pidfile" .pid)"
  fi
  rm -f "$pidfile"
done
[ -d "$state" ] && deploy/local/servers.sh stop "$state"
echo "servers stopped; data kept in .local/"
