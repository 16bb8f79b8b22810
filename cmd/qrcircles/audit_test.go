package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
)

// runAudit runs the audit command in-process, as run does for the commands Run dispatches.
func runAudit(t *testing.T, data string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"QRC_DATA_DIR": data, "QRC_LOG_LEVEL": "error"}
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	err := m.audit(context.Background(), args)
	return out.String(), err
}

func TestAuditCommand(t *testing.T) {
	data := t.TempDir()
	if _, err := run(t, data, "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, e := range []storage.AuditEntry{
		storage.NewAuditEntry(now.Add(-48*time.Hour), qrcircles.AuditLogin, 1, "user:1", "198.51.100.1", nil),
		storage.NewAuditEntry(now.Add(-time.Hour), qrcircles.AuditLogin, 2, "user:2", "198.51.100.2", nil),
		storage.NewAuditEntry(now.Add(-time.Minute), qrcircles.AuditClientCreate, 0, "partner", "", map[string]string{"name": "Partner"}),
	} {
		if err := db.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, err := runAudit(t, data)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "AT") || !strings.Contains(lines[1], "client.create") ||
		!strings.Contains(lines[2], "198.51.100.2") || strings.Contains(out, "user:1") {
		t.Fatalf("default table (last 24 h, newest first):\n%s", out)
	}

	out, err = runAudit(t, data, "--since", "72h", "--action", "login", "--json")
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		ActorID int64           `json:"actor_id"`
		Action  string          `json:"action"`
		Detail  json.RawMessage `json:"detail"`
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e line
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		got = append(got, e)
	}
	if len(got) != 2 || got[0].ActorID != 2 || got[1].ActorID != 1 || got[0].Action != qrcircles.AuditLogin || string(got[0].Detail) != "{}" {
		t.Fatalf("json lines: %s", out)
	}

	out, err = runAudit(t, data, "--since", "72h", "--actor", "1", "--limit", "5")
	if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, "user:1") {
		t.Fatalf("--actor: %v\n%s", err, out)
	}
	if _, err := runAudit(t, data, "--action", "nonsense"); err == nil {
		t.Fatal("accepted an unknown action")
	}
}

func TestAuditCommandFiltersConsentAndExclusionActions(t *testing.T) {
	data := t.TempDir()
	if _, err := run(t, data, "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	actions := []string{qrcircles.AuditConsentGrant, qrcircles.AuditConsentWithdraw, qrcircles.AuditExclusionAdd, qrcircles.AuditExclusionRemove}
	for i, a := range actions {
		if err := db.AddAudit(ctx, storage.NewAuditEntry(time.Now().Add(-time.Duration(i+1)*time.Minute), a, 3, "t", "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, a := range actions {
		out, err := runAudit(t, data, "--action", a, "--json")
		if err != nil || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"action":"`+a+`"`) {
			t.Errorf("--action %s: %v\n%s", a, err, out)
		}
	}
}

func TestREADMEListsEveryAuditAction(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range qrcircles.AuditActions {
		if !strings.Contains(string(readme), "`"+a+"`") {
			t.Errorf("README.md does not name the audit action %q", a)
		}
	}
}
