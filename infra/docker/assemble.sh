#!/bin/sh
# Puts together what the image runs, from a built workspace: the switchyard CLI
# (apps/cli/dist/main.js) with its production dependencies only, workspace packages copied
# in (dist/ and package.json, their "files"), in the directory given as the only argument.
# The Dockerfile's build stage runs it; infra/test/image-runtime.test.ts runs the result.
#
#   pnpm exec turbo run build --filter=@switchyard/cli...
#   sh infra/docker/assemble.sh /out
set -eu

out=${1:?usage: assemble.sh OUT_DIR}
repo=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$repo"

if [ ! -f apps/cli/dist/main.js ]; then
  echo "assemble.sh: apps/cli/dist/main.js is missing: build the workspace first" >&2
  exit 1
fi

# pnpm 10 deploys from the workspace lockfile only with injected workspace packages; set for
# this command alone, so the workspace's own node_modules layout is unchanged. --offline: the
# store already holds every package (pnpm install or pnpm fetch ran before).
pnpm --config.inject-workspace-packages=true --filter @switchyard/cli \
  deploy --prod --offline "$out"

# The control plane's store template (a PGlite data directory that initdb filled at build time)
# has empty directories PGlite needs (pg_tblspc, pg_notify, …); packing by "files" drops empty
# directories, and PGlite then fails to open a new data directory. Copy it whole.
control_plane=$(readlink -f "$out/node_modules/@switchyard/control-plane")
rm -rf "$control_plane/dist/store-template"
cp -a apps/control-plane/dist/store-template "$control_plane/dist/store-template"

chmod 0755 "$out/dist/main.js"
