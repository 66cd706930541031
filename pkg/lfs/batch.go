package lfs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Credentials gives the client Git's credentials for a URL, as `git credential` does: the
// caller implements it with git's credential helpers (fill, approve, reject).
type Credentials interface {
	// Fill returns a user name and password for the URL (git credential fill); ok false when none.
	Fill(url string) (user, password string, ok bool, err error)
	// Approve tells the helpers that the credentials worked (git credential approve).
	Approve(url, user, password string)
	// Reject tells the helpers that the server refused the credentials (git credential reject).
	Reject(url, user, password string)
}

// Client asks an LFS server, through its batch API, where to download objects.
type Client struct {
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Creds gives credentials when the server answers 401 Unauthorized; nil means none.
	Creds Credentials
}

// Action is where and how to download one object: a GET of Href with the headers of Header
// (often an Authorization the server made for this download, so they are secrets: never print
// them).
type Action struct {
	Href   string
	Header map[string]string
}

// mediaType is the content type of the batch API's requests and answers.
const mediaType = "application/vnd.git-lfs+json"

// maxAnswer bounds what is read of a batch answer or an error page: an answer for one object
// is a few hundred bytes, and a hostile server must not fill the memory.
const maxAnswer = 1 << 20

type batchRequest struct {
	Operation string        `json:"operation"`
	Transfers []string      `json:"transfers"`
	Objects   []batchObject `json:"objects"`
	HashAlgo  string        `json:"hash_algo"`
}

type batchObject struct {
	OID  string `json:"oid"`
	Size int64  `json:"size"`
}

type batchAnswer struct {
	Transfer string `json:"transfer"`
	Objects  []struct {
		OID           string `json:"oid"`
		Size          int64  `json:"size"`
		Authenticated bool   `json:"authenticated"`
		Actions       map[string]struct {
			Href      string            `json:"href"`
			Header    map[string]string `json:"header"`
			ExpiresAt string            `json:"expires_at"`
			ExpiresIn int64             `json:"expires_in"`
		} `json:"actions"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"objects"`
	HashAlgo string `json:"hash_algo"`
}

// Download asks the LFS server at endpoint (as Endpoint gives it) where to download the object
// of p, with the basic transfer. It first asks without credentials, as git-lfs does; on 401 it
// asks Creds for credentials for endpoint and asks once more with them, approving them when the
// server takes them and rejecting them when it answers 401 again.
//
// Its errors are one line each and carry no password, credential or header value.
func (c *Client) Download(ctx context.Context, endpoint string, p Pointer) (Action, error) {
	if !ValidOID(p.OID) || p.Size < 0 {
		return Action{}, fmt.Errorf("invalid LFS object '%s' of size %d", oneLine(p.OID), p.Size)
	}
	shown := withoutPassword(endpoint)
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Action{}, fmt.Errorf("invalid LFS server URL '%s': it must be http(s)", oneLine(shown))
	}
	// The URL a user's credentials are kept for: with the user name, which picks among them,
	// and never a password. The request itself carries no userinfo, since Go's client would
	// turn it into an Authorization header before any 401 asked for one.
	credURL := shown
	u.User = nil
	batchURL := u.JoinPath("objects", "batch").String()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("LFS batch request to '%s': %s", oneLine(shown), fmt.Sprintf(format, args...))
	}

	body, err := json.Marshal(batchRequest{
		Operation: "download",
		Transfers: []string{"basic"},
		Objects:   []batchObject{{OID: p.OID, Size: p.Size}},
		HashAlgo:  "sha256",
	})
	if err != nil {
		return Action{}, fail("%v", err)
	}

	status, answer, err := c.post(ctx, batchURL, body, "", "")
	if err != nil {
		return Action{}, fail("%s", oneLine(redactError(err, endpoint)))
	}
	if status == http.StatusUnauthorized {
		if c.Creds == nil {
			return Action{}, fail("401 Unauthorized (no credentials)")
		}
		user, password, ok, err := c.Creds.Fill(credURL)
		if err != nil {
			return Action{}, fail("401 Unauthorized (getting credentials: %s)", oneLine(hide(err.Error(), password)))
		}
		if !ok {
			return Action{}, fail("401 Unauthorized (no credentials)")
		}
		status, answer, err = c.post(ctx, batchURL, body, user, password)
		if err != nil {
			return Action{}, fail("%s", oneLine(hide(redactError(err, endpoint), password)))
		}
		switch {
		case status == http.StatusUnauthorized:
			c.Creds.Reject(credURL, user, password)
			return Action{}, fail("401 Unauthorized (refused credentials)")
		case status >= 200 && status < 300:
			c.Creds.Approve(credURL, user, password)
		}
	}
	if status < 200 || status > 299 {
		return Action{}, fail("%s", statusText(status, answer.body))
	}
	if !isJSON(answer.contentType) {
		return Action{}, fail("answer is not JSON (content type '%s')", oneLine(answer.contentType))
	}
	if answer.tooLong {
		return Action{}, fail("answer is longer than %d bytes", maxAnswer)
	}
	var batch batchAnswer
	if err := json.Unmarshal(answer.body, &batch); err != nil {
		return Action{}, fail("answer is not valid JSON: %s", oneLine(err.Error()))
	}
	action, err := downloadAction(batch, p, time.Now())
	if err != nil {
		return Action{}, fail("%v", err)
	}
	return action, nil
}

