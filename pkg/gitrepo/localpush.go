package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// LocalRemote reports whether a remote URL (a remote's name already resolved to its URL) names
// a repository on this machine, and its path, by git's rules (url_is_local_not_ssh and
// parse_connect_url in git's connect.c):
//
//   - file://HOST/PATH is the local PATH, whatever HOST is (git drops it: file:///srv/x and
//     file://localhost/srv/x are both /srv/x), percent-decoded as git decodes URLs; the scheme is
//     lower case only (git runs a helper git-remote-FILE for FILE://);
//   - any other SCHEME:// URL, and TRANSPORT::ADDRESS, is not local;
//   - a string without ':', or with a '/' before its first ':', is a path (./host:x is a path,
//     host:x the scp-like SSH form); a leading ~ or ~USER is a home directory, as git's
//     receive-pack expands it (enter_repo); a relative path is taken from the current
//     directory, as libgit2 takes it for the other remote operations of git-model.
//
// The path is absolute and cleaned; it need not exist (the push says so).
func LocalRemote(url string) (path string, ok bool) {
	switch {
	case url == "":
		return "", false
	case strings.HasPrefix(url, "file://"):
		rest := url[len("file://"):]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			return "", false // git: "no path specified"
		}
		path = percentDecode(rest[slash:])
	case strings.Contains(url, "://"):
		return "", false
	default:
		colon, slash := strings.IndexByte(url, ':'), strings.IndexByte(url, '/')
		if colon >= 0 && (slash < 0 || slash > colon) {
			return "", false
		}
		path = expandUserPath(url)
	}
	if path == "" {
		return "", false
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return filepath.Clean(path), true
}

// percentDecode decodes %XX escapes as git's url_decode does: an escape that is not two hex
// digits stays as it is.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+3 <= len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			c, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(c))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isHexDigit reports whether c is a hexadecimal digit, in either case (URLs write both).
func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// expandUserPath expands a leading ~ or ~USER as git's enter_repo does for the path it is
// given (~/ as expandHome reads it in config values); an unknown user leaves the path as it is.
func expandUserPath(p string) string {
	name, rest, _ := strings.Cut(strings.TrimPrefix(p, "~"), "/")
	switch {
	case !strings.HasPrefix(p, "~"):
		return p
	case name == "":
		return expandHome("~/" + rest)
	}
	if u, err := user.Lookup(name); err == nil && u.HomeDir != "" {
		return filepath.Join(u.HomeDir, rest)
	}
	return p
}

// localRepoEnv are the variables that say where a repository is (`git rev-parse
// --local-env-vars` lists git's own, which git clears for the other side of a local push), and
// GIT_QUARANTINE_PATH and GIT_NAMESPACE, which a hook's environment holds. Inherited by the
// child git, they would make it push from another repository than this one (git model run
// with GIT_DIR set, or from inside a hook of another repository), or into a namespace.
// GIT_CONFIG_PARAMETERS and GIT_CONFIG_COUNT stay: `git -c` settings apply to this side's git
// as they apply to git-model, and git itself keeps them from the remote's side.
var localRepoEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_PREFIX",
	"GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_GRAFT_FILE",
	"GIT_SHALLOW_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_CONFIG",
	"GIT_QUARANTINE_PATH", "GIT_NAMESPACE",
}

// pushLocal is pushLocalMessages without what the remote's hooks printed.
func (r *Repository) pushLocal(url string, updates []RefUpdate) ([]RefResult, error) {
	results, _, err := r.pushLocalMessages(url, updates)
	return results, err
}

