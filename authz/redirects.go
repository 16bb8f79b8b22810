package authz

import (
	"context"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"qrcircles"
)

// Redirect URIs a client may register (RFC 8252 for native apps, RFC 9700 §2.1 for all):
//   - https, for web apps and for native apps' claimed https links (RFC 8252 §7.2);
//   - plain http on a loopback address; a native (public) client that registered one on a
//     loopback IP literal may come back on any port (RFC 8252 §7.3);
//   - a private-use URI scheme in reverse-domain form, com.example.app:/callback, for native
//     (public) clients only (RFC 8252 §7.1).
//
// Matching is otherwise exact.

// reverseDomain is a scheme such as com.example.scanner: at least two DNS labels, starting with
// a letter (RFC 8252 §7.1 asks for a domain the app's publisher controls, reversed).
var reverseDomain = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// codeSchemes run code or carry content in the browser: never a place to send a code.
var codeSchemes = []string{"javascript", "data", "vbscript", "file", "blob", "about", "filesystem"}

// validateRedirectURI checks a redirect URI at registration; public says the client is a native
// or browser app.
func validateRedirectURI(raw string, public bool) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Fragment != "" || u.User != nil || u.Opaque != "":
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.absolute", raw).WithField("redirect-uri")
	case slices.Contains(codeSchemes, u.Scheme):
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.code_scheme", raw, u.Scheme).WithField("redirect-uri")
	case u.String() != raw:
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.exact", raw, u.String()).WithField("redirect-uri")
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && fosite.IsLocalhost(u):
		return nil
	case u.Scheme == "https" || u.Scheme == "http":
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.https", raw).WithField("redirect-uri")
	case !reverseDomain.MatchString(u.Scheme):
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.reverse", raw).WithField("redirect-uri")
	case !public:
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.native", raw).WithField("redirect-uri")
	case u.Host != "" || !strings.HasPrefix(u.Path, "/"):
		return qrcircles.Fail(qrcircles.EInvalid, "redirect.private_shape", raw, u.Scheme).WithField("redirect-uri")
	}
	return nil
}

// redirectSecure is fosite's RedirectSecureChecker: it runs on a URI that already matched a
// registered one, which validateRedirectURI has checked.
func redirectSecure(_ context.Context, u *url.URL) bool {
	return u.Scheme == "https" || (u.Scheme == "http" && fosite.IsLocalhost(u)) || reverseDomain.MatchString(u.Scheme)
}

// redirectAllowed says whether the redirect URI fosite chose for a request is one the client
// registered: exactly, or on another port of a loopback IP literal for a native app. fosite
// grants any port on a loopback address to every client, the first-party one included.
func redirectAllowed(c fosite.Client, got *url.URL, requested string) bool {
	oc := registered(c)
	native := oc != nil && oc.Public && !oc.FirstParty
	for _, r := range c.GetRedirectURIs() {
		if r == got.String() || (requested != "" && r == requested) || (native && loopbackMatch(r, got)) {
			return true
		}
	}
	return false
}

// loopbackMatch is RFC 8252 §7.3: the registered http URI on a loopback IP literal, any port.
func loopbackMatch(registered string, got *url.URL) bool {
	reg, err := url.Parse(registered)
	if err != nil {
		return false
	}
	ip := net.ParseIP(reg.Hostname())
	return ip != nil && ip.IsLoopback() && reg.Scheme == "http" && got.Scheme == "http" &&
		got.Hostname() == reg.Hostname() && got.Path == reg.Path && got.RawQuery == reg.RawQuery &&
		got.User == nil && got.Fragment == ""
}

// vetAuthorize runs on what fosite made of an authorization request and refuses what fosite
// lets through: a redirect URI that only its loopback rule matched (without redirecting to it,
// not even with the error), and request objects, which discovery says are not supported. Errors
// go back in the one response mode there is, query, where RFC 9207's iss is added.
func (s *Server) vetAuthorize(ctx context.Context, ar fosite.AuthorizeRequester, err error) error {
	req, ok := ar.(*fosite.AuthorizeRequest)
	if !ok {
		return err
	}
	if req.RedirectURI != nil && req.Client != nil && !redirectAllowed(req.Client, req.RedirectURI, req.Form.Get("redirect_uri")) {
		req.RedirectURI = nil
		return fosite.ErrInvalidRequest.WithHint("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.")
	}
	switch ruri := req.Form.Get("request_uri"); {
	case req.Form.Get("request") != "":
		err = fosite.ErrRequestNotSupported.WithHint("Request objects ('request') are not supported.")
		s.redirectAnyway(ctx, req)
	case ruri != "" && !strings.HasPrefix(ruri, s.config.GetPushedAuthorizeRequestURIPrefix(ctx)):
		err = fosite.ErrRequestURINotSupported.WithHint("Only request URIs from pushed authorization requests are supported.")
		s.redirectAnyway(ctx, req)
	}
	if err != nil {
		req.ResponseMode = fosite.ResponseModeQuery
	}
	return err
}

// redirectAnyway sets the redirect URI of a request that fosite refused before it looked at
// the redirect URI (it reads request objects first), so that the error goes to the client.
func (s *Server) redirectAnyway(ctx context.Context, req *fosite.AuthorizeRequest) {
	if req.RedirectURI != nil || req.Client == nil {
		return
	}
	raw := req.Form.Get("redirect_uri")
	u, err := fosite.MatchRedirectURIWithClientRedirectURIs(raw, req.Client)
	if err == nil && redirectAllowed(req.Client, u, raw) && redirectSecure(ctx, u) {
		req.RedirectURI = u
	}
}

// withIssuer puts iss on every authorization response, success and error (RFC 9207): on each
// redirect from the authorization endpoint to an absolute URI, the client's redirect URI. The
// redirects to this server's own pages (sign-in, registration) are relative and stay as they are.
func (s *Server) withIssuer(c *gin.Context) {
	c.Writer = &issuerWriter{ResponseWriter: c.Writer, iss: s.issuer.String()}
	c.Next()
}

type issuerWriter struct {
	gin.ResponseWriter
	iss string
}

func (w *issuerWriter) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); code/100 == 3 && loc != "" {
		if u, err := url.Parse(loc); err == nil && u.IsAbs() {
			q := u.Query()
			q.Set("iss", w.iss)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
		}
	}
	w.ResponseWriter.WriteHeader(code)
}
