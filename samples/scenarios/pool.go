package scenarios

import "sync"

// squareAll runs a pool of workers over jobs and returns when all have exited:
// the jobs channel is closed after the last job, so every worker's range loop
// ends.
func squareAll(jobs []int, workers int) []int {
	in := make(chan int)
	out := make(chan int, len(jobs))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { squareWorker(in, out) })
	}
	for _, j := range jobs {
		in <- j
	}
	close(in)
	wg.Wait()
	close(out)
	var res []int
	for r := range out {
		res = append(res, r)
	}
	return res
}

func squareWorker(in <-chan int, out chan<- int) {
	for j := range in {
		out <- j * j
	}
}

// pool-drains: a control; nothing to release.
func poolDrains() Scenario {
	return Scenario{
		Name: "pool-drains",
		Doc:  "Control: a pool of four workers processes twenty jobs and every worker exits when the jobs channel is closed.",
		Run:  runPoolDrains,
	}
}

func runPoolDrains() func() {
	p := newProbe()
	jobs := make([]int, 20)
	for i := range jobs {
		jobs[i] = i
	}
	squareAll(jobs, 4)
	return settled(p)
}

// workerPool is a long-lived pool: its workers wait for jobs for the life of
// the program, which is by design, not a leak.
type workerPool struct {
	jobs chan func()
	wg   sync.WaitGroup
}

func serveJobs(jobs <-chan func()) {
	for job := range jobs {
		job()
	}
}

// long-lived-workers: Setup starts the three workers before the "before" dump;
// Run hands them jobs and waits for the jobs, leaving the workers exactly as
// they were. Setup's stop closes the jobs channel and waits for the workers.
func longLivedWorkers() Scenario {
	setup, run := staged(startWorkerPool, runLongLivedWorkers)
	return Scenario{
		Name:  "long-lived-workers",
		Doc:   "Control: three workers started before the first dump stay blocked on their jobs channel in both dumps.",
		Setup: setup,
		Run:   run,
	}
}

// startWorkerPool starts the three workers and waits until they all wait for
// jobs; its stop closes the jobs channel and waits for them to exit.
func startWorkerPool() (*workerPool, func()) {
	p := newProbe()
	pool := &workerPool{jobs: make(chan func())}
	for range 3 {
		pool.wg.Go(func() { serveJobs(pool.jobs) })
	}
	p.await(want{"chan receive", fn("serveJobs"), 3})
	return pool, stopper(p, func() { close(pool.jobs); pool.wg.Wait() })
}

// runLongLivedWorkers hands the pool five jobs and waits for them, leaving the
// workers exactly as they were.
func runLongLivedWorkers(pool *workerPool) func() {
	p := newProbe()
	var done sync.WaitGroup
	for range 5 {
		done.Add(1)
		pool.jobs <- done.Done
	}
	done.Wait()
	// Wait until all three are back in their receive, as in the before dump.
	probeAll().await(want{"chan receive", fn("serveJobs"), 3})
	return settled(p)
}
