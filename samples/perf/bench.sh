#!/usr/bin/env bash
# bench.sh: times goroutine-dump tools on big real dumps made by bigdump.
#
#   samples/perf/bench.sh                     # CASES=small
#   CASES="small big" BENCH_DIR=${TMPDIR:-/tmp}/sdbench samples/perf/bench.sh
#
# Env: CASES (small, big, labels, or several; default small), BENCH_DIR (dumps are kept
# and reused there; default a fresh temp dir), PANICPARSE_BIG=1 (also run
# panicparse on the 1M dump: it needs more than 14 GB), TIMEOUT (seconds per
# panicparse/stackdiff run, default 300), FIRST (the commit of stackdiff's
# first version, timed beside the current one; default 7793dd5, "" to skip).
# See README.md for the columns.
set -euo pipefail

CASES=${CASES:-small}
TIMEOUT=${TIMEOUT:-300}
for c in ${CASES//,/ }; do # fail before minutes of building and generating
	[[ $c == small || $c == big || $c == labels ]] || { echo "unknown case $c (want small, big, labels)" >&2 && exit 2; }
done
# Made absolute before the cd below, so a relative BENCH_DIR means relative
# to where the script was started, never a gigabyte inside the repository.
BENCH_DIR=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
echo "dumps in $BENCH_DIR" >&2
cd "$(dirname "$0")/../.."
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT

# Peak RSS needs GNU time; bash's own `time` only gives wall time.
if [[ ! -x /usr/bin/time ]] && [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
	apt-get install -y time >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; } || true
fi
HAVE_GNU_TIME=0
[[ -x /usr/bin/time ]] && HAVE_GNU_TIME=1
((HAVE_GNU_TIME)) || echo "/usr/bin/time missing: peak RSS reported as ?" >&2

# -trimpath: the dumps (and so the benchmark) must not depend on where the
# repository is checked out. The tools are a module of their own
# (samples/perf/go.mod), so that stackdiff's go.mod carries none of the
# parsers they compare with.
for t in bigdump ppaggregate gsparse floor; do
	(cd samples/perf && go build -trimpath -o "$BIN/$t" "./cmd/$t")
done
HAVE_STACKDIFF=0
if go build -trimpath -o "$BIN/stackdiff" ./cmd/stackdiff 2>"$BIN/stackdiff-build.log"; then
	HAVE_STACKDIFF=1
else
	echo "stackdiff: not built" >&2
fi
# The first version, for comparison: its tree is exported into the temp dir
# (git archive, so the repository gains no worktree) and built there.
FIRST=${FIRST-7793dd5}
HAVE_FIRST=0
if [[ -n $FIRST ]]; then
	mkdir -p "$BIN/first-src"
	if git archive "$FIRST" 2>/dev/null | tar -x -C "$BIN/first-src" &&
		(cd "$BIN/first-src" && go build -trimpath -o "$BIN/stackdiff-first" ./cmd/stackdiff) 2>"$BIN/first-build.log"; then
		HAVE_FIRST=1
	else
		echo "stackdiff at $FIRST: not built (a shallow clone lacks it)" >&2
	fi
fi

# dump N STACKS PARENTS: prints the path of that dump, generating it unless
# BENCH_DIR already has it. Written under a temporary name first so that an
# interrupted run never leaves a truncated dump to be reused.
# A fourth argument, LABELS, labels the goroutines with that many distinct
# label sets, printed in the headers as Go 1.27 prints them by default
# (GODEBUG=tracebacklabels=1 makes Go 1.26 print them too).
dump() {
	local labels=${4:-0} f="$BENCH_DIR/dump-n$1-s$2-p$3.txt"
	((labels == 0)) || f="$BENCH_DIR/dump-n$1-s$2-p$3-l$labels.txt"
	if [[ ! -s $f ]]; then
		echo "generating $f" >&2
		GODEBUG=tracebacklabels=1 "$BIN/bigdump" -n "$1" --stacks "$2" --parents "$3" --labels "$labels" -o "$f.tmp" >&2
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# measure CMD...: runs CMD with stdout discarded and sets WALL (seconds, or
# "timeout"/"failed"), CPU (user + system seconds, or ?), RSS (MB or ?), RC
# and OUT (the command's first line of
# stdout, or its error). Exit statuses listed in OK_RCS (default 0) count as
# success. Wall time comes from EPOCHREALTIME for sub-10ms resolution; GNU
# time only supplies the peak RSS. A timeout is `timeout`'s exit status 124.
measure() {
	local tf="$BIN/time.out" of="$BIN/cmd.out" start end
	RC=0
	start=$EPOCHREALTIME
	if ((HAVE_GNU_TIME)); then
		/usr/bin/time -f '%M %U %S' -o "$tf" "$@" >"$of" 2>"$BIN/cmd.err" || RC=$?
	else
		"$@" >"$of" 2>"$BIN/cmd.err" || RC=$?
	fi
	end=$EPOCHREALTIME
	WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	RSS="?" CPU="?"
	if ((HAVE_GNU_TIME)); then
		RSS=$(awk 'END { printf "%.0f", $1 / 1024 }' "$tf")
		CPU=$(awk 'END { printf "%.2f", $2 + $3 }' "$tf")
	fi
	OUT=$(head -n1 "$of")
	if ((RC == 124)); then
		WALL=timeout
	elif [[ " ${OK_RCS:-0} " != *" $RC "* ]]; then
		WALL=failed
		OUT="exit $RC: $(head -c 200 "$BIN/cmd.err" | tr '\n' ' ')"
	fi
}

FMT='%-16s %10s %7s  %-17s %7s %7s %7s %8s %8s  %s\n'
printf "$FMT" case goroutines stacks tool "wall s" "cpu s" "RSS MB" "x floor" "cpu x" notes

# ratio A B: A / B with one decimal, or - when either is not a number.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.1f", a / b; else print "-" }'
}

# row CASE GOROUTINES STACKS TOOL FLOOR_WALL FLOOR_CPU NOTES: "x floor" is
# the wall-time ratio, "cpu x" the CPU-time ratio to the floor.
row() {
	local r=- c=-
	if [[ $WALL =~ ^[0-9.]+$ ]]; then
		r=$(ratio "$WALL" "$5") c=$(ratio "$CPU" "$6")
	fi
	printf "$FMT" "$1" "$2" "$3" "$4" "$WALL" "$CPU" "$RSS" "$r" "$c" "$7"
}

# One read of the 1M dump, for the diff's "x one read".
ONE_READ_WALL=

# run_case NAME STACKS PANICPARSE(0|1) FILE [FILE2]: floor, panicparse
# (single dumps only) and stackdiff on one dump, or on a pair for a diff.
run_case() {
	local name=$1 stacks=$2 pp=$3 files=("${@:4}") floor_wall floor_cpu n
	# Warm the page cache so that what is timed is CPU, not disk.
	"$BIN/floor" "${files[@]}" >/dev/null 2>&1 || true
	measure "$BIN/floor" "${files[@]}"
	if [[ $WALL == failed ]]; then
		row "$name" ? "$stacks" floor 0 0 "$OUT"
		return
	fi
	floor_wall=$WALL floor_cpu=$CPU n=$OUT
	row "$name" "$n" "$stacks" floor "$floor_wall" "$floor_cpu" ""
	if ((${#files[@]} == 1)); then
		if ((pp)); then
			measure timeout "$TIMEOUT" "$BIN/ppaggregate" "${files[0]}"
			row "$name" "$n" "$stacks" panicparse "$floor_wall" "$floor_cpu" "$OUT"
		else
			WALL=skipped RSS=- CPU=-
			row "$name" "$n" "$stacks" panicparse "$floor_wall" "$floor_cpu" "minutes to hours, >14 GB at 1M; PANICPARSE_BIG=1 runs it"
		fi
	fi
	measure timeout "$TIMEOUT" "$BIN/gsparse" "${files[@]}"
	row "$name" "$n" "$stacks" gostackparse "$floor_wall" "$floor_cpu" "$OUT"
	if ((HAVE_FIRST)); then
		OK_RCS="0 1" measure timeout "$TIMEOUT" "$BIN/stackdiff-first" --json "${files[@]}"
		[[ $WALL == failed ]] || OUT="exit $RC"
		row "$name" "$n" "$stacks" "stackdiff@$FIRST" "$floor_wall" "$floor_cpu" "$OUT"
	fi
	if ((HAVE_STACKDIFF)); then
		# stackdiff exits 1 when it finds a leak: that is a result, not a failure.
		OK_RCS="0 1" measure timeout "$TIMEOUT" "$BIN/stackdiff" --json "${files[@]}"
		[[ $WALL == failed ]] || OUT="exit $RC"
		if [[ $name == 1M-50s ]]; then
			ONE_READ_WALL=$WALL
		elif [[ $name == diff-1M && -n $ONE_READ_WALL ]]; then
			OUT="$OUT; $(ratio "$WALL" "$ONE_READ_WALL")x one read"
		fi
		row "$name" "$n" "$stacks" stackdiff "$floor_wall" "$floor_cpu" "$OUT"
	fi
}

for c in ${CASES//,/ }; do
	case $c in
	# Plain assignments, not $(dump) as arguments: set -e stops on a failed
	# generation only in an assignment.
	small)
		d50=$(dump 100000 50 1)
		d5000=$(dump 100000 5000 1)
		d1000p=$(dump 100000 50 1000)
		run_case 100k-50s 50 1 "$d50"
		run_case 100k-5000s 5000 1 "$d5000"
		run_case 100k-50s-1000p 50 1 "$d1000p"
		# Diff of two dumps whose stacks differ: 50 vs 5000 classes.
		run_case diff-100k 50/5000 0 "$d50" "$d5000"
		;;
	labels)
		# Goroutines labelled with 1000 label sets (an endpoint, a
		# tenant), and with one set each (a request ID).
		dl=$(dump 300000 50 1 1000)
		du=$(dump 300000 50 1 300000)
		run_case 300k-1000l 50 0 "$dl"
		run_case 300k-uniq-l 50 0 "$du"
		;;
	big)
		d1m=$(dump 1000000 50 1)
		run_case 1M-50s 50 "${PANICPARSE_BIG:-0}" "$d1m"
		# The same dump as before and after: every one of the million IDs
		# is matched, the most work a diff does per goroutine.
		run_case diff-1M 50 0 "$d1m" "$d1m"
		;;
	esac
done
