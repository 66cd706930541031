//go:build !cgo

package odb

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
)

// inflater decompresses zlib streams with compress/zlib, in a build without cgo (the fuzzers
// of the pure packages): the same results as the system zlib, about half as fast.
type inflater struct {
	src bytes.Reader
}

var errInflate = errors.New("bad compressed data")

func newInflater() (*inflater, error) {
	return &inflater{}, nil
}

func (f *inflater) free() {}

// inflateSlack is the room the system zlib wants after the output (see inflate_zlib.go); kept
// so that callers size their buffers the same way.
const inflateSlack = 258

// inflate decompresses the zlib stream at the start of src into dst, up to cap(dst); it returns
// how many bytes it wrote.
func (f *inflater) inflate(src, dst []byte) (int, error) {
	if len(src) == 0 || cap(dst) == 0 {
		return 0, errInflate
	}
	dst = dst[:cap(dst)]
	f.src.Reset(src)
	z, err := zlib.NewReader(&f.src)
	if err != nil {
		return 0, errInflate
	}
	n := 0
	for n < len(dst) {
		m, err := z.Read(dst[n:])
		n += m
		if errors.Is(err, io.EOF) { // the stream ended, its checksum checked
			return n, nil
		}
		if err != nil {
			return 0, errInflate
		}
	}
	return n, nil
}
