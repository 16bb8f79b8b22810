package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func (m *Main) migrate(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return fmt.Errorf("usage: qrcircles migrate up|status [flags]")
	}
	cfg, _, err := m.loadConfig("migrate", args[1:], nil)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "up" {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "applied %d migration(s) %v on %s\n", len(applied), applied, db.Dialect())
		return nil
	}
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tAPPLIED")
	for _, s := range status {
		applied := "pending"
		if !s.AppliedAt.IsZero() {
			applied = s.AppliedAt.Format("2006-01-02 15:04:05Z07:00")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\n", s.Version, s.Name, applied)
	}
	return w.Flush()
}
