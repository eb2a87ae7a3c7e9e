#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (tests/browser.rs), unless it is there already
# (/usr/bin/chromium, or the browser CHROMIUM names). Needs root (CI runs as root) or sudo.
set -euo pipefail
if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then exit 0; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-chromium: run as root, or apt-get install chromium" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: apt-get install chromium"
$sudo apt-get install -y -q chromium >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
/usr/bin/chromium --version
