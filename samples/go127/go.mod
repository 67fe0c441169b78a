module github.com/stackdiff/stackdiff/samples/go127

go 1.27
