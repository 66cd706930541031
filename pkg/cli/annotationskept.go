package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/safefile"
)

// What an artifact's annotation is in a committed annotations file never changes: the blob is
// named by its content. A listing of an artifact's versions looks it up at every version, which
// at hundreds of versions of a file of hundreds of artifacts means parsing megabytes of YAML;
// so the annotations found in committed files are kept, by artifact and blob id, under
// $GIT_DIR/git-model/annotations/, and a later listing parses only the files it has not seen.
// Only what came from artifacts.yaml without error and without custom data is kept (custom
// data would not come back from JSON as YAML gave it); anything else is looked up as before.

// keptDir is the folder of the kept annotations, under the common git directory.
const keptDir = "git-model/annotations"

// keptFormat names the layout of a file of kept annotations; another one, or one written by
// another release of git-model (whose reading of annotations may differ), is ignored.
const keptFormat = "git-model kept annotations 1"

// keptAnnotations are the annotations of one artifact (one key of one annotations file), by
// blob id of the file.
type keptAnnotations struct {
	Format  string                           `json:"format"`
	Entries map[string]annotation.Annotation `json:"entries"`
	path    string
	changed bool
}

// kept returns the kept annotations of the artifact key of filePath, read once.
func (n *annotations) kept(filePath, key string) *keptAnnotations {
	name := filePath + "\x00" + key
	if k, ok := n.keptByName[name]; ok {
		return k
	}
	sum := sha256.Sum256([]byte(name))
	k := &keptAnnotations{path: filepath.Join(n.repo.CommonDir(), filepath.FromSlash(keptDir), hex.EncodeToString(sum[:16]))}
	if data, err := safefile.Read(k.path, 0); err != nil || json.Unmarshal(data, k) != nil || k.Format != keptFormat+" "+Version {
		k.Entries = nil
	}
	if k.Entries == nil {
		k.Entries = map[string]annotation.Annotation{}
	}
	if n.keptByName == nil {
		n.keptByName = map[string]*keptAnnotations{}
	}
	n.keptByName[name] = k
	return k
}

// lookupKept is Lookup of an artifact at a commit, answered from the kept annotations when its
// committed annotations file has been seen, and kept when it can be.
func (n *annotations) lookupKept(artifact, commit string) (annotation.Annotation, error) {
	if commit == "" || annotation.CheckFolder(artifact) != nil {
		a, _, err := n.Lookup(artifact, commit)
		return a, err
	}
	filePath, key := annotation.FilePath(artifact, n.index)
	id, ok, err := n.repo.FileID(commit, filePath)
	if err != nil || !ok {
		a, _, err := n.Lookup(artifact, commit)
		return a, err
	}
	k := n.kept(filePath, key)
	if a, ok := k.Entries[id]; ok {
		return a, nil
	}
	a, found, err := n.Lookup(artifact, commit)
	if err == nil && found && a.Source == filePath && a.Custom == nil {
		k.Entries[id] = a
		k.changed = true
	}
	return a, err
}

// hasKept reports whether the annotation of artifact in the blob id of its annotations file is
// kept: Prefetch need not parse that blob.
func (n *annotations) hasKept(artifact, id string) bool {
	filePath, key := annotation.FilePath(artifact, n.index)
	_, ok := n.kept(filePath, key).Entries[id]
	return ok
}

// saveKept writes the kept annotations that changed; failing only costs speed.
func (n *annotations) saveKept() {
	for _, k := range n.keptByName {
		if !k.changed {
			continue
		}
		k.Format = keptFormat + " " + Version
		data, err := json.Marshal(k)
		if err != nil || len(data) > safefile.MaxSize || os.MkdirAll(filepath.Dir(k.path), 0o755) != nil {
			continue
		}
		safefile.ReplaceCache(k.path, data)
	}
}
