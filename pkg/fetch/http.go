package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTPError is returned by HTTPGet for an answer other than 2xx. URL is redacted (RedactURL):
// it can be shown.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	status := fmt.Sprint(e.Status)
	if text := http.StatusText(e.Status); text != "" {
		status += " " + text
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		status += " (refused credentials)"
	}
	return e.URL + ": " + status
}

// Is makes a 404 or 410 match ErrNotFound and a 401 or 403 match ErrDenied.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Status == http.StatusGone
	case ErrDenied:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	}
	return false
}

// maxRedirects is the length of the redirect chain HTTPGet follows, as Go's default client.
const maxRedirects = 10

// HTTPGet sends a GET for rawURL with header (credentials, say) and returns the body and its
// size from Content-Length (-1 when unknown); the caller closes the body. client is used with
// its transport and timeout (http.DefaultClient when nil), but whatever its redirect policy,
// a redirect is followed only to https:// or within the same host: never from https down to
// plain http on another host, where a token could be read on the way. Go's client already
// drops Authorization on a redirect to another domain. A status other than 2xx is an
// *HTTPError. No error carries a secret: URLs are redacted (no user name, password or query,
// where presigned URLs keep their signature) and headers are never quoted.
func HTTPGet(ctx context.Context, client *http.Client, rawURL string, header http.Header) (body io.ReadCloser, size int64, err error) {
	shown := RedactURL(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, 0, fmt.Errorf("invalid URL '%s': want https://host/path", shown)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("invalid URL '%s'", shown)
	}
	for key, values := range header {
		req.Header[key] = append([]string(nil), values...)
	}
	if client == nil {
		client = http.DefaultClient
	}
	safe := *client
	safe.CheckRedirect = checkRedirect
	resp, err := safe.Do(req)
	if err != nil {
		// The *url.Error of the client quotes the URL with its query: only its cause is kept.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, 0, fmt.Errorf("%s: %w", shown, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		resp.Body.Close()
		return nil, 0, &HTTPError{URL: shown, Status: resp.StatusCode}
	}
	return resp.Body, resp.ContentLength, nil
}

// checkRedirect is HTTPGet's redirect policy: https anywhere, http only on the same host.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	if req.URL.Scheme != "https" && !strings.EqualFold(req.URL.Host, via[len(via)-1].URL.Host) {
		return fmt.Errorf("refused redirect to '%s': not https", RedactURL(req.URL.String()))
	}
	return nil
}

// RedactURL returns rawURL fit to be shown: without the user name and password, the query
// (a presigned URL's signature, a token) or the fragment. What does not parse as a URL with a
// host is cut the same way by hand, so that even an invalid URL can be quoted in an error.
func RedactURL(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Scheme != "" && u.Host != "" {
		u.User = nil
		u.RawQuery, u.ForceQuery = "", false
		u.Fragment, u.RawFragment = "", ""
		return shorten(u.String())
	}
	s := rawURL
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	}
	authority, path := rest, ""
	if i := strings.Index(rest, "/"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		authority = authority[at+1:]
	}
	if ok {
		scheme += "://"
	}
	return shorten(scheme + authority + path)
}
