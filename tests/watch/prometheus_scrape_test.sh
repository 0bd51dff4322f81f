#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The watcher's metrics against Prometheus itself: `promtool check metrics` lints a scrape, then a
# real Prometheus (Debian's prometheus package) scrapes the endpoint and must report the target up
# with sysfence's series in its database.
# Usage: prometheus_scrape_test.sh SYSFENCE_BINARY
set -euo pipefail
sysfence=$1
if [ "$(id -u)" != 0 ]; then
  echo "skip: needs root (the audit stream) [feature: root]"
  exit 77
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
metrics_port=$(free_port)
"$sysfence" watch --output "$work/events.jsonl" --lock-file "$work/watch.lock" --metrics "127.0.0.1:$metrics_port" \
  2>"$work/watch.err" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$work/scrape.txt" && break; sleep 0.1; done
# A violation, so the labelled counter has a sample.
printf 'arch x86_64\ndefault allow\nerrno EPERM uname\n' >"$work/p.sfp"
"$sysfence" run --quiet --kernel-log --policy "$work/p.sfp" -- /bin/uname >/dev/null 2>&1 || true
sleep 0.5
curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$work/scrape.txt"
grep -q 'sysfence_watch_violations_total{kind="seccomp",action="errno",syscall="uname",comm="uname"' "$work/scrape.txt" ||
  { echo "FAIL: no uname violation in the scrape"; cat "$work/scrape.txt"; exit 1; }
if ! promtool check metrics <"$work/scrape.txt" >"$work/promtool.txt" 2>&1; then
  echo "FAIL: promtool check metrics"; cat "$work/promtool.txt"; exit 1
fi
echo "ok: promtool check metrics accepts the exposition"

prometheus_port=$(free_port)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sysfence
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
query() { curl -sf --get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$1"; }
for _ in $(seq 150); do
  if query 'sysfence_watch_violations_total{syscall="uname"}' 2>/dev/null | grep -q '"value"'; then
    query 'up{job="sysfence"}' | grep -q '"value":\[[0-9.]*,"1"\]' || { echo "FAIL: target not up"; exit 1; }
    echo "ok: Prometheus scraped sysfence watch: $(query 'sysfence_watch_violations_total{syscall="uname"}')"
    exit 0
  fi
  sleep 0.2
done
echo "FAIL: Prometheus never stored sysfence_watch_violations_total"
tail -20 "$work/prometheus.log"
query 'up' || true
exit 1
