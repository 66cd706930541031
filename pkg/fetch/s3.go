package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The S3 client is minio-go: one module of modest size (its dependencies are a few hashing and
// compression packages and an INI reader) that signs requests, speaks to AWS and to any
// S3-compatible server (MinIO, Ceph, R2 …) with path-style addressing, reads the AWS
// environment and shared files for credentials, and has been kept up by MinIO for a decade.
// The AWS SDK v2 would add some twenty modules (smithy, service clients) to the binary for
// the one GET that git-model sends.

// S3Options are the settings of an S3 remote that DVC's configuration can carry (its
// endpointurl, region and profile). What is empty is taken from the environment and the AWS
// files, as the AWS CLI does.
type S3Options struct {
	Endpoint string
	Region   string
	Profile  string
}

// S3Error is returned by S3Get when S3 answers with an error: URL is s3://bucket/key, Code
// the S3 error code (NoSuchKey, AccessDenied …).
type S3Error struct {
	URL     string
	Code    string
	Status  int
	Message string
}

func (e *S3Error) Error() string {
	switch {
	case e.Code == "NoSuchKey":
		return e.URL + ": not found"
	case e.Code == "NoSuchBucket":
		return e.URL + ": not found (no such bucket)"
	case errors.Is(e, ErrDenied):
		return e.URL + ": access denied (refused credentials)"
	case e.Message != "":
		return e.URL + ": " + e.Code + ": " + shorten(e.Message)
	}
	return fmt.Sprintf("%s: %s (status %d)", e.URL, e.Code, e.Status)
}

// deniedCodes are the S3 error codes that mean the credentials, or their absence, were refused.
var deniedCodes = map[string]bool{
	"AccessDenied": true, "InvalidAccessKeyId": true, "SignatureDoesNotMatch": true,
	"ExpiredToken": true, "InvalidToken": true, "AllAccessDisabled": true,
}

// Is makes NoSuchKey and NoSuchBucket match ErrNotFound, refused credentials ErrDenied.
func (e *S3Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == "NoSuchKey" || e.Code == "NoSuchBucket"
	case ErrDenied:
		return deniedCodes[e.Code]
	}
	return false
}

// s3Retries is the number of tries of a request that fails for a passing reason (a network
// error, a 5xx, a throttle), fewer than minio-go's 10: an unreachable endpoint is reported in
// about a second rather than after a long wait.
const s3Retries = 3

// S3Get sends a GET for s3://bucket/key and returns the body and its size; the caller closes
// the body. As the AWS CLI, it takes:
//   - credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else
//     from the profile (opts.Profile, else AWS_PROFILE, else default) of the shared files
//     (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, AWS_CONFIG_FILE or ~/.aws/config,
//     where minio-go also follows credential_process and SSO), else none (anonymous, for a
//     public bucket); an explicit opts.Profile wins over the environment, as with boto;
//   - the region from opts.Region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region in
//     the config file, else us-east-1;
//   - the endpoint from opts.Endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
//     endpoint_url, else AWS (the environment and the file are skipped when
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true). An http:// endpoint is spoken to without
//     TLS, and a custom endpoint with path-style addressing (http://host/bucket/key), which
//     every S3-compatible server understands.
func S3Get(ctx context.Context, rawURL string, opts S3Options) (io.ReadCloser, int64, error) {
	bucket, key, err := parseS3URL(rawURL)
	if err != nil {
		return nil, 0, err
	}
	shown := "s3://" + bucket + "/" + key
	profile := firstSet(opts.Profile, os.Getenv("AWS_PROFILE"), "default")
	settings := awsProfileSettings(profile)
	region := firstSet(opts.Region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), settings["region"], "us-east-1")
	endpoint := opts.Endpoint
	if endpoint == "" && !strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		endpoint = firstSet(os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"), settings["endpoint_url"])
	}
	host, secure, lookup := "s3.amazonaws.com", true, minio.BucketLookupAuto
	if endpoint != "" {
		if host, secure, err = parseEndpoint(endpoint); err != nil {
			return nil, 0, err
		}
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        s3Credentials(opts.Profile, profile),
		Secure:       secure,
		Region:       region,
		BucketLookup: lookup,
		MaxRetries:   s3Retries,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", shown, err)
	}
	body, info, _, err := minio.Core{Client: client}.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.Code != "" {
			return nil, 0, &S3Error{URL: shown, Code: resp.Code, Status: resp.StatusCode, Message: resp.Message}
		}
		return nil, 0, fmt.Errorf("%s: %w", shown, err)
	}
	size := info.Size
	if size < 0 {
		size = -1
	}
	return body, size, nil
}

// s3Credentials returns the credentials of S3Get: the environment's, then the profile's, then
// none. An explicit profile (DVC's profile setting) skips the environment, as boto does.
func s3Credentials(explicit, profile string) *credentials.Credentials {
	var chain []credentials.Provider
	if explicit == "" {
		chain = append(chain, &credentials.EnvAWS{})
	}
	chain = append(chain, &credentials.FileAWSCredentials{Profile: profile})
	return credentials.NewChainCredentials(chain)
}

// parseS3URL splits s3://bucket/key. The key is taken as written, without URL decoding: an
// S3 key may hold any character, and DVC writes it plainly.
func parseS3URL(rawURL string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(rawURL, "s3://")
	if ok {
		bucket, key, ok = strings.Cut(rest, "/")
	}
	if !ok || bucket == "" || key == "" || strings.Contains(bucket, "@") {
		return "", "", fmt.Errorf("invalid S3 URL '%s': want s3://bucket/key", RedactURL(rawURL))
	}
	return bucket, key, nil
}

// parseEndpoint returns the host and the use of TLS of an S3 endpoint: https://host[:port],
// http://host[:port] (no TLS) or a bare host[:port] (TLS).
func parseEndpoint(endpoint string) (host string, secure bool, err error) {
	if !strings.Contains(endpoint, "://") {
		return endpoint, true, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return "", false, fmt.Errorf("invalid S3 endpoint '%s': want https://host[:port]", RedactURL(endpoint))
	}
	return u.Host, u.Scheme == "https", nil
}

// firstSet returns the first value that is not empty.
func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
