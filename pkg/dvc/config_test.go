package dvc

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// dvcConfig is a .dvc/config as `dvc remote add -d storage s3://…` and `dvc remote modify`
// write it, with a local and an HTTPS remote added by hand.
const dvcConfig = `[core]
    remote = storage
    autostage = true
['remote "storage"']
    url = s3://models-bucket/dvcstore
    endpointurl = https://minio.example.com:9000
    region = eu-west-1
    profile = ml
['remote "Local"']   # a comment after a section
    url = ../../dvc-store
# a comment between sections
['remote "web"']
    url = 'https://dvc.example.com/store#frag'  # quoted: # is not a comment inside
    ssl_verify = false
[cache]
    type = "reflink,copy"
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(dvcConfig))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	want := &Config{
		DefaultRemote: "storage",
		Remotes: map[string]Remote{
			"storage": {Name: "storage", URL: "s3://models-bucket/dvcstore", Options: map[string]string{
				"endpointurl": "https://minio.example.com:9000", "region": "eu-west-1", "profile": "ml"}},
			"local": {Name: "local", URL: "../../dvc-store", Options: map[string]string{}},
			"web":   {Name: "web", URL: "https://dvc.example.com/store#frag", Options: map[string]string{"ssl_verify": "false"}},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}

	r, err := c.Remote("")
	if err != nil || r.Name != "storage" || r.Options["endpointurl"] != "https://minio.example.com:9000" {
		t.Errorf("Remote(\"\") = %+v, %v; want the default remote 'storage'", r, err)
	}
	// DVC lower-cases remote names when it reads the config and when it looks one up.
	if r, err := c.Remote("LOCAL"); err != nil || r.URL != "../../dvc-store" {
		t.Errorf("Remote(LOCAL) = %+v, %v", r, err)
	}
	if _, err := c.Remote("nope"); err == nil || err.Error() != "unknown DVC remote 'nope'" {
		t.Errorf("Remote(nope) error = %v", err)
	}
}

func TestParseConfigVariants(t *testing.T) {
	tests := []struct {
		name, data    string
		wantDefault   string
		wantRemote    string
		wantURL       string
		wantOptionKey string
	}{
		{"unquoted section name, upper-case keys", "[Core]\nRemote = MyRemote\n[remote \"MyRemote\"]\nURL = /srv/dvc\n", "myremote", "myremote", "/srv/dvc", ""},
		{"double-quoted value, CRLF, BOM, tabs", "\ufeff[core]\r\n\tremote = \"s\"\r\n['remote \"s\"']\r\n\turl = \"https://h/p\"\r\n\tAuth = basic\r\n", "s", "s", "https://h/p", "auth"},
		{"no spaces around =", "['remote \"a\"']\nurl=/x\n", "", "a", "/x", ""},
		{"unquoted value with comment", "['remote \"a\"']\nurl = /x # where\n", "", "a", "/x", ""},
		{"machine section ignored", "['machine \"m\"']\ncloud = aws\n['remote \"a\"']\nurl = /x\n", "", "a", "/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tt.data))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if c.DefaultRemote != tt.wantDefault {
				t.Errorf("DefaultRemote = %q, want %q", c.DefaultRemote, tt.wantDefault)
			}
			if len(c.Remotes) != 1 {
				t.Fatalf("remotes %v, want only %q", c.Remotes, tt.wantRemote)
			}
			r := c.Remotes[tt.wantRemote]
			if r.URL != tt.wantURL {
				t.Errorf("remote %q url = %q, want %q", tt.wantRemote, r.URL, tt.wantURL)
			}
			if _, ok := r.Options[tt.wantOptionKey]; tt.wantOptionKey != "" && !ok {
				t.Errorf("options %v lack %q", r.Options, tt.wantOptionKey)
			}
		})
	}
}

func TestParseConfigRefuses(t *testing.T) {
	tests := []struct{ name, data, wantErr string }{
		{"neither section nor key", "[core]\nremote\n", "line 2: invalid line 'remote'"},
		{"duplicate section", "[core]\n[Core]\n", "line 2: duplicate section 'core'"},
		{"duplicate key", "[core]\nremote = a\nREMOTE = b\n", "line 3: duplicate key 'remote' in section 'core'"},
		{"nested section", "[core]\n[[sub]]\n", "nested sections are not supported"},
		{"unterminated section", "['remote \"a\"\n", "invalid section line"},
		{"list value", "['remote \"a\"']\nurl = /a, /b\n", "value of 'url': lists are not supported"},
		{"multi-line value", "['remote \"a\"']\nurl = '''/a\n", "multi-line values are not supported"},
		{"unterminated quote", "['remote \"a\"']\nurl = '/a\n", "unterminated quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigRemoteErrors(t *testing.T) {
	tests := []struct{ name, data, remote, wantErr string }{
		{"no remote at all", "[core]\nautostage = true\n", "", "no DVC remote configured: dvc remote add -d NAME URL"},
		{"no default", "['remote \"a\"']\nurl = /a\n", "", "no default DVC remote: dvc remote default NAME"},
		{"default names an unknown remote", "[core]\nremote = gone\n['remote \"a\"']\nurl = /a\n", "", "unknown DVC remote 'gone'"},
		{"remote without url", "['remote \"a\"']\nregion = x\n", "a", "DVC remote 'a' has no url"},
		{"remote:// loop", "['remote \"a\"']\nurl = remote://b/x\n['remote \"b\"']\nurl = remote://a/y\n", "a", "too many remote:// references"},
		{"remote:// to an unknown remote", "['remote \"a\"']\nurl = remote://b/x\n", "a", "DVC remote 'a': unknown DVC remote 'b'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tt.data))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			_, err = c.Remote(tt.remote)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRemoteReference(t *testing.T) {
	// The example of dvc/fs/__init__.py (_resolve_remote_refs), with an S3 base.
	c, err := ParseConfig([]byte(`['remote "server"']
    url = s3://bucket/base
    profile = root
    region = us-east-1
['remote "images"']
    url = remote://server/tmp/pictures
    profile = alice
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Remote("images")
	if err != nil {
		t.Fatal(err)
	}
	want := Remote{Name: "images", URL: "s3://bucket/base/tmp/pictures", Options: map[string]string{"profile": "alice", "region": "us-east-1"}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}

func TestResolveLocal(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	configDir := filepath.FromSlash("/repo/.dvc")
	tests := []struct{ url, want string }{
		// `dvc remote add -d local ../store` run at the top of /repo writes
		// url = ../../store, relative to .dvc/: both mean /store.
		{"../../store", filepath.FromSlash("/store")},
		{"../store", filepath.FromSlash("/repo/store")},
		{"store", filepath.FromSlash("/repo/.dvc/store")},
		{"/srv/dvc", "/srv/dvc"},
		{"~/dvc-store", filepath.Join(home, "dvc-store")},
		{"s3://bucket/path", "s3://bucket/path"},
		{"https://h/p", "https://h/p"},
		{"remote://other/sub", "remote://other/sub"},
	}
	for _, tt := range tests {
		if got := ResolveLocal(tt.url, configDir); got != tt.want {
			t.Errorf("ResolveLocal(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{"", dvcConfig, "[", "['", "[a]]", "'k' = 'v' # c", "k = \"", "[[a]]"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		_, _ = c.Remote("")
		for name := range c.Remotes {
			if _, err := c.Remote(name); err != nil && strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
		}
	})
}
