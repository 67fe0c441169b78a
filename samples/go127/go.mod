module github.com/stackdiff/stackdiff/samples/go127

go 1.27

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	go.uber.org/goleak v1.3.0
)
