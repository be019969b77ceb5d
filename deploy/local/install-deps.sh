#!/usr/bin/env bash
# Installs the Debian packages Frontline builds against and the servers its tests and local
# run start. Does nothing when everything is there already. `--tests` adds what only the tests
# need (a headless browser, promtool), so that deploy/local/up.sh never installs one.
set -euo pipefail

packages=(
  pkg-config curl
  openssl ca-certificates                         # the local CA for TLS tests; the system's trust store
  libhiredis-dev libcurl4-openssl-dev libpq-dev   # the C libraries behind the bridges
  libgmime-3.0-dev                                # MIME parsing
  dovecot-imapd                                   # IMAP
  redis-server redis-tools                        # Redis, redis-cli, redis-benchmark
  postgresql postgresql-contrib                   # PostgreSQL 15, pgbench
  python3-aiosmtpd                                # an SMTP server that keeps what it receives
  libxlsxwriter-dev                               # the XLSX report
  python3-openpyxl                                # reads the report back in the tests
  python3-venv                                    # deploy/validate.sh installs its validators in one
  libldap-dev                                     # the LDAP directory adapter
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium chromium-driver)           # the console's browser test (Selenium drives it)
  packages+=(prometheus)                         # promtool: deploy/observability/check.sh
  packages+=(slapd)                              # the directory test's own OpenLDAP server
  packages+=(request-tracker5 rt5-standalone rt5-db-sqlite)  # the Request Tracker test's own RT 5 (SQLite)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged servers; Frontline runs its own on other ports.
fi
