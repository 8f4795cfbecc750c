#!/usr/bin/env sh
# Installs PostgreSQL from Debian's packages when its server binaries are missing (STORE-8).
# The store tests start their own server from these binaries (initdb + pg_ctl, a temporary data
# directory, a free port) and stop it afterwards: nothing is started here.
set -eu
found() {
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}
if dir=$(found); then
  echo "postgresql: found in $dir"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "postgresql: missing; run as root: apt-get update && apt-get install -y postgresql" >&2
  exit 1
fi
echo "postgresql: installing from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
# The package starts a cluster of its own on Debian; the tests do not use it.
if command -v service >/dev/null 2>&1; then service postgresql stop >/dev/null 2>&1 || true; fi
dir=$(found)
echo "postgresql: installed in $dir"
