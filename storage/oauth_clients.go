package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"gorm.io/gorm"

	"qrcircles"
)

// ErrConflict is returned when a row with the same key already exists, or a decision was
// already taken. Like ErrNotFound it carries the domain's code (409).
var ErrConflict error = qrcircles.Fail(qrcircles.EConflict, "storage.conflict")

// fositeClient is a registered client as fosite sees it: the fosite.Client (and
// fosite.OpenIDConnectClient) that GetClient returns and stored tokens are rebuilt with.
// Registered gives the authorization server the client behind it.
type fositeClient struct{ c *qrcircles.OAuthClient }

var (
	_ fosite.Client              = fositeClient{}
	_ fosite.OpenIDConnectClient = fositeClient{}
	_ fosite.ClientManager       = (*DB)(nil)
	_ fosite.ResponseModeClient  = fositeClient{}
)

// Registered returns the registered client.
func (f fositeClient) Registered() *qrcircles.OAuthClient { return f.c }

func (f fositeClient) GetID() string                      { return f.c.ID }
func (f fositeClient) GetHashedSecret() []byte            { return f.c.SecretHash }
func (f fositeClient) GetRedirectURIs() []string          { return f.c.RedirectURIs }
func (f fositeClient) GetScopes() fosite.Arguments        { return f.c.Scopes }
func (f fositeClient) IsPublic() bool                     { return f.c.Public }
func (f fositeClient) GetAudience() fosite.Arguments      { return f.c.Audience }
func (f fositeClient) GetGrantTypes() fosite.Arguments    { return f.c.Grants() }
func (f fositeClient) GetResponseTypes() fosite.Arguments { return f.c.Responses() }
func (f fositeClient) GetTokenEndpointAuthMethod() string { return f.c.TokenEndpointAuthMethod }

// GetResponseModes lets a request name the one response mode there is ("query"), as discovery
// says; fosite refuses an explicit response_mode for a client that lists none.
func (f fositeClient) GetResponseModes() []fosite.ResponseModeType {
	return []fosite.ResponseModeType{fosite.ResponseModeDefault, fosite.ResponseModeQuery}
}

// No request objects: fosite would take them (even unsigned ones) from any client that shows it
// keys, so fosite sees none. A private_key_jwt client's keys (JWKS, JWKSURI) serve client
// authentication only, which authz does itself.
func (f fositeClient) GetRequestURIs() []string                     { return nil }
func (f fositeClient) GetJSONWebKeys() *jose.JSONWebKeySet          { return nil }
func (f fositeClient) GetJSONWebKeysURI() string                    { return "" }
func (f fositeClient) GetRequestObjectSigningAlgorithm() string     { return "" }
func (f fositeClient) GetTokenEndpointAuthSigningAlgorithm() string { return "" }

