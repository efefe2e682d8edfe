#!/usr/bin/env bash
# The stack in docker compose (STACK=docker): compose-stack.sh up [N] | down | status, like stack.sh; and
# images (make setup on a Docker host: the images, and the Spark Connect jar npm run gen reads from the Spark one).
# Images are built from spark/Dockerfile and spark/minio.Dockerfile, only when no image of the same inputs
# exists (spark/scripts/image-env.sh names them by content); ARTIFACTS=local (the default once `make setup`
# installed Spark and MinIO into .stack/) copies those into the images, ARTIFACTS=download fetches them at
# build time. Ports are published on 127.0.0.1 at the settings' ports.
source "$(dirname "$0")/lib.sh"
load_settings

# One compose project per checkout (per STACK_HOME), so two clones on one host never share containers.
PROJECT=flight-radar-$(basename "$ROOT" | tr -c 'a-z0-9\n' - | cut -c1-20)-$(printf '%s' "$STACK_HOME" | sha256sum | cut -c1-8)
COMPOSE_ENV=$STACK_HOME/compose.env
compose() {
  docker compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" --env-file "$ROOT/spark/versions.env" --env-file "$COMPOSE_ENV" "$@"
}

# This project's running containers (by compose's label: needs no compose.env, unlike `compose ps`).
compose_ps_quiet() { docker ps -q --filter "label=com.docker.compose.project=$PROJECT"; }

require_docker() {
  docker info >/dev/null 2>&1 || fail "STACK=docker but no Docker engine answers \`docker info\`; start it, or use STACK=local"
  docker compose version >/dev/null 2>&1 \
    || fail "STACK=docker but \`docker compose\` (v2) is missing; run spark/scripts/docker-compose-plugin.sh, or use STACK=local"
}

# The settings compose interpolates. No secret: the containers read those from the owner-only files the Node step
# writes under .stack/secrets/ (compose secrets; the scripts never hold one). Owner-only all the same.
write_compose_env() {
  local images
  images=$(bash "$ROOT/spark/scripts/image-env.sh") || exit 1
  mkdir -p "$STACK_HOME"
  (umask 077 && { printf '%s\n' "$images" && cat <<ENV
SECRETS_DIR=$STACK_HOME/secrets
MINIO_ACCESS_KEY=$MINIO_ACCESS_KEY
MINIO_BUCKET=$MINIO_BUCKET
MINIO_PORT=$(port_of "$MINIO_ENDPOINT")
MINIO_CONSOLE_PORT=$MINIO_CONSOLE_PORT
SPARK_MASTER_PORT=$(port_of "$SPARK_MASTER_URL")
SPARK_MASTER_WEBUI_PORT=$SPARK_MASTER_WEBUI_PORT
SPARK_CONNECT_PORT=$(port_of "$SPARK_CONNECT_URL")
SPARK_WORKER_CORES=$SPARK_WORKER_CORES
SPARK_WORKER_MEMORY=$SPARK_WORKER_MEMORY
SPARK_EXECUTOR_MEMORY=$SPARK_EXECUTOR_MEMORY
SPARK_DRIVER_MEMORY=$SPARK_DRIVER_MEMORY
ENV
  } > "$COMPOSE_ENV.new") && mv "$COMPOSE_ENV.new" "$COMPOSE_ENV"
}

# The project's images, built when none of the same inputs exists; then a copy of the Spark Connect server jar
# out of the Spark image, for the protocol code (spark/scripts/generate-protos.mjs).
images() {
  require_docker
  write_compose_env
  local spark_image minio_image jars=$STACK_HOME/docker/jars
  spark_image=$(sed -n 's/^SPARK_IMAGE=//p' "$COMPOSE_ENV")
  minio_image=$(sed -n 's/^MINIO_IMAGE=//p' "$COMPOSE_ENV")
  if ! docker image inspect "$spark_image" "$minio_image" >/dev/null 2>&1; then
    bash "$ROOT/spark/scripts/docker-base-image.sh"
    say "images: building $spark_image and $minio_image ($(sed -n 's/^ARTIFACTS=//p' "$COMPOSE_ENV"))"
    compose build minio spark-master || fail "building the images failed (see above)"
  fi
  if [ "$(cat "$jars/.image" 2>/dev/null)" != "$spark_image" ]; then
    rm -rf "$jars" && mkdir -p "$jars"
    docker run --rm --entrypoint sh "$spark_image" -c 'cd "$SPARK_HOME/jars" && tar c spark-connect_*.jar' | tar x -C "$jars" \
      || fail "could not copy the Spark Connect jar out of $spark_image"
    printf '%s\n' "$spark_image" > "$jars/.image"
  fi
  say "images: $spark_image, $minio_image"
}

