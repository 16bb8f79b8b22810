package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-jose/go-jose/v3"

	"qrcircles"
	"qrcircles/authz"
)

const clientUsage = `usage:
  qrcircles client create --name N [--redirect-uri U ...] --public|--confidential [--scope S ...] [--grant G ...] [--origin O ...]
                          [--auth-method M] [--jwks FILE|JSON | --jwks-uri URL] [--json]
                          [--post-logout-redirect-uri U ...] [--require-par] [--json]
  qrcircles client list [--json]
  qrcircles client origins ID [ORIGIN ...]   (pages that may embed the join button; none turns it off)
  qrcircles client delete ID
  qrcircles client rotate-secret ID [--json]`

// listFlag collects a repeatable flag; each value may also hold several space- or
// comma-separated items.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })...)
	return nil
}

type clientFlags struct {
	name               string
	redirects          listFlag
	scopes             listFlag
	grants             listFlag
	origins            listFlag
	logoutRedirects    listFlag
	requirePAR         bool
	public, confidenti bool
	json               bool
	authMethod, jwks   string
	jwksURI            string
}

func (f *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "client name shown on consent pages")
	fs.Var(&f.redirects, "redirect-uri", "allowed redirect URI (repeatable)")
	fs.Var(&f.scopes, "scope", "allowed scope (repeatable)")
	fs.Var(&f.grants, "grant", "allowed grant type (repeatable)")
	fs.Var(&f.origins, "origin", "web origin whose pages may show the join button, e.g. https://partner.example (repeatable)")
	fs.Var(&f.logoutRedirects, "post-logout-redirect-uri", "where RP-initiated logout may send the browser back to (repeatable)")
	fs.BoolVar(&f.requirePAR, "require-par", false, "accept authorization requests only through the PAR endpoint (RFC 9126)")
	fs.BoolVar(&f.public, "public", false, "a public client (native or browser app, no secret, PKCE required)")
	fs.BoolVar(&f.confidenti, "confidential", false, "a confidential client (a back end that keeps a secret)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	fs.StringVar(&f.authMethod, "auth-method", "", "how a confidential client authenticates: client_secret_post (default), client_secret_basic or private_key_jwt")
	fs.StringVar(&f.jwks, "jwks", "", "private_key_jwt: the client's public keys, a JWKS file or the JSON itself")
	fs.StringVar(&f.jwksURI, "jwks-uri", "", "private_key_jwt: the https URL where the client publishes its public keys")
}

func (m *Main) client(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", clientUsage)
	}
	sub, args := args[0], args[1:]
	var f clientFlags
	cfg, pos, err := m.loadConfig("client "+sub, args, f.register)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	clients := authz.NewClients(db, cfg.Secret, cfg.PublicURL)
	if err := clients.EnsureFirstParty(ctx, time.Now()); err != nil {
		return err
	}
	record := func(action, id string) error {
		return db.AddAudit(ctx, qrcircles.NewAuditEntry(time.Now(), action, 0, "client:"+id, "", map[string]string{"by": "qrcircles client"}))
	}
	switch sub {
	case "create":
		id, err := m.clientCreate(ctx, clients, f)
		if err != nil {
			return err
		}
		return record(qrcircles.AuditClientCreate, id)
	case "list":
		return m.clientList(ctx, clients, f.json)
	case "delete":
		if len(pos) != 1 {
			return fmt.Errorf("usage: qrcircles client delete ID")
		}
		if err := clients.Delete(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, "deleted", pos[0])
		return record(qrcircles.AuditClientDelete, pos[0])
	case "origins":
		if len(pos) < 1 {
			return fmt.Errorf("usage: qrcircles client origins ID [ORIGIN ...]")
		}
		if err := clients.SetWebOrigins(ctx, pos[0], pos[1:]); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, "origins of", pos[0]+":", strings.Join(pos[1:], " "))
		return record(qrcircles.AuditClientUpdate, pos[0])
	case "rotate-secret":
		if len(pos) != 1 {
			return fmt.Errorf("usage: qrcircles client rotate-secret ID")
		}
		secret, err := clients.RotateSecret(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := record(qrcircles.AuditClientRotate, pos[0]); err != nil {
			return err
		}
		return m.printSecret(pos[0], secret, f.json)
	}
	return fmt.Errorf("unknown client command %q\n%s", sub, clientUsage)
}

func (m *Main) clientCreate(ctx context.Context, clients *authz.Clients, f clientFlags) (string, error) {
	if f.public == f.confidenti {
		return "", fmt.Errorf("say exactly one of --public and --confidential")
	}
	spec, err := f.spec()
	if err != nil {
		return "", err
	}
	c, secret, err := clients.Create(ctx, spec, time.Now())
	if err != nil {
		return "", err
	}
	return c.ID, m.printSecret(c.ID, secret, f.json)
}

