package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/authz/otp"
	"qrcircles/authz/phoneauth"
	"qrcircles/authz/sms"
	"qrcircles/config"
	"qrcircles/resource/api"
	"qrcircles/resource/cardapi"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/circles"
	"qrcircles/resource/health"
	"qrcircles/resource/messages"
	"qrcircles/resource/messagesvc"
	"qrcircles/resource/metrics"
	"qrcircles/resource/openapi"
	"qrcircles/resource/push"
	"qrcircles/resource/server"
	"qrcircles/resource/settingsvc"
	"qrcircles/resource/tokens"
	"qrcircles/resource/web"
	"qrcircles/static"
	"qrcircles/storage"
	"qrcircles/templates"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	cfg, pos, err := m.loadConfig("serve", args, nil)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", pos[0])
	}
	log := m.logger(cfg)
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := buildApp(ctx, cfg, log, db)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.engine,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.push.Close)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("QRC_LISTEN: %w", err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String(), "database", db.Dialect(),
		"mode", cfg.Mode, "sms", cfg.SMS.Provider)
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	return runUntilDone(ctx, srv, ln, cfg.ShutdownTimeout, log)
}

// app is the assembled server.
type app struct {
	engine   *gin.Engine
	authz    *authz.Server
	circles  *circles.Service
	cards    *cardsvc.Service
	settings *settingsvc.Service
	messages *messagesvc.Service
	push     *push.Hub
}

// buildApp assembles the parts of the server that cfg.Role asks for on one gin engine: the
// authorization server with the pages, the API, or both.
func buildApp(ctx context.Context, cfg config.Config, log *slog.Logger, db *storage.DB) (*app, error) {
	assets, err := static.Load()
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	pages, err := templates.New(assets.URL)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	a := &app{}
	viewer := func(c *gin.Context) templates.ViewerFunc {
		if a.authz == nil { // the API alone has no pages
			return func() (templates.Viewer, bool) { return templates.Viewer{}, false }
		}
		return web.WithBadges(c.Request.Context(), web.BadgeCounts{Cards: a.cards, Messages: a.messages}, a.authz.Viewer(c))
	}
	engine, err := server.New(server.Deps{Logger: log, Database: db, Pages: pages, Assets: assets, TrustedProxies: cfg.TrustedProxies, Viewer: viewer})
	if err != nil {
		return nil, err
	}
	a.engine = engine
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		return nil, err
	}
	mo := metrics.Options{DB: sqlDB, LiveConnections: func() float64 { return float64(a.push.Subscribers()) }}
	if db.Dialect() == storage.Postgres {
		mo.JoinBatches = db.JoinBatches
	}
	met := metrics.New(mo)
	engine.Use(met.Middleware())
	engine.GET("/metrics", gin.WrapH(met.Handler()))
	go storage.RunCleanup(ctx, db, 10*time.Minute, cfg.AuditRetention, log)
	a.cards = &cardsvc.Service{Store: db, NormalizePhone: phoneNormalizer(cfg.DefaultRegion),
		FaceKey: authz.DeriveKey(cfg.Secret, "face-code")}
	a.push = push.New(push.Options{Log: db, Logger: log, Filter: messagesvc.MuteFilter(db, a.cards.PushFilter()),
		Lag: func(d time.Duration) { met.DeliveryLag.Observe(d.Seconds()) }})
	go func() {
		if err := a.push.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("push hub stopped", "error", err)
		}
	}()
	events := eventLog{db, a.push}
	a.cards.Events = events
	a.messages = &messagesvc.Service{Store: db, Events: events}
	a.settings = &settingsvc.Service{Store: db}
	a.circles = &circles.Service{Store: db, PublicURL: cfg.PublicURL, NormalizePhone: phoneNormalizer(cfg.DefaultRegion), Events: a.push}
	hp := health.New(health.Options{Version: version(), Role: cfg.Role, Started: time.Now(), Live: a.push.Subscribers,
		Pool: sqlDB.Stats, Pages: pages, Logger: log, Checks: []health.Check{health.Database(db), health.Migrations(db),
			health.LiveEvents(a.push, db.Dialect() == storage.Postgres), health.SMS(cfg.SMS.Provider, cfg.Role != config.RoleResource)}})
	engine.GET("/health", gin.WrapH(hp))
	engine.HEAD("/health", gin.WrapH(hp))
	var verifier qrcircles.Verifier
	if cfg.Role == config.RoleResource {
		verifier = &tokens.Introspector{
			URL: cfg.AuthzURL.String() + "/oauth2/introspect", ClientID: cfg.IntrospectionClientID,
			ClientSecret: cfg.IntrospectionClientSecret, HTTP: &http.Client{Timeout: 10 * time.Second},
		}
	} else {
		sent := func(provider, result string) { met.SMS.WithLabelValues(provider, result).Inc() }
		if a.authz, err = buildAuthz(ctx, cfg, log, db, pages, sent); err != nil {
			return nil, err
		}
		a.authz.Mount(engine)
		pagesWeb := &web.Web{Circles: a.circles, Cards: a.cards, Settings: a.settings, Messages: a.messages, Auth: pagesAuth{a.authz, db}, Account: db, Budgets: db, Pages: pages,
			TicketKey: authz.DeriveKey(cfg.Secret, "scan-ticket"), SlotKey: authz.DeriveKey(cfg.Secret, "on-site-slot"),
			Asset: assets.URL, AppClient: authz.FirstPartyClientID, Logger: log}
		pagesWeb.Mount(engine)
		engine.GET("/embed.js", gin.WrapH(assets.Stable("embed.js")))
		engine.GET("/sw.js", gin.WrapH(assets.Stable("sw.js"))) // the app's service worker, whose scope is the site
		a.authz.OnScan(pagesWeb.Scanned)
		verifier = a.authz // in one process, tokens are checked in-process
	}
	if cfg.Role != config.RoleAuthz {
		// The API queues fairly for the database; the event stream holds no connection.
		apiGroup := engine.Group("/api/v1", server.Gate(max(2*cfg.DBMaxOpenConns, 8)))
		(&api.API{Circles: a.circles, Settings: a.settings, Verifier: verifier, Joined: func(outcome string) { met.Joins.WithLabelValues(outcome).Inc() }}).Mount(apiGroup)
		(&cardapi.Handler{Cards: a.cards, Privacy: a.settings, Verifier: verifier, PublicURL: cfg.PublicURL.String()}).Mount(apiGroup)
		(&messages.Handler{Messages: a.messages, Verifier: verifier}).Mount(apiGroup)
		engine.GET("/api/v1/events", a.push.Handler(eventsAuth(verifier, a.authz), db.EventCircles))
		engine.GET("/api/v1/openapi.json", openapi.Handler())
	}
	return a, nil
}

