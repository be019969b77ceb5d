#!/usr/bin/env bash
# Refreshes the web console's screenshots in docs/console/ (or the folder given): runs the
# browser test (Integration.ConsoleBrowser) against real servers, which saves each page at
# desktop (1280 px) and phone (390 px) width as it goes.
set -euo pipefail
cd "$(dirname "$0")/../.."

export FRONTLINE_CONSOLE_SCREENSHOTS=${1:-docs/console}
mkdir -p "$FRONTLINE_CONSOLE_SCREENSHOTS"
deploy/local/test.sh --filter Integration.ConsoleBrowser
echo "screenshots in $FRONTLINE_CONSOLE_SCREENSHOTS:"
ls -1 "$FRONTLINE_CONSOLE_SCREENSHOTS"
