#!/usr/bin/env bash
# Rebuild the map component (dashboard/ui/mapview/frontend/main.js, main.css,
# LICENSES.txt) from frontend/ with the npm versions pinned in
# frontend/package-lock.json. Users never run this: the built files are
# committed, so the app works offline with no build step.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
npm ci --no-audit --no-fund
node build.mjs
