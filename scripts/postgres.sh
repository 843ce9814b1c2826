#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL cluster for the tests; scripts/test.sh uses it.
#
#   scripts/postgres.sh start DIR   DIR is an empty directory. Creates a cluster in it, listening
#                                   only on 127.0.0.1 on a free port, and prints one line on stdout,
#                                   the Npgsql connection string of its superuser:
#                                   Host=127.0.0.1;Port=N;Username=simplesync;Password=P;Database=postgres
#   scripts/postgres.sh stop DIR    stops the cluster started in DIR; the caller then removes DIR.
#
# The cluster runs without fsync (tests only: a crash may lose or corrupt it). With
# POSTGRES_DURABLE=1 in the environment of start, it keeps PostgreSQL's durable defaults instead
# (fsync, synchronous_commit and full_page_writes on, shared_buffers 128MB): every commit is
# flushed to disk, as SQLite's synchronous=FULL does. The load generator uses that for benchmarks.
#
# Everything else goes to stderr. It uses the newest /usr/lib/postgresql/*/bin, installing Debian's
# `postgresql` package when there is none (which needs root or sudo). It never uses Debian's own
# clusters (pg_ctlcluster, the postgresql service), not even the "main" one that installing the
# packages may create. PostgreSQL refuses to run as root, so as root the cluster runs as the
# system user simplesync-pg, created when missing.
set -euo pipefail

pg_user=simplesync-pg
role=simplesync

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}

say() {
  echo "postgres.sh: $*" >&2
}

die() {
  say "$*"
  exit 1
}

# The bin directory of the newest installed PostgreSQL, or nothing.
find_bin() {
  local bin
  bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then
    echo "$bin"
  fi
}

install_postgres() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  say "no PostgreSQL in /usr/lib/postgresql; installing Debian's packages"
  say "${sudo:+$sudo }apt-get update"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update >&2
  say "${sudo:+$sudo }apt-get install -y --no-install-recommends postgresql"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
}

# Runs a command as the user that owns the cluster: simplesync-pg when we are root, else ourselves.
as_owner() {
  if [ -n "$run_as" ]; then
    runuser -u "$run_as" -- "$@"
  else
    "$@"
  fi
}

# A free TCP port on 127.0.0.1: the kernel picks one for a socket bound to port 0. Another process
# may take it before the server binds it; start retries with another port then.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 10000))
  fi
}

# An absolute path for DIR, which must exist.
absolute_dir() {
  [ -d "$1" ] || die "$1 is not a directory"
  (cd "$1" && pwd -P)
}

start() {
  local dir bin password pwfile port attempt quoted_dir log_size
  dir=$(absolute_dir "$1")
  [ ! -e "$dir/data" ] || die "$dir already holds a cluster"
  cd "$dir"

  bin=$(find_bin)
  if [ -z "$bin" ]; then
    install_postgres || die "could not install PostgreSQL"
    bin=$(find_bin)
    [ -n "$bin" ] || die "PostgreSQL was installed but there is no /usr/lib/postgresql/*/bin/initdb"
  fi
  say "using $("$bin/postgres" --version 2>/dev/null || echo "$bin")"

  run_as=""
  if [ "$(id -u)" -eq 0 ]; then
    if ! id -u "$pg_user" >/dev/null 2>&1; then
      # Another start running at the same time may create it first: then useradd fails but the
      # user is there.
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user" \
        || id -u "$pg_user" >/dev/null 2>&1 \
        || die "could not create the system user $pg_user"
    fi
    run_as=$pg_user
    chown "$pg_user:" "$dir"
    chmod 0700 "$dir"
    runuser -u "$pg_user" -- test -w "$dir" \
      || die "user $pg_user cannot reach $dir (is one of its parent directories private?)"
  fi

  # The superuser's password, written to a file only the cluster's owner can read, for initdb.
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  pwfile="$dir/pwfile"
  (umask 077 && printf '%s\n' "$password" >"$pwfile")
  if [ -n "$run_as" ]; then
    chown "$pg_user:" "$pwfile"
  fi
  # The C locale: byte order, whatever the machine's locale (the same order as SQLite's).
  if ! as_owner "$bin/initdb" --pgdata="$dir/data" --username="$role" --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi
  rm -f "$pwfile"

  quoted_dir=${dir//\'/\'\'}
  cat >>"$dir/data/postgresql.conf" <<EOF

# Added by scripts/postgres.sh for a throwaway test cluster.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$quoted_dir'
# The tests open many stores in parallel, each with its own connection pool.
max_connections = 300
jit = off
timezone = 'UTC'
EOF
  if [ "${POSTGRES_DURABLE:-0}" = 1 ]; then
    cat >>"$dir/data/postgresql.conf" <<EOF
# POSTGRES_DURABLE=1 (benchmarks): every commit is flushed to disk, PostgreSQL's defaults.
shared_buffers = 128MB
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
  else
    cat >>"$dir/data/postgresql.conf" <<EOF
shared_buffers = 32MB
# FOR TESTS ONLY: these trade durability for speed, and a crash can lose or corrupt data. Never
# use them for a server whose data matters.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi

  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    log_size=$(stat -c %s "$dir/log" 2>/dev/null || echo 0)
    if as_owner "$bin/pg_ctl" start --pgdata="$dir/data" --log="$dir/log" --wait --timeout=60 \
      --options="-p $port" >&2; then
      echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=postgres"
      return 0
    fi
    # pg_ctl may give up waiting while the server goes on starting.
    as_owner "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait >/dev/null 2>&1 || true
    # Only this attempt's part of the log tells whether its port was taken.
    if [ "$attempt" -lt 5 ] && tail -c +$((log_size + 1)) "$dir/log" 2>/dev/null | grep -q 'could not bind IPv4 address'; then
      say "port $port was taken; trying another"
      continue
    fi
    break
  done
  say "PostgreSQL did not start; the end of $dir/log:"
  tail -n 30 "$dir/log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  local dir bin owner
  dir=$(absolute_dir "$1")
  cd "$dir"
  if [ ! -f "$dir/data/postmaster.pid" ]; then
    say "no server is running in $dir"
    return 0
  fi
  bin=$(find_bin)
  [ -n "$bin" ] || die "there is no /usr/lib/postgresql/*/bin/pg_ctl to stop the server in $dir"
  run_as=""
  if [ "$(id -u)" -eq 0 ]; then
    owner=$(stat -c %U "$dir/data")
    if [ "$owner" != root ]; then
      run_as=$owner
    fi
  fi
  if as_owner "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=fast --wait --timeout=60 >&2; then
    return 0
  fi
  say "a fast shutdown failed; stopping immediately"
  as_owner "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait --timeout=30 >&2
}

[ $# -eq 2 ] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
