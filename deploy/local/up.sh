#!/usr/bin/env bash
# Runs Frontline on this machine: installs what is missing, starts Redis, PostgreSQL, Dovecot
# and an SMTP server on loopback with their data in .local/, builds in release mode, migrates,
# seeds the sample, starts the six services (two classifiers), delivers the sample mailbox over
# IMAP, waits until it is processed and prints a summary. deploy/local/down.sh stops it all.
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
export FRONTLINE_IMAP_POLL_SECONDS=\${FRONTLINE_IMAP_POLL_SECONDS:-2}
ENV
# shellcheck disable=SC1091
source "$state/env"
# An LLM for every key that is set (the built-in engine always ends the list); none: built-in only.
if [ -z "${FRONTLINE_LLM_PROVIDERS:-}" ]; then
  providers=""
  if [ -n "${OPENAI_API_KEY:-}" ]; then providers="$providers,openai"; fi
  if [ -n "${ANTHROPIC_API_KEY:-}" ]; then providers="$providers,anthropic"; fi
  if [ -n "${GEMINI_API_KEY:-}" ]; then providers="$providers,gemini"; fi
  providers="${providers#,}"
  export FRONTLINE_LLM_PROVIDERS="${providers:-builtin}"
fi
echo "    LLM providers: $FRONTLINE_LLM_PROVIDERS"

echo "==> building in release mode (the first build takes several minutes)"
# Progress: one dot per 20 compiled files; the whole output goes to .local/logs/build.log.
if ! swift build -c release 2>&1 | tee "$state/logs/build.log" | awk '/Compiling|Linking/ { if (++n % 20 == 0) { printf "."; fflush() } } END { print "" }'; then
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
FRONTLINE_API_PORT=${FRONTLINE_API_PORT:-8080} start api api 9107

echo "==> waiting for every service to be ready"
for port in 9101 9102 9112 9103 9104 9105 9106 9107; do
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "service on port $port is not ready; see .local/logs" >&2; exit 1; }
done

