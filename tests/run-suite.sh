#!/usr/bin/env bash
# Runs the whole suite the way CI does: a virtual X display (Xvfb), a private D-Bus session and
# a real, unlocked gnome-keyring (Secret Service), with a throwaway HOME so nothing of the
# developer's own keyring or config is touched. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export QC_ARTIFACTS="${QC_ARTIFACTS:-$root/artifacts}"
mkdir -p "$QC_ARTIFACTS"
export PYTHONHASHSEED=0
exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- bash -c '
    echo -n ci-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$0" -m pytest -p no:cacheprovider "$@"' "$root/.venv/bin/python" "$@"
