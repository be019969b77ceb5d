#!/usr/bin/env bash
# Runs Frontline on this machine: installs what is missing, starts Redis, PostgreSQL, Dovecot
# and an SMTP server on loopback with their data in .local/, builds in release mode, migrates, starts the six
# services (two classifiers) and says where their logs are. deploy/local/down.sh stops it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
state="$root/.local"
mkdir -p "$state/logs" "$state/run"

echo "==> checking system packages"
deploy/local/install-deps.sh

echo "==> starting Redis, PostgreSQL, Dovecot and an SMTP server on loopback (data in .local/)"
deploy/local/servers.sh start "$state"
# shellcheck disable=SC1091
source "$state/env"
# Who the sample deployment writes as and to; the SMTP server keeps every message.
cat >>"$state/env" <<ENV
export FRONTLINE_FROM_ADDRESS=\${FRONTLINE_FROM_ADDRESS:-helpdesk@frontline.local}
export FRONTLINE_MANAGER_EMAIL=\${FRONTLINE_MANAGER_EMAIL:-manager@frontline.local}
export FRONTLINE_OPERATIONS_EMAIL=\${FRONTLINE_OPERATIONS_EMAIL:-operations@frontline.local}
ENV
# shellcheck disable=SC1091
source "$state/env"

echo "==> building in release mode (the first build takes several minutes)"
# Progress: one dot per 20 compiled files; the whole output goes to .local/logs/build.log.
if ! swift build -c release 2>&1 | tee "$state/logs/build.log" | awk '/Compiling|Linking/ { if (++n % 20 == 0) printf "." } END { print "" }'; then
  grep -E "error" "$state/logs/build.log" | head -20 >&2
  echo "build failed: see .local/logs/build.log" >&2
  exit 1
fi
bin="$root/.build/release"

echo "==> migrating and seeding the sample catalog and team"
"$bin/frontline" migrate
"$bin/frontline" seed deploy/sample/seed.yaml

start() { # name executable port
  local name=$1 executable=$2 port=$3
  local pidfile="$state/run/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "    $name already running (pid $(cat "$pidfile"))"
    return
  fi
  FRONTLINE_HTTP_PORT=$port FRONTLINE_CONSUMER_NAME="$(hostname)-$name" \
    nohup "$bin/$executable" >>"$state/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
  echo "    $name: pid $!, http://127.0.0.1:$port/healthz, log .local/logs/$name.log"
}

echo "==> starting the services"
start mail-ingest mail-ingest 9101
start classifier-1 classifier 9102
start classifier-2 classifier 9112
start assigner assigner 9103
start notifier notifier 9104
start supplier-reminder supplier-reminder 9105
start escalation escalation 9106

echo "==> waiting for every service to be ready"
for port in 9101 9102 9112 9103 9104 9105 9106; do
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "service on port $port is not ready; see .local/logs" >&2; exit 1; }
done

echo
"$bin/frontline" status
echo
echo "Frontline is running. Logs: .local/logs/<service>.log (JSON lines)."
echo "Emails sent: .local/smtp/sent/new/ (one file per message)."
echo "Admin CLI: source .local/env && .build/release/frontline status"
echo "Stop everything: deploy/local/down.sh"
