package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"qrcircles/resource/server"
	"qrcircles/static"
	"qrcircles/templates"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	cfg, _, err := m.loadConfig("serve", args)
	if err != nil {
		return err
	}
	log := m.logger(cfg)
	assets, err := static.Load()
	if err != nil {
		return fmt.Errorf("static assets: %w", err)
	}
	pages, err := templates.New(assets.URL)
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()

	engine := server.New(server.Deps{Logger: log, Database: db, Pages: pages, Assets: assets})
	srv := &http.Server{
		Handler:           engine,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("QRC_LISTEN: %w", err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String(), "database", db.Dialect(), "mode", cfg.Mode)
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	return runUntilDone(ctx, srv, ln, cfg.ShutdownTimeout, log)
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
