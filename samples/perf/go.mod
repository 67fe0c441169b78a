module github.com/stackdiff/stackdiff/samples/perf

go 1.26.0

require (
	github.com/DataDog/gostackparse v0.7.0
	github.com/maruel/panicparse/v2 v2.5.0
	github.com/spf13/pflag v1.1.0
)
