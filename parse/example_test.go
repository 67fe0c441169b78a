package parse_test

import (
	"fmt"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

func ExampleRead() {
	dump := `goroutine 1 [running]:
main.main()
	/app/main.go:12 +0x1d

goroutine 7 [chan receive, 3 minutes]:
main.worker(0xc000010000)
	/app/main.go:30 +0x2a
created by main.main in goroutine 1
	/app/main.go:10 +0x3c

goroutine 8 [chan receive, 5 minutes]:
main.worker(0xc000010008)
	/app/main.go:30 +0x2a
created by main.main in goroutine 1
	/app/main.go:10 +0x3c
`
	s, err := parse.Read(strings.NewReader(dump), "dump.txt")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, s.Format, s.Count(), "goroutines")
	for _, g := range s.Groups {
		lo, hi := g.WaitRange()
		fmt.Printf("%d × [%s] %s (%s:%d), IDs %v, waiting %d-%d min\n",
			g.Count, g.State, g.Frames[0].Func, g.Frames[0].File, g.Frames[0].Line, g.IDs(), lo, hi)
	}
	// Output:
	// dump.txt stack 3 goroutines
	// 2 × [chan receive] main.worker (/app/main.go:30), IDs [7 8], waiting 3-5 min
	// 1 × [running] main.main (/app/main.go:12), IDs [1], waiting 0-0 min
}
