package safefile

import (
	"path"
	"strings"
)

// InTree reports whether p, a slash-separated path relative to the top of a work tree, names
// something inside the work tree and outside Git's own folder: once cleaned, it is not
// absolute, does not climb out with "..", and has no component ".git" in any case (a
// case-insensitive file system opens .GIT/config as .git/config). The top itself (".") is in
// the tree. The path's symbolic links are not looked at: gitrepo.Repository's work-tree file
// functions check where a path really leads.
func InTree(p string) bool {
	clean := path.Clean(p)
	if p == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return false
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}
