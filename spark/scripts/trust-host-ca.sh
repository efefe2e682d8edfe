#!/bin/sh
# Inside a build stage that downloads (spark/Dockerfile, spark/minio.Dockerfile): trust the certificates the
# host trusts too (the build secret host-ca, spark/scripts/image-env.sh), so a host behind a TLS-inspecting
# proxy builds as it downloads. Only throw-away stages run it: the images keep their own certificates.
set -eu
bundle=/run/secrets/host-ca
[ -s "$bundle" ] || exit 0
dir=/usr/local/share/ca-certificates/host
mkdir -p "$dir"
# One certificate per file: update-ca-certificates (and Java's keystore hook, ca-certificates-java) read one each.
awk -v dir="$dir" '/-----BEGIN CERTIFICATE-----/ { n++; keep = 1 } keep { print > (dir "/" n ".crt") } /-----END CERTIFICATE-----/ { keep = 0; close(dir "/" n ".crt") }' "$bundle"
update-ca-certificates > /dev/null 2>&1
