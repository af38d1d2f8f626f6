# Shared by scripts/run and scripts/test: Debian packages, installed only when missing.
# shellcheck shell=bash

# What building Moonpane needs (compiler, CMake, Qt 6, QtKeychain, simdjson).
MOONPANE_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-tools-dev qt6-l10n-tools qt6-image-formats-plugins
  qt6-multimedia-dev libqt6sql6-sqlite libsqlite3-dev libqt6svg6 qtkeychain-qt6-dev libsimdjson-dev
  fonts-dejavu-core
)
# What the test suite needs besides: a private D-Bus session with gnome-keyring (the real Secret
# Service), clang-format for the formatting check, and an X server with xdotool for the one test
# that drags files in from another X client.
MOONPANE_TEST_PACKAGES=(dbus gnome-keyring clang-format xvfb xdotool)

# moonpane_install_missing PACKAGE...: apt-get installs what dpkg does not report as installed.
moonpane_install_missing() {
  local missing=()
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "error: these packages are missing and sudo is not available: ${missing[*]}" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# moonpane_build PRESET: configures (once) and builds a CMake preset.
moonpane_build() {
  local preset=$1
  if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset"
  fi
  cmake --build --preset "$preset" -j "$(nproc)"
}

# moonpane_install_mcp_servers: the reference MCP server that the MCP tests run
# (@modelcontextprotocol/server-everything, pinned by tests/mcp/package-lock.json), installed
# with npm ci under Node.js from Debian (npm comes with Node.js from some sources; Debian's own is
# the npm package). Installed again only when the lock file changed.
moonpane_install_mcp_servers() {
  moonpane_install_missing nodejs
  command -v npm >/dev/null 2>&1 || moonpane_install_missing npm
  local dir=tests/mcp
  if [ ! -f "$dir/node_modules/.package-lock.json" ] \
     || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
