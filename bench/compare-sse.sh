#!/usr/bin/env bash
# Runs moonpane-bench sse side by side with the peer SSE decoders on the same synthetic stream,
# in one run, and prints every JSON line plus the ratios.
#
#   bench/compare-sse.sh [PEERS_DIR] [CHUNKS]
#
# PEERS_DIR holds the peer benchmark (gen-stream.mjs, peer-sse.mjs, package.json with the pinned
# openai and eventsource-parser packages); default ../shared/bench/peers next to this checkout.
# Needs node and npm. Builds the release preset first.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=$(realpath "${1:-../shared/bench/peers}")
chunks=${2:-100000}
[ -f "$peers/peer-sse.mjs" ] || { echo "no peer benchmark in $peers" >&2; exit 2; }

source scripts/lib.sh
moonpane_install_missing "${MOONPANE_BUILD_PACKAGES[@]}"
moonpane_build release >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$peers/." "$work/peers/" 2>/dev/null || { mkdir -p "$work/peers"; cp -r "$peers/." "$work/peers/"; }
(cd "$work/peers" && npm ci --silent --no-audit --no-fund >/dev/null)
node "$work/peers/gen-stream.mjs" --chunks "$chunks" --out "$work/stream.sse" 2>/dev/null
cat "$work/stream.sse" >/dev/null # warm the page cache for everyone

ours=$(build/release/bench/moonpane-bench sse --input "$work/stream.sse" --repeat 5 | tail -n1)
wired=$(build/release/bench/moonpane-bench sse --input "$work/stream.sse" --repeat 5 --wire | tail -n1)
openai=$(node "$work/peers/peer-sse.mjs" --parser openai --input "$work/stream.sse" --repeat 5 | tail -n1)
esp=$(node "$work/peers/peer-sse.mjs" --parser eventsource-parser --input "$work/stream.sse" --repeat 5 | tail -n1)
echo "$ours"
echo "$wired"
echo "$openai"
echo "$esp"
node -e '
  const [ours, wired, openai, esp] = process.argv.slice(1).map(JSON.parse);
  console.log(JSON.stringify({ratio_vs_openai: +(ours.mb_per_s / openai.mb_per_s).toFixed(1),
                              ratio_vs_eventsource_parser: +(ours.mb_per_s / esp.mb_per_s).toFixed(1),
                              wire_ratio_vs_openai: +(wired.mb_per_s / openai.mb_per_s).toFixed(1),
                              wire_cost: +(1 - wired.mb_per_s / ours.mb_per_s).toFixed(3)}));
' "$ours" "$wired" "$openai" "$esp"
