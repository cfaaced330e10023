#!/usr/bin/env bash
# Rebuild dashboard/static/vendor/ from the npm registry (pinned versions).
# The drawing map loads Leaflet and Leaflet.draw from the app's own static
# folder, so it works with no internet; this script is how those files got there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dashboard/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent leaflet@1.9.4 leaflet-draw@1.0.4 >/dev/null)
rm -rf "$out" && mkdir -p "$out/leaflet/images" "$out/leaflet-draw/images"
tar -xzf "$tmp"/leaflet-1.9.4.tgz -C "$tmp"
cp "$tmp"/package/dist/leaflet.js "$tmp"/package/dist/leaflet.css "$tmp"/package/LICENSE "$out/leaflet/"
cp "$tmp"/package/dist/images/*.png "$out/leaflet/images/"
rm -rf "$tmp"/package
tar -xzf "$tmp"/leaflet-draw-1.0.4.tgz -C "$tmp"
cp "$tmp"/package/dist/leaflet.draw.js "$tmp"/package/dist/leaflet.draw.css "$out/leaflet-draw/"
cp "$tmp"/package/dist/images/* "$out/leaflet-draw/images/"
# leaflet-draw 1.0.4 ships no LICENSE file in its package; it is MIT per package.json.
node -e 'const p=require(process.argv[1]);console.log(`${p.name} ${p.version} licence: ${p.license}`)' \
  "$tmp"/package/package.json > "$out/leaflet-draw/LICENSE.txt"
printf 'leaflet 1.9.4 (BSD-2-Clause), leaflet-draw 1.0.4 (MIT), from the npm registry via scripts/vendor_frontend.sh\n' > "$out/README.txt"
