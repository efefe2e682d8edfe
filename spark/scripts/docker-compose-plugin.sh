#!/usr/bin/env bash
# Builds the docker compose v2 CLI plugin from the Go module proxy when `docker compose` is missing, and installs
# it where the docker CLI looks for user plugins (${DOCKER_CONFIG:-~/.docker}/cli-plugins). The build and its Go
# caches stay in the ignored .stack/ folder, so a second run is a copy. `go install` refuses compose's module
# (its go.mod has exclude lines), hence download + build inside a copy of the module.
source "$(dirname "$0")/lib.sh"
if docker compose version >/dev/null 2>&1; then
  say "compose: $(docker compose version --short 2>/dev/null || echo present)"
  exit 0
fi
command -v go >/dev/null 2>&1 || fail "docker compose v2 is missing and Go is not installed to build it. Install the docker compose plugin (or Go 1.24+)."
out=$STACK_HOME/docker/compose-$COMPOSE_VERSION/docker-compose
if [ ! -x "$out" ]; then
  say "compose: building $COMPOSE_VERSION from the Go module proxy (about 3 minutes cold)"
  export GOPATH=$STACK_HOME/go GOMODCACHE=$STACK_HOME/go/mod GOCACHE=$STACK_HOME/go/cache GOFLAGS=-modcacherw
  log=$LOG_DIR/compose-build.log
  mkdir -p "$LOG_DIR" && install -m 600 /dev/null "$log" # owner-only, like everything under .stack/logs
  src=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" 2>"$log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { tail -20 "$log" >&2; fail "go mod download github.com/docker/compose/v2@$COMPOSE_VERSION failed (log above)"; }
  work=$STACK_HOME/docker/compose-src
  rm -rf "$work" && mkdir -p "$(dirname "$out")" && cp -r "$src" "$work" && chmod -R u+w "$work"
  (cd "$work" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$out.tmp" ./cmd) >>"$log" 2>&1 \
    || { tail -20 "$log" >&2; fail "building docker compose $COMPOSE_VERSION failed (log above)"; }
  mv "$out.tmp" "$out" && rm -rf "$work"
fi
plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
mkdir -p "$plugins" && cp "$out" "$plugins/docker-compose"
docker compose version >/dev/null 2>&1 || fail "installed $plugins/docker-compose but \`docker compose version\` still fails"
say "compose: $COMPOSE_VERSION installed into $plugins"
