package authz

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"

	"qrcircles"
)

// Mount adds the authorization server's routes to the engine.
func (s *Server) Mount(e *gin.Engine) {
	e.GET("/oauth2/auth", s.withIssuer, s.authorize)
	e.POST("/oauth2/auth", s.withIssuer, s.authorize)
	e.POST("/oauth2/token", s.corsClient, s.token)
	e.POST("/oauth2/introspect", s.introspect)
	e.POST("/oauth2/revoke", s.corsClient, s.revoke)
	e.GET("/userinfo", s.corsAny, s.userinfo)
	e.POST("/userinfo", s.corsAny, s.userinfo)
	e.GET("/.well-known/openid-configuration", s.corsAny, s.discovery)
	e.GET("/.well-known/oauth-authorization-server", s.corsAny, s.discovery)
	e.GET("/.well-known/jwks.json", s.corsAny, s.jwks)
	e.GET("/auth/callback", s.callback)
	e.POST("/oauth2/par", s.corsClient, s.par)
	e.GET("/oauth2/logout", s.rpLogout)
	e.POST("/oauth2/logout", s.rpLogout)
	s.mountCORS(e)
	s.mountPages(e)
	s.mountPasskeys(e)
}

// authorize is the authorization endpoint: fosite checks the request; this decides who the
// user is and whether they consent.
func (s *Server) authorize(c *gin.Context) {
	ctx := c.Request.Context()
	flow, fr, err := s.readFlow(c)
	if err != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, fosite.NewAuthorizeRequest(), err)
		return
	}
	ar, err := s.oauth.NewAuthorizeRequest(ctx, fr)
	if qrcircles.Unavailable(err) {
		s.renderError(c, "message", titleUnavailable, err, nil)
		return
	}
	err = s.vetAuthorize(ctx, ar, err)
	if err == nil {
		err = checkPKCE(ar)
	}
	if err == nil {
		err = flow.check(ar)
	}
	if err != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	user, ok, err := s.Session(c.Request)
	if err != nil {
		s.renderError(c, "message", titleUnavailable, err, nil) // not "sign in again"
		return
	}
	if !ok || flow.mustSignIn(user.LoginAt) {
		s.interact(c, ar, flow, "/login", fosite.ErrLoginRequired)
		return
	}
	if user.DisplayName == "" {
		s.interact(c, ar, flow, "/register", fosite.ErrInteractionRequired)
		return
	}
	granted, done := s.consent(c, ar, user, flow)
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
	sess.Claims.RequestedAt = flow.requestedAt.UTC()
	sess.ScanTime, err = s.scanTimeFor(ctx, ar)
	var resp fosite.AuthorizeResponder
	if err == nil {
		resp, err = s.oauth.NewAuthorizeResponse(ctx, ar, sess)
	}
	if qrcircles.Unavailable(err) {
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
func userClaims(u qrcircles.User, scopes fosite.Arguments) map[string]any {
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
		challengeClient(c, err)
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

// introspect answers RFC 7662 requests from authenticated confidential clients only, with the
// client's own method (fosite's handler knows only HTTP Basic). fosite would also take any
// active access token as a bearer credential, which would let every token holder probe other
// tokens.
func (s *Server) introspect(c *gin.Context) {
	ctx := c.Request.Context()
	if err := s.introspector(c); err != nil {
		if temporarilyUnavailable(c, err) {
			return
		}
		s.logOAuthError(c, "introspection", err)
		challengeClient(c, err)
		s.oauth.WriteAccessError(ctx, c.Writer, nil, err)
		return
	}
	form := c.Request.PostForm
	tu, ar, err := s.oauth.IntrospectToken(ctx, form.Get("token"), fosite.TokenUse(form.Get("token_type_hint")), NewSession(),
		fosite.RemoveEmpty(strings.Split(form.Get("scope"), " "))...)
	if temporarilyUnavailable(c, err) {
		return // not {"active": false}: the token may be good
	}
	resp := &fosite.IntrospectionResponse{Active: err == nil, AccessRequester: ar, TokenUse: tu}
	if tu == fosite.AccessToken {
		resp.AccessTokenType = fosite.BearerAccessToken
	}
	s.oauth.WriteIntrospectionResponse(ctx, c.Writer, resp)
}

// introspector authenticates the confidential client asking to introspect.
func (s *Server) introspector(c *gin.Context) error {
	if strings.HasPrefix(strings.ToLower(c.GetHeader("Authorization")), "bearer ") {
		return fosite.ErrInvalidClient.WithHint("Introspection requires client authentication, not a bearer token.")
	}
	if err := c.Request.ParseForm(); err != nil {
		return fosite.ErrInvalidRequest.WithHint("Send a form body.")
	}
	ctx := c.Request.Context()
	client, err := s.config.GetClientAuthenticationStrategy(ctx)(ctx, c.Request, c.Request.PostForm)
	if err == nil && client.IsPublic() {
		err = fosite.ErrInvalidClient.WithHint("Introspection requires client authentication; a public client has none.")
	}
	return err
}

func (s *Server) revoke(c *gin.Context) {
	ctx := c.Request.Context()
	err := s.oauth.NewRevocationRequest(ctx, c.Request)
	if temporarilyUnavailable(c, err) {
		return // RFC 7009 §2.2.1: the client assumes the token still exists and retries
	}
	challengeClient(c, err)
	s.oauth.WriteRevocationResponse(ctx, c.Writer, err)
}

// userinfo answers with the claims of the access token's user (OpenID Connect Core §5.3).
func (s *Server) userinfo(c *gin.Context) {
	ctx := c.Request.Context()
	token, code, desc := userinfoToken(c.Request)
	if token == "" {
		bearerError(c, code, desc)
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
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
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

// userinfoToken reads the access token from the Authorization header or a POST form body (RFC
// 6750 §2.1, §2.2). A token in the query string is refused (§2.3: URLs end up in logs and
// Referer headers), and so is a request that sends the token more than one way.
func userinfoToken(r *http.Request) (token, code, desc string) {
	if r.URL.Query().Has("access_token") {
		return "", "invalid_request", "access tokens are not accepted in the query string; send an Authorization: Bearer header"
	}
	var found []string
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") {
		found = append(found, strings.TrimSpace(tok))
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded" {
		if r.ParseForm() == nil && r.PostForm.Get("access_token") != "" {
			found = append(found, r.PostForm.Get("access_token"))
		}
	}
	switch {
	case len(found) > 1:
		return "", "invalid_request", "send the access token one way only"
	case len(found) == 0 || found[0] == "":
		return "", "", ""
	}
	return found[0], "", ""
}

func bearerError(c *gin.Context, code, desc string) {
	status, challenge := http.StatusUnauthorized, `Bearer error="`+code+`", error_description="`+desc+`"`
	switch code {
	case "": // no credentials: a bare challenge (RFC 6750 §3.1)
		challenge, code, desc = `Bearer realm="QR Circles"`, "invalid_token", "no access token"
	case "invalid_request":
		status = http.StatusBadRequest
	}
	c.Header("WWW-Authenticate", challenge)
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
		"token_endpoint_auth_methods_supported":         TokenAuthMethods,
		"introspection_endpoint_auth_methods_supported": introspectionAuthMethods,
		"revocation_endpoint_auth_methods_supported":    TokenAuthMethods,
		"claims_supported":                              []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "updated_at", "phone_number", "phone_number_verified"},
		"prompt_values_supported":                       []string{"none", "login", "consent"},

		"token_endpoint_auth_signing_alg_values_supported":         AssertionAlgorithms,
		"introspection_endpoint_auth_signing_alg_values_supported": AssertionAlgorithms,
		"revocation_endpoint_auth_signing_alg_values_supported":    AssertionAlgorithms,
		"authorization_response_iss_parameter_supported":           true,
		"request_parameter_supported":                              false,
		"request_uri_parameter_supported":                          false,
		"claims_parameter_supported":                               false,
		"end_session_endpoint":                                     iss + "/oauth2/logout",
		"pushed_authorization_request_endpoint":                    iss + "/oauth2/par",
		"require_pushed_authorization_requests":                    false, // per client: `client create --require-par`
		// How people sign in on the authorization server's pages (not an OAuth standard field).
		"sign_in_methods_supported": s.signInMethods(),
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
