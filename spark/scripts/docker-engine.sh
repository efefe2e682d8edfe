#!/usr/bin/env bash
# Prepares a Docker engine for the compose stack and the testcontainers suite (called by .ci/run; safe to
# run again): installs docker.io when dockerd is missing (Debian, as root), starts dockerd when no engine
# answers, builds the compose v2 plugin when missing and the base image when it cannot be pulled.
# dockerd runs without iptables/NAT (hosts that allow no bridge NAT): containers reach each other by name,
# published ports work on 127.0.0.1, and builds that need the network use the host's.
source "$(dirname "$0")/lib.sh"
started=$SECONDS
mkdir -p "$LOG_DIR" && chmod 700 "$LOG_DIR"
# Everything under .stack/ is owner-only (tests/stack/security.test.ts); the logs are created so before anything
# writes to them, since dockerd itself must keep its default umask for the files it makes.
for log in docker-install.log dockerd.log; do install -m 600 /dev/null "$LOG_DIR/$log"; done
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || fail "no Docker engine and cannot install one (needs root and apt-get)"
    say "docker: installing docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io > "$LOG_DIR/docker-install.log" 2>&1 \
      || { apt-get update -q > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io > "$LOG_DIR/docker-install.log" 2>&1; } \
      || fail "apt-get install docker.io failed; see $LOG_DIR/docker-install.log"
  fi
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and starting dockerd needs root"
  say "docker: starting dockerd (log: $LOG_DIR/dockerd.log)"
  setsid nohup dockerd --iptables=false --ip-forward=false --ip-masq=false >> "$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_for 60 dockerd docker info >/dev/null 2>&1 || fail "dockerd did not answer within 60 s; see $LOG_DIR/dockerd.log"
fi
say "docker: engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) answers"
bash "$ROOT/spark/scripts/docker-compose-plugin.sh"
bash "$ROOT/spark/scripts/docker-base-image.sh"
say "docker: ready in $((SECONDS - started)) s"
