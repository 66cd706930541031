package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The CI examples run against a real repository: the shell of their jobs, with git-model and
// git, as GitHub Actions and GitLab CI would run it for each tag event, in the order that
// makes a naive job deploy the wrong version.

// exampleYAML reads an example of examples/ as JSON through Python's YAML parser, as the CI
// services would read it; the test is skipped without it.
func exampleYAML(t *testing.T, name string, v any) {
	t.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s", python)
	}
	cmd := exec.Command(python, "-c", "import json, sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(json.dumps({str(k): v for k, v in d.items()}))",
		filepath.Join("..", "..", "examples", name))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s is not valid YAML: %v\n%s", name, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatal(err)
	}
}

type githubWorkflow struct {
	Env  map[string]string `json:"env"`
	Jobs map[string]struct {
		Needs       any `json:"needs"`
		Concurrency struct {
			Group            string `json:"group"`
			CancelInProgress bool   `json:"cancel-in-progress"`
		} `json:"concurrency"`
		Steps []struct {
			ID   string            `json:"id"`
			Name string            `json:"name"`
			Run  string            `json:"run"`
			Env  map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"jobs"`
}

// ciRun is one CI run of a job for a tag event, in a checkout of the origin.
type ciRun struct {
	e       *remoteEnv
	dir     string
	outputs map[string]string // steps.ID.outputs.KEY
}

// step runs a step's shell as the runner does (bash -e), with its env, the expressions
// ${{ github.ref_name }}, ${{ steps.ID.outputs.KEY }} replaced, and the step's outputs read
// back from GITHUB_OUTPUT.
func (r *ciRun) step(id, script string, env map[string]string, extra ...string) remoteResult {
	r.e.t.Helper()
	output := r.e.path("github-output")
	os.Remove(output)
	vars := append([]string{"GITHUB_OUTPUT=" + output}, extra...)
	expr := regexp.MustCompile(`\$\{\{\s*([\w.-]+)\s*\}\}`)
	for k, v := range env {
		vars = append(vars, k+"="+expr.ReplaceAllStringFunc(v, func(m string) string {
			return r.outputs[expr.FindStringSubmatch(m)[1]]
		}))
	}
	res := r.e.run(r.dir, vars, "bash", "-e", "-c", script)
	if res.code != 0 {
		r.e.t.Fatalf("step %s: exit %d\n%s\n%s", id, res.code, res.stdout, res.stderr)
	}
	data, _ := os.ReadFile(output)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs["steps."+id+".outputs."+k] = v
		}
	}
	return res
}

// TestHookExampleDeploy: two prod assignments pushed at once, then a third assignment pushed
// while the jobs of the first two wait; the job of the oldest tag runs last and still deploys
// the newest assignment, on GitHub and on GitLab. A deregistration makes prod fall back, and
// the job deploys the fallback; a dev assignment deploys nothing.
func TestHookExampleDeploy(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq")
	}
	var gh githubWorkflow
	exampleYAML(t, "github-actions-deploy.yml", &gh)
	var gl map[string]struct {
		ResourceGroup string         `json:"resource_group"`
		Variables     map[string]any `json:"variables"`
		Script        []string       `json:"script"`
	}
	exampleYAML(t, "gitlab-ci-deploy.yml", &gl)

	target, deploy := gh.Jobs["target"], gh.Jobs["deploy"]
	if deploy.Needs != "target" || len(target.Steps) != 1 {
		t.Fatalf("the GitHub deploy job does not need the target job: %+v", deploy.Needs)
	}
	if g := deploy.Concurrency.Group; g != "deploy-${{ needs.target.outputs.artifact }}-${{ needs.target.outputs.stage }}" || deploy.Concurrency.CancelInProgress {
		t.Errorf("the GitHub deploy job's concurrency: group %q, cancel-in-progress %v", g, deploy.Concurrency.CancelInProgress)
	}
	job := gl["deploy-model"]
	if job.ResourceGroup == "" || len(job.Script) == 0 {
		t.Fatalf("the GitLab job has no resource_group or no script")
	}
	stage := gh.Env["STAGE"]
	if stage != "prod" || job.Variables["STAGE"] != "prod" {
		t.Fatalf("STAGE: GitHub %q, GitLab %v", stage, job.Variables["STAGE"])
	}

	github := func(e *remoteEnv, dir, tag string) string {
		r := &ciRun{e: e, dir: dir, outputs: map[string]string{"github.ref_name": tag}}
		workflowEnv := []string{"STAGE=" + stage, "GITHUB_REF=refs/tags/" + tag}
		step := target.Steps[0]
		r.step(step.ID, step.Run, step.Env, workflowEnv...)
		if a, s := r.outputs["steps.tag.outputs.artifact"], r.outputs["steps.tag.outputs.stage"]; a != "m" || s != "prod" {
			e.t.Errorf("the target job of %s: artifact %q, stage %q", tag, a, s)
		}
		var out strings.Builder
		for _, s := range deploy.Steps[1:] { // after actions/checkout
			if strings.Contains(s.Run, "go install") {
				continue // git-model is on PATH already
			}
			out.WriteString(r.step(s.ID, s.Run, s.Env, workflowEnv...).stdout)
		}
		return out.String()
	}
	gitlab := func(e *remoteEnv, dir, tag string) string {
		vars := []string{"CI_COMMIT_TAG=" + tag, "STAGE=" + stage}
		res := e.run(dir, vars, "bash", "-e", "-c", job.Script[len(job.Script)-1])
		if res.code != 0 {
			e.t.Fatalf("GitLab job of %s: exit %d\n%s", tag, res.code, res.stderr)
		}
		return res.stdout
	}
	for name, run := range map[string]func(e *remoteEnv, dir, tag string) string{"github": github, "gitlab": gitlab} {
		t.Run(name, func(t *testing.T) { deployScenario(t, run) })
	}
}

// deployScenario pushes tags to an origin and runs the CI job (run) for tag events in checkouts
// of it, checking what it deploys.
func deployScenario(t *testing.T, run func(e *remoteEnv, dir, tag string) string) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "origin.git")
	e.newRepo("dev", 0)
	for i := 1; i <= 3; i++ {
		e.writeFile("dev/artifacts.yaml", "m:\n  path: models/m.pt\n", 0o644)
		e.writeFile("dev/models/m.pt", fmt.Sprintf("weights %d", i), 0o644)
		e.git("dev", "add", "artifacts.yaml", "models/m.pt")
		e.git("dev", "commit", "-q", "-m", fmt.Sprintf("c%d", i))
	}
	e.git("dev", "remote", "add", "origin", e.path("origin.git"))
	e.mustModel("dev", "register", "m", "HEAD~2")
	e.mustModel("dev", "register", "m", "HEAD~1")
	e.mustModel("dev", "register", "m", "HEAD")
	e.mustModel("dev", "promote", "m", "prod", "--version", "v0.0.1") // m#prod#1
	e.mustModel("dev", "promote", "m", "prod", "--version", "v0.0.2") // m#prod#2
	e.git("dev", "push", "-q", "origin", "main", "m@v0.0.1", "m@v0.0.2", "m@v0.0.3", "m#prod#1", "m#prod#2")

	log := e.path("deploys.log")
	deploys := func() string {
		data, _ := os.ReadFile(log)
		os.Remove(log)
		return string(data)
	}
	// checkout makes the workspace of a run as the runner does when the run starts: a full
	// clone of the origin at the tag, and the team's deploy script.
	n := 0
	checkout := func(tag string) string {
		n++
		dir := fmt.Sprintf("ws%d", n)
		e.git("", "clone", "-q", "--no-checkout", e.path("origin.git"), dir)
		e.git(dir, "checkout", "-q", "refs/tags/"+tag)
		e.writeFile(filepath.Join(dir, "deploy.sh"), "#!/bin/sh\necho \"$1 $2 $(cat \"$3\")\" >> '"+log+"'\n", 0o755)
		return dir
	}

	// Both runs start (check out) after the push of m#prod#1 and m#prod#2; m#prod#3 is pushed
	// while they wait. The run of m#prod#2 goes first, the one of the oldest tag, m#prod#1,
	// last: both deploy v0.0.3, what prod shows when they run.
	older, newer := checkout("m#prod#1"), checkout("m#prod#2")
	e.mustModel("dev", "promote", "m", "prod", "--version", "v0.0.3")
	e.git("dev", "push", "-q", "origin", "m#prod#3")
	run(e, newer, "m#prod#2")
	out := run(e, older, "m#prod#1")
	if got, want := deploys(), "m v0.0.3 weights 3\nm v0.0.3 weights 3\n"; got != want {
		t.Errorf("deployments:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(out, "Deploying m v0.0.3") {
		t.Errorf("the run of m#prod#1 says %q", out)
	}
	// Deregistering v0.0.3: prod falls back to v0.0.2, and that is deployed.
	e.mustModel("dev", "deprecate", "m", "v0.0.3")
	e.git("dev", "push", "-q", "origin", "m@v0.0.3!")
	run(e, checkout("m@v0.0.3!"), "m@v0.0.3!")
	if got, want := deploys(), "m v0.0.2 weights 2\n"; got != want {
		t.Errorf("deployment after the deregistration: %q, want %q", got, want)
	}
	// A dev assignment deploys nothing.
	e.mustModel("dev", "promote", "m", "dev", "--version", "v0.0.1")
	e.git("dev", "push", "-q", "origin", "m#dev#4")
	if out := run(e, checkout("m#dev#4"), "m#dev#4"); !strings.Contains(out, "Nothing to deploy") {
		t.Errorf("the run of m#dev#4 says %q", out)
	}
	if got := deploys(); got != "" {
		t.Errorf("a dev assignment deployed %q", got)
	}
}
