package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/term"

	"qrcircles/config"
	"qrcircles/resource/server"
	"qrcircles/storage"
)

// loadConfig parses the settings of a subcommand from the environment and args; register,
// when set, adds the subcommand's own flags.
func (m *Main) loadConfig(name string, args []string, register func(*flag.FlagSet)) (config.Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if register != nil {
		register(fs)
	}
	cfg, positional, err := config.Load(fs, args, m.Getenv)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, positional, config.EnsureSecret(&cfg)
}

func (m *Main) logger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	json := cfg.LogFormat == "json"
	if cfg.LogFormat == "auto" {
		f, ok := m.Stderr.(*os.File)
		json = !ok || !term.IsTerminal(int(f.Fd()))
	}
	return server.NewLogger(m.Stderr, json, level)
}

// openDatabase opens and migrates the configured database. Its errors name the setting.
func openDatabase(ctx context.Context, cfg config.Config, migrate bool) (*storage.DB, error) {
	db, err := storage.Open(ctx, storage.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: cfg.DBMaxOpenConns})
	if err != nil {
		return nil, fmt.Errorf("QRC_DATABASE_URL: %w", err)
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("QRC_DATABASE_URL: %w", err)
		}
	}
	return db, nil
}
