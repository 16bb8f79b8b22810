package authz

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// Browser apps call discovery, the JWKS, the token, revocation and PAR endpoints and userinfo
// from their own pages. CORS lets them, and only them: an origin is answered when some client
// registered it as a web origin (the same origins as the join button), and at the endpoints
// where a client names itself, only when that client registered it.

// originsTTL bounds how long an instance answers with an origin set another instance (or the
// `qrcircles client` command) has changed since; changes made through this instance apply at
// once.
const originsTTL = 30 * time.Second

// originsRetry is how long a failed load of the origin set waits before the next try.
const originsRetry = 5 * time.Second

// originSet is every registered web origin, and each client's own.
type originSet struct {
	all      map[string]bool
	byClient map[string][]string
}

// origins caches the origin set: one query per instance every originsTTL, not one a request.
type origins struct {
	list func(ctx context.Context) ([]*qrcircles.OAuthClient, error)
	log  *slog.Logger

	mu       sync.Mutex
	set      originSet
	loadedAt time.Time // zero: nothing loaded (or invalidated)
	failedAt time.Time
}

// get returns the cached set, loading it when it is older than originsTTL. A failed load keeps
// the set it had (none at first) and is retried after originsRetry.
func (o *origins) get(ctx context.Context) originSet {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if !o.loadedAt.IsZero() && now.Sub(o.loadedAt) < originsTTL || now.Sub(o.failedAt) < originsRetry {
		return o.set
	}
	clients, err := o.list(ctx)
	if err != nil {
		o.failedAt = now
		if o.log != nil {
			o.log.WarnContext(ctx, "loading the web origins of clients for CORS", "error", err)
		}
		return o.set
	}
	set := originSet{all: map[string]bool{}, byClient: map[string][]string{}}
	for _, c := range clients {
		set.byClient[c.ID] = c.WebOrigins
		for _, origin := range c.WebOrigins {
			set.all[origin] = true
		}
	}
	o.set, o.loadedAt = set, now
	return set
}

// invalidate makes the next request load the set again.
func (o *origins) invalidate() {
	o.mu.Lock()
	o.loadedAt, o.failedAt = time.Time{}, time.Time{}
	o.mu.Unlock()
}

// allows reports whether origin may read the answer: a registered origin of clientID when
// that names a known client, else of any client.
func (set originSet) allows(origin, clientID string) bool {
	norm, err := NormalizeOrigins([]string{origin})
	if err != nil {
		return false
	}
	if own, known := set.byClient[clientID]; known {
		return slices.Contains(own, norm[0])
	}
	return set.all[norm[0]]
}

// corsAny answers CORS for every registered origin (discovery, JWKS, userinfo).
func (s *Server) corsAny(c *gin.Context) { s.cors(c, false) }

// corsClient answers CORS for the origins of the client that authenticates or names itself
// in the request (token, revocation, PAR); a preflight names none, so any registered origin
// passes it.
func (s *Server) corsClient(c *gin.Context) { s.cors(c, true) }

func (s *Server) cors(c *gin.Context, perClient bool) {
	c.Writer.Header().Add("Vary", "Origin")
	origin := c.GetHeader("Origin")
	preflight := c.Request.Method == http.MethodOptions
	if origin != "" {
		clientID := ""
		if perClient && !preflight {
			clientID = requestClientID(c.Writer, c.Request)
		}
		if s.origins.get(c.Request.Context()).allows(origin, clientID) {
			h := c.Writer.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After")
			if preflight {
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
			}
		}
	}
	if preflight {
		c.AbortWithStatus(http.StatusNoContent)
	}
}

// requestClientID is the client a token, revocation or PAR request names: HTTP Basic's user
// (form-encoded, RFC 6749 §2.3.1) or the client_id field.
func requestClientID(w http.ResponseWriter, r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil {
			return id
		}
	}
	_ = r.ParseForm() // fosite reads the parsed form; it answers a bad body itself
	return r.PostForm.Get("client_id")
}

// mountCORS answers the preflight requests of the endpoints that browser apps call.
func (s *Server) mountCORS(e *gin.Engine) {
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
		"/.well-known/jwks.json", "/userinfo"} {
		e.OPTIONS(path, s.corsAny)
	}
	for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/par"} {
		e.OPTIONS(path, s.corsClient)
	}
}
