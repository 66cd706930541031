package lfs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// lfsServer is a batch API server for one repository at /repo.git/info/lfs, with its objects
// (OID → content) under /storage/.
type lfsServer struct {
	t       *testing.T
	objects map[string]string
	// user and password, when set, are required (basic authentication) for the batch API.
	user, password string
	// answer, when set, replaces the batch API's answer.
	answer func(w http.ResponseWriter)
	// requests counts the batch requests, auths the Authorization headers they carried.
	requests int
	auths    []string
}

func (s *lfsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if oid, ok := strings.CutPrefix(r.URL.Path, "/storage/"); ok {
		if r.Header.Get("X-Download-Token") != "token-"+oid {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		io.WriteString(w, s.objects[oid])
		return
	}
	if r.URL.Path != "/repo.git/info/lfs/objects/batch" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	s.requests++
	s.auths = append(s.auths, r.Header.Get("Authorization"))
	if r.Header.Get("Accept") != mediaType || r.Header.Get("Content-Type") != mediaType {
		s.t.Errorf("batch request headers Accept %q, Content-Type %q", r.Header.Get("Accept"), r.Header.Get("Content-Type"))
	}
	if s.user != "" || s.password != "" {
		user, password, ok := r.BasicAuth()
		if !ok || user != s.user || password != s.password {
			w.Header().Set("Lfs-Authenticate", `Basic realm="Git LFS"`)
			w.Header().Set("Content-Type", mediaType)
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"Credentials needed"}`)
			return
		}
	}
	if s.answer != nil {
		s.answer(w)
		return
	}
	var req batchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.t.Errorf("decoding the batch request: %v", err)
	}
	if req.Operation != "download" || len(req.Transfers) != 1 || req.Transfers[0] != "basic" || req.HashAlgo != "sha256" {
		s.t.Errorf("batch request = %+v", req)
	}
	var objects []any
	for _, o := range req.Objects {
		content, ok := s.objects[o.OID]
		if !ok {
			objects = append(objects, map[string]any{"oid": o.OID, "size": o.Size,
				"error": map[string]any{"code": 404, "message": "Object does not exist"}})
			continue
		}
		objects = append(objects, map[string]any{"oid": o.OID, "size": len(content), "authenticated": true,
			"actions": map[string]any{"download": map[string]any{
				"href":       "http://" + r.Host + "/storage/" + o.OID,
				"header":     map[string]string{"X-Download-Token": "token-" + o.OID},
				"expires_at": "2999-01-01T00:00:00Z",
			}}})
	}
	w.Header().Set("Content-Type", mediaType+"; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"transfer": "basic", "objects": objects, "hash_algo": "sha256"})
}

// fakeCredentials is a credential helper that holds one user and password, and records what
// was asked of it.
type fakeCredentials struct {
	user, password     string
	none               bool
	filled             []string
	approved, rejected []string
}

func (c *fakeCredentials) Fill(url string) (string, string, bool, error) {
	c.filled = append(c.filled, url)
	return c.user, c.password, !c.none, nil
}

func (c *fakeCredentials) Approve(url, user, password string) {
	c.approved = append(c.approved, url+" "+user+" "+password)
}

func (c *fakeCredentials) Reject(url, user, password string) {
	c.rejected = append(c.rejected, url+" "+user+" "+password)
}

const helloOID = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

func startServer(t *testing.T, s *lfsServer) (endpoint string) {
	t.Helper()
	s.t = t
	if s.objects == nil {
		s.objects = map[string]string{helloOID: "hello\n"}
	}
	server := httptest.NewServer(s)
	t.Cleanup(server.Close)
	return server.URL + "/repo.git/info/lfs"
}

// checkOneLine fails the test when the error is not one line or shows a secret.
func checkOneLine(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, secret := range append(secrets, "Basic ", "Authorization") {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q shows %q", msg, secret)
		}
	}
}

func TestDownloadAction(t *testing.T) {
	s := &lfsServer{}
	endpoint := startServer(t, s)
	c := &Client{}
	p := Pointer{OID: helloOID, Size: 6}
	action, err := c.Download(context.Background(), endpoint, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(action.Href, "/storage/"+helloOID) || action.Header["X-Download-Token"] != "token-"+helloOID {
		t.Fatalf("action = %+v, want the storage href and its header", action)
	}
	if s.auths[0] != "" {
		t.Errorf("the first request carried Authorization %q, want none", s.auths[0])
	}
}

func TestDownloadObjectNotFound(t *testing.T) {
	endpoint := startServer(t, &lfsServer{})
	_, err := (&Client{}).Download(context.Background(), endpoint, Pointer{OID: oidA, Size: 12345})
	if err == nil || !strings.Contains(err.Error(), "object '"+oidA+"' not found on the LFS server") {
		t.Fatalf("Download of a missing object: %v", err)
	}
	checkOneLine(t, err)
}

func TestDownloadObjectError(t *testing.T) {
	s := &lfsServer{answer: func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", mediaType)
		fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":6,"error":{"code":422,"message":"Object is\ntoo wild"}}]}`, helloOID)
	}}
	endpoint := startServer(t, s)
	_, err := (&Client{}).Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
	if err == nil || !strings.Contains(err.Error(), "error 422: Object is\\x0atoo wild") {
		t.Fatalf("Download with an object error: %v", err)
	}
	checkOneLine(t, err)
}

