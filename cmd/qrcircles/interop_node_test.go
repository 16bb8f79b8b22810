package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// interopNodeDir is the Node project of the openid-client run; `npm ci` there installs it.
var interopNodeDir = filepath.Join("testdata", "interop-node")

// interopModule checks that the interop project's modules are installed (npm ci in
// interopNodeDir) and that name is one of them. Without them the tests that need them skip on
// a developer's machine and fail under CI, which installs them.
func interopModule(t *testing.T, name string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(interopNodeDir, "node_modules", name, "package.json")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the interop project's modules are needed (npm ci in %s): %v", interopNodeDir, err)
		}
		t.Skipf("the interop project's modules are missing (npm ci in %s): %v", interopNodeDir, err)
	}
}

// nodeProject returns the node command, once the project's modules are installed.
func nodeProject(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node is needed for the interop tests: %v", err)
		}
		t.Skipf("node is not installed: %v", err)
	}
	interopModule(t, "openid-client")
	return node
}

// TestInteropOpenIDClient runs the server app of testdata/interop-node on openid-client 6
// (npm, pinned by package-lock.json), with the library's defaults: client_secret_post, PKCE,
// the RFC 9207 iss check, ID token validation.
func TestInteropOpenIDClient(t *testing.T) {
	node := nodeProject(t)
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newInteropWorld(t, db, qrcircles.AuthMethodSecretPost)
		checkInteropRun(t, w, runNode(t, w, node))
	})
}

// runNode runs interop.mjs and answers its sign-in with the person's browser.
func runNode(t *testing.T, w *interopWorld, node string) []stepOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "interop.mjs")
	cmd.Dir = interopNodeDir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"QRC_ISSUER=" + w.base, "QRC_CLIENT_ID=" + w.clientID, "QRC_CLIENT_SECRET=" + w.secret,
		"QRC_REDIRECT_URI=" + w.redirect, "QRC_CIRCLE_URL=" + w.circleURL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var outs []stepOutput
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		t.Logf("node: %s", sc.Text())
		var line struct {
			stepOutput
			Authorize string `json:"authorize"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("node printed %q: %v", sc.Text(), err)
			continue
		}
		if line.Authorize == "" {
			outs = append(outs, line.stepOutput)
			continue
		}
		callback, err := w.authorize(line.Authorize)
		if err != nil {
			t.Error(err)
		}
		fmt.Fprintln(stdin, callback) // an empty line if the sign-in failed: the step fails
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil && len(outs) == 0 {
		t.Fatalf("node interop.mjs: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("node's standard error:\n%s", stderr.String())
	}
	return outs
}
