package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"qrcircles"
	"qrcircles/storage"
)

type auditFlags struct {
	since  time.Duration
	action string
	actor  int64
	limit  int
	json   bool
}

func (f *auditFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.since, "since", 24*time.Hour, "show entries this recent")
	fs.StringVar(&f.action, "action", "", "show only this action")
	fs.Int64Var(&f.actor, "actor", 0, "show only entries by this user ID")
	fs.IntVar(&f.limit, "limit", storage.DefaultAuditLimit, "show at most this many entries, newest first")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per line")
}

// audit prints the audit log: qrcircles audit [--since 24h] [--action A] [--actor ID] [--limit 100] [--json]
func (m *Main) audit(ctx context.Context, args []string) error {
	var f auditFlags
	cfg, _, err := m.loadConfig("audit", args, f.register)
	if err != nil {
		return err
	}
	if f.action != "" && !slices.Contains(qrcircles.AuditActions, f.action) {
		return fmt.Errorf("unknown action %q; one of %v", f.action, qrcircles.AuditActions)
	}
	if f.since <= 0 || f.limit <= 0 {
		return fmt.Errorf("--since and --limit must be positive")
	}
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.AuditLog(ctx, storage.AuditQuery{
		Since: time.Now().Add(-f.since), Action: f.action, ActorID: f.actor, Limit: f.limit,
	})
	if err != nil {
		return err
	}
	if f.json {
		return m.printAuditJSON(entries)
	}
	return m.printAuditTable(entries)
}

func (m *Main) printAuditJSON(entries []storage.AuditEntry) error {
	enc := json.NewEncoder(m.Stdout)
	for _, e := range entries {
		err := enc.Encode(struct {
			ID      int64           `json:"id"`
			At      time.Time       `json:"at"`
			ActorID int64           `json:"actor_id,omitempty"`
			Action  string          `json:"action"`
			Target  string          `json:"target,omitempty"`
			Detail  json.RawMessage `json:"detail"`
			IP      string          `json:"ip,omitempty"`
		}{e.ID, e.At, e.ActorID, e.Action, e.Target, json.RawMessage(e.Detail), e.IP})
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *Main) printAuditTable(entries []storage.AuditEntry) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AT\tACTOR\tACTION\tTARGET\tIP\tDETAIL")
	for _, e := range entries {
		actor := "-"
		if e.ActorID != 0 {
			actor = fmt.Sprint(e.ActorID)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), actor, e.Action, e.Target, e.IP, e.Detail)
	}
	return w.Flush()
}