up() {
  local scale=${1:-1} t0=$SECONDS
  [[ $scale =~ ^[0-9]+$ ]] && [ "$scale" -ge 1 ] || fail "scale must be a whole number of workers >= 1, got '$scale'"
  require_docker
  hold_stack_lock
  # Published ports already held while none of this project's containers runs belong to another program.
  if [ -z "$(compose_ps_quiet)" ]; then
    fail_if_port_held minio "$(port_of "$MINIO_ENDPOINT")" "$MINIO_CONSOLE_PORT"
    fail_if_port_held spark-master "$(port_of "$SPARK_MASTER_URL")" "$SPARK_MASTER_WEBUI_PORT"
    fail_if_port_held spark-connect "$(port_of "$SPARK_CONNECT_URL")"
  fi
  echo docker > "$STACK_KIND_FILE"
  write_compose_env
  cli compose-secrets || fail "could not write the stack's secret files under $STACK_HOME/secrets (see above)"
  bash "$ROOT/spark/scripts/docker-base-image.sh"
  local failed="docker compose up failed (see above; \`docker compose -p $PROJECT logs\` has the services' output)"
  compose up -d --quiet-pull --wait --wait-timeout 300 minio || fail "$failed"
  # The root keys' only use, as on the local stack: the bucket, and the pipeline's own user granted that bucket
  # alone, through MinIO's published port.
  cli grant-bucket || fail "could not create bucket $MINIO_BUCKET and its user at $MINIO_ENDPOINT (see above)"
  compose up -d --quiet-pull --scale "spark-worker=$scale" --wait --wait-timeout 300 \
      spark-master spark-worker spark-connect || fail "$failed"
  # A master keeps a killed worker's entry for a minute: count ALIVE ones until exactly N answer.
  wait_for 120 workers workers_are "$scale" \
    || fail "the master lists $(alive_workers) ALIVE workers, expected $scale; see \`docker compose -p $PROJECT logs spark-worker\`"
  wait_for 180 connect connect_open || fail "Spark Connect did not open $SPARK_CONNECT_URL; see \`docker compose -p $PROJECT logs spark-connect\`"
  say "stack up in $((SECONDS - t0)) s (docker compose project $PROJECT, scale=$scale):"
  say "  MinIO           $MINIO_ENDPOINT  (console http://$(host_of "$MINIO_ENDPOINT"):$MINIO_CONSOLE_PORT, bucket $MINIO_BUCKET)"
  say "  Spark master    $SPARK_MASTER_URL  (web UI http://$(host_of "$SPARK_MASTER_URL"):$SPARK_MASTER_WEBUI_PORT)"
  say "  Spark workers   $scale ALIVE ($SPARK_WORKER_CORES cores, $SPARK_WORKER_MEMORY each)"
  say "  Spark Connect   $SPARK_CONNECT_URL"
}

down() {
  require_docker
  hold_stack_lock
  [ -f "$COMPOSE_ENV" ] || write_compose_env
  compose down --remove-orphans
  rm -f "$STACK_KIND_FILE"
  say "stack down (data kept in the volume ${PROJECT}_minio-data)"
}

status() {
  say "stack: docker compose (project $PROJECT)"
  docker info >/dev/null 2>&1 || { say "(no Docker engine answers)"; return 0; }
  [ -f "$COMPOSE_ENV" ] || { say "(nothing running)"; return 0; }
  local ids
  ids=$(compose ps -q 2>/dev/null)
  [ -n "$ids" ] || { say "(nothing running)"; return 0; }
  # shellcheck disable=SC2086
  docker stats --no-stream --format 'table {{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}' $ids
  compose ps --format 'table {{.Service}}\t{{.State}}\t{{.Status}}'
}

case ${1:-} in
  up) up "${2:-1}" ;;
  images) images ;;
  down) down ;;
  status) status ;;
  *) fail "usage: compose-stack.sh up [N] | down | status | images" ;;
esac
