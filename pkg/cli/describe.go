package cli

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

const describeShort = "Print the annotation of an artifact or of one of its versions"

const describeLong = `Print what artifacts.yaml (or, when it does not name the artifact, DVC's dvc.yaml) says of
NAME: its path, type, description, labels and custom fields. Plain NAME reads the work tree;
NAME@vX.Y.Z, NAME@latest and NAME#STAGE read the file as committed at that version's commit,
so that 'git model describe segm-nn#prod --path' names the file of the model in production.`

type describeCommand struct {
	app         *App
	JSON        bool `long:"json" description:"Print JSON"`
	Path        bool `long:"path" description:"Print the path only"`
	Type        bool `long:"type" description:"Print the type only"`
	Description bool `long:"description" description:"Print the description only"`
	Labels      bool `long:"labels" description:"Print the labels only, one per line"`
	Args        struct {
		Name shortcutArg `positional-arg-name:"NAME" required:"yes"`
	} `positional-args:"yes"`
}

// describeJSON is the object `describe --json` prints.
type describeJSON struct {
	Artifact    string   `json:"artifact"`
	Commit      *string  `json:"commit"`
	Custom      any      `json:"custom"`
	Description string   `json:"description"`
	Labels      []string `json:"labels"`
	Path        string   `json:"path"`
	Source      string   `json:"source"`
	Type        string   `json:"type"`
	Version     *string  `json:"version"`
	Virtual     bool     `json:"virtual"`
}

// describeYAML is the annotation as describe prints it for people: YAML, as in the file.
type describeYAML struct {
	Path        string   `yaml:"path,omitempty"`
	Type        string   `yaml:"type,omitempty"`
	Description string   `yaml:"description,omitempty"`
	Labels      []string `yaml:"labels,omitempty,flow"`
	Virtual     bool     `yaml:"virtual"`
	Custom      any      `yaml:"custom,omitempty"`
}

func (c *describeCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	artifact, version, commit, err := c.app.resolveName(string(c.Args.Name), false)
	if err != nil {
		return err
	}
	a, err := c.app.annotationOf(string(c.Args.Name), artifact, version, commit)
	if err != nil {
		return err
	}
	out := c.app.Stdout
	switch {
	case c.JSON:
		return writeJSON(out, describeJSON{Artifact: artifact, Commit: nullable(commit), Custom: a.Custom,
			Description: a.Description, Labels: append([]string{}, a.Labels...), Path: a.Path, Source: a.Source,
			Type: a.Type, Version: nullable(version), Virtual: a.Virtual})
	case c.Path || c.Type || c.Description || c.Labels:
		printFields(out, field{c.Path, a.Path}, field{c.Type, a.Type}, field{c.Description, a.Description})
		if c.Labels {
			for _, label := range a.Labels {
				fmt.Fprintln(out, terminalSafe(label))
			}
		}
		return nil
	}
	text, err := yaml.Marshal(describeYAML{Path: a.Path, Type: a.Type, Description: a.Description, Labels: a.Labels, Virtual: a.Virtual, Custom: a.Custom})
	if err != nil {
		return fatalError(err)
	}
	_, err = out.Write(text)
	return err
}

// annotationOf returns the annotation of artifact as committed at commit (in the work tree
// for ""), or an error that says where it was looked for; name is the argument as the user
// gave it, version the version it resolved to.
func (app *App) annotationOf(name, artifact, version, commit string) (annotation.Annotation, error) {
	notes, err := app.Annotations()
	if err != nil {
		return annotation.Annotation{}, err
	}
	a, ok, err := notes.Lookup(artifact, commit)
	var exit *exitError
	switch {
	case errors.As(err, &exit):
		return a, err
	case err != nil:
		return a, userError("%v", err)
	case ok:
		return a, nil
	}
	if commit == "" {
		where := "in the work tree"
		if repo, err := app.Repo(); err == nil && repo.WorkDir() == "" {
			where = "at HEAD"
		}
		return a, userError("'%s' has no annotation %s (artifacts.yaml, dvc.yaml)", artifact, where)
	}
	// A version's annotation is the one committed at the version's own commit: one
	// annotated later, in a newer commit, does not describe it.
	return a, &hintedError{userError("%s (%s) has no annotation of '%s' in %s at its commit %s",
		name, version, artifact, notes.Files(artifact), object.Short(commit)),
		"annotations belong to the version's commit: annotate, commit ('git model annotate … --commit'), then register or promote that commit"}
}

// resolveName finds what NAME, NAME@vX.Y.Z, NAME@latest or NAME#STAGE names: the artifact
// and, for a shortcut, the version and its commit. A plain NAME names the artifact alone, or
// with latest its latest version.
func (app *App) resolveName(name string, latest bool) (artifact, version, commit string, err error) {
	shown := name
	sc := registry.ParseShortcut(name)
	if !sc.IsShortcut {
		if err := registry.ValidateArtifactName(name); err != nil {
			return "", "", "", userError("%v", err)
		}
		if !latest {
			return name, "", "", nil
		}
		name += "@latest"
		sc = registry.ParseShortcut(name)
	}
	state, err := app.stateOf(sc.Artifact)
	if err != nil {
		return "", "", "", err
	}
	a, sc, err := app.findArtifact(state, name)
	if err != nil {
		return "", "", "", err
	}
	var v *registry.Version
	switch {
	case sc.Latest:
		v = a.Latest()
	case sc.Version != "":
		v = a.Version(sc.Version)
	default:
		if in := a.InStage(sc.Stage); len(in) > 0 {
			v = in[0].Version
		}
	}
	if v == nil {
		return "", "", "", userError("'%s' names no version", shown)
	}
	return a.Name, v.Name, v.Commit, nil
}
