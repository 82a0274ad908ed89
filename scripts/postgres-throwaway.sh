#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (issue 20): initdb in a temporary
# directory, its own port, its unix socket in that directory, no system service.
#
#   eval "$(scripts/postgres-throwaway.sh start)"   # exports COVE_PG_DIR and COVE_PG_URL
#   scripts/postgres-throwaway.sh stop "$COVE_PG_DIR"
#
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user if there is
# one (Debian's package creates it), else to `nobody`.
set -euo pipefail

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  # Debian's postgresql package keeps its binaries off PATH.
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then echo "postgres-throwaway: $1 not found (install Debian's postgresql)" >&2; exit 1; fi
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  runuser -u "$OWNER" -- "$@"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

OWNER=postgres
getent passwd postgres >/dev/null 2>&1 || OWNER=nobody

case "${1:-}" in
  start)
    INITDB=$(find_bin initdb)
    PG_CTL=$(find_bin pg_ctl)
    DIR=$(mktemp -d /tmp/cove-pg-XXXXXX)
    PORT=${COVE_PG_PORT:-$(free_port)}
    if [ "$(id -u)" -eq 0 ]; then chown "$OWNER" "$DIR"; fi
    chmod 700 "$DIR"
    as_owner "$INITDB" -D "$DIR/data" -U cove -A trust --no-sync -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    # fsync off: a throwaway cluster on which a crash of the machine loses nothing that matters;
    # a crash of cove or of postgres itself (what the tests provoke) still loses no commit, since
    # the WAL is in the page cache. Many cove processes each keep a pool: room for them.
    as_owner "$PG_CTL" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB" >/dev/null \
      || { cat "$DIR/postgres.log" >&2; exit 1; }
    echo "export COVE_PG_DIR=$DIR"
    echo "export COVE_PG_URL=postgres://cove@127.0.0.1:$PORT/postgres"
    ;;
  restart)
    # Stop (immediate: as a crash) and start again on the same port: tests of a database restart.
    PG_CTL=$(find_bin pg_ctl)
    # (pg_ctl restart starts it with the options it last ran with: postmaster.opts.)
    as_owner "$PG_CTL" -D "$2/data" -l "$2/postgres.log" -m immediate -w -t 60 restart >/dev/null
    ;;
  stop)
    PG_CTL=$(find_bin pg_ctl)
    DIR=${2:?usage: postgres-throwaway.sh stop DIR}
    as_owner "$PG_CTL" -D "$DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: postgres-throwaway.sh start | restart DIR | stop DIR" >&2
    exit 2
    ;;
esac
