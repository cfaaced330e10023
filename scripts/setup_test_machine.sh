#!/usr/bin/env bash
# Set a Debian machine up for the whole test suite; the README's test command is
#   bash scripts/setup_test_machine.sh && python -m pytest
# and .ci/run runs the same two steps.
#
# Installs, only when missing (apt-get update runs once, and only if something is):
#   chromium                        the browser tests drive it with Playwright
#   libegl-mesa0 libgl1-mesa-dri    Mesa's llvmpipe: the tests' Chromium draws WebGL with it
#                                   (tests/conftest.py; about half SwiftShader's CPU)
#   nginx                           tests/test_proxy_headers.py runs deploy/nginx.conf in front of the app
#   postgresql                      the shared-store tests start their own cluster
#   postgresql-<version>-postgis-3  PostGIS for the newest installed PostgreSQL
# then the project with its test extra: pip install -e ".[test]" (pip skips what is
# already satisfied).  Safe to run again: a set-up machine only gets the pip step.
# apt-get needs root; as another user it goes through sudo when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo --preserve-env=DEBIAN_FRONTEND)
  fi
fi

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup_test_machine: no apt-get here; install $* yourself (Debian package names)" >&2
    exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    "${sudo_cmd[@]}" apt-get update -qq
    apt_updated=1
  fi
  echo "setup_test_machine: apt-get install $*"
  "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}

have_chromium() {
  [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || command -v chromium >/dev/null 2>&1
}

# The newest PostgreSQL major version with server binaries, or nothing.
pg_version() {
  local v best=""
  for ctl in /usr/lib/postgresql/*/bin/pg_ctl; do
    [ -x "$ctl" ] || continue
    v="$(basename "$(dirname "$(dirname "$ctl")")")"
    case "$v" in
      '' | *[!0-9]*) continue ;;
    esac
    if [ -z "$best" ] || [ "$v" -gt "$best" ]; then best="$v"; fi
  done
  echo "$best"
}

if ! have_chromium; then
  apt_install chromium
fi
# (Where there is no dpkg the tests find out for themselves: without llvmpipe they warn
# and draw with Chromium's own SwiftShader.)
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1; then
  apt_install libegl-mesa0 libgl1-mesa-dri
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt_install nginx
fi

if [ -z "$(pg_version)" ]; then
  apt_install postgresql
fi
version="$(pg_version)"
if [ -z "$version" ]; then
  echo "setup_test_machine: postgresql installed but no /usr/lib/postgresql/<version>/bin/pg_ctl" >&2
  exit 1
fi
if [ ! -e "/usr/share/postgresql/${version}/extension/postgis.control" ]; then
  apt_install "postgresql-${version}-postgis-3"
fi

python -m pip install -q -e ".[test]"
echo "setup_test_machine: ready (chromium, Mesa llvmpipe, nginx, PostgreSQL ${version} with PostGIS, the test extra)"
