package fetch

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The fake S3 server's keys: gofakes3 checks no signature, so fakeS3 wraps it in a handler
// that refuses any other access key than goodKey, as S3 refuses unknown keys, and records
// the region of each request's signature. The bucket "public" is readable anonymously.
const (
	goodKey    = "AKIAGOOD"
	goodSecret = "s3cr3t-good"
	modelData  = "pickled model bytes"
)

// fakeS3 is an in-memory S3 server on loopback.
type fakeS3 struct {
	URL     string
	mu      sync.Mutex
	regions []string // from each signed request's credential scope
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/[0-9]+/([^/]+)/s3/`)

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	for _, bucket := range []string{"models", "public"} {
		if err := backend.CreateBucket(bucket); err != nil {
			t.Fatal(err)
		}
		if _, err := backend.PutObject(bucket, "churn/model.pkl", map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat)}, strings.NewReader(modelData), int64(len(modelData)), nil); err != nil {
			t.Fatal(err)
		}
	}
	fake := &fakeS3{}
	handler := gofakes3.New(backend).Server()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, region := "", ""
		if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			key, region = m[1], m[2]
			fake.mu.Lock()
			fake.regions = append(fake.regions, region)
			fake.mu.Unlock()
		}
		public := strings.HasPrefix(r.URL.Path, "/public/") && key == ""
		if key != goodKey && !public {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	fake.URL = server.URL
	return fake
}

// lastRegion returns the region of the last signed request.
func (f *fakeS3) lastRegion() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.regions) == 0 {
		return ""
	}
	return f.regions[len(f.regions)-1]
}

// cleanAWSEnv gives the test an AWS environment of its own: no variables, an empty home.
func cleanAWSEnv(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_S3", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
		t.Setenv(name, "")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	return home
}

// s3Read gets rawURL and returns its content, checking the size announced.
func s3Read(t *testing.T, rawURL string, opts S3Options) (string, error) {
	t.Helper()
	body, size, err := S3Get(context.Background(), rawURL, opts)
	if err != nil {
		return "", err
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	if size != int64(len(data)) {
		t.Errorf("size %d announced for %d bytes", size, len(data))
	}
	return string(data), nil
}

func TestS3GetEnvironment(t *testing.T) {
	fake := newFakeS3(t)
	cleanAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", goodKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", goodSecret)
	t.Setenv("AWS_ENDPOINT_URL", fake.URL)
	got, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{})
	if err != nil || got != modelData {
		t.Fatalf("S3Get = %q, %v", got, err)
	}
	if r := fake.lastRegion(); r != "us-east-1" {
		t.Errorf("default region %q", r)
	}

	// Into the cache, verified.
	body, size, err := S3Get(context.Background(), "s3://models/churn/model.pkl", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := newCache(t).Put(body, []Digest{md5Of(modelData)}, size)
	body.Close()
	if err != nil || entry.SHA256 != sha256Of(modelData) {
		t.Errorf("Put of the S3 body: %+v, %v", entry, err)
	}

	t.Setenv("AWS_DEFAULT_REGION", "eu-west-1")
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); err != nil || fake.lastRegion() != "eu-west-1" {
		t.Errorf("AWS_DEFAULT_REGION: region %q, %v", fake.lastRegion(), err)
	}
	t.Setenv("AWS_REGION", "eu-west-3")
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); err != nil || fake.lastRegion() != "eu-west-3" {
		t.Errorf("AWS_REGION: region %q, %v", fake.lastRegion(), err)
	}
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{Region: "sa-east-1"}); err != nil || fake.lastRegion() != "sa-east-1" {
		t.Errorf("S3Options.Region: region %q, %v", fake.lastRegion(), err)
	}
}

func TestS3GetErrors(t *testing.T) {
	fake := newFakeS3(t)
	cleanAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", goodKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", goodSecret)
	opts := S3Options{Endpoint: fake.URL}
	for rawURL, want := range map[string]struct {
		msg    string
		target error
	}{
		"s3://models/churn/missing.pkl": {"s3://models/churn/missing.pkl: not found", ErrNotFound},
		"s3://nobucket/churn/model.pkl": {"s3://nobucket/churn/model.pkl: not found (no such bucket)", ErrNotFound},
	} {
		_, err := s3Read(t, rawURL, opts)
		var s3Err *S3Error
		if !errors.As(err, &s3Err) || err.Error() != want.msg || !errors.Is(err, want.target) {
			t.Errorf("S3Get(%s) = %v, want %q", rawURL, err, want.msg)
		}
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAWRONG")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-wrong")
	_, err := s3Read(t, "s3://models/churn/model.pkl", opts)
	if err == nil || err.Error() != "s3://models/churn/model.pkl: access denied (refused credentials)" || !errors.Is(err, ErrDenied) {
		t.Errorf("wrong credentials: %v", err)
	}
	checkNoSecret(t, err)

	for _, bad := range []string{"s3://models", "s3://models/", "s3:///key", "https://models/key", "s3://user:s3cr3t@models/key"} {
		_, _, err := S3Get(context.Background(), bad, opts)
		if err == nil || !strings.Contains(err.Error(), "invalid S3 URL") {
			t.Errorf("S3Get(%q) = %v", bad, err)
		}
		checkNoSecret(t, err)
	}
	for _, endpoint := range []string{"ftp://host", "http://host/path", "http://"} {
		if _, _, err := S3Get(context.Background(), "s3://models/k", S3Options{Endpoint: endpoint}); err == nil || !strings.Contains(err.Error(), "invalid S3 endpoint") {
			t.Errorf("endpoint %q: %v", endpoint, err)
		}
	}
}

// TestS3GetAnonymous: without any credentials, a public bucket is read with unsigned requests.
func TestS3GetAnonymous(t *testing.T) {
	fake := newFakeS3(t)
	cleanAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", fake.URL)
	if got, err := s3Read(t, "s3://public/churn/model.pkl", S3Options{}); err != nil || got != modelData {
		t.Errorf("anonymous read of a public bucket: %q, %v", got, err)
	}
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); !errors.Is(err, ErrDenied) {
		t.Errorf("anonymous read of a private bucket: %v", err)
	}
}

// writeFile writes a test's AWS file.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestS3GetSharedFiles: credentials, region and endpoint from the AWS files of a profile.
func TestS3GetSharedFiles(t *testing.T) {
	fake := newFakeS3(t)
	home := cleanAWSEnv(t)
	writeFile(t, filepath.Join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = x\n\n[ci]\naws_access_key_id = "+goodKey+"\naws_secret_access_key = "+goodSecret+"\n")
	writeFile(t, filepath.Join(home, ".aws", "config"), "[default]\nregion = us-west-2\nendpoint_url = "+fake.URL+"\n\n[profile ci]\nregion = ap-south-1\nendpoint_url = "+fake.URL+"\ns3 =\n  endpoint_url = http://127.0.0.1:1\n")

	// The default profile's key is refused.
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); !errors.Is(err, ErrDenied) || fake.lastRegion() != "us-west-2" {
		t.Errorf("default profile: %v, region %q", err, fake.lastRegion())
	}
	t.Setenv("AWS_PROFILE", "ci")
	if got, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); err != nil || got != modelData || fake.lastRegion() != "ap-south-1" {
		t.Errorf("AWS_PROFILE=ci: %q, %v, region %q", got, err, fake.lastRegion())
	}

	// Files elsewhere, named by the environment.
	t.Setenv("AWS_PROFILE", "")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "creds"), "[default]\naws_access_key_id = "+goodKey+"\naws_secret_access_key = "+goodSecret+"\n")
	writeFile(t, filepath.Join(dir, "conf"), "[default]\nregion = ca-central-1\nendpoint_url = "+fake.URL+"\n")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "creds"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "conf"))
	if got, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); err != nil || got != modelData || fake.lastRegion() != "ca-central-1" {
		t.Errorf("AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE: %q, %v, region %q", got, err, fake.lastRegion())
	}

	// Keys in the environment win over the files, except over an explicit profile (DVC's).
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("AWS_CONFIG_FILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", goodKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", goodSecret)
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{}); err != nil {
		t.Errorf("environment keys over the default profile: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAWRONG")
	if _, err := s3Read(t, "s3://models/churn/model.pkl", S3Options{Profile: "ci"}); err != nil {
		t.Errorf("explicit profile over wrong environment keys: %v", err)
	}
}

// TestS3GetEndpointOrder: options, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the config file.
func TestS3GetEndpointOrder(t *testing.T) {
	fake := newFakeS3(t)
	home := cleanAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", goodKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", goodSecret)
	dead := "http://127.0.0.1:1" // nothing listens there: choosing it fails the read
	writeFile(t, filepath.Join(home, ".aws", "config"), "[default]\nendpoint_url = "+dead+"\n")
	steps := []struct {
		env, value string
		opts       S3Options
		ok         bool
	}{
		{"", "", S3Options{}, false},
		{"AWS_ENDPOINT_URL", fake.URL, S3Options{}, true},
		{"AWS_ENDPOINT_URL_S3", dead, S3Options{}, false},
		{"", "", S3Options{Endpoint: fake.URL}, true},
		{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", S3Options{Endpoint: fake.URL}, true},
	}
	for i, step := range steps {
		if step.env != "" {
			t.Setenv(step.env, step.value)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		body, _, err := S3Get(ctx, "s3://models/churn/model.pkl", step.opts)
		cancel()
		if err == nil {
			body.Close()
		}
		if (err == nil) != step.ok {
			t.Errorf("step %d (%s=%s, %+v): %v", i, step.env, step.value, step.opts, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "s3://models/churn/model.pkl: ") {
			t.Errorf("step %d: error %q does not name the object", i, err)
		}
		checkNoSecret(t, err)
	}
}

func TestParseAWSProfile(t *testing.T) {
	text := `# comment
[default]
region = us-east-2
endpoint_url=https://default.example

[profile ci]
region = eu-central-1
s3 =
    endpoint_url = https://nested.example
; another comment
[profile  other ]
region = ap-east-1
[ci]
region = not-a-config-section
`
	for profile, want := range map[string]map[string]string{
		"default": {"region": "us-east-2", "endpoint_url": "https://default.example"},
		"ci":      {"region": "eu-central-1", "s3": ""},
		"other":   {"region": "ap-east-1"},
		"none":    {},
	} {
		if got := parseAWSProfile(text, profile); !maps.Equal(got, want) {
			t.Errorf("profile %s: %v, want %v", profile, got, want)
		}
	}
}
