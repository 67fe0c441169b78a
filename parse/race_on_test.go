//go:build race

package parse_test

// raceEnabled is set when the tests run under the race detector, which
// makes reading the 100k-goroutine dump about ten times slower.
const raceEnabled = true
