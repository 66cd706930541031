// Package parallel is git-model's one way of spreading work over the cores: a registry of
// hundreds of thousands of tags is parsed, decoded and derived in shares, one goroutine each.
package parallel

import (
	"runtime"
	"sync"
)

// Workers is how many goroutines should share n items so that each gets at least per items
// (per ≥ 1): at least one, at most GOMAXPROCS.
func Workers(n, per int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(per, 1)))
}

// Run splits the items [0, n) into workers contiguous shares of nearly equal size and calls
// fn(w, from, to) for the w-th share on a goroutine of its own; it returns when every call has.
func Run(n, workers int, fn func(w, from, to int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}

// Each calls fn(i) for every i in [0, n), each on a goroutine of its own (for few items that
// each wait or work long: repositories, chunks), and returns when every call has.
func Each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}
