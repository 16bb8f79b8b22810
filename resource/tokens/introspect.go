package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Introspector verifies tokens through RFC 7662 introspection at the authorization server,
// for a resource server that runs apart from it. It authenticates as a confidential client.
type Introspector struct {
	URL          string // the introspection endpoint
	ClientID     string
	ClientSecret string
	HTTP         *http.Client
}

// ErrInactive is returned for a token the authorization server says is not active.
var ErrInactive = errors.New("token is not active")

type introspection struct {
	Active   bool            `json:"active"`
	Sub      string          `json:"sub"`
	Username string          `json:"username"`
	ClientID string          `json:"client_id"`
	Scope    string          `json:"scope"`
	Aud      json.RawMessage `json:"aud"`
	Exp      int64           `json:"exp"`
	ScanTime int64           `json:"scan_time"`
}

// Verify implements Verifier.
func (in *Introspector) Verify(ctx context.Context, token string) (Principal, error) {
	body := url.Values{"token": {token}, "token_type_hint": {"access_token"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, "POST", in.URL, strings.NewReader(body))
	if err != nil {
		return Principal{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(in.ClientID), url.QueryEscape(in.ClientSecret))
	hc := in.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Principal{}, fmt.Errorf("introspection: %w", ctx.Err()) // the caller went away
		}
		return Principal{}, fmt.Errorf("introspection: %w: %w", ErrUnavailable, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 500, res.StatusCode == http.StatusTooManyRequests:
		// The authorization server cannot answer now; that says nothing about the token.
		return Principal{}, fmt.Errorf("introspection: %w: the authorization server answered %d", ErrUnavailable, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return Principal{}, fmt.Errorf("introspection: the authorization server answered %d", res.StatusCode)
	}
	var r introspection
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return Principal{}, fmt.Errorf("introspection: %w: unreadable answer: %w", ErrUnavailable, err)
	}
	if !r.Active {
		return Principal{}, ErrInactive
	}
	return r.principal()
}

func (r introspection) principal() (Principal, error) {
	p := Principal{Subject: r.Sub, Phone: r.Username, ClientID: r.ClientID, Scopes: strings.Fields(r.Scope)}
	if r.Exp > 0 {
		p.ExpiresAt = time.Unix(r.Exp, 0).UTC()
	}
	if r.ScanTime > 0 {
		p.ScanTime = time.Unix(r.ScanTime, 0).UTC()
	}
	// "aud" is a string or an array of strings (RFC 7662 §2.2, RFC 7519 §4.1.3).
	if len(r.Aud) > 0 {
		var one string
		if json.Unmarshal(r.Aud, &one) == nil {
			p.Audience = []string{one}
		} else if err := json.Unmarshal(r.Aud, &p.Audience); err != nil {
			return Principal{}, fmt.Errorf("introspection: aud: %w", err)
		}
	}
	return p, nil
}