// eventLog is the event log the services write in their transactions, and the push hub they
// wake after each commit.
type eventLog struct {
	db  *storage.DB
	hub *push.Hub
}

var _ qrcircles.EventLog = eventLog{}

func (l eventLog) AppendEvents(ctx context.Context, evs ...qrcircles.Event) error {
	return l.db.AppendEvents(ctx, evs...)
}

func (l eventLog) Notify() { l.hub.Notify() }

// buildAuthz makes the authorization server with its phone sign-in.
func buildAuthz(ctx context.Context, cfg config.Config, log *slog.Logger, db *storage.DB, pages *templates.Renderer, sent func(provider, result string)) (*authz.Server, error) {
	phone := &phoneauth.Service{
		Regions:       cfg.SMS.Regions,
		Store:         db,
		Sender:        smsSender(cfg, log),
		Policy:        otp.DefaultPolicy(cfg.SMS.HourlyBudget),
		Secret:        authz.DeriveKey(cfg.Secret, "sms-code"),
		DefaultRegion: cfg.DefaultRegion,
		Logger:        log,
		Sent:          sent,
	}
	return authz.New(ctx, authz.Options{
		Issuer: cfg.PublicURL, Secret: cfg.Secret, Store: db, Phone: phone, Pages: pages, Logger: log,
		Circles: db, ScanSessionLifespan: cfg.ScanSessionLifespan, SignIn: db, Passkeys: db,
	})
}

// smsSender picks the configured SMS provider.
func smsSender(cfg config.Config, log *slog.Logger) sms.Sender {
	s := cfg.SMS
	switch s.Provider {
	case config.SMSTwilioVerify:
		return sms.NewTwilioVerify(s.TwilioAccountSID, s.TwilioAuthToken, s.TwilioVerifyService, nil)
	case config.SMSTwilioMessaging:
		return sms.NewTwilioMessaging(s.TwilioAccountSID, s.TwilioAuthToken, s.TwilioFrom, nil)
	}
	return &sms.Console{Logger: log}
}

// runUntilDone serves until ctx ends, then stops accepting and waits for requests in flight.
func runUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	log.Info("stopped")
	return nil
}
