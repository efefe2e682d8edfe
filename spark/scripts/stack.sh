#!/usr/bin/env bash
# The local stack as real processes: stack.sh up [N] | down | status | stop NAME...
# MinIO, the Spark master, N workers and the Spark Connect server, all bound to 127.0.0.1,
# with pid files and logs in .stack/. `up` is idempotent and adjusts the number of workers.
# With STACK=docker (the setting, or chosen by driver/stack-kind.ts) the same commands go to compose-stack.sh.
source "$(dirname "$0")/lib.sh"

[ "${1:-}" != up ] || check_stack_kind_for_up
load_settings
[ "$STACK" != docker ] || exec bash "$ROOT/spark/scripts/compose-stack.sh" "$@"
[ -x "$SPARK_HOME/bin/spark-class" ] && [ -x "$MINIO_BIN" ] || fail "the stack is not installed: run 'make setup' first"
# Everything the stack writes (logs, pid files, executor work folders, data) is its user's alone.
umask 077
mkdir -p "$RUN_DIR" "$LOG_DIR" "$STACK_HOME/minio-data" "$STACK_HOME/work" "$STACK_HOME/conf"
chmod 700 "$STACK_HOME" "$RUN_DIR" "$LOG_DIR" "$STACK_HOME/minio-data" "$STACK_HOME/work" "$STACK_HOME/conf"

MINIO_HOST=$(host_of "$MINIO_ENDPOINT"); MINIO_PORT=$(port_of "$MINIO_ENDPOINT")
MASTER_HOST=$(host_of "$SPARK_MASTER_URL"); MASTER_PORT=$(port_of "$SPARK_MASTER_URL")
CONNECT_HOST=$(host_of "$SPARK_CONNECT_URL"); CONNECT_PORT=$(port_of "$SPARK_CONNECT_URL")
MASTER_UI_PORT=$SPARK_MASTER_WEBUI_PORT

# start_daemon NAME PORT... -- COMMAND...: runs COMMAND in the background in its own session, pid in run/NAME.pid.
# Already running: nothing to do. A PORT already held by another program: fail naming it, rather than report
# success against a service that is not ours.
start_daemon() {
  local name=$1; shift
  local ports=()
  while [ "$1" != -- ]; do ports+=("$1"); shift; done; shift
  if pid_alive "$RUN_DIR/$name.pid"; then return 0; fi
  fail_if_port_held "$name" "${ports[@]}"
  # 9>&-: the daemon must not inherit the stack lock, or it would hold it for its whole life.
  setsid nohup "$@" >"$LOG_DIR/$name.log" 2>&1 < /dev/null 9>&- &
  write_pid_file "$RUN_DIR/$name.pid" $!
}

