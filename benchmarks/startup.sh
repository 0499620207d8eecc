#!/usr/bin/env bash
# Start-up benchmark of the ./portolan commands (issue 19): each row is the median of RUNS whole-process runs with
# the median peak RSS, beside `ss -ltnp` as the baseline. Prints figures, asserts nothing.
#   benchmarks/startup.sh [RUNS]          (default 5; Linux: GNU time, ss, setsid; `app` rows need Xvfb or a display)
# Environment: PORTOLAN=<path of the portolan script to measure> (default: this checkout's), SKIP_APP=1 skips the
# product rows, ONLY_APP=1 runs only them, XVFB_PER_START=1 starts the product through xvfb-run each time (without a
# DISPLAY the rows otherwise share one Xvfb, started before them). The product must be built (./portolan build).
# Ports used: 24700-24712 (busy/free range, discover with no backend), 24750 (backend, feed) and 24790-24799 (the
# product's sidecar).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PORTOLAN="${PORTOLAN:-$ROOT/portolan}"
RUNS="${1:-5}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/portolan-bench.XXXXXX")"
BACKEND_PID="" XVFB_PID=""
cleanup() {
  [ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export XDG_STATE_HOME="$WORK/state" XDG_RUNTIME_DIR="$WORK/run" PORTOLAN_LOCK_DIR="$WORK/locks"
mkdir -p "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
PRODUCT="$(dirname "$PORTOLAN")/releng/dev.portolan.product/target/products/dev.portolan.product/linux/gtk/x86_64"

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
load1() { cut -d' ' -f1 /proc/loadavg; } # the 1-minute load average after a row: a row measured under load says so
now_ms() { echo $(( ${EPOCHREALTIME/[.,]/} / 1000 )); } # bash 5: no date process
# The harness never polls while a row is timed: its waits block on a FIFO (read -t) rather than sleep + grep in a loop,
# whose process starts (hundreds per second) took a 2-core machine's CPU from the command measured
# (docs/performance.md, "Seventh round").

row() { # row LABEL COMMAND...: medians of wall ms, CPU ms (user+sys) and peak RSS MiB of RUNS runs (after a warm-up run)
  local label="$1"; shift
  local t0 t1 walls="" cpus="" rss=""
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    t0=$(now_ms)
    /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    t1=$(now_ms)
    walls="$walls$((t1 - t0))"$'\n'
    read -r u s m < <(tail -n 1 "$WORK/time")
    cpus="$cpus$(awk -v u="$u" -v s="$s" 'BEGIN {print int((u + s) * 1000)}')"$'\n'
    rss="$rss$((m / 1024))"$'\n'
  done
  printf '%-58s %8s ms %8s ms %6s MiB %6s\n' "$label" "$(printf '%s' "$walls" | median)" "$(printf '%s' "$cpus" | median)" \
    "$(printf '%s' "$rss" | median)" "$(load1)"
}

stop_group() { # stop_group PID: SIGTERM to the process group PID leads (setsid), SIGKILL after 20 s; waits for PID
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

tree_pids() { # tree_pids PID: PID and all its descendants
  local c
  echo "$1"
  for c in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$c"; done
}

first_line_ms() { # starts COMMAND in the background; prints ms until its first stdout line, the CPU ms its process
  # tree used until then (user + system, children included: the script and its JVM) and the largest peak RSS in it
  local t0 t1="" pid hwm=0 cpu=0 p c m line
  rm -f "$WORK/first.fifo"; mkfifo "$WORK/first.fifo"
  t0=$(now_ms)
  "$@" > "$WORK/first.fifo" 2>/dev/null < <(sleep 30) &
  pid=$!
  exec 3< "$WORK/first.fifo" # held open until the command is stopped: its later output never meets a closed pipe
  IFS= read -r -t 60 line <&3 && t1=$(now_ms)
  for p in $(tree_pids "$pid"); do
    c=$(awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print int(($12 + $13 + $14 + $15) * 1000 / hz)}' "/proc/$p/stat" 2>/dev/null || echo 0)
    m=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$p/status" 2>/dev/null || echo 0)
    cpu=$((cpu + ${c:-0})); [ "${m:-0}" -gt "$hwm" ] && hwm=$m
  done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  exec 3<&-
  if [ -n "$t1" ]; then echo "$((t1 - t0)) $cpu $hwm"; else echo "- - -"; fi
  rm -f "$WORK/first.fifo"
}

announce_row() { # row for a process that keeps running: start -> its first stdout line (a backend's announcement)
  local label="$1"; shift
  local w c m walls="" cpus="" rss=""
  first_line_ms "$@" >/dev/null
  for _ in $(seq "$RUNS"); do
    read -r w c m < <(first_line_ms "$@")
    walls="$walls$w"$'\n'; cpus="$cpus$c"$'\n'; rss="$rss$m"$'\n'
  done
  printf '%-58s %8s ms %8s ms %6s MiB %6s\n' "$label" "$(printf '%s' "$walls" | median)" "$(printf '%s' "$cpus" | median)" \
    "$(printf '%s' "$rss" | median)" "$(load1)"
}

"$PORTOLAN" ports >/dev/null 2>&1 || true # builds what is missing, picks (and caches) a JDK: the probes use the same
JAVA_HOME="${JAVA_HOME:-$(head -n 1 "${XDG_CACHE_HOME:-$HOME/.cache}/portolan/jdk" 2>/dev/null || true)}"
[ -x "$JAVA_HOME/bin/java" ] || { echo "set JAVA_HOME to a JDK 21+" >&2; exit 2; }
echo "# $(date -u +%FT%TZ)  $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs per row, JDK $JAVA_HOME"
printf '%-58s %11s %11s %10s %6s\n' "what" "wall" "CPU" "peak RSS" "load"
if [ "${ONLY_APP:-}" != 1 ]; then
row "ss -ltnp (baseline)" ss -ltnp
row "./portolan version (script only, no JVM)" "$PORTOLAN" version
row "./portolan ports --json (13 ports)" "$PORTOLAN" ports --json
row "PORTOLAN_CLI=osgi ./portolan ports --json (Equinox)" env PORTOLAN_CLI=osgi "$PORTOLAN" ports --json
row "./portolan discover --json, no backend" env PORTOLAN_PORT_RANGE=24700-24712 "$PORTOLAN" discover --json --timeout 2s

# a backend for discover: the sample backend, standalone, on a port of its own
"$PORTOLAN" api --standalone --range 24750-24750 > "$WORK/backend.out" 2>&1 &
BACKEND_PID=$!
until grep -q port_info "$WORK/backend.out" 2>/dev/null; do sleep 0.05; done
export PORTOLAN_PORT_RANGE=24750-24750
row "./portolan discover --json, backend running" "$PORTOLAN" discover --json
row "PORTOLAN_CLI=osgi ./portolan discover --json, backend running" env PORTOLAN_CLI=osgi "$PORTOLAN" discover --json
row "./portolan list --json (1 registered backend, verified)" "$PORTOLAN" list --json
kill "$BACKEND_PID"; wait "$BACKEND_PID" 2>/dev/null || true; BACKEND_PID=""
unset PORTOLAN_PORT_RANGE
row "./portolan list --json (registry empty)" "$PORTOLAN" list --json
row "./portolan metrics, no feed running (exit 16)" "$PORTOLAN" metrics

# a front end serving the event feed: run --feed (Equinox) with the sample backend as its sidecar
"$PORTOLAN" run --feed -- "$PORTOLAN" api --range 24750-24750 > "$WORK/run.out" 2> "$WORK/run.err" < /dev/null &
BACKEND_PID=$!
deadline=$(( $(now_ms) + 120000 ))
until ls "$XDG_STATE_HOME"/portolan/feeds/feed-*.json >/dev/null 2>&1 && grep -q port_info "$WORK/run.out" 2>/dev/null \
    || [ "$(now_ms)" -gt "$deadline" ]; do sleep 0.1; done
row "./portolan metrics (front end with feed running)" "$PORTOLAN" metrics
announce_row "./portolan watch --json: start -> first line (snapshot)" "$PORTOLAN" watch --json
kill "$BACKEND_PID"; wait "$BACKEND_PID" 2>/dev/null || true; BACKEND_PID=""

announce_row "./portolan api: start -> announcement line" "$PORTOLAN" api --range 24700-24712
if /usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null; then
  announce_row "python example: start -> announcement line" /usr/bin/python3 "$ROOT/examples/python-fastapi/main.py"
fi

# the port finder (from the product's bundles, plain JVM)
CP="$(ls "$PRODUCT"/plugins/dev.portolan.api_*.jar | tail -n 1):$(ls "$PRODUCT"/plugins/dev.portolan.ports_*.jar | tail -n 1)"
mkdir -p "$WORK/probe"
"$JAVA_HOME/bin/javac" -d "$WORK/probe" -cp "$CP" "$HERE/startup/FinderProbe.java"
probe() { "$JAVA_HOME/bin/java" -cp "$CP:$WORK/probe" FinderProbe "$@"; }
first_call_row() { # first_call_row LABEL PROBE: medians of 3 x RUNS first calls, each in a fresh JVM, of the finder
  # and of the raw bind, interleaved, run by the function PROBE (one first call is ~0.1 s of process; its figure varies
  # by a fifth from run to run here, so the row takes three times the runs of the others)
  local label="$1" finder="" raw="" f r
  for _ in $(seq $((RUNS * 3))); do
    finder="$finder$("$2" first-finder 24700 24712)"$'\n'; raw="$raw$("$2" first-raw 24700 24712)"$'\n'
  done
  f=$(printf '%s' "$finder" | median); r=$(printf '%s' "$raw" | median)
  printf '%-58s %8s µs  (raw ServerSocketChannel bind %s µs: %s×)\n' "$label" "$f" "$r" \
    "$(awk -v a="$f" -v b="$r" 'BEGIN {printf "%.2f", a/b}')"
}
first_call_row "port finder: first call in a fresh JVM" probe
# the same with the classes from a class archive trained on one first call, as ./portolan api maps one (JDK 25+: an
# AOT cache, else AppCDS); both probes map the same archive. Archives need jars: the probe is packed into one
"$JAVA_HOME/bin/jar" cf "$WORK/probe.jar" -C "$WORK/probe" .
if "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$WORK/probe.aot" -Xlog:disable -cp "$CP:$WORK/probe.jar" FinderProbe \
    first-finder 24700 24712 >/dev/null 2>&1 && [ -s "$WORK/probe.aot" ]; then
  archive=(-XX:AOTCache="$WORK/probe.aot")
else
  "$JAVA_HOME/bin/java" -XX:ArchiveClassesAtExit="$WORK/probe.jsa" -Xlog:disable -cp "$CP:$WORK/probe.jar" FinderProbe \
    first-finder 24700 24712 >/dev/null 2>&1
  archive=(-XX:SharedArchiveFile="$WORK/probe.jsa")
fi
archived() { "$JAVA_HOME/bin/java" "${archive[@]}" -Xlog:disable -cp "$CP:$WORK/probe.jar" FinderProbe "$@"; }
first_call_row "port finder: first call, classes from a class archive" archived
floor_row() { # floor_row LABEL FINDER-µs RAW-µs
  printf '%-58s %8s µs  (raw floor %s µs: %s×)\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.2f", a/b}')"
}
read -r fa ra fo ro fu fuo fr fro < <(probe fallback 24700 24712 2001)
# the raw floor opens a socket for each port, as the issue measured it; the finder's scan tries every port with one
floor_row "port finder: whole range busy (OS-assigned fallback)" "$fa" "$ra"
floor_row "port finder: one port left" "$fo" "$ro"
# the same finder without its lock files (PortFinders.builder().withoutCrossProcessLocks()): what the lock before each
# bind, which keeps a leased port from ever being bound, costs on these paths
floor_row "  the same, whole range busy, without lock files" "$fu" "$ra"
floor_row "  the same, one port left, without lock files" "$fuo" "$ro"
# against a raw loop that also tries every port with one socket: the lower floor, which the lock files' fcntl calls
# (two per busy port) stand out against
floor_row "  finder against a one-socket raw loop, whole range busy" "$fa" "$fr"
floor_row "  finder against a one-socket raw loop, one port left" "$fo" "$fro"
floor_row "  without lock files, one-socket raw loop, range busy" "$fu" "$fr"
floor_row "  without lock files, one-socket raw loop, one port left" "$fuo" "$fro"
fi

if [ "${SKIP_APP:-}" != 1 ]; then
  app_once() { # ms from start to '[portolan] endpoint: AVAILABLE' (a range of its own: nothing else is adopted);
    # app_once window: stops it only once its window has opened (the warm-up run: the class archive the product writes
    # at its first exit after a build then holds the workbench's classes too, as after a user's first session)
    local t0 t1="" pid line drain
    rm -rf "$XDG_STATE_HOME/portolan"
    rm -f "$WORK/app.fifo" "$WORK/app.out"; mkfifo "$WORK/app.fifo"
    t0=$(now_ms)
    PORTOLAN_PORT_RANGE=24790-24799 setsid "$PORTOLAN" app > "$WORK/app.fifo" 2>&1 < /dev/null &
    pid=$!
    exec 4< "$WORK/app.fifo"
    while IFS= read -r -t 60 line <&4; do # each line as it comes, no polling
      printf '%s\n' "$line" >> "$WORK/app.out"
      case "$line" in *"endpoint: AVAILABLE"*) t1=$(now_ms); break ;; esac
    done
    cat <&4 >> "$WORK/app.out" & # the rest, until the product's output closes
    drain=$!
    if [ "${1:-}" = window ]; then
      local deadline=$((t0 + 60000))
      until grep -q "workbench window opened" "$WORK/app.out" 2>/dev/null || [ "$(now_ms)" -gt "$deadline" ]; do sleep 0.05; done
    fi
    # the product's JVM first, as closing its window would (its first exit after a build writes the product's class
    # archive: ./portolan app), then the rest of the group (the script, xvfb-run, Xvfb)
    pkill -TERM -s "$pid" -x java 2>/dev/null || true
    for _ in $(seq 200); do pgrep -s "$pid" -x java >/dev/null || break; sleep 0.1; done
    stop_group "$pid"
    kill "$drain" 2>/dev/null || true; wait "$drain" 2>/dev/null || true
    exec 4<&-
    if [ -n "$t1" ]; then echo "$((t1 - t0))"; fi
  }
  app_label="./portolan app: start -> backend AVAILABLE"
  if [ -z "${DISPLAY:-}" ] && [ "${XVFB_PER_START:-}" != 1 ] && command -v Xvfb >/dev/null 2>&1; then
    # one X server for all product starts, up before them as a desktop session's is; without it ./portolan app starts
    # one per run through xvfb-run (~0.2 s more per start; XVFB_PER_START=1 measures that way, as rounds 1-7 did)
    rm -f "$WORK/x.fifo"; mkfifo "$WORK/x.fifo"
    Xvfb -displayfd 6 -screen 0 1280x1024x24 -nolisten tcp 6> "$WORK/x.fifo" 2>/dev/null &
    XVFB_PID=$!
    if read -r -t 10 display < "$WORK/x.fifo"; then export DISPLAY=":$display"; app_label="$app_label (X running)"
    else kill "$XVFB_PID" 2>/dev/null; XVFB_PID=""; fi
  fi
  [ -z "${DISPLAY:-}" ] && app_label="$app_label (xvfb-run)"
  app_once window >/dev/null
  walls=""
  for _ in $(seq "$RUNS"); do w="$(app_once)"; [ -n "$w" ] && walls="$walls$w"$'\n'; done
  printf '%-58s %8s ms %25s\n' "$app_label" "$(printf '%s' "$walls" | median)" "$(load1)"
fi
