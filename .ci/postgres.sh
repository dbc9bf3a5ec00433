#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#
#   .ci/postgres.sh start DIR   prints the cluster's URL on stdout (progress on stderr)
#   .ci/postgres.sh stop DIR    stops it and removes DIR
#
# Debian's `postgresql` is installed when missing (as root). The cluster belongs to the
# unprivileged `postgres` user, lives in DIR, listens on loopback only and trusts local
# connections (nothing but this machine can reach it). Exit 1 when it cannot be started:
# the PostgreSQL tests then skip with a printed reason.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

action=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

if [ "$action" = stop ]; then
  if [ -f "$dir/bindir" ]; then
    runuser -u postgres -- "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit 0
fi

bin=$(find_bin)
if [ -z "$bin" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root"
    exit 1
  fi
  log "installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin=$(find_bin)
fi
if [ "$(id -u)" != 0 ] || ! id postgres >/dev/null 2>&1; then
  log "cannot run a cluster as the unprivileged postgres user"
  exit 1
fi

mkdir -p "$dir"
chown postgres "$dir"
echo "$bin" >"$dir/bindir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability is not under test here: fsync off keeps the suite fast on a small machine.
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "\
 -c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir\
 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
echo "postgres://postgres@127.0.0.1:$port/postgres"
