// Package fetch owns the machinery that brings a model's bytes to the user: digests, the
// content-addressed download cache, the atomic writing of the output file or folder, the
// HTTPS and S3 readers, and the progress line. It knows nothing of Git, LFS or DVC: the
// packages that resolve where an artifact lives hand it a reader, a size and the digests to
// check, and get back a verified file in the cache.
//
// The cache lives under $XDG_CACHE_HOME/git-model/objects (~/.cache/git-model/objects):
//
//	objects/
//	  sha256/ab/cdef…        the object's bytes, named by their sha256 (ab = first two digits)
//	  sha256/ab/cdef….size   its size in decimal, written after it: Lookup serves the object
//	                         only when its size on disk still matches
//	  md5/12/3456…           "sha256:abcdef…\n": DVC's md5 of the same bytes, pointing to them
//	  urls/<sha256 of URL>   "sha256:abcdef…\n": what a URL without a digest of its own served
//	  tmp/                   downloads under way, renamed into sha256/ when verified
//
// Nothing half-written ever appears at a cache path: every file is written to a temporary
// file, flushed and renamed into place. Every cache access goes through an os.Root, so a
// symbolic link planted in the cache cannot lead a write out of it.
package fetch
