#!/usr/bin/env bash
# End-to-end smoke test of the image: Redis, PostgreSQL, Dovecot and the SMTP sink run on
# loopback (deploy/local/servers.sh); every service runs from the image on the host network;
# a few sample emails go into the mailbox over IMAP; each must become a ticket that is
# classified, assigned, confirmed to its customer and announced to its technician.
#   deploy/container/smoke.sh IMAGE DIR      (check.sh smoke runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
image=${1:?usage: smoke.sh IMAGE DIR}
dir=${2:?usage: smoke.sh IMAGE DIR}
emails=${FRONTLINE_SMOKE_EMAILS:-5}
podman() { command podman --runtime runc "$@"; }

rm -rf "$dir" && mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
free_port() { # the first port from $1 on that nothing listens on
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
export FRONTLINE_LOCAL_REDIS_PORT=${FRONTLINE_LOCAL_REDIS_PORT:-$(free_port 26479)}
export FRONTLINE_LOCAL_PG_PORT=${FRONTLINE_LOCAL_PG_PORT:-$(free_port 25479)}
export FRONTLINE_LOCAL_IMAP_PORT=${FRONTLINE_LOCAL_IMAP_PORT:-$(free_port 30143)}
export FRONTLINE_LOCAL_SMTP_PORT=${FRONTLINE_LOCAL_SMTP_PORT:-$(free_port 22525)}

containers=()
cleanup() {
  for name in "${containers[@]}"; do
    podman logs "$name" >"$dir/$name.log" 2>&1 || true
    podman rm -f "$name" >/dev/null 2>&1 || true
  done
  "$root/deploy/local/servers.sh" stop "$dir/servers" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$root/deploy/local/servers.sh" start "$dir/servers"
# shellcheck disable=SC1091
source "$dir/servers/env"
export FRONTLINE_FROM_ADDRESS=helpdesk@frontline.local FRONTLINE_MANAGER_EMAIL=manager@frontline.local
export FRONTLINE_OPERATIONS_EMAIL=operations@frontline.local FRONTLINE_IMAP_POLL_SECONDS=2
export FRONTLINE_LLM_PROVIDERS=builtin
# The containers get the settings, not this machine's files (FRONTLINE_LOCAL_* are paths here).
settings=()
for name in $(compgen -e | grep '^FRONTLINE_' | grep -v '^FRONTLINE_LOCAL_'); do settings+=(-e "$name"); done

in_image() { # a one-off command from the image; deploy/sample and DIR are mounted read-only
  podman run --rm --network host "${settings[@]}" -v "$root/deploy/sample:/sample:ro" -v "$dir:/smoke:ro" "$image" "$@"
}

echo "==> migrating and seeding from the image"
in_image frontline migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; exit 1; }
in_image frontline seed /sample/seed.yaml >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; exit 1; }

echo "==> starting every service from the image"
ports=()
port=29101
for service in mail-ingest classifier assigner notifier supplier-reminder escalation api; do
  port=$(free_port "$port")
  name="frontline-smoke-$service"
  extra=()
  if [ "$service" = api ]; then extra=(-e "FRONTLINE_API_PORT=$(free_port $((port + 1)))"); fi
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run -d --name "$name" --network host "${settings[@]}" "${extra[@]}" \
    -e "FRONTLINE_HTTP_PORT=$port" -e "FRONTLINE_CONSUMER_NAME=smoke-$service" "$image" "$service" >/dev/null
  containers+=("$name")
  ports+=("$port")
  echo "    $service: http://127.0.0.1:$port/readyz"
  port=$((port + 2))
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "the service on port $port is not ready (logs: $dir)" >&2; exit 1; }
done

echo "==> delivering $emails sample emails over IMAP"
mapfile -t chosen < <(ls "$root"/deploy/sample/mailbox/*-new_ticket.eml | head -n "$emails")
for message in "${chosen[@]}"; do curl -sS -T "$message" "$FRONTLINE_IMAP_URL"; done
# The same accounting as deploy/local/up.sh, for just these emails.
printf '{"messages": %d, "by_kind": {"new_ticket": %d}}\n' "${#chosen[@]}" "${#chosen[@]}" >"$dir/manifest.json"

echo "==> waiting for them to become tickets that are classified, assigned and answered"
verdict=""
for _ in $(seq 1 90); do
  in_image frontline summary --manifest /smoke/manifest.json --json >"$dir/summary.json" 2>/dev/null || true
  in_image frontline ticket list --limit 1000 --json >"$dir/tickets.json" 2>/dev/null || true
  if verdict=$(/usr/bin/python3 - "$dir" "${#chosen[@]}" 2>&1 <<'PY'
import email, email.policy, json, os, sys
folder, expected = sys.argv[1], int(sys.argv[2])
try:
    accounting = json.load(open(f"{folder}/summary.json")).get("accounting") or {}
    tickets = json.load(open(f"{folder}/tickets.json"))
except (OSError, ValueError):
    sys.exit("no summary yet")
sent = {}
mail = f"{folder}/servers/smtp/sent/new"
for file in sorted(os.listdir(mail)) if os.path.isdir(mail) else []:
    with open(os.path.join(mail, file), "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    sent.setdefault(message.get("X-Frontline-Ticket"), []).append((message.get("X-Frontline-Kind"), str(message.get("To", "")).lower()))
problems = []
if not accounting.get("complete") or accounting.get("tickets") != expected:
    problems.append(f"accounting: {accounting}")
if len(tickets) != expected:
    problems.append(f"{len(tickets)} tickets of {expected}")
for ticket in tickets:
    number, kinds = ticket["id"], sent.get(str(ticket["id"]), [])
    if not ticket.get("category"):
        problems.append(f"ticket {number} not classified")
    if not ticket.get("assignee_email"):
        problems.append(f"ticket {number} not assigned")
    if not any(kind == "confirmation" and (ticket.get("requester") or "").lower() in to for kind, to in kinds):
        problems.append(f"ticket {number}: no confirmation to its customer")
    if ticket.get("assignee_email") and not any(kind == "assignment" and ticket["assignee_email"].lower() in to for kind, to in kinds):
        problems.append(f"ticket {number}: no assignment email to {ticket['assignee_email']}")
if problems:
    sys.exit("; ".join(problems))
for ticket in tickets:
    print(f"    ticket {ticket['id']}: {ticket['category']}, assigned to {ticket['assignee_email']}, "
          f"mail sent: {', '.join(sorted({kind for kind, _ in sent[str(ticket['id'])]}))}")
PY
  ); then
    echo "$verdict"
    echo "smoke: every service ran from $image; ${#chosen[@]} emails became classified, assigned and answered tickets"
    exit 0
  fi
  sleep 2
done
echo "smoke FAILED: $verdict (logs: $dir)" >&2
exit 1
