// Package storage is the only package that talks to the database. It opens PostgreSQL or the
// embedded SQLite file through gorm, applies the versioned migrations, and implements the
// stores the other packages declare.
package storage

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/ory/fosite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"qrcircles"
)

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// Options say how to open the database.
type Options struct {
	URL          string // postgres://…, sqlite:PATH, or empty for DataDir/qrcircles.db
	DataDir      string
	MaxOpenConns int
	Logger       *slog.Logger
}

// DB is an open database.
type DB struct {
	gorm    *gorm.DB
	dialect string
	dsn     string
	// clients caches the clients of stored tokens for a moment (see tokenClient).
	clients qrcircles.TTLCache[string, fosite.Client]
	// revocations counts the deletions of tokens made here (see TokenRevocations).
	revocations atomic.Uint64
	// joins batches the guessed joins on PostgreSQL (joins_batch.go).
	joins     *joinBatcher
	joinsOnce sync.Once
}

// Open connects to the database and checks that it answers.
func Open(ctx context.Context, o Options) (*DB, error) {
	dialect, dsn, err := resolve(o)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var g *gorm.DB
	if dialect == Postgres {
		// pgx prepares each statement once per connection and reuses it (its statement cache,
		// set in the DSN): the hot queries skip parsing and planning without an extra round
		// trip. gorm's own PrepareStmt would re-prepare inside every transaction.
		g, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach the %s database: %s", dialect, oneLine(err))
	}
	if err := markUnavailableCallbacks(g); err != nil {
		return nil, err
	}
	db := &DB{gorm: g, dialect: dialect, dsn: dsn}
	if err := db.configurePool(o.MaxOpenConns); err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach the %s database: %s", dialect, oneLine(err))
	}
	return db, nil
}

func resolve(o Options) (dialect, dsn string, err error) {
	switch {
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		return Postgres, postgresDSN(o.URL), nil
	case strings.HasPrefix(o.URL, "sqlite:"):
		return SQLite, sqliteDSN(strings.TrimPrefix(o.URL, "sqlite:")), ensureDir(filepath.Dir(strings.TrimPrefix(o.URL, "sqlite:")))
	case o.URL == "":
		path := filepath.Join(o.DataDir, "qrcircles.db")
		return SQLite, sqliteDSN(path), ensureDir(o.DataDir)
	}
	return "", "", fmt.Errorf("unsupported database URL %q", o.URL)
}

func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the data folder: %w", err)
	}
	return nil
}

// sqliteDSN turns on what a server needs from SQLite: waiting instead of failing on a busy
// database, write-ahead logging so readers do not block the writer, and foreign keys.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// postgresDSN adds what the server needs unless the URL says otherwise: a connect timeout,
// and pgx's per-connection cache of prepared statements.
func postgresDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	for k, v := range map[string]string{"connect_timeout": "5", "default_query_exec_mode": "cache_statement", "statement_cache_capacity": "512"} {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (db *DB) configurePool(maxOpen int) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	if db.dialect == SQLite {
		// One writer at a time is all SQLite allows; one connection avoids "database is locked".
		sqlDB.SetMaxOpenConns(1)
		return nil
	}
	if maxOpen <= 0 {
		maxOpen = 20
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Dialect names the database in use: Postgres or SQLite.
func (db *DB) Dialect() string { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return markUnavailable(sqlDB.PingContext(ctx))
}

// Close closes every connection.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Gorm exposes the gorm handle to this package's tests and stores.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// ErrNotFound is returned when a looked-up row does not exist. It carries the domain's code,
// so that the one mapping of errors to HTTP answers a not-found no caller explains with 404;
// a caller that knows what was missing says so with its own error.
var ErrNotFound error = qrcircles.Fail(qrcircles.ENotFound, "error.not_found")
