package authz

import (
	"context"
	"errors"
	"testing"

	"qrcircles"
)

func TestOriginSetIsCachedNotQueriedPerRequest(t *testing.T) {
	loads, fail := 0, false
	clients := []*qrcircles.OAuthClient{{ID: "a", WebOrigins: []string{"https://a.example"}}, {ID: "b"}}
	o := &origins{list: func(context.Context) ([]*qrcircles.OAuthClient, error) {
		loads++
		if fail {
			return nil, errors.New("database down")
		}
		return clients, nil
	}}
	ctx := context.Background()
	for range 100 {
		if !o.get(ctx).allows("https://a.example", "") {
			t.Fatal("registered origin refused")
		}
	}
	if loads != 1 {
		t.Fatalf("%d loads for 100 requests", loads)
	}
	o.invalidate()
	fail = true
	for range 100 {
		if !o.get(ctx).allows("https://a.example", "") {
			t.Fatal("a failed reload dropped the set it had")
		}
	}
	if loads != 2 {
		t.Fatalf("a failing database was asked %d times, want once until the retry time", loads-1)
	}
}

func TestOriginSetAllows(t *testing.T) {
	set := originSet{all: map[string]bool{"https://a.example": true, "https://b.example": true},
		byClient: map[string][]string{"a": {"https://a.example"}, "b": {"https://b.example"}, "none": nil}}
	tests := []struct {
		origin, client string
		want           bool
	}{
		{"https://a.example", "", true},
		{"https://a.example", "a", true},
		{"https://a.example", "b", false},
		{"https://a.example", "none", false},
		{"https://a.example", "unknown-client", true},
		{"https://c.example", "", false},
		{"null", "", false},
		{"https://a.example/path", "", false},
		{"http://a.example", "", false},
	}
	for _, tt := range tests {
		if got := set.allows(tt.origin, tt.client); got != tt.want {
			t.Errorf("allows(%q, %q) = %v, want %v", tt.origin, tt.client, got, tt.want)
		}
	}
}