// spec is the client the flags ask for, with the defaults of `client create`.
func (f clientFlags) spec() (authz.ClientSpec, error) {
	spec := authz.ClientSpec{Name: f.name, RedirectURIs: f.redirects, Public: f.public, Scopes: f.scopes, Grants: f.grants, WebOrigins: f.origins,
		PostLogoutRedirectURIs: f.logoutRedirects, RequirePAR: f.requirePAR}
	if len(spec.Grants) == 0 {
		spec.Grants = []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken}
	}
	if len(spec.Scopes) == 0 {
		spec.Scopes = []string{"openid", "profile", "offline_access", "circles:read", "circles:join", "cards:read", "cards:write",
			"messages:read", "messages:write"}
	}
	return spec, f.auth(&spec)
}

// auth fills in how the client authenticates. A confidential client's default is
// client_secret_post, what openid-client and oauth4webapi use when given a secret alone.
func (f clientFlags) auth(spec *authz.ClientSpec) error {
	spec.AuthMethod, spec.JWKSURI = f.authMethod, f.jwksURI
	if spec.AuthMethod == "" && !spec.Public {
		spec.AuthMethod = qrcircles.AuthMethodSecretPost
		if f.jwks != "" || f.jwksURI != "" {
			spec.AuthMethod = qrcircles.AuthMethodPrivateKeyJWT
		}
	}
	if f.jwks == "" {
		return nil
	}
	raw := []byte(f.jwks)
	if !strings.HasPrefix(strings.TrimSpace(f.jwks), "{") {
		var err error
		if raw, err = os.ReadFile(f.jwks); err != nil {
			return fmt.Errorf("--jwks: %w", err)
		}
	}
	spec.JWKS = &jose.JSONWebKeySet{}
	if err := json.Unmarshal(raw, spec.JWKS); err != nil {
		return fmt.Errorf("--jwks: not a JSON Web Key Set: %w", err)
	}
	return nil
}

func (m *Main) printSecret(id, secret string, asJSON bool) error {
	if asJSON {
		out := map[string]string{"client_id": id}
		if secret != "" {
			out["client_secret"] = secret
		}
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	fmt.Fprintln(m.Stdout, "client_id:    ", id)
	if secret != "" {
		fmt.Fprintln(m.Stdout, "client_secret:", secret)
		fmt.Fprintln(m.Stdout, "(the secret is shown only now; store it safely)")
	}
	return nil
}

type clientJSON struct {
	ID           string   `json:"client_id"`
	Name         string   `json:"name"`
	Public       bool     `json:"public"`
	FirstParty   bool     `json:"first_party"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	Grants       []string `json:"grant_types"`
	WebOrigins   []string `json:"web_origins"`
	AuthMethod   string   `json:"token_endpoint_auth_method"`
	JWKSURI      string   `json:"jwks_uri,omitempty"`
	CreatedAt    string   `json:"created_at"`

	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	RequirePAR             bool     `json:"require_pushed_authorization_requests"`
}

func (m *Main) clientList(ctx context.Context, clients *authz.Clients, asJSON bool) error {
	cs, err := clients.List(ctx)
	if err != nil {
		return err
	}
	out := make([]clientJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, toClientJSON(c))
	}
	if asJSON {
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tTYPE\tAUTH\tGRANTS\tREDIRECT URIS\tWEB ORIGINS")
	for _, c := range out {
		kind := "confidential"
		if c.Public {
			kind = "public"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, kind, c.AuthMethod, strings.Join(c.Grants, ","), strings.Join(c.RedirectURIs, " "), strings.Join(c.WebOrigins, " "))
	}
	return w.Flush()
}

func toClientJSON(c *qrcircles.OAuthClient) clientJSON {
	return clientJSON{
		ID: c.ID, Name: c.Name, Public: c.Public, FirstParty: c.FirstParty,
		RedirectURIs: c.RedirectURIs, Scopes: c.Scopes, Grants: c.Grants(),
		WebOrigins: c.WebOrigins, AuthMethod: c.TokenEndpointAuthMethod, JWKSURI: c.JWKSURI,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, RequirePAR: c.RequirePAR,
		CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339),
	}
}

func (m *Main) keys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("usage: qrcircles keys rotate")
	}
	cfg, _, err := m.loadConfig("keys", args[1:], nil)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := authz.NewKeys(db, cfg.Secret)
	if err != nil {
		return err
	}
	kid, err := keys.Rotate(ctx, time.Now())
	if err != nil {
		return err
	}
	if err := db.AddAudit(ctx, qrcircles.NewAuditEntry(time.Now(), qrcircles.AuditKeysRotate, 0, "key:"+kid, "", nil)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "new signing key %s; earlier keys stay published until their tokens expire\n", kid)
	return nil
}
