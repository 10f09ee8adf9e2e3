#!/usr/bin/env bash
# step "what it does" CMD...: says what it is doing before a slow command, then every STEP_HEARTBEAT seconds
# (default 30) while it runs, and how long it took; fails as the command fails. Sourced by setup.sh and test.sh.
step() {
  local what=$1 start=$SECONDS pid status
  shift
  echo "[$(date +%H:%M:%S)] $what…"
  "$@" &
  pid=$!
  while ! wait_quietly "$pid" "${STEP_HEARTBEAT:-30}"; do
    echo "[$(date +%H:%M:%S)]   still $what ($((SECONDS - start)) s so far)"
  done
  status=0
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "[$(date +%H:%M:%S)] FAILED: $what (exit status $status after $((SECONDS - start)) s)" >&2
    return "$status"
  fi
  echo "[$(date +%H:%M:%S)]   done in $((SECONDS - start)) s"
}

# wait_quietly PID SECONDS: true once PID has ended, false if it still runs after SECONDS.
wait_quietly() {
  local waited=0
  while kill -0 "$1" 2>/dev/null; do
    [ "$waited" -ge "$2" ] && return 1
    sleep 1
    waited=$((waited + 1))
  done
  return 0
}
