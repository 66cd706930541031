package fetch

import (
	"errors"
	"fmt"
)

// ErrNotFound is matched (errors.Is) by the errors of a source that answered that the object
// does not exist: an HTTP 404 or 410, an S3 NoSuchKey or NoSuchBucket.
var ErrNotFound = errors.New("not found")

// ErrDenied is matched (errors.Is) by the errors of a source that refused the credentials, or
// the absence of them: an HTTP 401 or 403, an S3 AccessDenied.
var ErrDenied = errors.New("access denied")

// TruncatedError is returned by Cache.Put when the reader ended before the announced size:
// a download cut short.
type TruncatedError struct {
	Want, Got int64
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("download cut short: received %d of %d bytes", e.Got, e.Want)
}

// OversizeError is returned by Cache.Put when the reader gave more bytes than announced.
type OversizeError struct {
	Want int64
}

func (e *OversizeError) Error() string {
	return fmt.Sprintf("received more than the %d bytes announced", e.Want)
}

// MismatchError is returned by Cache.Put when the bytes do not have the digest wanted: the
// source serves other content than the one recorded.
type MismatchError struct {
	Want, Got Digest
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("content does not match: want %s, got %s", e.Want, e.Got)
}
