// Command git-model is the git-model extension: with it on PATH, `git model …` runs it.
package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/git-model/git-model/pkg/cli"
)

// gcFreeHeap is how much a command may allocate before the garbage collector first runs.
const gcFreeHeap = 64 << 20

func main() {
	collectGarbageLate()
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// collectGarbageLate sets the collector's policy (BENCHMARKS.md, "Memory and the collector"). A
// command lives for a fraction of a second and keeps most of what it allocates (the registry it
// reads): up to some 100,000 tags it stays under gcFreeHeap and is best served by no collection
// at all. A larger registry would make a collector bounded by a memory limit run back to back
// once its live heap passes the limit, so the first collection, when the heap reaches
// gcFreeHeap, hands over to the usual pacing (GOGC=100): peak memory then stays within about
// twice the live heap, and time linear in the registry. GOGC and GOMEMLIMIT, when set, win.
func collectGarbageLate() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(gcFreeHeap)
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}
