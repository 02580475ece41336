#!/usr/bin/env bash
# Installs what Baladeur needs on a Debian or Ubuntu machine, skipping what is already there.
# Usage: scripts/setup.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
run_pkgs=(libsqlite3-mod-spatialite ffmpeg)
test_pkgs=(postgresql postgresql-postgis redis-server nginx zip poppler-utils wrk)

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

apt_install "${run_pkgs[@]}"
[ "$mode" = "test" ] && apt_install "${test_pkgs[@]}"
# The visitor player is built with node; its browser tests drive Debian's Chromium.
{ command -v node >/dev/null && command -v npm >/dev/null; } || apt_install nodejs npm
[ "$mode" = "test" ] && apt_install chromium

python="$(find_python)" || { apt_install python3 python3-venv; python="$(find_python)" || {
  echo "setup: Baladeur needs Python 3.11 or newer" >&2; exit 1; }; }

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv 2>/dev/null || { apt_install python3-venv; rm -rf .venv; "$python" -m venv .venv; }
fi

# Reinstall only when the declared dependencies change. The server extra brings the server,
# the command line and the audio tools; the core alone is the `trails` library.
extras="[server]"; [ "$mode" = "test" ] && extras="[server,test]"
# The package's version lives in trails/versions.py (pyproject reads it): a new one reinstalls.
stamp=".venv/.baladeur-$(cat pyproject.toml trails/versions.py | sha256sum | cut -c1-16)-${mode}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  rm -f .venv/.baladeur-*
  touch "$stamp"
  # A test install also satisfies a run install.
  [ "$mode" = "test" ] && touch "${stamp%-test}-run"
fi

# JavaScript dependencies: reinstall only when package-lock.json changes.
npm_stamp="node_modules/.baladeur-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$npm_stamp" ]; then
  echo "setup: installing JavaScript dependencies into node_modules"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$npm_stamp"
fi

# The web apps and the API documentation page (sources in web/, built into server/static/;
# /docs takes Swagger UI from the pinned swagger-ui-dist): rebuild one only when its sources,
# the engine, the DOM or the i18n helper the apps bundle, or the locked dependencies change.
source_hash() {
  find "$@" \( -name node_modules -o -path web/engine/dist \) -prune -o -type f -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}
for webapp in player studio contribute apidocs; do
  hash="$(source_hash "web/$webapp" web/engine web/dom web/i18n package-lock.json)"
  if [ ! -f "server/static/$webapp/.source-$hash" ]; then
    echo "setup: building the $webapp"
    npm run --silent "build:$webapp"
    touch "server/static/$webapp/.source-$hash"
  fi
done
exit 0
