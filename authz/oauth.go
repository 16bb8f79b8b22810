package authz

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"

	"qrcircles/resource/problem"
	"qrcircles/storage"
)

// Mount adds the authorization server's routes to the engine.
func (s *Server) Mount(e *gin.Engine) {
	e.GET("/oauth2/auth", s.authorize)
	e.POST("/oauth2/auth", s.authorize)
	e.POST("/oauth2/token", s.token)
	e.POST("/oauth2/introspect", s.introspect)
	e.POST("/oauth2/revoke", s.revoke)
	e.GET("/userinfo", s.userinfo)
	e.POST("/userinfo", s.userinfo)
	e.GET("/.well-known/openid-configuration", s.discovery)
	e.GET("/.well-known/oauth-authorization-server", s.discovery)
	e.GET("/.well-known/jwks.json", s.jwks)
	e.GET("/auth/callback", s.callback)
	s.mountPages(e)
}

// authorize is the authorization endpoint: fosite checks the request; this decides who the
// user is and whether they consent.
func (s *Server) authorize(c *gin.Context) {
	ctx := c.Request.Context()
	ar, err := s.oauth.NewAuthorizeRequest(ctx, c.Request)
	if problem.Unavailable(err) {
		s.renderError(c, "message", titleUnavailable, err, nil)
		return
	}
	if err != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	if err := checkPKCE(ar); err != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	user, ok, err := s.Session(c.Request)
	if err != nil {
		s.renderError(c, "message", titleUnavailable, err, nil) // not "sign in again"
		return
	}
	if !ok {
		if ar.GetRequestForm().Get("prompt") == "none" {
			s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, fosite.ErrLoginRequired)
			return
		}
		c.Redirect(http.StatusSeeOther, "/login?return_to="+url.QueryEscape(c.Request.URL.RequestURI()))
		return
	}
	if user.DisplayName == "" {
		c.Redirect(http.StatusSeeOther, "/register?return_to="+url.QueryEscape(c.Request.URL.RequestURI()))
		return
	}
	granted, done := s.consent(c, ar, user)
	if done {
		return
	}
	for _, scope := range granted {
		ar.GrantScope(scope)
	}
	for _, aud := range ar.GetRequestedAudience() {
		ar.GrantAudience(aud)
	}
	sess := s.userSession(user, ar.GetGrantedScopes())
	sess.ScanTime, err = s.scanTimeFor(ctx, ar)
	var resp fosite.AuthorizeResponder
	if err == nil {
		resp, err = s.oauth.NewAuthorizeResponse(ctx, ar, sess)
	}
	if problem.Unavailable(err) {
		s.renderError(c, "message", titleUnavailable, err, nil)
		return
	}
	if err != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	s.oauth.WriteAuthorizeResponse(ctx, c.Writer, ar, resp)
}

// checkPKCE refuses, before anyone signs in, what fosite would refuse after: a public client
// without PKCE, and any method but S256 (RFC 9700 §2.1.1).
func checkPKCE(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	if challenge == "" && ar.GetClient().IsPublic() {
		return fosite.ErrInvalidRequest.WithHint("Public clients must use PKCE (code_challenge with method S256).")
	}
	if challenge != "" && method != "S256" {
		return fosite.ErrInvalidRequest.WithHint("The only code_challenge_method supported is S256.")
	}
	return nil
}

// userSession is the session of tokens issued to a signed-in user.
func (s *Server) userSession(u CurrentUser, scopes fosite.Arguments) *Session {
	sess := NewSession()
	sub := strconv.FormatInt(u.ID, 10)
	sess.Subject = sub
	sess.Username = u.Phone
	sess.Claims = &jwt.IDTokenClaims{
		Subject:     sub,
		Issuer:      s.issuer.String(),
		AuthTime:    u.LoginAt.UTC(),
		RequestedAt: s.now().UTC(),
		Extra:       userClaims(u.User, scopes),
	}
	return sess
}

// userClaims are the claims the granted scopes release (OpenID Connect Core §5.4).
func userClaims(u storage.User, scopes fosite.Arguments) map[string]any {
	claims := map[string]any{}
	if scopes.Has("profile") {
		claims["name"] = u.DisplayName
		claims["updated_at"] = u.UpdatedAt.Unix()
	}
	if scopes.Has("phone") {
		claims["phone_number"] = u.Phone
		claims["phone_number_verified"] = true
	}
	return claims
}

