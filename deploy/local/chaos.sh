#!/usr/bin/env bash
# The chaos run: N emails (5,000 by default) through the six services while a random service is
# killed with SIGKILL and restarted every few seconds, Redis (AOF on) and PostgreSQL are each
# restarted once. It stops by itself (FRONTLINE_CHAOS_MINUTES, 20 by default) and prints a
# one-screen verdict: every email a ticket, every ticket in its final state, every expected
# email sent exactly once (each copy listed with its cause), no dead letter a replay cannot clear.
#   deploy/local/chaos.sh [EMAILS]
# Servers of its own on free ports, data in a scratch folder; release binaries (built if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
emails=${1:-5000}
deadline=$(( $(date +%s) + ${FRONTLINE_CHAOS_MINUTES:-20} * 60 ))

deploy/local/install-deps.sh
swift build -c release 2>&1 | tail -1
bin="$root/.build/release"

scratch=$(mktemp -d /tmp/frontline-chaos.XXXXXX)
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
export FRONTLINE_LOCAL_REDIS_PORT=$(free_port 26479) FRONTLINE_LOCAL_REDIS_TLS_PORT=$(free_port 27479) FRONTLINE_LOCAL_PG_PORT=$(free_port 25479)
export FRONTLINE_LOCAL_IMAP_PORT=$(free_port 30143) FRONTLINE_LOCAL_SMTP_PORT=$(free_port 32525)
pids="$scratch/pids"
mkdir -p "$pids" "$scratch/logs"
cleanup() {
  for file in "$pids"/*.pid; do [ -f "$file" ] && kill -9 "$(cat "$file")" 2>/dev/null || true; done
  deploy/local/servers.sh stop "$scratch" >/dev/null 2>&1 || true
}
trap cleanup EXIT
deploy/local/servers.sh start "$scratch" >/dev/null
# shellcheck disable=SC1091
source "$scratch/env"
export FRONTLINE_FROM_ADDRESS=helpdesk@chaos.test FRONTLINE_MANAGER_EMAIL=manager@chaos.test
# Each escalation emailed at once (no digest), so that every one can be counted.
export FRONTLINE_ESCALATION_DIGEST_MINUTES=0
export FRONTLINE_IMAP_POLL_SECONDS=0.5 FRONTLINE_NOTIFY_RATE_LIMIT=1000 FRONTLINE_SMTP_RETRY_MAX_SECONDS=2
export FRONTLINE_VISIBILITY_TIMEOUT_SECONDS=5 FRONTLINE_LOG_LEVEL=warning
psql_() { psql -h 127.0.0.1 -p "$FRONTLINE_LOCAL_PG_PORT" -U postgres -d frontline -tAqc "$1"; }

"$bin/frontline" migrate >/dev/null
"$bin/frontline" seed deploy/sample/seed.yaml >/dev/null
"$bin/frontline" phase set 3 >/dev/null
# Around the clock and room for everyone's tickets: the verdict should not depend on the hour.
psql_ "UPDATE technicians SET max_open_tickets = 5000, schedule = '{\"timeZone\":\"UTC\",\"hours\":{\"1\":{\"start\":0,\"end\":1440},\"2\":{\"start\":0,\"end\":1440},\"3\":{\"start\":0,\"end\":1440},\"4\":{\"start\":0,\"end\":1440},\"5\":{\"start\":0,\"end\":1440},\"6\":{\"start\":0,\"end\":1440},\"7\":{\"start\":0,\"end\":1440}},\"holidays\":[]}'; DELETE FROM technician_absences;"

services=(mail-ingest classifier-1 classifier-2 assigner escalation notifier supplier-reminder)
start_service() {
  local name=$1 executable=${1%-[0-9]}
  FRONTLINE_HTTP_PORT=0 FRONTLINE_CONSUMER_NAME="chaos-$name-$RANDOM" nohup "$bin/$executable" >>"$scratch/logs/$name.log" 2>&1 &
  echo $! >"$pids/$name.pid"
  disown $!  # killed on purpose: no "Killed" line from the shell
}
for name in "${services[@]}"; do start_service "$name"; done

echo "==> appending $emails emails over IMAP while services are killed (one dot per kill)"
/usr/bin/python3 - "$emails" "$FRONTLINE_IMAP_URL" "$root/deploy/sample/mailbox" >"$scratch/append.log" 2>&1 <<'PY' &
import imaplib, os, re, sys, time, urllib.parse
count, url, folder = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
files = sorted(f for f in os.listdir(folder) if f.endswith("-new_ticket.eml"))
imap = imaplib.IMAP4(url.hostname, url.port)
imap.login(url.username, url.password)
for number in range(count):
    text = open(os.path.join(folder, files[number % len(files)]), "rb").read().decode()
    text = text.replace("Message-ID: <sample-", f"Message-ID: <chaos-{number}-")
    text = re.sub(r"<([a-z.]+)@", lambda m: f"<{m.group(1)}+c{number}@", text)
    imap.append("INBOX", None, None, text.encode())
print("appended", count)
PY
appender=$!

started=$(date +%s)
kills=0
redis_restarted=no
postgres_restarted=no
settle() {
  psql_ "SELECT (SELECT count(*) FROM tickets) || ' ' ||
    (SELECT count(*) FROM tickets t WHERE t.assignee_id IS NOT NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id)) || ' ' ||
    (SELECT count(*) FROM notifications WHERE status = 'pending') || ' ' || (SELECT count(*) FROM notifications WHERE status = 'sent')" 2>/dev/null || echo "0 0 0 0"
}
# Chaos while the emails are appended and processed, at least 45 s; five minutes before the
# deadline it stops, so that the pipeline can settle.
busy() {
  kill -0 "$appender" 2>/dev/null && return 0
  [ $(( $(date +%s) - started )) -lt 45 ] && return 0
  local tickets final pending sent
  read -r tickets final pending sent <<<"$(settle)"
  [ "$tickets" != "$emails" ] || [ "$final" != "$emails" ] || [ "$pending" != 0 ]
}
while busy; do
  [ "$(date +%s)" -ge $(( deadline - 300 )) ] && break
  sleep "$(( RANDOM % 4 + 2 ))"
  victim=${services[$(( RANDOM % ${#services[@]} ))]}
  kill -9 "$(cat "$pids/$victim.pid")" 2>/dev/null || true
  start_service "$victim"
  kills=$((kills + 1))
  printf "."
  elapsed=$(( $(date +%s) - started ))
  if [ "$redis_restarted" = no ] && [ "$elapsed" -ge 15 ]; then
    redis-cli -p "$FRONTLINE_LOCAL_REDIS_PORT" shutdown >/dev/null 2>&1 || true
    deploy/local/servers.sh start "$scratch" >/dev/null
    redis_restarted=yes
    printf "R"
  fi
  if [ "$postgres_restarted" = no ] && [ "$elapsed" -ge 30 ]; then
    su postgres -s /bin/sh -c "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl -D '$scratch/pg/data' -m fast -w restart -o \"-p $FRONTLINE_LOCAL_PG_PORT -k '$scratch/pg' -c listen_addresses=127.0.0.1 -c max_connections=300\"" >/dev/null
    postgres_restarted=yes
    printf "P"
  fi
done
echo " $kills kills"
wait "$appender" || { echo "appending failed: $(cat "$scratch/append.log")"; exit 1; }

echo "==> waiting for the pipeline to settle"
last=""
stable=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  now=$(settle)
  read -r tickets final pending sent <<<"$now"
  if [ "$tickets" = "$emails" ] && [ "$final" = "$emails" ] && [ "$pending" = 0 ] && [ "$now" = "$last" ]; then
    stable=$((stable + 1))
    [ $stable -ge 3 ] && break
  else
    stable=0
  fi
  # Dead letters from the chaos (an event that failed while its dependency was down) go back.
  if [ "$(psql_ "SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL")" != 0 ]; then
    "$bin/frontline" deadletter replay --all >/dev/null 2>&1 || true
  fi
  last=$now
  sleep 2
done
dead=$(psql_ "SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL")
replayed=$(psql_ "SELECT count(*) FROM dead_letters WHERE replayed_at IS NOT NULL")

# What the stored facts call for, and what the SMTP server holds.
psql_ "
  SELECT 'confirmation|' || lower(t.requester_email) || '|' || t.id FROM tickets t
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.auto_reply_forbidden)
  UNION ALL SELECT 'status_assigned|' || lower(t.requester_email) || '|' || t.id FROM tickets t
    WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.auto_reply_forbidden)
  UNION ALL SELECT 'assignment|' || x.email || '|' || t.id FROM tickets t JOIN technicians x ON x.id = t.assignee_id
  UNION ALL SELECT 'escalation|' || CASE WHEN e.level = 'technician' THEN 'technician-or-lead' ELSE 'manager@chaos.test' END || '|' || e.ticket_id
    FROM escalations e
  UNION ALL SELECT 'supplier_request|' || r.address || '|' || r.ticket_id FROM supplier_requests r
  UNION ALL SELECT 'status_waiting_supplier|' || lower(t.requester_email) || '|' || t.id FROM supplier_requests r JOIN tickets t ON t.id = r.ticket_id
" | sort >"$scratch/expected.txt"
/usr/bin/python3 - "$FRONTLINE_LOCAL_SENT_MAILDIR" "$scratch" <<'PY'
import collections, email, os, sys
folder, scratch = sys.argv[1], sys.argv[2]
lines, by_id = [], collections.defaultdict(list)
for name in os.listdir(os.path.join(folder, "new")):
    message = email.message_from_binary_file(open(os.path.join(folder, "new", name), "rb"))
    key = f"{message['X-Frontline-Kind']}|{message['X-RcptTo'].lower()}|{message['X-Frontline-Ticket']}"
    by_id[message["Message-ID"]].append(key)
for message_id, keys in by_id.items():
    lines.append(keys[0])
# A technician's escalation goes to the ticket's technician, or to the team lead (the manager
# here) when it is raised before the assigner has given the ticket to anyone: either will do.
expected = collections.Counter(open(os.path.join(scratch, "expected.txt")).read().split())
received = collections.Counter(lines)
for key, wanted in list(expected.items()):
    kind, who, ticket = key.split("|")
    if who != "technician-or-lead":
        continue
    for candidate in list(received):
        k, r, t = candidate.split("|")
        if k == kind and t == ticket and received[candidate] > expected.get(candidate, 0) and wanted > 0:
            take = min(wanted, received[candidate] - expected.get(candidate, 0))
            received[candidate] -= take
            received[key] += take
            wanted -= take
lines = list(received.elements())
with open(os.path.join(scratch, "received.txt"), "w") as out:
    out.write("\n".join(sorted(lines)) + "\n")
with open(os.path.join(scratch, "copies.txt"), "w") as out:
    for message_id, keys in sorted(by_id.items()):
        if len(keys) > 1:
            out.write(f"{keys[0]} x{len(keys)} {message_id}\n")
PY
missing=$(comm -23 "$scratch/expected.txt" "$scratch/received.txt" | grep -c . || true)
unexpected=$(comm -13 "$scratch/expected.txt" "$scratch/received.txt" | grep -c . || true)
copies=$(grep -c . "$scratch/copies.txt" || true)
inbound=$(psql_ "SELECT count(*) FROM messages WHERE direction = 'inbound'")
read -r tickets final pending sent <<<"$(settle)"
classified=$(psql_ "SELECT count(*) FROM ticket_classifications")

verdict() { if [ "$1" = yes ]; then echo "PASS  $2"; else echo "FAIL  $2"; fi; }
ok() { [ "$1" = "$2" ] && echo yes || echo no; }
echo
echo "================ chaos verdict ================"
echo "$emails emails, $kills SIGKILLs of random services, Redis restarted: $redis_restarted, PostgreSQL restarted: $postgres_restarted"
echo "run took $(( $(date +%s) - started )) s"
verdict "$(ok "$inbound" "$emails")" "every email stored once: $inbound of $emails"
verdict "$(ok "$tickets" "$emails")" "every email a ticket: $tickets"
verdict "$(ok "$classified" "$emails")" "every ticket classified: $classified"
verdict "$(ok "$final" "$emails")" "every ticket assigned, or queued with the reason recorded: $final"
verdict "$(ok "$missing$unexpected" "00")" "every expected email sent: $(grep -c . "$scratch/expected.txt") expected, $missing missing, $unexpected unexpected"
if [ "$copies" = 0 ]; then
  echo "PASS  no email twice"
else
  echo "LIST  $copies email(s) sent twice, each the same message (same Message-ID): the notifier was killed between the SMTP server's 250 and its COMMIT"
fi
head -5 "$scratch/copies.txt" | sed 's/^/      /'
verdict "$(ok "$dead" 0)" "no dead letter left after replay: $dead open, $replayed replayed"
echo "logs and data kept in $scratch"
echo "==============================================="
trap - EXIT
cleanup
[ "$inbound$tickets$classified$final" = "$emails$emails$emails$emails" ] && [ "$missing$unexpected$dead" = "000" ]
