package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// partnerDocPrograms are the programs whose code docs/partners.md shows, each with the test
// that runs it.
var partnerDocPrograms = map[string]string{
	"cmd/partner-example/main.go":                         "TestPartnerJoinsFromAQRCode",
	"cmd/qrcircles/testdata/interop-node/browser-app.mjs": "TestInteropBrowserApp",
	"cmd/qrcircles/testdata/interop-node/server-app.mjs":  "TestInteropOpenIDClient",
}

var (
	fencedBlock = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```")
	fromLine    = regexp.MustCompile(`^// from (\S+)$`)
)

// TestPartnerDocCodeIsTheTestedCode: every go and js block of docs/partners.md is a word-for-
// word excerpt of the program its first line names, a program a test runs; each of those
// programs is shown. Other blocks are shell examples (TestPartnerDocExamples), outputs, or the
// button's tag (TestPartnerDocButtonIsTheTestedOne).
func TestPartnerDocCodeIsTheTestedCode(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "partners.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, m := range fencedBlock.FindAllStringSubmatch(string(doc), -1) {
		lang, body := m[1], m[2]
		switch lang {
		case "sh", "json", "text", "html":
			continue
		case "go", "js":
		default:
			t.Errorf("a ```%s block: code in the document must be go or js, excerpted from a tested program:\n%s", lang, body)
			continue
		}
		first, code, _ := strings.Cut(body, "\n")
		from := fromLine.FindStringSubmatch(first)
		if from == nil {
			t.Errorf("a ```%s block does not start with // from PATH:\n%s", lang, body)
			continue
		}
		if _, ok := partnerDocPrograms[from[1]]; !ok {
			t.Errorf("a ```%s block is from %s, which no test runs (known: %v)", lang, from[1], partnerDocPrograms)
			continue
		}
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(from[1])))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(code) == "" || !strings.Contains(string(src), code) {
			t.Errorf("a ```%s block is not, word for word, in %s:\n%s", lang, from[1], code)
		}
		shown[from[1]] = true
	}
	for file, test := range partnerDocPrograms {
		if !shown[file] {
			t.Errorf("docs/partners.md shows nothing of %s (run by %s)", file, test)
		}
	}
}
