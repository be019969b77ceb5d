#!/usr/bin/env bash
# Builds the Frontline image with podman where no image registry is reachable, and proves it.
#   deploy/container/check.sh [all|bases|build|smoke]   (default: all)
# bases: makes debian:bookworm-slim with debootstrap and the builder image swift:6.3-bookworm
#        from it and this machine's /opt/swift (both skipped when already there);
# build: builds deploy/Dockerfile, prints the build time and image size, fails above
#        FRONTLINE_IMAGE_LIMIT_MB, checks that the image runs as a non-root user;
# smoke: starts the loopback servers, migrates, runs every service from the image and checks
#        that sample emails become tickets that are classified, assigned and answered.
# Scratch data goes to $FRONTLINE_CONTAINER_WORK (default /tmp/frontline-container).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
step=${1:-all}
work=${FRONTLINE_CONTAINER_WORK:-/tmp/frontline-container}
image=${FRONTLINE_IMAGE:-frontline:dev}
# Measured here: about 500 MB (Debian minbase and the C libraries about 290 MB, one shared Swift
# runtime 65 MB, eight stripped executables 138 MB); the limit catches a regression such as
# every executable linking the Swift runtime statically again.
limit_mb=${FRONTLINE_IMAGE_LIMIT_MB:-600}
swift_packages=${FRONTLINE_SWIFT_PACKAGES:-/opt/swift-packages}
mkdir -p "$work"

# crun is refused here and the cgroup manager must be cgroupfs: a config of our own, so that
# the machine's /etc/containers stays as it is.
printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' \
  >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
podman() { command podman --runtime runc "$@"; }
has_image() { podman image exists "$1"; }

# The builder's FROM, whatever deploy/Dockerfile names (swift:6.3-bookworm today).
builder_image=$(awk 'toupper($1) == "FROM" && / AS build/ { print $2; exit }' deploy/Dockerfile)

make_bases() {
  if ! has_image debian:bookworm-slim; then
    echo "==> debian:bookworm-slim from debootstrap --variant=minbase bookworm"
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    # Like the slim image: no package lists or caches in the layer.
    rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
    tar -C "$work/rootfs" -c . | podman import - debian:bookworm-slim >/dev/null
    rm -rf "$work/rootfs"
  fi
  if ! has_image "$builder_image"; then
    echo "==> $builder_image from debian:bookworm-slim and /opt/swift"
    podman build --isolation chroot -v /opt/swift:/mnt/host-swift:ro \
      -t "$builder_image" -f deploy/container/swift-builder.Containerfile deploy/container
  fi
}

build_image() {
  echo "==> building $image from deploy/Dockerfile (log: $work/build.log)"
  local started=$SECONDS
  # The builder resolves Package.swift's GitHub URLs from this machine's package folder (see
  # swift-builder.Containerfile); on a machine with internet no volume is needed.
  if ! podman build --isolation chroot -v "$swift_packages:$swift_packages:ro" \
        -t "$image" -f deploy/Dockerfile . >"$work/build.log" 2>&1; then
    tail -30 "$work/build.log" >&2
    echo "image build failed: see $work/build.log" >&2
    exit 1
  fi
  local seconds=$((SECONDS - started))
  local bytes
  bytes=$(podman image inspect --format '{{.Size}}' "$image")
  local mb=$((bytes / 1000000))
  echo "    build time: $((seconds / 60)) min $((seconds % 60)) s"
  echo "    image size: $mb MB (limit $limit_mb MB)"
  podman history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | cut -c1-110 | head -8 | sed 's/^/      /'
  if [ "$mb" -gt "$limit_mb" ]; then
    echo "image is larger than $limit_mb MB" >&2
    exit 1
  fi
  local uid
  uid=$(podman run --rm "$image" id -u)
  echo "    runs as uid $uid"
  if [ "$uid" = "0" ]; then
    echo "the image runs as root" >&2
    exit 1
  fi
  podman run --rm "$image" frontline --help >/dev/null
  # Every service's executable is in the image (the smoke test runs them).
  for executable in mail-ingest classifier assigner notifier supplier-reminder escalation api; do
    podman run --rm "$image" sh -c "command -v $executable" >/dev/null \
      || { echo "the image has no $executable" >&2; exit 1; }
  done
}

smoke() {
  echo "==> smoke test: every service from $image against loopback servers"
  bash "$root/deploy/container/smoke.sh" "$image" "$work/smoke"
}

case "$step" in
  bases) make_bases ;;
  build) make_bases; build_image ;;
  smoke) smoke ;;
  all) make_bases; build_image; smoke ;;
  *) echo "usage: $0 [all|bases|build|smoke]" >&2; exit 2 ;;
esac
