#!/usr/bin/env bash
# Runs every test against real servers on loopback: installs what is missing, starts Redis,
# PostgreSQL, Dovecot and an SMTP server in a scratch folder, builds, runs `swift test`, stops the servers.
# Extra arguments go to `swift test` (e.g. --filter Backbone).
set -euo pipefail
cd "$(dirname "$0")/../.."

deploy/local/install-deps.sh --tests
# schemathesis (PyPI) checks the running api against its OpenAPI document (Integration.APIContract);
# selenium (PyPI) drives headless Chromium through the console (Integration.ConsoleBrowser).
# Each is installed when it is missing, also into a venv made before it was needed.
tools=.build/tools-venv
if [ ! -x "$tools/bin/python" ]; then
  mkdir -p .build
  /usr/bin/python3 -m venv "$tools"
fi
if [ ! -x "$tools/bin/schemathesis" ]; then
  "$tools/bin/pip" install -q schemathesis==4.32.5
fi
if ! "$tools/bin/python" -c "import selenium" 2>/dev/null; then
  "$tools/bin/pip" install -q selenium==4.51.0
fi
export FRONTLINE_SCHEMATHESIS=$PWD/$tools/bin/schemathesis
export FRONTLINE_TEST_PYTHON=$PWD/$tools/bin/python

scratch=$(mktemp -d /tmp/frontline-test.XXXXXX)
# Ports of their own (the first free ones from 16479 and 15479), so the tests can run while
# deploy/local/up.sh's servers are up.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
export FRONTLINE_LOCAL_REDIS_PORT=${FRONTLINE_LOCAL_REDIS_PORT:-$(free_port 16479)}
export FRONTLINE_LOCAL_REDIS_TLS_PORT=${FRONTLINE_LOCAL_REDIS_TLS_PORT:-$(free_port 17479)}
export FRONTLINE_LOCAL_PG_PORT=${FRONTLINE_LOCAL_PG_PORT:-$(free_port 15479)}
export FRONTLINE_LOCAL_IMAP_PORT=${FRONTLINE_LOCAL_IMAP_PORT:-$(free_port 20143)}
export FRONTLINE_LOCAL_SMTP_PORT=${FRONTLINE_LOCAL_SMTP_PORT:-$(free_port 12525)}
# Tests need no durability across a power cut; they do need speed.
export FRONTLINE_LOCAL_PG_SYNC=off
cleanup() {
  deploy/local/servers.sh stop "$scratch"
  rm -rf "$scratch"
}
trap cleanup EXIT
deploy/local/servers.sh start "$scratch"
# shellcheck disable=SC1091
source "$scratch/env"
export FRONTLINE_TEST_REDIS_URL=$FRONTLINE_REDIS_URL
export FRONTLINE_TEST_DATABASE_URL=$FRONTLINE_DATABASE_URL
export FRONTLINE_TEST_IMAP_URL=$FRONTLINE_IMAP_URL
export FRONTLINE_TEST_SMTP_URL=$FRONTLINE_SMTP_URL
export FRONTLINE_TEST_SENT_MAILDIR=$FRONTLINE_LOCAL_SENT_MAILDIR
export FRONTLINE_TEST_PG_CA=$FRONTLINE_LOCAL_PG_CA
export FRONTLINE_TEST_REDIS_TLS_URL=$FRONTLINE_LOCAL_REDIS_TLS_URL
unset FRONTLINE_REDIS_URL FRONTLINE_DATABASE_URL FRONTLINE_IMAP_URL FRONTLINE_IMAP_ALLOW_PLAINTEXT FRONTLINE_SMTP_URL \
  FRONTLINE_SMTP_ALLOW_PLAINTEXT FRONTLINE_LOCAL_SENT_MAILDIR

swift build --build-tests
swift test --skip-build "$@"
