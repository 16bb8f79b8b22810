package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned schema change. Up receives the dialect so that a migration can
// say the same thing in PostgreSQL's and SQLite's words. Migrations only add; nothing is ever
// dropped or altered automatically, except a key or an index replaced by one that serves the
// same reads (no row is lost).
type Migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB, dialect string) error
}

// MigrationStatus is one migration and when it was applied (zero when pending).
type MigrationStatus struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrationLockKey is the PostgreSQL advisory lock that lets many instances start at once.
const migrationLockKey = 7_321_004_211

// Migrate applies every pending migration, each in its own transaction, and returns the
// versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	var applied []int
	err := db.withMigrationLock(ctx, func(g *gorm.DB) error {
		done, err := appliedVersions(g)
		if err != nil {
			return err
		}
		for _, m := range sortedMigrations() {
			if _, ok := done[m.Version]; ok {
				continue
			}
			err := g.Transaction(func(tx *gorm.DB) error {
				if err := m.Up(tx, db.dialect); err != nil {
					return err
				}
				return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
			})
			if err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	return applied, err
}

// MigrationStatus lists every known migration and whether it has been applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	g := db.gorm.WithContext(ctx)
	done := map[int]time.Time{}
	if g.Migrator().HasTable(&schemaMigration{}) {
		var err error
		if done, err = appliedVersions(g); err != nil {
			return nil, err
		}
	}
	var out []MigrationStatus
	for _, m := range sortedMigrations() {
		out = append(out, MigrationStatus{Version: m.Version, Name: m.Name, AppliedAt: done[m.Version]})
	}
	return out, nil
}

func (db *DB) withMigrationLock(ctx context.Context, fn func(*gorm.DB) error) error {
	g := db.gorm.WithContext(ctx)
	createTable := func(conn *gorm.DB) error {
		err := conn.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version bigint PRIMARY KEY, name text NOT NULL, applied_at ` + timestamp(db.dialect) + `)`).Error
		if err != nil {
			return fmt.Errorf("migration table: %w", err)
		}
		return fn(conn)
	}
	if db.dialect != Postgres {
		return createTable(g) // a single connection: nobody else migrates at the same time
	}
	// The advisory lock belongs to a session: hold one connection for the whole run.
	return g.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockKey).Error; err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockKey)
		return createTable(conn)
	})
}

func appliedVersions(g *gorm.DB) (map[int]time.Time, error) {
	var rows []schemaMigration
	if err := g.Order("version").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	done := make(map[int]time.Time, len(rows))
	for _, r := range rows {
		done[r.Version] = r.AppliedAt
	}
	return done, nil
}

func sortedMigrations() []Migration {
	ms := append([]Migration(nil), migrations...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms
}
