// Package server assembles the HTTP side of QR Circles: one gin engine with request IDs,
// structured access logs, panic recovery into problem+json, security headers, request bodies
// held to a limit per route, health checks, static assets and pages. The authz and resource
// handlers mount themselves on it.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/static"
	"qrcircles/templates"
)

// Pinger is what readiness needs of the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the engine is built from.
type Deps struct {
	Logger   *slog.Logger
	Database Pinger
	Pages    *templates.Renderer
	Assets   *static.Assets
	// TrustedProxies may set the client IP through X-Forwarded-For; nobody else may.
	TrustedProxies []string
	// Viewer, when set, tells the pages' navigation who is signed in (see templates.Viewer).
	Viewer func(c *gin.Context) templates.ViewerFunc
}

// New returns the engine with the base routes.
func New(d Deps) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("QRC_TRUSTED_PROXIES: %w", err)
	}
	e.Use(requestID(), accessLog(d.Logger), recoverProblem(d.Logger), withBurstLog(qrcircles.NewBurstLog(d.Logger, "outage: answering 503")),
		securityHeaders(), limitBodies(d.Pages), viewer(d.Viewer))
	e.NoRoute(func(c *gin.Context) {
		if wantsHTML(c.Request) {
			Page(c, d.Pages, http.StatusNotFound, "message", templates.Page{Title: qrcircles.Say("error.not_found_title"), Error: qrcircles.Say("error.no_page")})
			return
		}
		Problem(c, qrcircles.Fail(qrcircles.ENotFound, "api.no_resource"))
	})
	e.NoMethod(func(c *gin.Context) {
		if c.Request.Method == http.MethodHead {
			headAsGet(e, c)
			return
		}
		Problem(c, qrcircles.Fail(qrcircles.EInvalid, "api.no_method"))
	})
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyz(d.Database))
	e.GET(static.Prefix+"*file", gin.WrapH(d.Assets))
	e.GET("/lang/:code", gin.WrapF(templates.SwitchLang))
	e.GET("/favicon.ico", gin.WrapH(d.Assets.Stable("icon-32.png")))
	e.GET("/", func(c *gin.Context) { Page(c, d.Pages, http.StatusOK, "home", templates.Page{}) }) // titled by the name alone
	return e, nil
}

// viewer puts the lookup of the signed-in person into the request's context, for the
// navigation of whatever page the request renders.
func viewer(lookup func(c *gin.Context) templates.ViewerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if lookup != nil {
			c.Request = c.Request.WithContext(templates.WithViewer(c.Request.Context(), lookup(c)))
		}
		c.Next()
	}
}

// headAsGet answers HEAD as GET would, without the body (RFC 9110 §9.3.2), for uptime checks
// and link checkers: the route runs on a GET copy of the request, and net/http, which still
// holds the HEAD request, sends no body.
func headAsGet(e *gin.Engine, c *gin.Context) {
	get := c.Request.Clone(c.Request.Context())
	get.Method = http.MethodGet
	c.Request = get
	e.HandleContext(c)
}

// Page renders a page, or a problem if the template fails.
func Page(c *gin.Context, r *templates.Renderer, status int, page string, data templates.Page) {
	data.Prepare(c.Request)
	if err := r.Render(c.Writer, status, page, data); err != nil {
		c.Error(err)
		Problem(c, err)
	}
}

// Problem answers the request with err as problem+json.
func Problem(c *gin.Context, err error) {
	logProblem(c, err)
	qrcircles.WriteProblem(c.Writer, c.Request, RequestID(c.Request.Context()), err)
	c.Abort()
}

func readyz(db Pinger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			Problem(c, qrcircles.Fail(qrcircles.EUnavailable, "api.db_unreachable").WithCause(err))
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}

func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := newRequestID(c.GetHeader("X-Request-ID"))
		c.Header("X-Request-ID", id)
		c.Request = c.Request.WithContext(WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		switch {
		case c.Writer.Status() == http.StatusServiceUnavailable:
			level = slog.LevelWarn // an outage: its cause is logged once per burst
		case c.Writer.Status() >= 500:
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", c.FullPath()),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", time.Since(start)),
			slog.String("client_ip", c.ClientIP()),
		}
		if errs := c.Errors.String(); errs != "" {
			attrs = append(attrs, slog.String("error", errs))
		}
		log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

func recoverProblem(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the client went away; net/http handles this one quietly
			}
			log.ErrorContext(c.Request.Context(), "panic", slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				if wantsHTML(c.Request) {
					c.Error(fmt.Errorf("panic: %v", v))
					templates.ServerError(c.Writer, templates.Negotiate(c.Request))
				} else {
					Problem(c, fmt.Errorf("panic: %v", v))
				}
			}
			c.Abort()
		}()
		c.Next()
	}
}

// Gate lets at most n requests through at once and queues the rest in arrival order. Put in
// front of handlers that each hold one database connection at a time, with n the size of
// the connection pool, it keeps the waiting in one fair queue: the pool itself hands freed
// connections to a random waiter, which makes the slowest requests far slower than the rest.
func Gate(n int) gin.HandlerFunc {
	slots := make(chan struct{}, n)
	return func(c *gin.Context) {
		select {
		case slots <- struct{}{}: // blocked senders are woken first come, first served
		case <-c.Request.Context().Done():
			c.Abort()
			return
		}
		defer func() { <-slots }()
		c.Next()
	}
}

// wantsHTML tells a browser's page request (Accept names text/html) from an API call, which
// gets problem+json.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
