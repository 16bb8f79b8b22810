package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
)

// docExample is one ```sh block of docs/partners.md, marked `# example: NAME [expect=STATUS]`.
type docExample struct {
	name   string
	expect int // HTTP status of the last response curl -i printed; 0: not an HTTP example
	script string
}

var (
	shBlock    = regexp.MustCompile("(?s)```sh\n(.*?)```")
	exampleTag = regexp.MustCompile(`^# example: ([a-z0-9-]+)(?: expect=(\d{3}))?\s*$`)
	statusLine = regexp.MustCompile(`(?m)^HTTP/[0-9.]+ (\d{3})`)
)

// docExamples reads every ```sh block of a document; each must carry an example marker.
func docExamples(t *testing.T, path string) []docExample {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	for _, m := range shBlock.FindAllStringSubmatch(string(raw), -1) {
		first, _, _ := strings.Cut(m[1], "\n")
		tag := exampleTag.FindStringSubmatch(first)
		if tag == nil {
			t.Fatalf("%s: a sh block without an `# example: NAME` marker:\n%s", path, m[1])
		}
		ex := docExample{name: tag[1], script: m[1]}
		if tag[2] != "" {
			ex.expect, _ = strconv.Atoi(tag[2])
		}
		out = append(out, ex)
	}
	return out
}

// TestPartnerDocExamples runs every shell example of docs/partners.md against the whole
// server, in the order of the document, with the variables the document names.
func TestPartnerDocExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is not installed: CI must run the documentation examples")
		}
		t.Skip("curl is not installed")
	}
	examples := docExamples(t, filepath.Join("..", "..", "docs", "partners.md"))

	// What the examples need: a partner app ($CLIENT_ID, public, from newWorld), a partner
	// back end ($BACKEND_ID/$BACKEND_SECRET), an organizer's circle ($CIRCLE_URL,
	// $CIRCLE_ID), and an attendee of the app ($TOKEN) with a scan session ($SCAN_TOKEN).
	w := newWorld(t, storagetest.Open(t))
	// The back end is registered as `client create --confidential` does by default.
	backendFlags := clientFlags{name: "Partner back end", confidenti: true,
		scopes: listFlag{"circles:read"}, grants: listFlag{authz.GrantClientCredentials}}
	spec, err := backendFlags.spec()
	if err != nil {
		t.Fatal(err)
	}
	backend, secret, err := w.app.authz.Clients().Create(context.Background(), spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	org := w.person("+8613700000090", "Organizer")
	var c circleResp
	if s := w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Partner docs"}, &c); s != 201 {
		t.Fatalf("create circle: %d", s)
	}
	// The partner app is also a browser app: an origin for CORS, an address for logout.
	if err := w.app.authz.Clients().SetWebOrigins(context.Background(), w.partner, []string{"https://app.example.com"}); err != nil {
		t.Fatal(err)
	}
	pc, err := w.db.Client(context.Background(), w.partner)
	if err != nil {
		t.Fatal(err)
	}
	pc.PostLogoutRedirectURIs = []string{"http://127.0.0.1/signed-out"}
	if err := w.db.UpdateClient(context.Background(), pc); err != nil {
		t.Fatal(err)
	}
	attendee := w.person("+8613800000091", "Attendee")
	if s, r := attendee.join(c); s != 200 { // so that the event stream has something to replay
		t.Fatalf("join: %d %+v", s, r)
	}
	scan := mustScan(t, attendee, c.URL)

	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8",
		"BASE=" + w.base, "CLIENT_ID=" + w.partner, "BACKEND_ID=" + backend.ID, "BACKEND_SECRET=" + secret,
		"CIRCLE_URL=" + c.URL, "CIRCLE_ID=" + strconv.FormatInt(c.ID, 10),
		"TOKEN=" + attendee.token, "SCAN_TOKEN=" + scan,
		"APP_ORIGIN=https://app.example.com",
		// `qrcircles` in an example is this test binary run as the program (see TestMain), on a
		// data folder of its own.
		"QRC_TEST_BINARY=" + os.Args[0], "QRC_DATA_DIR=" + t.TempDir(), "QRC_LOG_LEVEL=error",
	}
	// What each example's output must show besides its status.
	wants := map[string]string{
		"register-client":    `"client_id"`,
		"embed-client":       `"client_id"`,
		"server-client":      `"client_secret"`,
		"client-credentials": `"access_token"`,
		"introspect":         `"active":true`,
		"token-exchange":     `"issued_token_type":"urn:ietf:params:oauth:token-type:access_token"`,
		"circle-preview":     `"title":"Partner docs"`,
		"join":               `"status":"joined"`,
		"own-request":        `"status":"admitted"`,
		"members":            `"display_name":"Attendee"`,
		"events":             "event: ",
		"error":              "application/problem+json",
	}
	wants["register-browser-app"] = `"client_id"`
	wants["cors-preflight"] = "Access-Control-Allow-Origin: https://app.example.com"
	wants["par"] = `"request_uri":"urn:ietf:params:oauth:request_uri:`
	wants["logout"] = "Location: http://127.0.0.1/signed-out?state=af0ifjsldkj"
	seen := map[string]bool{}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			if seen[ex.name] {
				t.Fatalf("two examples named %s", ex.name)
			}
			seen[ex.name] = true
			script := "set -euo pipefail\n" +
				`qrcircles() { QRC_TEST_RUN_MAIN=1 "$QRC_TEST_BINARY" "$@"; }` + "\n" + ex.script
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", script)
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			out := strings.ReplaceAll(stdout.String(), "\r\n", "\n")
			t.Logf("output:\n%s", out)
			var exit *exec.ExitError
			// curl --max-time ends an event stream with exit 28; that is how the example stops.
			if err != nil && !(ex.name == "events" && errors.As(err, &exit) && exit.ExitCode() == 28) {
				t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s\nscript:\n%s", err, out, stderr.String(), ex.script)
			}
			if ex.expect != 0 {
				lines := statusLine.FindAllStringSubmatch(out, -1)
				if len(lines) == 0 {
					t.Fatalf("no HTTP status line in the output (use curl -i):\n%s", out)
				}
				if got := lines[len(lines)-1][1]; got != strconv.Itoa(ex.expect) {
					t.Fatalf("status %s, the document says %d:\n%s", got, ex.expect, out)
				}
			}
			if want, ok := wants[ex.name]; ok && !strings.Contains(strings.ReplaceAll(out, `": `, `":`), want) {
				t.Fatalf("output lacks %s:\n%s", want, out)
			}
		})
	}
	for name := range wants {
		if !seen[name] {
			t.Errorf("docs/partners.md has no example %q", name)
		}
	}
}