// pushLocalMessages pushes the updates to the repository at a local path or file:// URL (see
// localRemote) with git's own `git push`, in one push, and returns what the remote did with
// each update, in order, and what the remote's hooks printed (git's "remote: " lines, without
// the prefix).
//
// libgit2's local transport writes into the other repository directly and runs none of its
// hooks; git's local transport runs git-receive-pack there, which runs pre-receive, update,
// post-receive and reference-transaction as over SSH. A team rehearsing "deploy on push" on a
// path gets what the server will do.
//
// --no-verify: this repository's own pre-push hook does not run, as it does not for the
// pushes that libgit2 makes to network remotes: a git-model push behaves the same whatever the
// remote. Each update is pushed by object id (the local tag may have moved since the caller
// read it), with a lease: a creation is a plain push, which git refuses when the remote has the
// tag with another target ("already exists"; with the same target it is up to date); a move or
// a deletion carries --force-with-lease=refs/tags/NAME:OLD ("stale info" when the remote's tag
// is not OLD any more). A push that cannot run at all (no git, no repository there) is an error.
func (r *Repository) pushLocalMessages(url string, updates []RefUpdate) (results []RefResult, messages []string, err error) {
	path, ok := LocalRemote(url)
	if !ok {
		return nil, nil, fmt.Errorf("'%s' is not a local repository", RedactURL(url))
	}
	if len(updates) == 0 {
		return nil, nil, nil
	}
	args := []string{"--git-dir=" + r.GitDir(), "push", "--porcelain", "--no-verify", "--no-follow-tags",
		"--recurse-submodules=no"}
	refspecs := make([]string, 0, len(updates))
	for _, u := range updates {
		ref := tagsPrefix + u.Name
		if u.Old != "" {
			args = append(args, "--force-with-lease="+ref+":"+u.Old)
		}
		refspecs = append(refspecs, refspec(u.New, u))
	}
	args = append(append(args, "--", path), refspecs...)

	cmd := exec.Command("git", args...)
	cmd.Dir = r.GitDir()
	cmd.Env = cleanGitEnv(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return nil, nil, &RemoteError{Remote: url, Kind: ErrLocal, Err: fmt.Errorf("running git push: %w", runErr)}
	}
	messages, failure := readPushStderr(stderr.Bytes())
	status := parsePorcelain(stdout.Bytes())
	if len(status) == 0 {
		// Nothing was reported for any ref: the push did not happen (no repository there, git
		// refused to run). git's own first fatal line says why.
		if failure == "" {
			failure = "git push failed"
			if runErr != nil {
				failure += ": " + runErr.Error()
			}
		}
		err := errors.New(failure)
		if len(messages) > 0 {
			err = &messagesError{err: err, messages: messages}
		}
		return nil, nil, &RemoteError{Remote: url, Kind: ErrUnreachable, Err: err}
	}
	results = make([]RefResult, len(updates))
	for i, u := range updates {
		reason, found := status[tagsPrefix+u.Name]
		if !found {
			reason = "not pushed"
			if failure != "" {
				reason += ": " + failure
			}
		}
		results[i] = RefResult{Name: u.Name, Reason: redactText(reason, url)}
	}
	for i, m := range messages {
		messages[i] = redactText(m, url)
	}
	return results, messages, nil
}

// cleanGitEnv is env without the variables of localRepoEnv.
func cleanGitEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(localRepoEnv, name) {
			out = append(out, kv)
		}
	}
	return out
}

// parsePorcelain reads the ref lines of `git push --porcelain`: FLAG TAB FROM:TO TAB SUMMARY,
// where FLAG '!' is a rejection whose reason ends the summary in parentheses ("[remote
// rejected] (pre-receive hook declined)", "[rejected] (stale info)"). It returns, by the
// remote ref name, "" for a ref that went (or was up to date) and the reason for one that did
// not.
func parsePorcelain(out []byte) map[string]string {
	status := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if len(fields) != 3 || len(fields[0]) != 1 {
			continue // "To URL", "Done"
		}
		_, to, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		if fields[0] != "!" {
			status[to] = ""
			continue
		}
		summary := fields[2]
		reason := strings.Trim(summary, "[] ")
		if open := strings.Index(summary, "("); open >= 0 && strings.HasSuffix(summary, ")") {
			reason = summary[open+1 : len(summary)-1]
		}
		if reason == "" {
			reason = "rejected"
		}
		status[to] = reason
	}
	return status
}

// readPushStderr sorts what git push wrote on stderr: the "remote: " lines (what the other
// side's hooks and receive-pack said, without the prefix and the blanks that git pads them
// with to clear the line), and why git itself failed: its first "fatal: " line (the next ones
// are generic: "Could not read from remote repository."), else its last "error: " line, without
// the prefix (the "failed to push some refs" summary excepted: the ref lines say more).
func readPushStderr(data []byte) (messages []string, failure string) {
	var fatal string
	for _, line := range strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimRight(strings.TrimSuffix(line, "\x1b[K"), " \t")
		switch {
		case strings.HasPrefix(line, "remote:"):
			if msg := strings.TrimSpace(strings.TrimPrefix(line, "remote:")); msg != "" {
				messages = append(messages, msg)
			}
		case strings.HasPrefix(line, "fatal: ") && fatal == "":
			fatal = strings.TrimPrefix(line, "fatal: ")
		case strings.HasPrefix(line, "error: ") && !strings.HasPrefix(line, "error: failed to push some refs"):
			failure = strings.TrimPrefix(line, "error: ")
		}
	}
	if fatal != "" {
		failure = fatal
	}
	return messages, failure
}
