#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 30), one after another.
#
#   Tests/Fuzz/run.sh 30
#
#   mime     Shared/CGMimeShim/shim.c (fl_parse_message/fl_free_message) on arbitrary bytes
#   address  EmailAddress.init? with its invariants (no CR/LF/NUL/space/quote, re-parse stable)
#   text     HTMLText.readable and ReplyTrimmer.trim (a slow input fails as a timeout)
#
# Binaries, the growing corpus and any crash inputs go to $FUZZ_SCRATCH (default
# Tests/Fuzz/.scratch, ignored by git); seeds/ is only read. Prints executions, coverage and
# corpus size per target; exits non-zero when a target crashes, leaks or times out.
set -euo pipefail

seconds="${1:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scratch="${FUZZ_SCRATCH:-$here/.scratch}"
targets="${FUZZ_TARGETS:-mime address text}"
toolchain="$(dirname "$(command -v swiftc)")"
mkdir -p "$scratch"

build() {
    case "$1" in
    mime)
        # shellcheck disable=SC2046 # pkg-config output is meant to split into flags
        "$toolchain/clang" -fuse-ld=lld -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
            -I "$root/Shared/CGMimeShim/include" $(pkg-config --cflags gmime-3.0) \
            "$here/fuzz_mime.c" "$root/Shared/CGMimeShim/shim.c" $(pkg-config --libs gmime-3.0) \
            -o "$scratch/fuzz-mime"
        ;;
    address)
        "$toolchain/swiftc" -sanitize=fuzzer,address -parse-as-library -O -g \
            "$here/fuzz_address.swift" "$root/Shared/FrontlineMail/EmailAddress.swift" \
            -module-cache-path "$scratch/module-cache" -o "$scratch/fuzz-address"
        ;;
    text)
        "$toolchain/swiftc" -sanitize=fuzzer,address -parse-as-library -O -g \
            "$here/fuzz_text.swift" "$root/Shared/FrontlineMail/HTMLText.swift" "$root/Shared/FrontlineMail/ReplyTrimmer.swift" \
            -module-cache-path "$scratch/module-cache" -o "$scratch/fuzz-text"
        ;;
    esac
}

max_len() {
    case "$1" in
    mime) echo 32768 ;;
    address) echo 600 ;;
    text) echo 32768 ;;
    esac
}

failed=()
summary=()
for target in $targets; do
    echo "== building $target"
    if ! build "$target" >"$scratch/build-$target.log" 2>&1; then
        cat "$scratch/build-$target.log"
        echo "$target: build failed"
        exit 2
    fi
    corpus="$scratch/corpus-$target"
    mkdir -p "$corpus"
    log="$scratch/$target.log"
    echo "== running $target for ${seconds}s"
    status=0
    # The first folder receives new inputs; the seeds are read only. -timeout: one input
    # taking longer than 10 s is a failure (for text, the sign of a quadratic case).
    # G_DEBUG: a GLib or GMime "CRITICAL" (an API used against its contract) aborts, so it
    # counts as a crash with its input saved instead of scrolling past in the log.
    G_DEBUG=fatal-criticals "$scratch/fuzz-$target" -max_total_time="$seconds" -timeout=10 -max_len="$(max_len "$target")" \
        -print_final_stats=1 -artifact_prefix="$scratch/$target-" \
        "$corpus" "$here/seeds/$target" >"$log" 2>&1 || status=$?
    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
    executions="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)"
    coverage="$(sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+).*/cov \1, features \2/p' <<<"$done_line")"
    corpus_size="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$done_line")"
    line="$target: ${executions:-?} executions, ${coverage:-cov ?}, corpus ${corpus_size:-?} (inputs/bytes)"
    if [ "$status" -ne 0 ]; then
        line="$line — FAILED (exit $status), see $log and $scratch/$target-*"
        failed+=("$target")
        grep -E 'ERROR|SUMMARY|Fatal error|Test unit written' "$log" | head -n 10 || true
    fi
    echo "$line"
    summary+=("$line")
done

echo
echo "== fuzz summary (${seconds}s each)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
