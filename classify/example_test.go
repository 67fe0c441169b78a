package classify_test

import (
	"fmt"
	"os"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// Compare two real dumps of one process, taken around five HTTP requests
// whose response bodies were never closed: the connections' read and
// write loops are new, parked, and leaked.
func ExampleCompare() {
	var snaps []*parse.Snapshot
	for _, name := range []string{"before.txt", "after.txt"} {
		f, err := os.Open("../samples/dumps/http-body-not-closed/" + name)
		if err != nil {
			fmt.Println(err)
			return
		}
		s, err := parse.Read(f, name)
		f.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		snaps = append(snaps, s)
	}
	r := classify.Compare(snaps, nil)
	for _, g := range r.Leaks() {
		fmt.Printf("%s %s %+d: %s\n", g.Verdict, g.Label, g.Delta, g.Reason)
	}
	fmt.Printf("%d goroutines in %d leak groups\n", r.Summary.Leaked, r.Summary.LeakGroups)
	// Output:
	// leak http-body-not-closed +5: net/http client connection whose response body was never read to EOF or closed
	// leak http-client-conn +5: write loop of an open net/http client connection
	// 10 goroutines in 2 leak groups
}
