# Shared by the stack scripts: paths, pinned versions, logging, process helpers. Sourced, never run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_HOME=${STACK_HOME:-$ROOT/.stack}
# shellcheck source=../versions.env
source "$ROOT/spark/versions.env"
SPARK_HOME=$STACK_HOME/spark
MINIO_BIN=$STACK_HOME/bin/minio
RUN_DIR=$STACK_HOME/run
LOG_DIR=$STACK_HOME/logs
CREDENTIALS_FILE=$STACK_HOME/credentials.env
# The kind of the running stack (local|docker), so down and status reach what up started.
STACK_KIND_FILE=$RUN_DIR/stack.kind
export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR=$LOG_DIR SPARK_PID_DIR=$RUN_DIR
# Spark's own scripts must not pick up another Spark's settings from the environment.
unset SPARK_CONF_DIR PYSPARK_PYTHON 2>/dev/null || true

say() { printf '%s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Effective settings (env > config.ini > generated credentials > defaults), from the one zod schema. Secrets are
# left out: the scripts never hold one; the Node steps that need them read them and write owner-only files.
load_settings() {
  local out
  out=$(cd "$ROOT" && node --import tsx driver/cli.ts env scope=public) || fail "the settings above are invalid; fix them and retry"
  set -a; eval "$out"; set +a
}

# make up refuses a STACK other than the running one's rather than start a second stack.
check_stack_kind_for_up() { (cd "$ROOT" && node --import tsx driver/cli.ts stack for=up >/dev/null) || exit 2; }

cli() { (cd "$ROOT" && node --import tsx driver/cli.ts "$@"); }

host_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u%:*}"; }
port_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u##*:}"; }

# A pid file holds "PID START" (START: the process's start time in clock ticks since boot, /proc/PID/stat field
# 22), so a pid the kernel has since given to another program is never taken for ours.
start_time_of() { local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; stat=${stat##*) }; set -- $stat; printf '%s' "${20}"; }
write_pid_file() { printf '%s %s\n' "$2" "$(start_time_of "$2")" > "$1"; }
pid_of() { local pid _; read -r pid _ < "$1" && printf '%s' "$pid"; }
pid_alive() {
  local pid start
  [ -f "$1" ] && read -r pid start < "$1" || return 1
  [ -n "$pid" ] && [ -n "$start" ] && [ "$(start_time_of "$pid")" = "$start" ]
}

# The program listening on 127.0.0.1:PORT (name and pid), empty if none or unknown.
listener_of() { ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -1 | tr -d '"' | sed 's/,pid=/ (pid /; s/$/)/'; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Two `make up`/`make down` at once (either stack kind) would both see "not running" and double-start: one at a
# time, bounded wait. Fd 9 holds the lock until the script exits; daemons started meanwhile must close it (9>&-).
hold_stack_lock() {
  mkdir -p "$RUN_DIR" && exec 9>>"$RUN_DIR/stack.lock"
  flock -n 9 && return 0
  say "waiting for another make up/down of this stack to finish..."
  flock -w 900 9 || fail "another make up/down of this stack still runs after 15 minutes (lock $RUN_DIR/stack.lock)"
}

# fail_if_port_held NAME PORT...: a port already held by another program fails naming it, rather than let a
# start-up report success against a service that is not ours.
fail_if_port_held() {
  local name=$1 port holder; shift
  for port in "$@"; do
    if port_open 127.0.0.1 "$port"; then
      holder=$(listener_of "$port")
      fail "port $port (for $name) is already held by ${holder:-another program}; stop it or choose other ports in config.ini"
    fi
  done
}

# What `up` waits for, on either kind of stack (the settings as load_settings left them): the master's count of
# ALIVE workers (0 when it does not answer), and the Spark Connect port open.
alive_workers() {
  curl -fsSL --max-time 3 "http://$(host_of "$SPARK_MASTER_URL"):$SPARK_MASTER_WEBUI_PORT/json/" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).workers.filter(w=>w.state==="ALIVE").length)}catch{console.log(0)}})'
}
workers_are() { [ "$(alive_workers)" = "$1" ]; }
connect_open() { port_open "$(host_of "$SPARK_CONNECT_URL")" "$(port_of "$SPARK_CONNECT_URL")"; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}
