package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// secrets are the parts of the test URLs and headers that no error may show.
var secrets = []string{"s3cr3t", "X-Amz-Signature", "sig=", "Bearer", "tok3n"}

// checkNoSecret fails the test when err shows a secret or spans several lines.
func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error shows a secret (%s): %s", s, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error of several lines: %q", msg)
	}
}

// withUser puts credentials into a test server's URL.
func withUser(serverURL, path string) string {
	return strings.Replace(serverURL, "http://", "http://alice:s3cr3t@", 1) + path
}

func TestHTTPGet(t *testing.T) {
	var gotAuth, gotHeader string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotHeader = r.Header.Get("Authorization"), r.Header.Get("X-Extra")
		switch r.URL.Path {
		case "/model.pkl":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "bytes")
		case "/streamed":
			w.(http.Flusher).Flush() // no Content-Length: chunked
			io.WriteString(w, "streamed bytes")
		case "/private":
			w.WriteHeader(http.StatusUnauthorized)
		case "/forbidden":
			w.WriteHeader(http.StatusForbidden)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer server.Close()
	ctx := context.Background()

	header := http.Header{"Authorization": {"Bearer tok3n"}, "X-Extra": {"yes"}}
	body, size, err := HTTPGet(ctx, nil, server.URL+"/model.pkl", header)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	if string(data) != "bytes" || size != 5 {
		t.Errorf("got %q, size %d", data, size)
	}
	if gotAuth != "Bearer tok3n" || gotHeader != "yes" {
		t.Errorf("headers not sent: %q, %q", gotAuth, gotHeader)
	}

	body, size, err = HTTPGet(ctx, server.Client(), server.URL+"/streamed", nil)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := newCache(t).Put(body, nil, size)
	body.Close()
	if err != nil || size != -1 || entry.SHA256 != sha256Of("streamed bytes") {
		t.Errorf("streamed: size %d, %+v, %v", size, entry, err)
	}

	host := strings.TrimPrefix(server.URL, "http://")
	for path, want := range map[string]struct {
		msg    string
		target error
	}{
		"/missing?sig=abc": {"http://" + host + "/missing: 404 Not Found", ErrNotFound},
		"/private?sig=abc": {"http://" + host + "/private: 401 Unauthorized (refused credentials)", ErrDenied},
		"/forbidden":       {"http://" + host + "/forbidden: 403 Forbidden (refused credentials)", ErrDenied},
		"/broken#fragment": {"http://" + host + "/broken: 500 Internal Server Error", nil},
	} {
		_, _, err := HTTPGet(ctx, nil, withUser(server.URL, path), header)
		var httpErr *HTTPError
		if !errors.As(err, &httpErr) || err.Error() != want.msg {
			t.Errorf("GET %s = %v, want %q", path, err, want.msg)
		}
		if want.target != nil && !errors.Is(err, want.target) {
			t.Errorf("GET %s: %v does not match %v", path, err, want.target)
		}
		if errors.Is(err, ErrNotFound) && errors.Is(err, ErrDenied) {
			t.Errorf("GET %s matches both", path)
		}
		checkNoSecret(t, err)
	}
	if gotAuth == "" {
		t.Error("URL credentials not sent")
	}
}

// TestHTTPGetTruncated: a server that announces more bytes than it sends makes Put fail with
// a TruncatedError, and caches nothing.
func TestHTTPGetTruncated(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
		buf.Flush()
	}))
	defer server.Close()
	body, size, err := HTTPGet(context.Background(), nil, server.URL+"/model.pkl", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	c := newCache(t)
	_, err = c.Put(body, nil, size)
	var truncated *TruncatedError
	if !errors.As(err, &truncated) || *truncated != (TruncatedError{Want: 100, Got: 10}) {
		t.Errorf("Put of a cut body = %v, want TruncatedError{100, 10}", err)
	}
	if got := files(t, c.Dir); len(got) != 0 {
		t.Errorf("cache holds %q", got)
	}
}

func TestHTTPGetRedirects(t *testing.T) {
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure")
	}))
	defer secure.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a plain-http redirect to another host was followed, with %q", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/target":
			io.WriteString(w, "same host")
		case "/to-https":
			http.Redirect(w, r, secure.URL+"/x?X-Amz-Signature=abc", http.StatusFound)
		case "/to-http":
			http.Redirect(w, r, other.URL+"/x?X-Amz-Signature=abc", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer server.Close()
	client := secure.Client() // trusts the TLS server's certificate
	ctx := context.Background()
	for path, want := range map[string]string{"/same": "same host", "/to-https": "secure"} {
		body, _, err := HTTPGet(ctx, client, server.URL+path, nil)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			continue
		}
		data, _ := io.ReadAll(body)
		body.Close()
		if string(data) != want {
			t.Errorf("GET %s = %q, want %q", path, data, want)
		}
	}
	header := http.Header{"Authorization": {"Bearer tok3n"}}
	_, _, err := HTTPGet(ctx, client, server.URL+"/to-http", header)
	if err == nil || !strings.Contains(err.Error(), "refused redirect to '"+other.URL+"/x': not https") {
		t.Errorf("redirect to another plain-http host: %v", err)
	}
	checkNoSecret(t, err)
	if _, _, err := HTTPGet(ctx, client, server.URL+"/loop", nil); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v", err)
	}
}

func TestHTTPGetErrorsKeepSecrets(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + listener.Addr().String()
	listener.Close()
	ctx := context.Background()
	for _, u := range []string{
		withUser(closed, "/m?X-Amz-Signature=abc&sig=1"),
		"ftp://alice:s3cr3t@host/m",
		"https://alice:s3cr3t@host/%zz?sig=1",
		"alice:s3cr3t@host/m",
	} {
		_, _, err := HTTPGet(ctx, nil, u, http.Header{"Authorization": {"Bearer tok3n"}})
		if err == nil {
			t.Errorf("GET %s: no error", u)
		}
		checkNoSecret(t, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := HTTPGet(cancelled, nil, withUser(closed, "/m"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:s3cr3t@host/a/b?X-Amz-Signature=x#f": "https://host/a/b",
		"https://host/a":                  "https://host/a",
		"s3://bucket/key":                 "s3://bucket/key",
		"https://alice:s3cr3t@host/%zz?q": "https://host/%zz",
		"https://a:b@c@host/p":            "https://host/p",
		"alice:s3cr3t@host/m?sig=1":       "host/m",
		"not a url":                       "not a url",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
