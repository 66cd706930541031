//go:build cgo

package odb

/*
#cgo pkg-config: zlib
#include <stdlib.h>
#include <zlib.h>

static z_stream *inflater_new(void) {
	z_stream *z = calloc(1, sizeof(z_stream));
	if (z != NULL && inflateInit(z) != Z_OK) {
		free(z);
		return NULL;
	}
	return z;
}

static void inflater_free(z_stream *z) {
	inflateEnd(z);
	free(z);
}

// inflate_into decompresses the zlib stream at src into at most dst_len bytes at dst. It returns
// the number of bytes written (when the stream ends or dst is full), or -1 when the stream is
// damaged.
static long inflate_into(z_stream *z, const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len) {
	if (inflateReset(z) != Z_OK)
		return -1;
	z->next_in = (unsigned char *)src;
	z->avail_in = src_len;
	z->next_out = dst;
	z->avail_out = dst_len;
	int rc = inflate(z, Z_FINISH);
	if (rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z->avail_out == 0) && !(rc == Z_OK && z->avail_out == 0))
		return -1;
	return (long)(dst_len - z->avail_out);
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// inflater decompresses zlib streams with the system's zlib (what Git and libgit2 use, about
// twice as fast as compress/flate on the small streams of tag objects). It is for one goroutine
// at a time and must be freed.
type inflater struct {
	z *C.z_stream
}

var errInflate = errors.New("bad compressed data")

func newInflater() (*inflater, error) {
	z := C.inflater_new()
	if z == nil {
		return nil, errors.New("zlib cannot be initialised")
	}
	return &inflater{z: z}, nil
}

func (f *inflater) free() {
	if f.z != nil {
		C.inflater_free(f.z)
		f.z = nil
	}
}

// inflateSlack is the room zlib needs after the output to take its fast path (inflate_fast
// wants 258 bytes free, one match of the longest length): without it, the small objects of a
// registry would all be decoded a byte at a time.
const inflateSlack = 258

// inflate decompresses the zlib stream at the start of src into dst, up to cap(dst); it returns
// how many bytes it wrote. Give dst inflateSlack bytes of capacity beyond what is expected.
func (f *inflater) inflate(src, dst []byte) (int, error) {
	if len(src) == 0 || cap(dst) == 0 {
		return 0, errInflate
	}
	dst = dst[:cap(dst)]
	n := C.inflate_into(f.z, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), (*C.uchar)(unsafe.Pointer(&dst[0])), C.size_t(len(dst)))
	if n < 0 {
		return 0, errInflate
	}
	return int(n), nil
}
