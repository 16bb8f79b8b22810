package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// run runs the program in-process with a data folder and returns what it printed.
func run(t *testing.T, data string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"QRC_DATA_DIR": data, "QRC_LOG_LEVEL": "error"}
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), args)
	return out.String(), err
}

func TestClientCommands(t *testing.T) {
	data := t.TempDir()
	out, err := run(t, data, "client", "create", "--name", "Partner", "--confidential",
		"--redirect-uri", "https://partner.example/cb", "--redirect-uri", "http://127.0.0.1/cb",
		"--scope", "openid circles:join", "--grant", "authorization_code", "--grant", "refresh_token", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ClientID, ClientSecret string }
	if err := json.Unmarshal([]byte(out), &struct {
		ID     *string `json:"client_id"`
		Secret *string `json:"client_secret"`
	}{&created.ClientID, &created.ClientSecret}); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if created.ClientID == "" || len(created.ClientSecret) < 43 { // 256 bits, base64
		t.Fatalf("created %+v", created)
	}

	out, err = run(t, data, "client", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, created.ClientID) || !strings.Contains(out, `"client_id":"qrcircles-web"`) || strings.Contains(out, created.ClientSecret) {
		t.Fatalf("list should show both clients and no secret: %s", out)
	}

	out, err = run(t, data, "client", "rotate-secret", created.ClientID, "--json")
	if err != nil || strings.Contains(out, created.ClientSecret) || !strings.Contains(out, "client_secret") {
		t.Fatalf("rotate-secret: %v %s", err, out)
	}
	if _, err := run(t, data, "client", "delete", created.ClientID); err != nil {
		t.Fatal(err)
	}
	if out, _ := run(t, data, "client", "list"); strings.Contains(out, created.ClientID) {
		t.Fatalf("deleted client still listed: %s", out)
	}
	if _, err := run(t, data, "client", "delete", "qrcircles-web"); err == nil {
		t.Fatal("the first-party client was deleted")
	}
	log, err := run(t, data, "audit", "--json")
	for _, action := range []string{"client.create", "client.rotate_secret", "client.delete"} {
		if err != nil || !strings.Contains(log, `"`+action+`"`) || !strings.Contains(log, created.ClientID) {
			t.Fatalf("audit log lacks %s of %s: %v\n%s", action, created.ClientID, err, log)
		}
	}
}

func TestClientCreateRefusesUnsafeRequests(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"--name", "X", "--public", "--redirect-uri", "http://partner.example/cb"},              // http off loopback
		{"--name", "X", "--public", "--grant", "client_credentials", "--scope", "circles:read"}, // public + client_credentials
		{"--name", "X", "--confidential", "--redirect-uri", "https://p.example/cb", "--grant", "password"},
		{"--name", "X", "--confidential", "--redirect-uri", "https://p.example/cb", "--scope", "admin"},
		{"--name", "X", "--redirect-uri", "https://p.example/cb"},                                                // neither public nor confidential
		{"--name", "X", "--public", "--redirect-uri", "https://p.example/cb", "--origin", "http://p.example"},    // http off loopback
		{"--name", "X", "--public", "--redirect-uri", "https://p.example/cb", "--origin", "https://p.example/x"}, // a path
	} {
		if _, err := run(t, data, append([]string{"client", "create"}, args...)...); err == nil {
			t.Errorf("accepted %v", args)
		}
	}
}

func TestClientOriginsForTheJoinButton(t *testing.T) {
	data := t.TempDir()
	out, err := run(t, data, "client", "create", "--name", "Tickets", "--public", "--redirect-uri", "https://tickets.example/cb",
		"--origin", "HTTPS://Tickets.Example:443/", "--origin", "http://localhost:8081", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" {
		t.Fatalf("%v: %s", err, out)
	}
	origins := func() []string {
		t.Helper()
		out, err := run(t, data, "client", "list", "--json")
		var cs []struct {
			ID         string   `json:"client_id"`
			WebOrigins []string `json:"web_origins"`
		}
		if err == nil {
			err = json.Unmarshal([]byte(out), &cs)
		}
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, c := range cs {
			if c.ID == created.ID {
				return c.WebOrigins
			}
		}
		t.Fatalf("client %s not listed: %s", created.ID, out)
		return nil
	}
	if got := strings.Join(origins(), " "); got != "https://tickets.example http://localhost:8081" {
		t.Fatalf("origins %q, want them as browsers write them", got)
	}
	if _, err := run(t, data, "client", "origins", created.ID, "ftp://tickets.example"); err == nil {
		t.Fatal("accepted an ftp origin")
	}
	if got := origins(); len(got) != 2 {
		t.Fatalf("a refused change changed the origins: %q", got)
	}
	if _, err := run(t, data, "client", "origins", created.ID); err != nil {
		t.Fatal(err)
	}
	if got := origins(); len(got) != 0 {
		t.Fatalf("origins %q after clearing them", got)
	}
	if log, err := run(t, data, "audit", "--json", "--action", "client.update"); err != nil || !strings.Contains(log, created.ID) {
		t.Fatalf("no client.update entry for %s: %v %s", created.ID, err, log)
	}
}

func TestKeysRotate(t *testing.T) {
	data := t.TempDir()
	out, err := run(t, data, "keys", "rotate")
	if err != nil || !strings.Contains(out, "new signing key") {
		t.Fatalf("%v %s", err, out)
	}
}
