package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestRunCoversEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100, 4097} {
		for _, workers := range []int{1, 2, 3, 8} {
			seen := make([]atomic.Int32, n)
			var calls atomic.Int32
			Run(n, workers, func(w, from, to int) {
				calls.Add(1)
				if w < 0 || w >= max(workers, 1) || from > to {
					t.Errorf("Run(%d, %d): share %d is [%d, %d)", n, workers, w, from, to)
				}
				for i := from; i < to; i++ {
					seen[i].Add(1)
				}
			})
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("Run(%d, %d): item %d seen %d times", n, workers, i, c)
				}
			}
			if c := calls.Load(); c != int32(max(workers, 1)) {
				t.Errorf("Run(%d, %d) made %d calls", n, workers, c)
			}
		}
	}
}

func TestWorkers(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, tc := range []struct{ n, per, want int }{
		{0, 10, 1}, {9, 10, 1}, {10, 10, 1}, {1 << 20, 10, procs}, {5, 0, min(procs, 5)},
	} {
		if got := Workers(tc.n, tc.per); got != tc.want {
			t.Errorf("Workers(%d, %d) = %d, want %d", tc.n, tc.per, got, tc.want)
		}
	}
}

func TestEach(t *testing.T) {
	seen := make([]atomic.Int32, 50)
	Each(len(seen), func(i int) { seen[i].Add(1) })
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("item %d seen %d times", i, seen[i].Load())
		}
	}
}
