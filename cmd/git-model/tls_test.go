package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRemoteHTTPSCertificateAuthorities reads a registry over HTTPS from a loopback server whose
// certificate a throw-away authority signed: without that authority the connection is refused
// (the certificate is not trusted), and the standard variables that name a bundle
// (SSL_CERT_FILE, git's GIT_SSL_CAINFO) or a folder (SSL_CERT_DIR) make it trusted. This is what
// a release binary needs on a system whose bundle is not where the build machine's was.
func TestRemoteHTTPSCertificateAuthorities(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("origin", 1)
	e.mustModel("origin", "register", "nn", "--version", "v1.0.0")
	e.git("", "clone", "-q", "--bare", e.path("origin"), e.path("srv", "models.git"))
	backend := e.gitHTTPBackend(e.path("srv"))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		backend.ServeHTTP(w, r)
	}))
	caPEM, serverCert := testAuthority(t, "localhost")
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	bundle := caPEM
	bundleFile := e.writeFile("ca/test-ca.pem", string(bundle), 0o644)
	// mbedTLS matches host names, not IP addresses, against a certificate: ask for localhost.
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/models.git"

	untrusted := e.run("", []string{"SSL_CERT_FILE=", "SSL_CERT_DIR=", "GIT_SSL_CAINFO="}, "git", "model", "ls", "-R", url)
	if untrusted.code == 0 || !strings.Contains(untrusted.stderr, "certificate") {
		t.Fatalf("an untrusted certificate: exit %d, stderr %q; want a failure naming the certificate", untrusted.code, untrusted.stderr)
	}
	oneLine(t, "the error", untrusted.stderr)
	for _, vars := range [][]string{
		{"SSL_CERT_FILE=" + bundleFile},
		{"GIT_SSL_CAINFO=" + bundleFile},
		{"SSL_CERT_DIR=" + hashedCertDir(t, e, bundle)},
	} {
		os.RemoveAll(e.path("cache"))
		res := e.run("", vars, "git", "model", "ls", "-R", url)
		if res.code != 0 || !strings.Contains(res.stdout, "v1.0.0") {
			t.Errorf("with %v: exit %d, stdout %q, stderr %q", vars, res.code, res.stdout, res.stderr)
		}
	}
}

// hashedCertDir is a folder of certificates as OpenSSL's c_rehash lays it out (HASH.0), which
// mbedTLS reads as a folder of certificates too.
func hashedCertDir(t *testing.T, e *remoteEnv, bundle []byte) string {
	t.Helper()
	dir := e.path("ca-dir")
	e.writeFile("ca-dir/test-ca.0", string(bundle), 0o644)
	return dir
}

// testAuthority makes a throw-away certificate authority and a server certificate it signs for
// host; it returns the authority in PEM and the server's certificate with its key.
func testAuthority(t *testing.T, host string) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "git-model test authority"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}
