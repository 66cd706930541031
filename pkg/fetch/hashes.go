package fetch

import (
	"hash"
	"sort"
)

// hashes computes, in one pass over the bytes written to it, the sha256 that names an object
// in the cache and the digest of every other algorithm wanted (DVC's md5), so a file of
// gigabytes is read once.
type hashes map[string]hash.Hash

// newHashes returns hashes for sha256 and for the algorithms of want, which check accepted.
func newHashes(want []Digest) hashes {
	h := hashes{SHA256: newHash(SHA256)}
	for _, d := range want {
		if h[d.Algo] == nil {
			h[d.Algo] = newHash(d.Algo)
		}
	}
	return h
}

// Write feeds p to every hash; a hash never fails to write.
func (h hashes) Write(p []byte) (int, error) {
	for _, x := range h {
		x.Write(p)
	}
	return len(p), nil
}

// sum returns the digest of algorithm algo of the bytes written so far.
func (h hashes) sum(algo string) Digest {
	return sumOf(algo, h[algo])
}

// check returns a *MismatchError for the first digest of want that the bytes do not have.
func (h hashes) check(want []Digest) error {
	sorted := append([]Digest(nil), want...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Algo > sorted[j].Algo }) // sha256 first: the stronger one speaks
	for _, d := range sorted {
		if got := h.sum(d.Algo); got != d {
			return &MismatchError{Want: d, Got: got}
		}
	}
	return nil
}
