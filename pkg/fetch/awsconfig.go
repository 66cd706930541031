package fetch

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/git-model/git-model/pkg/safefile"
)

// awsProfileSettings returns the top-level settings (region, endpoint_url …) of profile in the
// AWS config file: $AWS_CONFIG_FILE, else ~/.aws/config. A missing or unreadable file has none.
// In that file the default profile is [default] and any other [profile NAME], as the AWS CLI
// writes them. Indented lines, which belong to a nested setting (s3 = followed by
// addressing_style = path), are skipped, so a nested endpoint_url is not taken for the
// profile's own.
func awsProfileSettings(profile string) map[string]string {
	file := os.Getenv("AWS_CONFIG_FILE")
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil
		}
		file = filepath.Join(home, ".aws", "config")
	}
	data, err := safefile.Read(file, 0)
	if err != nil {
		return nil
	}
	return parseAWSProfile(string(data), profile)
}

// parseAWSProfile returns the top-level settings of profile in the text of an AWS config file.
func parseAWSProfile(text, profile string) map[string]string {
	settings := map[string]string{}
	in := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case strings.HasPrefix(line, "["):
			name := strings.Join(strings.Fields(strings.Trim(line, "[]")), " ")
			in = name == "profile "+profile || (profile == "default" && name == "default")
		case line[0] == ' ' || line[0] == '\t':
		case in:
			if key, value, ok := strings.Cut(line, "="); ok {
				settings[strings.ToLower(strings.TrimSpace(key))] = strings.TrimSpace(value)
			}
		}
	}
	return settings
}
