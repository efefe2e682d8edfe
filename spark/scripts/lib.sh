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

# Effective settings (env > config.ini > generated credentials > defaults), from the one zod schema.
load_settings() {
  local out
  out=$(cd "$ROOT" && node --import tsx driver/cli.ts env) || fail "the settings above are invalid; fix them and retry"
  set -a; eval "$out"; set +a
}

# make up refuses a STACK other than the running one's rather than start a second stack.
check_stack_kind_for_up() { (cd "$ROOT" && node --import tsx driver/cli.ts stack for=up >/dev/null) || exit 2; }

host_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u%:*}"; }
port_of() { local u=${1#*://}; u=${u%%/*}; printf '%s' "${u##*:}"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}
