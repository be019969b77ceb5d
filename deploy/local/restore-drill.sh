#!/usr/bin/env bash
# The backup-and-restore drill: a deployment takes mail while its assigner and notifier are down
# (tickets classified, waiting to be assigned and answered); PostgreSQL is backed up with pg_dump
# and the deployment is lost. The backup is restored into a fresh PostgreSQL beside a fresh, empty
# Redis, `frontline streams rebuild` marks the outbox for publishing again, every service starts,
# and the open tickets go on: each is assigned, and its customer and technician get their email
# once. (A debug build: the drill is about what happens, not how fast.)
#   deploy/local/restore-drill.sh [EMAILS]      (default 8; servers on free loopback ports)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
emails=${1:-8}
dir=$(mktemp -d /tmp/frontline-drill.XXXXXX)
chmod 755 "$dir" # PostgreSQL runs as its own user
pids=()

free_port() { # the first port from $1 on that nothing listens on
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
stop_services() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
passed=false
cleanup() { # the logs stay when the drill failed
  stop_services
  "$root/deploy/local/servers.sh" stop "$dir/before" >/dev/null 2>&1 || true
  "$root/deploy/local/servers.sh" stop "$dir/after" >/dev/null 2>&1 || true
  if $passed; then rm -rf "$dir"; fi
}
trap cleanup EXIT

servers() { # name: fresh Redis, PostgreSQL, Dovecot and SMTP sink on free ports, their URLs exported
  FRONTLINE_LOCAL_REDIS_PORT=$(free_port 26579) FRONTLINE_LOCAL_REDIS_TLS_PORT=$(free_port 27579) \
    FRONTLINE_LOCAL_PG_PORT=$(free_port 25579) \
    FRONTLINE_LOCAL_IMAP_PORT=$(free_port 30243) FRONTLINE_LOCAL_SMTP_PORT=$(free_port 22625) \
    "$root/deploy/local/servers.sh" start "$dir/$1" >"$dir/$1.servers.log"
  # shellcheck disable=SC1091
  source "$dir/$1/env"
  export FRONTLINE_FROM_ADDRESS=helpdesk@frontline.local FRONTLINE_MANAGER_EMAIL=manager@frontline.local
  export FRONTLINE_OPERATIONS_EMAIL=operations@frontline.local FRONTLINE_IMAP_POLL_SECONDS=2 FRONTLINE_LLM_PROVIDERS=builtin
}
start() { # services...: each on a free operations port, its log in the drill's folder
  local port=29301
  for service in "$@"; do
    port=$(free_port "$port")
    FRONTLINE_HTTP_PORT=$port FRONTLINE_API_PORT=$(free_port $((port + 1))) FRONTLINE_CONSUMER_NAME="drill-$service" \
      "$bin/$service" >>"$dir/$service.log" 2>&1 &
    pids+=($!)
    port=$((port + 2))
  done
}
wait_until() { # description, seconds, python check over `frontline ticket list --json` on stdin
  local description=$1 seconds=$2 check=$3
  for _ in $(seq 1 "$seconds"); do
    if "$bin/frontline" ticket list --limit 1000 --json 2>/dev/null | python3 -c "$check" "$emails" "$SENT" >"$dir/verdict" 2>&1; then
      cat "$dir/verdict"
      return 0
    fi
    sleep 1
  done
  echo "drill FAILED: $description: $(tail -n 1 "$dir/verdict") (logs: $dir)" >&2
  exit 1
}

echo "==> building"
swift build >"$dir/build.log" 2>&1 || { tail -20 "$dir/build.log" >&2; exit 1; }
bin=$(swift build --show-bin-path)

echo "==> before: mail arrives while the assigner and the notifier are down"
servers before
export SENT=$FRONTLINE_LOCAL_SENT_MAILDIR
"$bin/frontline" migrate >/dev/null
"$bin/frontline" seed deploy/sample/seed.yaml >/dev/null
start mail-ingest classifier escalation
mapfile -t chosen < <(ls "$root"/deploy/sample/mailbox/*-new_ticket.eml | head -n "$emails")
for message in "${chosen[@]}"; do curl -sS -T "$message" "$FRONTLINE_IMAP_URL"; done
wait_until "tickets classified before the backup" 120 '
import json, os, sys
tickets, expected = json.load(sys.stdin), int(sys.argv[1])
classified = [t for t in tickets if t.get("category")]
assert len(classified) == expected, f"{len(classified)} of {expected} classified"
assert not any(t.get("assignee_email") for t in tickets), "assigned although the assigner is down"
sent = os.path.join(sys.argv[2], "new")
assert not (os.path.isdir(sent) and os.listdir(sent)), "email sent although the notifier is down"
print(f"    {expected} tickets classified, none assigned, no email sent")'
stop_services

echo "==> backup: pg_dump, then the deployment is lost"
pg_dump -Fc -f "$dir/frontline.dump" -d "$FRONTLINE_DATABASE_URL"
echo "    $(du -h "$dir/frontline.dump" | cut -f1) dump"
"$root/deploy/local/servers.sh" stop "$dir/before" >/dev/null

echo "==> restore: a fresh PostgreSQL and an empty Redis"
servers after
export SENT=$FRONTLINE_LOCAL_SENT_MAILDIR
pg_restore --no-owner --clean --if-exists -d "$FRONTLINE_DATABASE_URL" "$dir/frontline.dump"
"$bin/frontline" migrate | sed "s/^/    /"
# Before the services start, while Redis is empty: their relays then publish the outbox again.
"$bin/frontline" streams rebuild | sed 's/^/    /'
start mail-ingest classifier assigner notifier supplier-reminder escalation api

echo "==> after: the open tickets go on"
wait_until "tickets assigned and answered once after the restore" 120 '
import collections, email, email.policy, json, os, sys
tickets, expected, sent = json.load(sys.stdin), int(sys.argv[1]), os.path.join(sys.argv[2], "new")
mails = collections.Counter()
for name in os.listdir(sent) if os.path.isdir(sent) else []:
    with open(os.path.join(sent, name), "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    mails[(message.get("X-Frontline-Ticket"), message.get("X-Frontline-Kind"))] += 1
assert len(tickets) == expected, f"{len(tickets)} tickets of {expected}"
for ticket in tickets:
    number = str(ticket["id"])
    assert ticket.get("assignee_email"), f"ticket {number} not assigned"
    for kind in ("confirmation", "assignment"):
        assert mails[(number, kind)] == 1, f"ticket {number}: {mails[(number, kind)]} {kind} emails"
print(f"    {expected} tickets assigned; each customer got one confirmation and each technician one assignment email")'
# Late duplicates would show here: the relays and consumers had time to repeat themselves.
sleep 5
wait_until "no email sent twice" 1 '
import collections, email, email.policy, os, sys
sent = os.path.join(sys.argv[2], "new")
mails = collections.Counter()
for name in os.listdir(sent):
    with open(os.path.join(sent, name), "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    mails[(message.get("X-Frontline-Ticket"), message.get("X-Frontline-Kind"), str(message.get("To")))] += 1
twice = [key for key, count in mails.items() if count > 1]
assert not twice, f"sent twice: {twice}"
print(f"    {sum(mails.values())} emails in all, none twice")'
echo "drill: restored from pg_dump beside an empty Redis; every open ticket went on, each email once"
passed=true
