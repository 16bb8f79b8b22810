package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestMigrationsAreRecordedAndRunOnce(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(status) == 0 {
			t.Fatal("no migrations known")
		}
		for _, s := range status {
			if s.AppliedAt.IsZero() {
				t.Fatalf("migration %d not applied", s.Version)
			}
		}
		again, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Fatalf("second run applied %v", again)
		}
	})
}

func TestStatusOfEmptyDatabaseListsPending(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(context.Background(), storage.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	status, err := db.MigrationStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if !s.AppliedAt.IsZero() {
			t.Fatalf("migration %d applied on an empty database", s.Version)
		}
	}
}

func TestConcurrentMigrateOnPostgres(t *testing.T) {
	url := storagetest.NewPostgresDatabase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([][]int, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := storage.Open(ctx, storage.Options{URL: url, MaxOpenConns: 2})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	db, err := storage.Open(ctx, storage.Options{URL: url, MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	status, _ := db.MigrationStatus(ctx)
	if total != len(status) {
		t.Fatalf("4 instances applied %d migrations in all, want each of %d exactly once", total, len(status))
	}
}

func TestSettings(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.Setting(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing setting: %v", err)
		}
		for _, v := range []string{"one", "two"} {
			if err := db.PutSetting(ctx, "k", v); err != nil {
				t.Fatal(err)
			}
			got, err := db.Setting(ctx, "k")
			if err != nil || got != v {
				t.Fatalf("Setting = %q, %v; want %q", got, err, v)
			}
		}
	})
}

func TestDataSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i, want := range []string{"", "kept"} {
		db, err := storage.Open(ctx, storage.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := db.PutSetting(ctx, "k", "kept"); err != nil {
				t.Fatal(err)
			}
		} else if got, err := db.Setting(ctx, "k"); err != nil || got != want {
			t.Fatalf("after reopen: %q, %v", got, err)
		}
		db.Close()
	}
}

func TestUnreachablePostgresFailsClearly(t *testing.T) {
	_, err := storage.Open(context.Background(), storage.Options{URL: "postgres://nohost.invalid:1/x"})
	if err == nil {
		t.Fatal("expected an error")
	}
}