// token is the token endpoint.
func (s *Server) token(c *gin.Context) {
	ctx := c.Request.Context()
	sess := NewSession()
	ar, err := s.oauth.NewAccessRequest(ctx, c.Request, sess)
	if err != nil {
		if temporarilyUnavailable(c, err) {
			return
		}
		s.logOAuthError(c, "token request", err)
		s.oauth.WriteAccessError(ctx, c.Writer, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne(GrantClientCredentials) {
		// A partner back end acts for itself: it gets the scopes it asked for and may have.
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
		for _, aud := range ar.GetRequestedAudience() {
			ar.GrantAudience(aud)
		}
		sess.Subject = ar.GetClient().GetID()
	}
	resp, err := s.oauth.NewAccessResponse(ctx, ar)
	if err != nil {
		if temporarilyUnavailable(c, err) {
			return
		}
		s.logOAuthError(c, "token response", err)
		s.oauth.WriteAccessError(ctx, c.Writer, ar, err)
		return
	}
	s.oauth.WriteAccessResponse(ctx, c.Writer, ar, resp)
}

// introspect answers RFC 7662 requests from authenticated clients only: fosite would also take
// any active access token as a bearer credential, which would let every token holder probe
// other tokens.
func (s *Server) introspect(c *gin.Context) {
	ctx := c.Request.Context()
	if strings.HasPrefix(strings.ToLower(c.GetHeader("Authorization")), "bearer ") {
		c.Header("WWW-Authenticate", `Basic realm="introspection"`)
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid_client", "error_description": "Introspection requires client authentication."})
		return
	}
	ir, err := s.oauth.NewIntrospectionRequest(ctx, c.Request, NewSession())
	if err != nil {
		if temporarilyUnavailable(c, err) {
			return // not {"active": false}: the token may be good
		}
		s.logOAuthError(c, "introspection", err)
		s.oauth.WriteIntrospectionError(ctx, c.Writer, err)
		return
	}
	s.oauth.WriteIntrospectionResponse(ctx, c.Writer, ir)
}

func (s *Server) revoke(c *gin.Context) {
	ctx := c.Request.Context()
	err := s.oauth.NewRevocationRequest(ctx, c.Request)
	if temporarilyUnavailable(c, err) {
		return // RFC 7009 §2.2.1: the client assumes the token still exists and retries
	}
	s.oauth.WriteRevocationResponse(ctx, c.Writer, err)
}

// userinfo answers with the claims of the access token's user (OpenID Connect Core §5.3).
func (s *Server) userinfo(c *gin.Context) {
	ctx := c.Request.Context()
	token := fosite.AccessTokenFromRequest(c.Request)
	if token == "" {
		bearerError(c, "invalid_request", "no access token")
		return
	}
	_, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.AccessToken, NewSession(), "openid")
	if temporarilyUnavailable(c, err) {
		return
	}
	if err != nil {
		bearerError(c, "invalid_token", "the access token is not active or lacks scope openid")
		return
	}
	id, err := strconv.ParseInt(ar.GetSession().GetSubject(), 10, 64)
	if err != nil {
		bearerError(c, "invalid_token", "the access token does not belong to a user")
		return
	}
	u, err := s.store.User(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		bearerError(c, "invalid_token", "the user no longer exists")
		return
	}
	if temporarilyUnavailable(c, err) {
		return
	}
	if err != nil {
		c.Error(err)
		c.Status(http.StatusInternalServerError)
		return
	}
	claims := userClaims(u, ar.GetGrantedScopes())
	claims["sub"] = strconv.FormatInt(u.ID, 10)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, claims)
}

func bearerError(c *gin.Context, code, desc string) {
	c.Header("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+desc+`"`)
	status := http.StatusUnauthorized
	if code == "invalid_request" {
		status = http.StatusBadRequest
	}
	c.JSON(status, gin.H{"error": code, "error_description": desc})
}

// logOAuthError logs what fosite refused, with its debug detail, which clients never see.
func (s *Server) logOAuthError(c *gin.Context, what string, err error) {
	rfc := fosite.ErrorToRFC6749Error(err)
	level := "warn"
	if rfc.CodeField >= 500 {
		level = "error"
	}
	attrs := []any{"error", rfc.ErrorField, "hint", rfc.HintField, "debug", rfc.DebugField}
	if level == "error" {
		s.log.ErrorContext(c.Request.Context(), what, attrs...)
		return
	}
	s.log.InfoContext(c.Request.Context(), what, attrs...)
}

func (s *Server) discovery(c *gin.Context) {
	iss := s.issuer.String()
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, gin.H{
		"issuer":                                        iss,
		"authorization_endpoint":                        iss + "/oauth2/auth",
		"token_endpoint":                                iss + "/oauth2/token",
		"introspection_endpoint":                        iss + "/oauth2/introspect",
		"revocation_endpoint":                           iss + "/oauth2/revoke",
		"userinfo_endpoint":                             iss + "/userinfo",
		"jwks_uri":                                      iss + "/.well-known/jwks.json",
		"scopes_supported":                              Scopes,
		"response_types_supported":                      []string{"code"},
		"response_modes_supported":                      []string{"query"},
		"grant_types_supported":                         knownGrants,
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{"RS256"},
		"code_challenge_methods_supported":              []string{"S256"},
		"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post", "none"},
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post", "none"},
		"claims_supported":                              []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "updated_at", "phone_number", "phone_number_verified"},
		"prompt_values_supported":                       []string{"none", "login", "consent"},
	})
}

func (s *Server) jwks(c *gin.Context) {
	set, err := s.keys.Public(c.Request.Context(), s.now())
	if temporarilyUnavailable(c, err) {
		return
	}
	if err != nil {
		c.Error(err)
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, set)
}
