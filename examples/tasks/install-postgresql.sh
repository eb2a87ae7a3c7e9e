#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the storage tests (tests/storage.rs), unless its
# binaries are there already. The tests start a cluster of their own on a loopback port: the
# package's default cluster is not created, and no server is started here. Needs root (CI runs
# as root) or sudo.
set -euo pipefail
if [ -n "${POSTGRES_BIN_DIR:-}" ] && [ -x "$POSTGRES_BIN_DIR/postgres" ]; then exit 0; fi
for bin in /usr/lib/postgresql/*/bin; do
    if [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ]; then
        "$bin/postgres" --version
        exit 0
    fi
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-postgresql: run as root, or apt-get install postgresql" >&2; exit 1; }
    sudo=sudo
fi
# No "main" cluster on port 5432: nothing runs that the tests did not start.
$sudo mkdir -p /etc/postgresql-common
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-postgresql: apt-get install postgresql"
$sudo apt-get install -y -q postgresql >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q postgresql >/dev/null; }
for bin in /usr/lib/postgresql/*/bin; do
    if [ -x "$bin/postgres" ]; then
        "$bin/postgres" --version
        exit 0
    fi
done
echo "install-postgresql: the package installed no server binary" >&2
exit 1
