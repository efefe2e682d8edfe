#!/usr/bin/env bash
# The build side of docker-compose.yml, as KEY=value lines (read by compose-stack.sh and tests/docker):
#   ARTIFACTS       download | local (the ARTIFACTS setting; unset: local once `make setup` installed Spark and
#                   MinIO into .stack/, else download)
#   SPARK_IMAGE     flight-radar/spark:<version>-<artifacts>-<hash>
#   MINIO_IMAGE     flight-radar/minio:<module version>-<artifacts>-<hash>
#   HOST_CA_BUNDLE  the certificates this host trusts, a build secret of the download stages (a host behind a
#                   TLS-inspecting proxy reaches the registries only through it); an empty file when none is found
# A tag names what is inside: a hash of the Dockerfile, every build-context file it copies, spark/versions.env,
# ARTIFACTS and (local) the installed versions' stamps. Two checkouts with different Dockerfiles on one engine
# get different tags, so neither runs the other's image, and an image already built for these inputs is reused.
source "$(dirname "$0")/lib.sh"

installed=no
[ -f "$SPARK_HOME/.stamp" ] && [ -x "$MINIO_BIN" ] && [ -f "$STACK_HOME/bin/minio.stamp" ] && installed=yes
case ${ARTIFACTS:-} in
  '') ARTIFACTS=download; [ $installed = no ] || ARTIFACTS=local ;;
  download) ;;
  local) [ $installed = yes ] || fail "ARTIFACTS=local copies Spark and MinIO from .stack/, but make setup has not installed them there (it needs Java, Go, Python and Maven); use ARTIFACTS=download" ;;
  *) fail "ARTIFACTS must be download or local, got '$ARTIFACTS'" ;;
esac

# The build-context files a Dockerfile copies (COPY sources; --from= copies come from other stages, and what
# .stack/ holds is covered by its stamps).
context_files() {
  awk '$1 == "COPY" { for (i = 2; i < NF; i++) { if ($i ~ /^--from=/) next; if ($i !~ /^--/) print $i } }' "$ROOT/$1" \
    | grep -v '^\.stack/' || true
}

# content_hash DOCKERFILE [STAMP]: 12 hex digits over every input of that image.
content_hash() {
  local dockerfile=$1 stamp=${2:-} file
  {
    printf 'ARTIFACTS=%s\n' "$ARTIFACTS"
    for file in "$dockerfile" spark/versions.env $(context_files "$dockerfile"); do
      [ -f "$ROOT/$file" ] || fail "$dockerfile copies $file, which is missing"
      printf '%s %s\n' "$file" "$(sha256sum < "$ROOT/$file" | cut -c1-64)"
    done
    [ "$ARTIFACTS" != local ] || cat "$stamp"
  } | sha256sum | cut -c1-12
}

ca_bundle() {
  local f empty=$STACK_HOME/docker/no-ca-bundle.pem
  for f in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
    [ -n "$f" ] && [ -s "$f" ] && { printf '%s' "$f"; return; }
  done
  mkdir -p "$(dirname "$empty")" && : > "$empty" && printf '%s' "$empty"
}

# Computed first: a failing hash must stop the script, not print a half tag.
spark_hash=$(content_hash spark/Dockerfile "$SPARK_HOME/.stamp")
minio_hash=$(content_hash spark/minio.Dockerfile "$STACK_HOME/bin/minio.stamp")
cat <<ENV
ARTIFACTS=$ARTIFACTS
SPARK_IMAGE=flight-radar/spark:$SPARK_VERSION-$ARTIFACTS-$spark_hash
MINIO_IMAGE=flight-radar/minio:$MINIO_MODULE_VERSION-$ARTIFACTS-$minio_hash
HOST_CA_BUNDLE=$(ca_bundle)
ENV