func TestDownloadCredentials(t *testing.T) {
	s := &lfsServer{user: "ada", password: "s3cret"}
	endpoint := startServer(t, s)
	creds := &fakeCredentials{user: "ada", password: "s3cret"}
	c := &Client{Creds: creds}
	action, err := c.Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
	if err != nil {
		t.Fatal(err)
	}
	if action.Href == "" || s.requests != 2 {
		t.Errorf("action %+v after %d requests, want an action after 2", action, s.requests)
	}
	if len(creds.filled) != 1 || creds.filled[0] != endpoint {
		t.Errorf("Fill was asked for %q, want the endpoint %q once", creds.filled, endpoint)
	}
	if want := endpoint + " ada s3cret"; len(creds.approved) != 1 || creds.approved[0] != want || len(creds.rejected) != 0 {
		t.Errorf("approved %q, rejected %q; want %q approved", creds.approved, creds.rejected, want)
	}
}

func TestDownloadUserInEndpoint(t *testing.T) {
	s := &lfsServer{user: "ada", password: "s3cret"}
	endpoint := startServer(t, s)
	withUser := strings.Replace(endpoint, "http://", "http://ada@", 1)
	creds := &fakeCredentials{user: "ada", password: "s3cret"}
	if _, err := (&Client{Creds: creds}).Download(context.Background(), withUser, Pointer{OID: helloOID, Size: 6}); err != nil {
		t.Fatal(err)
	}
	// The user name picks the credentials; it must not make a first request with an empty password.
	if s.auths[0] != "" || len(creds.filled) != 1 || creds.filled[0] != withUser {
		t.Errorf("first Authorization %q, Fill asked for %q; want none, then %q", s.auths[0], creds.filled, withUser)
	}
}

func TestDownloadRefusedCredentials(t *testing.T) {
	s := &lfsServer{user: "ada", password: "s3cret"}
	endpoint := startServer(t, s)
	creds := &fakeCredentials{user: "ada", password: "wrong-pass"}
	_, err := (&Client{Creds: creds}).Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized (refused credentials)") {
		t.Fatalf("Download with refused credentials: %v", err)
	}
	checkOneLine(t, err, "wrong-pass")
	if want := endpoint + " ada wrong-pass"; len(creds.rejected) != 1 || creds.rejected[0] != want || len(creds.approved) != 0 {
		t.Errorf("rejected %q, approved %q; want %q rejected", creds.rejected, creds.approved, want)
	}
	if s.requests != 2 {
		t.Errorf("%d requests, want 2 (no retry after a refusal)", s.requests)
	}
}

func TestDownloadNoCredentials(t *testing.T) {
	endpoint := startServer(t, &lfsServer{user: "ada", password: "s3cret"})
	for name, c := range map[string]*Client{
		"no helper":       {},
		"helper has none": {Creds: &fakeCredentials{none: true}},
	} {
		_, err := c.Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
		if err == nil || !strings.Contains(err.Error(), "401 Unauthorized (no credentials)") {
			t.Errorf("%s: %v, want 401 with no credentials", name, err)
		}
	}
}

func TestDownloadBadAnswers(t *testing.T) {
	tests := map[string]struct {
		answer func(w http.ResponseWriter)
		want   string
	}{
		"HTML page": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>\n<body>Sign in</body>\n</html>\n")
		}, "answer is not JSON (content type 'text/html')"},
		"broken JSON": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			io.WriteString(w, "{\"objects\": [\n")
		}, "answer is not valid JSON"},
		"server error": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"message":"database\nis down"}`)
		}, "500 Internal Server Error: database\\x0ais down"},
		"ftp href": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":6,"actions":{"download":{"href":"ftp://x/y?sig=SECRET"}}}]}`, helloOID)
		}, "is not an http(s) URL ('ftp:…')"},
		"expired action": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":6,"actions":{"download":{"href":"https://x/y","expires_at":"2001-01-01T00:00:00Z"}}}]}`, helloOID)
		}, "expired"},
		"no action": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":6,"actions":{}}]}`, helloOID)
		}, "no download action"},
		"other object": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":6,"actions":{"download":{"href":"https://x/y"}}}]}`, oidA)
		}, "no answer for object"},
		"other size": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			fmt.Fprintf(w, `{"objects":[{"oid":%q,"size":7,"actions":{"download":{"href":"https://x/y"}}}]}`, helloOID)
		}, "has size 7 on the server, 6 in its pointer"},
		"other transfer": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", mediaType)
			io.WriteString(w, `{"transfer":"ssh","objects":[]}`)
		}, "transfer 'ssh'"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			endpoint := startServer(t, &lfsServer{answer: tt.answer})
			_, err := (&Client{}).Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Download: %v, want %q", err, tt.want)
			}
			checkOneLine(t, err, "SECRET")
		})
	}
}

func TestDownloadBadEndpoint(t *testing.T) {
	for _, endpoint := range []string{"file:///srv/lfs", "ssh://host/repo", "not a url", "https://ada:s3cret@"} {
		_, err := (&Client{}).Download(context.Background(), endpoint, Pointer{OID: helloOID, Size: 6})
		if err == nil || !strings.Contains(err.Error(), "must be http(s)") {
			t.Errorf("Download(%q): %v, want an error", endpoint, err)
			continue
		}
		checkOneLine(t, err, "s3cret")
	}
	// A server that is not there: the password of the endpoint shows nowhere.
	_, err := (&Client{}).Download(context.Background(), "http://ada:s3cret@127.0.0.1:1/repo.git/info/lfs", Pointer{OID: helloOID, Size: 6})
	if err == nil {
		t.Fatal("Download from a closed port succeeded")
	}
	checkOneLine(t, err, "s3cret")
	if _, err := (&Client{}).Download(context.Background(), "https://example.com/", Pointer{OID: "../x", Size: 1}); err == nil {
		t.Error("Download of an invalid OID was attempted")
	}
}