// downloadAction picks the download action of p's object out of a batch answer.
func downloadAction(batch batchAnswer, p Pointer, now time.Time) (Action, error) {
	if batch.Transfer != "" && batch.Transfer != "basic" {
		return Action{}, fmt.Errorf("server chose transfer '%s', not 'basic'", oneLine(batch.Transfer))
	}
	if batch.HashAlgo != "" && batch.HashAlgo != "sha256" {
		return Action{}, fmt.Errorf("server uses hash algorithm '%s', not 'sha256'", oneLine(batch.HashAlgo))
	}
	for _, object := range batch.Objects {
		if object.OID != p.OID {
			continue
		}
		if e := object.Error; e != nil {
			switch e.Code {
			case http.StatusNotFound:
				return Action{}, fmt.Errorf("object '%s' not found on the LFS server", p.OID)
			case http.StatusGone:
				return Action{}, fmt.Errorf("object '%s' was removed from the LFS server: %s", p.OID, oneLine(e.Message))
			}
			return Action{}, fmt.Errorf("object '%s': error %d: %s", p.OID, e.Code, oneLine(e.Message))
		}
		if object.Size != p.Size {
			return Action{}, fmt.Errorf("object '%s' has size %d on the server, %d in its pointer", p.OID, object.Size, p.Size)
		}
		download, ok := object.Actions["download"]
		if !ok {
			return Action{}, fmt.Errorf("no download action for object '%s'", p.OID)
		}
		href, err := url.Parse(download.Href)
		if err != nil || (href.Scheme != "https" && href.Scheme != "http") || href.Host == "" {
			// The href may carry a signature: show its scheme only.
			scheme, _, _ := strings.Cut(download.Href, ":")
			return Action{}, fmt.Errorf("download action for object '%s' is not an http(s) URL ('%s:…')", p.OID, oneLine(scheme))
		}
		if expires, err := time.Parse(time.RFC3339, download.ExpiresAt); err == nil && !expires.IsZero() && expires.Before(now) {
			return Action{}, fmt.Errorf("download action for object '%s' expired at %s", p.OID, expires.Format(time.RFC3339))
		}
		if download.ExpiresIn < 0 {
			return Action{}, fmt.Errorf("download action for object '%s' has already expired", p.OID)
		}
		header := make(map[string]string, len(download.Header))
		for name, value := range download.Header {
			header[name] = value
		}
		return Action{Href: download.Href, Header: header}, nil
	}
	return Action{}, fmt.Errorf("no answer for object '%s'", p.OID)
}

// answer is what post read of a response.
type answer struct {
	contentType string
	body        []byte
	tooLong     bool
}

// post sends one batch request, with basic authentication when user or password is set.
func (c *Client) post(ctx context.Context, batchURL string, body []byte, user, password string) (int, answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, batchURL, bytes.NewReader(body))
	if err != nil {
		return 0, answer{}, err
	}
	req.Header.Set("Accept", mediaType)
	req.Header.Set("Content-Type", mediaType)
	if user != "" || password != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return 0, answer{}, fmt.Errorf("reading answer: %w", err)
	}
	a := answer{contentType: resp.Header.Get("Content-Type"), body: data}
	if len(data) > maxAnswer {
		a.body, a.tooLong = data[:maxAnswer], true
	}
	return resp.StatusCode, a, nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// isJSON reports whether contentType is the batch API's media type or plain JSON, the two that
// git-lfs decodes.
func isJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && (media == mediaType || media == "application/json")
}

// statusText describes a failed request: the status, and the message of the API's JSON error
// document when the server sent one.
func statusText(status int, body []byte) string {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	var doc struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.Message != "" {
		text += ": " + oneLine(doc.Message)
	}
	return text
}

// redactError returns err's message without the endpoint's password, which Go's client
// includes when it quotes the URL of a failed request.
func redactError(err error, endpoint string) string {
	msg := err.Error()
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		msg = urlErr.Err.Error() // the URL is in the message already
	}
	if shown := withoutPassword(endpoint); shown != endpoint {
		msg = strings.ReplaceAll(msg, endpoint, shown)
	}
	return passwordInText.ReplaceAllString(msg, "$1$2@")
}

// passwordInText finds the password of URLs in free text, such as what Go's client or a proxy
// said of a request.
var passwordInText = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/\s'":@]*):[^/\s'"@]*@`)

// hide replaces every occurrence of secret in msg.
func hide(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "…")
}