stop_daemon() { # stop_daemon NAME: TERM, then KILL after 15 s, the whole process group; only if still ours
  local name=$1 pidfile=$RUN_DIR/$1.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(pid_of "$pidfile")
  if pid_alive "$pidfile"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    say "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

minio_ready() { curl -fs --max-time 2 "$MINIO_ENDPOINT/minio/health/ready" >/dev/null; }

worker_ids() { for f in "$RUN_DIR"/worker-*.pid; do [ -e "$f" ] && basename "$f" .pid | sed 's/worker-//'; done | sort -n; }

up() {
  local scale=${1:-1} t0=$SECONDS
  [[ $scale =~ ^[0-9]+$ ]] && [ "$scale" -ge 1 ] || fail "scale must be a whole number of workers >= 1, got '$scale'"
  hold_stack_lock
  echo local > "$STACK_KIND_FILE"

  # Secrets reach the daemons only through these owner-only files (never a command line or an environment).
  cli stack-files SPARK_CONNECT_PORT="$CONNECT_PORT" SPARK_CONNECT_BIND_ADDRESS="$CONNECT_HOST" \
    SPARK_DRIVER_HOST=127.0.0.1 SPARK_DRIVER_BIND_ADDRESS=127.0.0.1 >/dev/null || fail "could not write the stack's configuration (see above)"
  local conf=$STACK_HOME/conf secrets=$STACK_HOME/secrets

  MINIO_ROOT_USER_FILE=$secrets/minio-root-user MINIO_ROOT_PASSWORD_FILE=$secrets/minio-root-password MINIO_BROWSER_REDIRECT=off \
    start_daemon minio "$MINIO_PORT" "$MINIO_CONSOLE_PORT" -- "$MINIO_BIN" server "$STACK_HOME/minio-data" \
      --address "$MINIO_HOST:$MINIO_PORT" --console-address "$MINIO_HOST:$MINIO_CONSOLE_PORT" --quiet
  wait_for 60 minio minio_ready || fail "MinIO did not become ready at $MINIO_ENDPOINT; see $LOG_DIR/minio.log"
  # The root keys' only use: the bucket, and the pipeline's own user granted that bucket alone.
  cli grant-bucket || fail "could not create bucket $MINIO_BUCKET and its user at $MINIO_ENDPOINT (see above)"

  start_daemon master "$MASTER_PORT" "$MASTER_UI_PORT" -- "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host "$MASTER_HOST" --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT" --properties-file "$conf/spark-daemons.conf"
  wait_for 90 master port_open "$MASTER_HOST" "$MASTER_UI_PORT" || fail "the Spark master did not start; see $LOG_DIR/master.log"

  # Workers 1..N run; any beyond N (from an earlier, larger scale) stop.
  for id in $(worker_ids); do [ "$id" -le "$scale" ] || stop_daemon "worker-$id"; done
  for id in $(seq "$scale"); do
    SPARK_WORKER_DIR=$STACK_HOME/work/worker-$id start_daemon "worker-$id" $((MASTER_UI_PORT + id)) -- \
      "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --webui-port $((MASTER_UI_PORT + id)) \
      --cores "$SPARK_WORKER_CORES" --memory "$SPARK_WORKER_MEMORY" --work-dir "$STACK_HOME/work/worker-$id" \
      --properties-file "$conf/spark-daemons.conf" "$SPARK_MASTER_URL"
  done
  wait_for 120 workers workers_are "$scale" \
    || fail "the master lists $(alive_workers) ALIVE workers, expected $scale; see $LOG_DIR/worker-*.log"

  start_daemon connect "$CONNECT_PORT" -- "$SPARK_HOME/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name "Spark Connect server" --properties-file "$conf/spark-defaults.conf" spark-internal
  wait_for 180 connect connect_open || fail "Spark Connect did not open $SPARK_CONNECT_URL; see $LOG_DIR/connect.log"

  say "stack up in $((SECONDS - t0)) s (scale=$scale):"
  say "  MinIO           $MINIO_ENDPOINT  (console http://$MINIO_HOST:$MINIO_CONSOLE_PORT, bucket $MINIO_BUCKET)"
  say "  Spark master    $SPARK_MASTER_URL  (web UI http://$MASTER_HOST:$MASTER_UI_PORT)"
  say "  Spark workers   $scale ALIVE ($SPARK_WORKER_CORES cores, $SPARK_WORKER_MEMORY each)"
  say "  Spark Connect   $SPARK_CONNECT_URL"
}

down() {
  hold_stack_lock
  # Connect first (it is an application of the master), workers, master, then MinIO last.
  stop_daemon connect
  for id in $(worker_ids); do stop_daemon "worker-$id"; done
  stop_daemon master
  stop_daemon minio
  rm -f "$STACK_KIND_FILE"
  say "stack down (data kept in $STACK_HOME/minio-data)"
}

status() {
  local name pid rss
  say "stack: local processes"
  printf '%-10s %-8s %-8s %s\n' PROCESS PID RSS_MB STATE
  for f in "$RUN_DIR"/*.pid; do
    [ -e "$f" ] || { say "(nothing running)"; return 0; }
    name=$(basename "$f" .pid); pid=$(pid_of "$f")
    if pid_alive "$f"; then
      # RSS of the whole process group: spark-class and its JVM child.
      rss=$(ps -o rss= -g "$pid" 2>/dev/null | awk '{s+=$1} END {printf "%d", s/1024}')
      printf '%-10s %-8s %-8s %s\n' "$name" "$pid" "$rss" running
    else
      printf '%-10s %-8s %-8s %s\n' "$name" "$pid" - "dead (stale pid file)"
    fi
  done
}

case ${1:-} in
  up) up "${2:-1}" ;;
  down) down ;;
  status) status ;;
  # Some daemons only (minio, master, worker-N, connect), e.g. those a test run added to a stack that was running.
  stop) shift; hold_stack_lock; for name in "$@"; do stop_daemon "$name"; done ;;
  *) fail "usage: stack.sh up [N] | down | status | stop NAME..." ;;
esac
