#!/usr/bin/env bash
# Starts or stops the servers Frontline needs, on loopback only, with their data in DIR.
#   deploy/local/servers.sh start DIR     deploy/local/servers.sh stop DIR
# Ports come from FRONTLINE_LOCAL_REDIS_PORT (6479; TLS on FRONTLINE_LOCAL_REDIS_TLS_PORT, 6480),
# FRONTLINE_LOCAL_PG_PORT (5479),
# FRONTLINE_LOCAL_IMAP_PORT (10143) and FRONTLINE_LOCAL_SMTP_PORT (2525).
# Writes DIR/env with the URLs to reach them. The SMTP server keeps every message it
# receives as a file in the Maildir DIR/smtp/sent (new/).
set -euo pipefail

action=${1:?usage: servers.sh start|stop DIR}
dir=${2:?usage: servers.sh start|stop DIR}
# Absolute: Redis changes into its data folder before it opens its log.
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
redis_port=${FRONTLINE_LOCAL_REDIS_PORT:-6479}
redis_tls_port=${FRONTLINE_LOCAL_REDIS_TLS_PORT:-6480}
pg_port=${FRONTLINE_LOCAL_PG_PORT:-5479}
imap_port=${FRONTLINE_LOCAL_IMAP_PORT:-10143}
smtp_port=${FRONTLINE_LOCAL_SMTP_PORT:-2525}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

alive() { # pidfile: is the process it names running?
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() { # description, command
  for _ in $(seq 1 100); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "$1 did not come up; see its log in $dir" >&2
  return 1
}

start() {
  mkdir -p "$dir/redis" "$dir/pg"
  chmod 755 "$dir"

  # A CA made here, and a certificate from it for 127.0.0.1, so that verified TLS can be tried:
  # PostgreSQL and Redis offer TLS with it. The local URLs do not ask for it (loopback, and the
  # benchmarks measure Frontline, not TLS); the tests do.
  tls="$dir/pg/tls"
  if [ ! -f "$tls/server.crt" ]; then
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Frontline local CA" \
      -keyout "$tls/ca.key" -out "$tls/ca.crt" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1\n' >"$tls/san.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
      -extfile "$tls/san.ext" -out "$tls/server.crt" >/dev/null 2>&1
    chmod 600 "$tls/server.key" "$tls/ca.key"
  fi

  # Each server is started only when it is not running already: start is safe to repeat.
  # Redis with an append-only file, so a restart keeps the streams; TLS on a second port
  # (clients need no certificate of their own, as on most managed Redis services).
  alive "$dir/redis/redis.pid" || redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly yes \
    --tls-port "$redis_tls_port" --tls-cert-file "$tls/server.crt" --tls-key-file "$tls/server.key" \
    --tls-ca-cert-file "$tls/ca.crt" --tls-auth-clients no \
    --maxmemory-policy noeviction --dir "$dir/redis" --daemonize yes \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"
  wait_for "Redis" "redis-cli -p $redis_port ping | grep -q PONG"

  # PostgreSQL, run by the postgres user when we are root.
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir/pg"
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    as_postgres "$pg_bin/initdb -D '$dir/pg/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/pg/initdb.log' 2>&1"
  fi
  as_postgres "$pg_bin/pg_ctl -D '$dir/pg/data' status" >/dev/null 2>&1 ||
  as_postgres "$pg_bin/pg_ctl -D '$dir/pg/data' -l '$dir/pg/postgres.log' -w -o \"-p $pg_port -k '$dir/pg' -c listen_addresses=127.0.0.1 -c max_connections=300 -c synchronous_commit=${FRONTLINE_LOCAL_PG_SYNC:-on} -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key\" start >/dev/null"
  wait_for "PostgreSQL" "$pg_bin/pg_isready -h 127.0.0.1 -p $pg_port"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'frontline'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE frontline"

  # Dovecot IMAP with a config of its own: plain login on loopback, no TLS, one user
  # "support" (password "support") whose mail lives in $dir/dovecot/mail.
  mkdir -p "$dir/dovecot/run" "$dir/dovecot/state" "$dir/dovecot/mail"
  echo "support:{PLAIN}support" >"$dir/dovecot/users"
  cat >"$dir/dovecot/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
log_path = $dir/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$dir/dovecot/mail/%u
first_valid_uid = 100
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/dovecot/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$dir/dovecot/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = 64
}
# Every service, test and tool logs in as the one user "support" from 127.0.0.1; Dovecot's
# default of 10 such connections refuses logins when the test suites run side by side.
protocol imap {
  mail_max_userip_connections = 200
}
CONF
  # Dovecot may be moving files while a restart runs this again: a vanished file is fine.
  chown -R dovecot:dovecot "$dir/dovecot/mail" 2>/dev/null || true
  alive "$dir/dovecot/run/master.pid" || dovecot -c "$dir/dovecot/dovecot.conf"
  wait_for "Dovecot" "(exec 3<>/dev/tcp/127.0.0.1/$imap_port)"

  # SMTP: aiosmtpd's Mailbox handler writes each message it accepts into a Maildir. Run by
  # Debian's /usr/bin/python3, which has the package, whatever python3 comes first on PATH.
  mkdir -p "$dir/smtp"
  if ! alive "$dir/smtp/smtp.pid"; then
    setsid /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$dir/smtp/sent" \
      >"$dir/smtp/smtp.log" 2>&1 </dev/null &
    echo $! >"$dir/smtp/smtp.pid"
  fi
  wait_for "SMTP" "(exec 3<>/dev/tcp/127.0.0.1/$smtp_port)"

  # The key of our Message-IDs and reply addresses: made once per data folder, kept across restarts.
  if [ ! -s "$dir/reply-secret" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/reply-secret")
  fi

  cat >"$dir/env" <<ENV
export FRONTLINE_REPLY_SECRET=$(cat "$dir/reply-secret")
export FRONTLINE_REDIS_URL=redis://127.0.0.1:$redis_port/0
export FRONTLINE_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/frontline?sslmode=disable
export FRONTLINE_LOCAL_PG_CA=$tls/ca.crt
export FRONTLINE_LOCAL_REDIS_TLS_URL="rediss://127.0.0.1:$redis_tls_port/0?cacert=$tls/ca.crt"
export FRONTLINE_IMAP_URL=imap://support:support@127.0.0.1:$imap_port/INBOX
export FRONTLINE_IMAP_ALLOW_PLAINTEXT=1
export FRONTLINE_SMTP_URL=smtp://127.0.0.1:$smtp_port
export FRONTLINE_SMTP_ALLOW_PLAINTEXT=1
export FRONTLINE_LOCAL_SENT_MAILDIR=$dir/smtp/sent
ENV
}

stop() {
  if [ -f "$dir/smtp/smtp.pid" ]; then
    kill "$(cat "$dir/smtp/smtp.pid")" 2>/dev/null || true
  fi
  if [ -f "$dir/dovecot/dovecot.conf" ]; then
    doveadm -c "$dir/dovecot/dovecot.conf" stop 2>/dev/null || true
  fi
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl -D '$dir/pg/data' -m fast -w stop >/dev/null" || true
  fi
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: servers.sh start|stop DIR" >&2; exit 2 ;;
esac
