package gitrepo

/*
#cgo pkg-config: libgit2
#include <stdlib.h>
#include <git2.h>

static int set_cert_locations(const char *file, const char *dir) {
	return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir);
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"
)

// builtInCertFile is where the libgit2 that git-model is built against (Debian's, with mbedTLS)
// reads the certificate authorities when it starts: a path compiled into it.
const builtInCertFile = "/etc/ssl/certs/ca-certificates.crt"

// certFiles are the certificate bundles of the Linux distributions, in the order Go's own
// crypto/x509 tries them, for a binary that runs where builtInCertFile is not (Fedora, RHEL,
// openSUSE, Alpine).
var certFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}

// useCertificates tells libgit2 where the certificate authorities are, once, before the first
// connection: the file and folder of GIT_SSL_CAINFO and GIT_SSL_CAPATH (git's own variables),
// else of SSL_CERT_FILE and SSL_CERT_DIR (OpenSSL's, which curl and Go honour too); else, when
// the bundle compiled into libgit2 is missing, the first bundle of this system. Nothing is
// done, and nothing parsed twice, in the usual case.
var useCertificates = sync.OnceValue(func() error {
	file, dir := os.Getenv("GIT_SSL_CAINFO"), os.Getenv("GIT_SSL_CAPATH")
	if file == "" && dir == "" {
		file, dir = os.Getenv("SSL_CERT_FILE"), os.Getenv("SSL_CERT_DIR")
	}
	if file == "" && dir == "" {
		if fileExists(builtInCertFile) {
			return nil
		}
		for _, f := range certFiles {
			if fileExists(f) {
				file = f
				break
			}
		}
		if file == "" {
			return nil // HTTPS then fails with libgit2's own error, naming the certificate
		}
	}
	var cFile, cDir *C.char
	if file != "" {
		cFile = C.CString(file)
		defer C.free(unsafe.Pointer(cFile))
	}
	if dir != "" {
		cDir = C.CString(dir)
		defer C.free(unsafe.Pointer(cDir))
	}
	runtime.LockOSThread() // libgit2 keeps its last error per thread
	defer runtime.UnlockOSThread()
	if code := C.set_cert_locations(cFile, cDir); code < 0 {
		return fmt.Errorf("reading the certificate authorities of '%s%s': %s", file, dir, lastError(code))
	}
	return nil
})

// lastError is libgit2's message for the failure of a call that returned code, on this thread
// (which the caller keeps locked to its goroutine).
func lastError(code C.int) string {
	if e := C.git_error_last(); e != nil {
		return C.GoString(e.message)
	}
	return fmt.Sprintf("libgit2 error %d", int(code))
}
