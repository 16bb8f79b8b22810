// Package storagetest gives each test a fresh, migrated database: a new PostgreSQL database
// (dropped afterwards) when QRC_TEST_DATABASE_URL is set, else a temporary SQLite file.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"qrcircles/storage"
)

// EnvDatabaseURL names the variable holding a PostgreSQL URL whose user may create databases.
const EnvDatabaseURL = "QRC_TEST_DATABASE_URL"

// EnvReport names an optional file to which every test that opens a database appends the
// backend and its name, so that a CI script can show which tests ran on which database.
const EnvReport = "QRC_TEST_REPORT"

// Backends runs fn once on SQLite and once on PostgreSQL, each with a fresh database.
func Backends(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run(storage.SQLite, func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run(storage.Postgres, func(t *testing.T) { fn(t, Postgres(t)) })
}

// Open returns a fresh database: PostgreSQL when configured, else SQLite.
func Open(t *testing.T) *storage.DB {
	t.Helper()
	if PostgresURL(t) != "" {
		return Postgres(t)
	}
	return SQLite(t)
}

// PostgresURL returns the configured admin URL. Under CI a missing URL fails the test instead
// of letting the PostgreSQL half be skipped unnoticed.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvDatabaseURL)
	if u == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: CI must run the PostgreSQL tests", EnvDatabaseURL)
	}
	return u
}

// URLOf is the URL of db, a PostgreSQL database of the test, for a connection of its own.
func URLOf(t testing.TB, db *storage.DB) string {
	t.Helper()
	var name string
	if err := db.Gorm().Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// SQLite returns a fresh migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *storage.DB {
	t.Helper()
	dir := t.TempDir()
	db := openMigrated(t, storage.Options{URL: "sqlite:" + filepath.Join(dir, "test.db"), DataDir: dir})
	report(t, storage.SQLite)
	return db
}

// Postgres returns a fresh migrated PostgreSQL database, or skips the test when none is
// configured outside CI.
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	dsn := NewPostgresDatabase(t)
	db := openMigrated(t, storage.Options{URL: dsn, MaxOpenConns: 40})
	report(t, storage.Postgres)
	return db
}

// NewPostgresDatabase creates an empty PostgreSQL database for the test, dropped when the test
// ends, and returns its URL.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := PostgresURL(t)
	if admin == "" {
		t.Skipf("%s not set: skipping the PostgreSQL half", EnvDatabaseURL)
	}
	ctx := context.Background()
	adminDB, err := storage.Open(ctx, storage.Options{URL: admin, MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", EnvDatabaseURL, err)
	}
	name := "qrc_test_" + randomHex(t, 8)
	if err := adminDB.Gorm().Exec("CREATE DATABASE " + name).Error; err != nil {
		adminDB.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminDB.Gorm().Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
		adminDB.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

func openMigrated(t testing.TB, o storage.Options) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, o)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	// Registered after the drop of NewPostgresDatabase, so it runs before it.
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return db
}

func report(t testing.TB, backend string) {
	path := os.Getenv(EnvReport)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("test report: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintln(f, backend, t.Name())
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
