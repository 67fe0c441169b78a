#!/usr/bin/env bash
# capture.sh builds real, unmodified open-source Go servers from the Go module
# proxy (go install -trimpath module/cmd@version), runs each on 127.0.0.1, loads it with its own client library
# (cmd/load) and writes the goroutine dumps taken from its own pprof endpoint,
# then the dump the runtime prints when the server gets SIGQUIT.
#
#   samples/servers/capture.sh                 # every server, into samples/servers/NAME/
#   SERVERS="nats caddy" samples/servers/capture.sh
#   OUT=/some/dir samples/servers/capture.sh   # write NAME/ under another directory
#
# Everything it builds and every file a server writes stays in a temporary
# directory, removed at the end; every process it starts is killed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}
servers=${SERVERS:-"nats caddy etcd"}
NATS_VERSION=${NATS_VERSION:-v2.15.2}
CADDY_VERSION=${CADDY_VERSION:-v2.11.9}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export GOBIN=$work/bin
log() { echo "capture: $*" >&2; }

log "building the load program"
(cd "$here" && go build -trimpath -o "$GOBIN/load" ./cmd/load)
freeport() { "$GOBIN/load" -freeport; }

# start NAME CMD...: runs CMD in the background, its stderr kept for the
# SIGQUIT dump, its files under $work/NAME.
server_pid=
start() {
	local name=$1
	shift
	mkdir -p "$work/$name"
	(cd "$work/$name" && HOME=$work/$name XDG_CONFIG_HOME=$work/$name XDG_DATA_HOME=$work/$name exec "$@") \
		>"$work/$name.stdout" 2>"$work/$name.stderr" &
	server_pid=$!
	pids+=("$server_pid")
}

# load NAME KIND ADDR PPROF [SIGNAL]: the stages of cmd/load, then the
# crash dump the runtime prints on SIGNAL (QUIT unless the server traps it).
load() {
	local name=$1 kind=$2 addr=$3 pprof=$4 sig=${5:-QUIT}
	local dir=$out/$name
	local dump=$dir/sig$(echo "$sig" | tr 'A-Z' 'a-z').txt
	rm -rf "$dir/ramp" "$dir/pair"
	mkdir -p "$dir"
	log "$name: loading $addr, dumps from $pprof"
	"$GOBIN/load" -kind "$kind" -addr "$addr" -pprof "$pprof" -out "$dir" -bindir "$GOBIN"
	kill -"$sig" "$server_pid"
	wait "$server_pid" || true
	# The server's own log lines come before the dump: keep the dump alone.
	sed -n "/^SIG$sig: /,\$p" "$work/$name.stderr" >"$dump"
	if [ ! -s "$dump" ]; then
		log "$name: no SIG$sig dump on stderr"
		tail -5 "$work/$name.stderr" >&2
		return 1
	fi
	log "$name: done"
}

capture_nats() {
	go install -trimpath "github.com/nats-io/nats-server/v2@$NATS_VERSION"
	local port prof
	port=$(freeport)
	prof=$(freeport)
	start nats "$GOBIN/nats-server" -a 127.0.0.1 -p "$port" --profile "$prof"
	load nats nats "127.0.0.1:$port" "http://127.0.0.1:$prof/debug/pprof/"
}

capture_caddy() {
	go install -trimpath "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
	local port admin
	port=$(freeport)
	admin=$(freeport)
	mkdir -p "$work/caddy"
	cat >"$work/caddy/Caddyfile" <<EOF
{
	admin 127.0.0.1:$admin
	auto_https off
	persist_config off
}
http://127.0.0.1:$port {
	respond "hello from caddy"
}
EOF
	start caddy "$GOBIN/caddy" run --config "$work/caddy/Caddyfile" --adapter caddyfile
	# Caddy traps SIGQUIT (it exits at once, without a dump); SIGABRT gets
	# the runtime's crash dump all the same.
	load caddy http "127.0.0.1:$port" "http://127.0.0.1:$admin/debug/pprof/" ABRT
}

capture_etcd() {
	# etcd's go.mod has replace directives, which "go install module@version"
	# refuses; built as the dependency of an empty module they do not apply,
	# and the code is the release's own.
	mkdir -p "$work/etcd-build"
	(cd "$work/etcd-build" && go mod init capture/etcd 2>/dev/null &&
		go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" &&
		go build -trimpath -o "$GOBIN/etcd" go.etcd.io/etcd/server/v3)
	local port peer
	port=$(freeport)
	peer=$(freeport)
	start etcd "$GOBIN/etcd" --name default --data-dir "$work/etcd/data" \
		--listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
		--listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		--initial-cluster "default=http://127.0.0.1:$peer" --enable-pprof
	load etcd etcd "127.0.0.1:$port" "http://127.0.0.1:$port/debug/pprof/"
}

for s in $servers; do
	log "$s"
	"capture_$s"
done
