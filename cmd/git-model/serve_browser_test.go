package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotsDir, when set, is where TestServeBrowser saves the screenshots of the README
// (make screenshots).
var screenshotsDir = os.Getenv("GIT_MODEL_SCREENSHOTS")

// newBrowser starts Debian's headless Chromium (installed by make deps) through chromedp, as
// root can run it: no sandbox, a fresh profile, none of the background connections that a
// closed network refuses.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("the browser tests need Debian's chromium (make deps installs it): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return browser
}

// browse runs actions in the browser, failing the test on an error.
func browse(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval returns the value of a JavaScript expression on the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds: a page that a click loads replaces
// the one before it at a time of the browser's choosing.
func waitFor(t *testing.T, ctx context.Context, what, condition string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](condition))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s never held (last error %v)", what, condition, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeBrowser drives the pages in a real headless browser: the registry page lists the
// artifacts, a filter narrows it, an artifact's page draws one timeline mark per event, a tag
// message holding <script> is shown as text and never run, and the page fits a phone.
func TestServeBrowser(t *testing.T) {
	e := newRemoteEnv(t)
	e.mustModel("", "demo", "repo")
	hostile := `<script>document.title="owned"</script><img src=x onerror="document.title='owned'">`
	e.mustModel("repo", "promote", "churn", "dev", "--version", "v1.1.0", "-m", hostile)
	var names map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.mustModel("repo", "ls", "--json")), &names); err != nil {
		t.Fatal(err)
	}
	var events []json.RawMessage
	if err := json.Unmarshal([]byte(e.mustModel("repo", "history", "models/cv:segm-nn", "--json")), &events); err != nil {
		t.Fatal(err)
	}
	s := e.serve("repo", nil)
	ctx := newBrowser(t, 1280, 900)
	const rowNames = `[...document.querySelectorAll("tr.artifact-row td.name a")].map(a => a.textContent)`

	browse(t, ctx, "the registry page", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("table.registry")))
	rows := eval[[]string](t, ctx, rowNames)
	if len(rows) != len(names) {
		t.Errorf("the registry page lists %v, ls --json %d artifacts", rows, len(names))
	}
	for _, r := range rows {
		if _, ok := names[r]; !ok {
			t.Errorf("the registry page lists %q, which ls --json does not", r)
		}
	}
	saveScreenshot(t, ctx, "registry.png")

	// A filter chosen in the form narrows the rows; the address keeps it, to be shared.
	browse(t, ctx, "filtering by label",
		chromedp.SetValue(chromedp.CSS(`select[name=label]`), "nlp"),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	waitFor(t, ctx, "the filtered page", `location.search.includes("label=nlp") && document.readyState === "complete"`)
	filtered := eval[[]string](t, ctx, rowNames)
	if len(filtered) != 1 || filtered[0] != "models/nlp:sentiment" {
		t.Errorf("filtering by the label nlp shows %v, want [models/nlp:sentiment]", filtered)
	}
	shared := eval[string](t, ctx, `location.href`)
	browse(t, ctx, "the shared filter link", chromedp.Navigate(shared), chromedp.WaitVisible(chromedp.CSS("table.registry")))
	if again := eval[[]string](t, ctx, rowNames); strings.Join(again, ",") != strings.Join(filtered, ",") {
		t.Errorf("the shared link %s shows %v, the page %v", shared, again, filtered)
	}
	browse(t, ctx, "searching",
		chromedp.SetValue(chromedp.CSS(`input[name=q]`), "churn"),
		chromedp.SetValue(chromedp.CSS(`select[name=label]`), ""),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	waitFor(t, ctx, "the search", `location.search.includes("q=churn") && document.readyState === "complete"`)
	if found := eval[[]string](t, ctx, rowNames); len(found) != 1 || found[0] != "churn" {
		t.Errorf("searching churn shows %v", found)
	}

	// An artifact's page, reached by its link: one mark per event on the timeline.
	browse(t, ctx, "an artifact's page",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("table.registry")),
		chromedp.Click(chromedp.CSS(`a[href="/artifacts/models/cv:segm-nn"]`)))
	waitFor(t, ctx, "the artifact's page", `location.pathname === "/artifacts/models/cv:segm-nn" && document.readyState === "complete"`)
	browse(t, ctx, "the timeline", chromedp.WaitVisible(chromedp.CSS("svg.timeline")))
	if marks := eval[int](t, ctx, `document.querySelectorAll("svg.timeline .event").length`); marks != len(events) {
		t.Errorf("the timeline draws %d marks, history --json has %d events", marks, len(events))
	}
	if lanes := eval[int](t, ctx, `document.querySelectorAll("svg.timeline .lane").length`); lanes != 4 { // versions, dev, staging, prod
		t.Errorf("the timeline has %d lanes, want 4", lanes)
	}
	saveScreenshot(t, ctx, "artifact.png")

	// The hostile message is text on the page, and nothing of it ran.
	browse(t, ctx, "the page of churn", chromedp.Navigate(s.url+"/artifacts/churn"), chromedp.WaitVisible(chromedp.CSS("table.events")))
	shown := eval[string](t, ctx, `[...document.querySelectorAll("td.message")].map(td => td.textContent).join("\n")`)
	if !strings.Contains(shown, hostile) {
		t.Errorf("the tag message is not shown as text: messages %q", shown)
	}
	title := eval[string](t, ctx, `document.title`)
	scripts := eval[int](t, ctx, `document.querySelectorAll("script").length`)
	images := eval[int](t, ctx, `document.querySelectorAll("main img").length`)
	if strings.Contains(title, "owned") || scripts != 0 || images != 0 {
		t.Errorf("the tag message became markup: title %q, %d scripts, %d images", title, scripts, images)
	}
}

// TestServePhone: on a phone's screen the pages fit its width; what is wider (tables, the
// timeline) scrolls in its own box.
func TestServePhone(t *testing.T) {
	e := newRemoteEnv(t)
	e.mustModel("", "demo", "repo")
	s := e.serve("repo", nil)
	ctx := newBrowser(t, 390, 844)
	for _, path := range []string{"/", "/artifacts/models/cv:segm-nn", "/history"} {
		browse(t, ctx, path, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("main")))
		if !eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Errorf("%s is wider than a phone's screen", path)
		}
	}
}

// saveScreenshot saves the page as it is when screenshots are asked for (make screenshots).
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if screenshotsDir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("the screenshot %s: %v", name, err)
	}
	if err = os.WriteFile(filepath.Join(screenshotsDir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
