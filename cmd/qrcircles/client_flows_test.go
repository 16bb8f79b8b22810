package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClientCreateLogoutURIsAndPAR(t *testing.T) {
	data := t.TempDir()
	out, err := run(t, data, "client", "create", "--name", "Browser App", "--public",
		"--redirect-uri", "https://app.example/cb", "--origin", "https://app.example",
		"--post-logout-redirect-uri", "https://app.example/signed-out", "--require-par", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" {
		t.Fatalf("%v: %s", err, out)
	}
	out, err = run(t, data, "client", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID         string   `json:"client_id"`
		Logout     []string `json:"post_logout_redirect_uris"`
		RequirePAR bool     `json:"require_pushed_authorization_requests"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range list {
		switch {
		case c.ID == created.ID:
			found = true
			if !c.RequirePAR || len(c.Logout) != 1 || c.Logout[0] != "https://app.example/signed-out" {
				t.Fatalf("created client: %+v", c)
			}
		case c.RequirePAR || len(c.Logout) != 0:
			t.Fatalf("another client got the settings: %+v", c)
		}
	}
	if !found {
		t.Fatalf("created client not listed: %s", out)
	}
	_, err = run(t, data, "client", "create", "--name", "Bad", "--public", "--redirect-uri", "https://app.example/cb",
		"--post-logout-redirect-uri", "http://app.example/signed-out")
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("a plain-http post-logout URI on a public host: %v", err)
	}
}
