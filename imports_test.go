package qrcircles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The direction of imports, tested: the binary imports the servers, the servers import
// storage and the domain root, storage imports only the root, and the root imports only the
// standard library. These tests read the module's packages with `go list` and fail on any
// import against that direction, except the known exceptions listed below, which name the
// work still to do. The list may only shrink: an exception that no longer happens fails the
// test too, so that it is struck off.
//
// Only the packages' own files count, not their tests: an end-to-end test may build a whole
// world out of both servers.

const module = "qrcircles"

// Rule packages decide; they take plain values and the clock, and do no I/O.
var rulePackages = []string{"qrcircles/resource/admission", "qrcircles/resource/cards", "qrcircles/authz/otp"}

// Handler packages answer HTTP; they call services, never storage. Every package under authz
// counts as one: the authorization server's pages, its SMS sign-in and its senders declare
// the stores they need, and the binary hands them storage.
var handlerPackages = []string{"qrcircles/resource/api", "qrcircles/resource/cardapi",
	"qrcircles/resource/messages", "qrcircles/resource/web"}

// handler reports whether the package at path answers HTTP, as handlerPackages says.
func handler(path string) bool {
	return slices.Contains(handlerPackages, path) || within(path, module+"/authz")
}

// ioPackages are the standard packages a rule package must not import.
var ioPackages = []string{"os", "os/exec", "os/signal", "net", "net/http", "database/sql",
	"log", "log/slog", "syscall", "io/fs", "path/filepath"}

// knownExceptions are the imports against the direction that remain, each with the work
// that removes it.
var knownExceptions = []struct{ from, to, why string }{
	// The card and visibility types live in the card rule package. Moving those types to the
	// root removes this.
	{"qrcircles/storage", "qrcircles/resource/cards", "cards.Card, Settings, FieldSet, Facts"},
	// Handlers reach storage because cards, settings, exclusions and messages have no
	// service yet, and the circles service exposes its Store.
	{"qrcircles/resource/api", "qrcircles/storage", "no settings service; handlers use circles.Service.Store"},
	{"qrcircles/resource/cardapi", "qrcircles/storage", "the card service lives on the HTTP handler"},
	{"qrcircles/resource/messages", "qrcircles/storage", "no messages service"},
	{"qrcircles/resource/web", "qrcircles/storage", "no card, settings or messages services; storage types in pages"},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
}

func inModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

func within(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

// standard reports whether path is a standard library package: its first element has no
// dot, and it is not the module's (whose path has no dot either).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && !inModule(path)
}

// violation is one import against the direction.
type violation struct{ from, to, rule string }

func (v violation) String() string { return fmt.Sprintf("%s imports %s: %s", v.from, v.to, v.rule) }

// importRule says what is wrong with from importing to, or "" when nothing is.
func importRule(from, to string) string {
	switch {
	case from == module && !standard(to):
		return "the domain root imports only the standard library"
	case within(from, module+"/authz") && within(to, module+"/resource"),
		within(from, module+"/resource") && within(to, module+"/authz"):
		return "the two servers do not import each other"
	case slices.Contains(rulePackages, from) && inModule(to) && to != module:
		return "a rule package imports only the domain root of the module"
	case slices.Contains(rulePackages, from) && !standard(to) && !inModule(to):
		return "a rule package imports no outside package"
	case slices.Contains(rulePackages, from) && slices.Contains(ioPackages, to):
		return "a rule package does no I/O"
	case within(from, module+"/storage") && inModule(to) && to != module && !within(to, module+"/storage"):
		return "storage imports only the domain root and its own packages"
	case handler(from) && within(to, module+"/storage"):
		return "a handler calls services, never storage"
	}
	return ""
}

// violations lists the imports of pkgs against the direction.
func violations(pkgs []listedPackage) []violation {
	var out []violation
	for _, p := range pkgs {
		for _, to := range p.Imports {
			if rule := importRule(p.ImportPath, to); rule != "" {
				out = append(out, violation{p.ImportPath, to, rule})
			}
		}
	}
	return out
}

func isKnown(v violation) bool {
	return slices.ContainsFunc(knownExceptions, func(e struct{ from, to, why string }) bool {
		return e.from == v.from && e.to == v.to
	})
}

// listModule runs `go list` over the whole module.
func listModule(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == module+"/storage" }) {
		t.Fatalf("go list did not list the module's storage package: %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportsRunOneWay(t *testing.T) {
	found := violations(listModule(t))
	for _, v := range found {
		if !isKnown(v) {
			t.Errorf("%v", v)
		}
	}
	for _, e := range knownExceptions {
		if !slices.ContainsFunc(found, func(v violation) bool { return v.from == e.from && v.to == e.to }) {
			t.Errorf("%s no longer imports %s: strike it off the known exceptions", e.from, e.to)
		}
	}
}

// TestImportRules: the rules find each kind of wrong import and let the right ones pass.
func TestImportRules(t *testing.T) {
	tests := []struct {
		from, to string
		wrong    bool
	}{
		{"qrcircles", "time", false},
		{"qrcircles", "qrcircles/storage", true},
		{"qrcircles", "github.com/gin-gonic/gin", true},
		{"qrcircles/authz", "qrcircles/resource/server", true},
		{"qrcircles/authz/phone", "qrcircles/resource/circles", true},
		{"qrcircles/resource/web", "qrcircles/authz", true},
		{"qrcircles/resource/circles", "qrcircles/authz/phone", true},
		{"qrcircles/authz", "qrcircles", false},
		{"qrcircles/resource/admission", "qrcircles", false},
		{"qrcircles/resource/admission", "slices", false},
		{"qrcircles/resource/admission", "qrcircles/resource/qr", true},
		{"qrcircles/resource/cards", "net/http", true},
		{"qrcircles/authz/otp", "database/sql", true},
		{"qrcircles/authz/otp", "os", true},
		{"qrcircles/authz/otp", "gorm.io/gorm", true},
		{"qrcircles/storage", "qrcircles", false},
		{"qrcircles/storage", "gorm.io/gorm", false},
		{"qrcircles/storage/storagetest", "qrcircles/storage", false},
		{"qrcircles/storage", "qrcircles/resource/push", true},
		{"qrcircles/storage/storagetest", "qrcircles/authz", true},
		{"qrcircles/resource/api", "qrcircles/storage", true},
		{"qrcircles/resource/web", "qrcircles/storage/storagetest", true},
		{"qrcircles/resource/circles", "qrcircles/storage", false}, // a service
		{"qrcircles/authz", "qrcircles/storage", true},
		{"qrcircles/authz/phoneauth", "qrcircles/storage", true},
		{"qrcircles/authz/sms/smstest", "qrcircles/storage/storagetest", true},
		{"qrcircles/cmd/qrcircles", "qrcircles/authz", false},
		{"qrcircles/cmd/qrcircles", "qrcircles/resource/web", false},
	}
	for _, tt := range tests {
		if got := importRule(tt.from, tt.to) != ""; got != tt.wrong {
			t.Errorf("%s importing %s: wrong = %v, want %v", tt.from, tt.to, got, tt.wrong)
		}
	}
}
