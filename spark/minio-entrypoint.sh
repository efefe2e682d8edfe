#!/usr/bin/env bash
# Entry of the MinIO image (spark/minio.Dockerfile). MinIO's root keys come as compose secrets
# (/run/secrets/minio-root-*, files of the host user, owner-only there): started as root for that one read, it
# copies them into a tmpfs only minio can read, then runs MinIO as minio with every capability gone.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then
  keys=/run/minio-keys
  mkdir -p "$keys" && chmod 700 "$keys"
  for name in minio-root-user minio-root-password; do
    (umask 077 && cat "/run/secrets/$name" > "$keys/$name")
  done
  chown -R minio: "$keys"
  export MINIO_ROOT_USER_FILE=$keys/minio-root-user MINIO_ROOT_PASSWORD_FILE=$keys/minio-root-password
  exec setpriv --reuid=minio --regid=minio --clear-groups -- env HOME=/home/minio minio "$@"
fi
export MINIO_ROOT_USER_FILE=/run/secrets/minio-root-user MINIO_ROOT_PASSWORD_FILE=/run/secrets/minio-root-password
exec minio "$@"
