#!/usr/bin/env bash
# Run `make test` RUNS times in a row while two busy loops keep both cores at
# 100 % (CI may share its 2 cores with other work; a test that fails only
# under load is a real bug). Prints one line per run; exits non-zero if any
# run failed. Logs: ${LOGDIR:-/tmp}/test-under-load-N.log
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-${1:-5}}
LOGDIR=${LOGDIR:-/tmp}
mkdir -p "$LOGDIR"
python3 -c "while True: pass" & busy1=$!
python3 -c "while True: pass" & busy2=$!
trap 'kill $busy1 $busy2 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$RUNS"); do
  start=$(date +%s)
  make test > "$LOGDIR/test-under-load-$i.log" 2>&1
  rc=$?
  [ $rc -ne 0 ] && failed=1
  echo "run $i: exit $rc in $(( $(date +%s) - start )) s: $(grep -E '(passed|failed)' "$LOGDIR/test-under-load-$i.log" | tail -1)"
done
exit $failed