// oauthClientRow is an oauth_clients row; the lists are JSON arrays.
type oauthClientRow struct {
	ID                      string    `gorm:"column:id;primaryKey"`
	SecretHash              []byte    `gorm:"column:secret_hash"`
	Name                    string    `gorm:"column:name"`
	RedirectURIs            string    `gorm:"column:redirect_uris"`
	GrantTypes              string    `gorm:"column:grant_types"`
	ResponseTypes           string    `gorm:"column:response_types"`
	Scopes                  string    `gorm:"column:scopes"`
	Audience                string    `gorm:"column:audience"`
	WebOrigins              string    `gorm:"column:web_origins"`
	PostLogoutRedirectURIs  string    `gorm:"column:post_logout_redirect_uris"`
	RequirePAR              bool      `gorm:"column:require_par"`
	Public                  bool      `gorm:"column:public"`
	FirstParty              bool      `gorm:"column:first_party"`
	TokenEndpointAuthMethod string    `gorm:"column:token_endpoint_auth_method"`
	JWKS                    string    `gorm:"column:jwks"`
	JWKSURI                 string    `gorm:"column:jwks_uri"`
	CreatedAt               time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt               time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (oauthClientRow) TableName() string { return "oauth_clients" }

func clientRow(c *qrcircles.OAuthClient) oauthClientRow {
	return oauthClientRow{
		ID: c.ID, SecretHash: c.SecretHash, Name: c.Name,
		RedirectURIs: jsonList(c.RedirectURIs), GrantTypes: jsonList(c.GrantTypes),
		ResponseTypes: jsonList(c.ResponseTypes), Scopes: jsonList(c.Scopes), Audience: jsonList(c.Audience),
		WebOrigins: jsonList(c.WebOrigins), PostLogoutRedirectURIs: jsonList(c.PostLogoutRedirectURIs), RequirePAR: c.RequirePAR,
		Public: c.Public, FirstParty: c.FirstParty, TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		JWKS: string(c.JWKS), JWKSURI: c.JWKSURI,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

func (r oauthClientRow) client() (*qrcircles.OAuthClient, error) {
	c := &qrcircles.OAuthClient{
		ID: r.ID, SecretHash: r.SecretHash, Name: r.Name, Public: r.Public, FirstParty: r.FirstParty, RequirePAR: r.RequirePAR,
		TokenEndpointAuthMethod: r.TokenEndpointAuthMethod, JWKSURI: r.JWKSURI,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.JWKS != "" {
		c.JWKS = json.RawMessage(r.JWKS)
	}
	lists := []struct {
		raw string
		dst *[]string
	}{
		{r.RedirectURIs, &c.RedirectURIs}, {r.GrantTypes, &c.GrantTypes},
		{r.ResponseTypes, &c.ResponseTypes}, {r.Scopes, &c.Scopes}, {r.Audience, &c.Audience},
		{r.WebOrigins, &c.WebOrigins}, {r.PostLogoutRedirectURIs, &c.PostLogoutRedirectURIs},
	}
	for _, l := range lists {
		if err := json.Unmarshal([]byte(l.raw), l.dst); err != nil {
			return nil, fmt.Errorf("oauth client %q: decoding a list: %w", r.ID, err)
		}
	}
	return c, nil
}

// jsonList encodes a list as a JSON array, never as null.
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // a []string always encodes
	return string(b)
}

// CreateClient registers c, filling in its default authentication method and its times. A
// client with the same id is an ErrConflict.
func (db *DB) CreateClient(ctx context.Context, c *qrcircles.OAuthClient) error {
	if err := c.Normalize(); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	c.CreatedAt, c.UpdatedAt = now, now
	row := clientRow(c)
	err := db.conn(ctx).Create(&row).Error
	if isUniqueViolation(err) {
		return fmt.Errorf("oauth client %q: %w", c.ID, ErrConflict)
	}
	if err != nil {
		return oauthErr("creating oauth client "+c.ID, err)
	}
	return nil
}

// Client returns the client with this id, or an error wrapping both ErrNotFound and
// fosite.ErrNotFound.
func (db *DB) Client(ctx context.Context, id string) (*qrcircles.OAuthClient, error) {
	if unstorable(id) {
		return nil, notFound("oauth client")
	}
	var row oauthClientRow
	err := db.conn(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("oauth client " + id)
	}
	if err != nil {
		return nil, oauthErr("oauth client "+id, err)
	}
	return row.client()
}

// GetClient implements fosite.ClientManager.
func (db *DB) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := db.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	return fositeClient{c}, nil
}

// ListClients returns every client, ordered by id.
func (db *DB) ListClients(ctx context.Context) ([]*qrcircles.OAuthClient, error) {
	var rows []oauthClientRow
	if err := db.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, oauthErr("listing oauth clients", err)
	}
	out := make([]*qrcircles.OAuthClient, 0, len(rows))
	for _, r := range rows {
		c, err := r.client()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UpdateClient replaces everything but the secret hash and the creation time.
func (db *DB) UpdateClient(ctx context.Context, c *qrcircles.OAuthClient) error {
	if err := c.Normalize(); err != nil {
		return err
	}
	c.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	row := clientRow(c)
	res := db.conn(ctx).Model(&oauthClientRow{}).Where("id = ?", c.ID).Select(
		"name", "redirect_uris", "grant_types", "response_types", "scopes", "audience", "web_origins",
		"public", "first_party", "token_endpoint_auth_method", "jwks", "jwks_uri", "updated_at",
		"post_logout_redirect_uris", "require_par",
	).Updates(&row)
	return oneRowChanged("updating oauth client "+c.ID, res)
}

// SetClientSecretHash replaces the client's secret hash.
func (db *DB) SetClientSecretHash(ctx context.Context, id string, hash []byte) error {
	res := db.conn(ctx).Model(&oauthClientRow{}).Where("id = ?", id).Updates(map[string]any{
		"secret_hash": hash, "updated_at": time.Now().UTC(),
	})
	return oneRowChanged("setting the secret of oauth client "+id, res)
}

// DeleteClient removes the client and every token issued to it.
func (db *DB) DeleteClient(ctx context.Context, id string) error {
	defer db.revoked()
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE client_id = ?", id).Error; err != nil {
			return oauthErr("deleting the tokens of oauth client "+id, err)
		}
		res := db.conn(ctx).Exec("DELETE FROM oauth_clients WHERE id = ?", id)
		return oneRowChanged("deleting oauth client "+id, res)
	})
}

// oneRowChanged turns a statement that changed nothing into a not-found error.
func oneRowChanged(what string, res *gorm.DB) error {
	if res.Error != nil {
		return oauthErr(what, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound(what)
	}
	return nil
}
