#!/usr/bin/env bash
# Makes $BASE_IMAGE (spark/versions.env) available to the Docker engine. An engine that can pull gets it the
# usual way; one that cannot (no registry reachable) gets it built from this machine's Debian packages:
# debootstrap a minimal $DEBIAN_SUITE from the mirror in the machine's apt sources, then `docker import`.
source "$(dirname "$0")/lib.sh"
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && { say "base image: $BASE_IMAGE present"; exit 0; }
say "base image: pulling $BASE_IMAGE"
if timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then say "base image: $BASE_IMAGE pulled"; exit 0; fi

# The first apt source that serves the suite, one-line (sources.list) or deb822 (*.sources) format.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && awk -v s="$DEBIAN_SUITE" '$1=="deb" { for (i=2;i<NF;i++) if ($i !~ /^\[/ && $(i+1)==s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && awk -v s="$DEBIAN_SUITE" '
      /^[[:space:]]*$/ { if (ok && uri) { print uri; exit } ok=0; uri="" ; next }
      /^URIs:/ { uri=$2 }
      /^Suites:/ { for (i=2;i<=NF;i++) if ($i==s) ok=1 }
      END { if (ok && uri) print uri }' "$f"
  done
}
mirror=$(debian_mirror | head -1)
[ -n "$mirror" ] || fail "cannot pull $BASE_IMAGE and found no apt source for Debian $DEBIAN_SUITE to build it from"
command -v debootstrap >/dev/null 2>&1 || fail "cannot pull $BASE_IMAGE; install debootstrap (apt-get install debootstrap) to build it offline"
say "base image: building $BASE_IMAGE with debootstrap from the machine's Debian mirror (about a minute)"
rootfs=$(mktemp -d "${TMPDIR:-/tmp}/base-image.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
  || { tail -20 "$rootfs.log" >&2; fail "debootstrap $DEBIAN_SUITE failed (log above)"; }
rm -f "$rootfs.log"
# As slim as the official image: no package caches, lists, docs or locales.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/{doc,man,info,locale}/*
tar -C "$rootfs" --numeric-owner -c . \
  | docker import -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE_IMAGE" >/dev/null \
  || fail "docker import of $BASE_IMAGE failed"
say "base image: $BASE_IMAGE built ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