mailbox=deploy/sample/mailbox
total=$(ls "$mailbox"/*.eml | wc -l)
echo "==> delivering the sample mailbox over IMAP ($total emails; one dot per 10)"
delivered=0
for message in "$mailbox"/*.eml; do
  curl -sS -T "$message" "$FRONTLINE_IMAP_URL" || { echo "IMAP APPEND of $message failed" >&2; exit 1; }
  delivered=$((delivered + 1))
  [ $((delivered % 10)) -eq 0 ] && printf "."
done
echo " $delivered delivered"

# Done when every email is accounted for and nothing is left in the streams or the mail queue.
idle() {
  "$bin/frontline" summary --manifest "$mailbox/MANIFEST.json" --json >"$state/run/summary.json" 2>/dev/null || return 1
  "$bin/frontline" status --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
emails = json.load(open(sys.argv[1]))["emails"]
busy = [r for r in rows if r.get("group") and ((r.get("lag") or 0) > 0 or r["pending"] > 0)]
queued = [e for e in emails if e["name"].endswith("(pending)")]
sys.exit(1 if busy or queued else 0)' "$state/run/summary.json"
}
echo "==> waiting until every email is processed (one dot per 2 seconds)"
settled=0
for _ in $(seq 1 300); do
  if idle; then settled=$((settled + 1)); else settled=0; fi
  [ $settled -ge 2 ] && break
  printf "."
  sleep 2
done
echo

echo
"$bin/frontline" summary --manifest "$mailbox/MANIFEST.json" || echo "(the summary above is not complete: see .local/logs)"
echo
"$bin/frontline" status
echo

# How a technician answers, shown on a real ticket of this run: an open one with an assignee.
"$bin/frontline" ticket list --status open --limit 1000 --json >"$state/run/open.json" 2>/dev/null || echo "[]" >"$state/run/open.json"
/usr/bin/python3 - "$state/run/open.json" "$state/smtp/sent/new" <<'PY' || true
import email, email.policy, json, os, shlex, sys
tickets = [t for t in json.load(open(sys.argv[1])) if t.get("assignee_email")]
if not tickets:
    sys.exit(0)
ticket = sorted(tickets, key=lambda t: t["id"])[0]
number, who, name = ticket["id"], ticket["assignee_email"], ticket["assignee"]
# The assignment email the technician received, with its reply address.
found = None
folder = sys.argv[2]
for file in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
    with open(os.path.join(folder, file), "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    if message.get("X-Frontline-Kind") == "assignment" and message.get("X-Frontline-Ticket") == str(number):
        found = (file, message)
        break
print(f"How to answer a ticket as a technician: ticket {number}, \"{ticket['subject']}\", is {name}'s.")
print()
print("By email: reply to the assignment email; what you write goes to the customer in your name,")
print("and the ticket waits on the customer (pending). Lines at the top change that: #note (an")
print("internal note only), #solve, #pending, #hold, #open, #assign <email>, #priority <name>.")
if found:
    file, message = found
    reply_to = message.get("Reply-To")
    print(f"  {name}'s assignment email: .local/smtp/sent/new/{file}")
    if reply_to:
        print(f"  Its reply address: {reply_to}. To answer it here, append a reply to the mailbox:")
        print("    source .local/env")
        print("    printf '%s\\r\\n' \\")
        lines = [f"From: {name} <{who}>", f"To: {reply_to}", f"Subject: Re: {message.get('Subject', '')}", f"In-Reply-To: {message.get('Message-ID', '')}"]
        quoted = [shlex.quote(line) for line in lines]
        print(f"      {quoted[0]} {quoted[1]} \\")
        print(f"      {quoted[2]} {quoted[3]} '' \\")
        print("      '#note' 'Called the customer; the replacement is on its way.' > /tmp/answer.eml")
        print('    curl -sS -T /tmp/answer.eml "$FRONTLINE_IMAP_URL"')
print()
print("From the command line (the same checks and audit trail):")
print("  source .local/env")
print(f"  .build/release/frontline ticket reply {number} --as {who} --text 'Hello, I have reset it; please try again.'")
print(f"  .build/release/frontline ticket note {number} --as {who} --text 'Checked the logs: nothing else wrong.'")
print(f"  .build/release/frontline ticket solve {number} --as {who}")
print(f"  .build/release/frontline ticket show {number}")
print()
port = os.environ.get("FRONTLINE_API_PORT", "8080")
print(f"Over HTTP (the api service on port {port}; a token is shown once, the name must be new):")
print("  source .local/env")
print(f"  TOKEN=$(.build/release/frontline token create --name console-$(date +%s) --role agent --as {who})")
print(f"  curl -s -H \"Authorization: Bearer $TOKEN\" 'http://127.0.0.1:{port}/api/v1/tickets?status=open&limit=5'")
print(f"  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{{\"text\": \"Checked: fine.\"}}' http://127.0.0.1:{port}/api/v1/tickets/{number}/notes")
print(f"  The document: http://127.0.0.1:{port}/api/v1/openapi.yaml")
print()
print(f"In a browser (the web console, http://127.0.0.1:{port}/): invite yourself; the invitation with a sign-in")
print("link (15 minutes, once; ask for another at /signin) goes to the local mail sink:")
print(f"  .build/release/frontline user invite {who} --role admin    # admin: every page, settings too")
print("  grep -l 'X-Frontline-Kind: sign_in_link' .local/smtp/sent/new/* | tail -1 | xargs python3 -c \\")
print("    'import sys, email, email.policy; print(email.message_from_binary_file(open(sys.argv[1], \"rb\"), policy=email.policy.default).get_body((\"plain\",)).get_content())'")
print()
PY
echo "Frontline is running. Logs: .local/logs/<service>.log (JSON lines)."
echo "Emails sent: .local/smtp/sent/new/ (one file per message)."
echo "Admin CLI: source .local/env && .build/release/frontline status"
echo "Stop everything: deploy/local/down.sh"
