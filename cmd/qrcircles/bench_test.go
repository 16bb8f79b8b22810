package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// benchJSON runs the program's bench command with --json and decodes what it printed. The
// command exits non-zero on a wrong count or a missed event; that fails the test here.
func benchJSON(t *testing.T, env []string, out any, args ...string) {
	t.Helper()
	cmd := program(t, env, append(append([]string{"bench"}, args...), "--json")...)
	stdout, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if x, ok := err.(*exec.ExitError); ok {
			stderr = x.Stderr
		}
		t.Fatalf("bench %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout, stderr)
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("bench %s printed %q: %v", strings.Join(args, " "), stdout, err)
	}
}

// TestBenchCommandsStayExact keeps the benchmarks from rotting: every bench command runs at
// a small size, as someone would run it, and the test fails on a wrong count, a lost or
// doubled join, a broken cap or exclusion, or a missed event — never on a speed. On
// PostgreSQL it covers every admission path, the floors and two instances; on SQLite, which
// has neither pgx nor LISTEN, a capped join and the push.
func TestBenchCommandsStayExact(t *testing.T) {
	t.Run(storage.Postgres, func(t *testing.T) {
		env := []string{"QRC_DATABASE_URL=" + storagetest.NewPostgresDatabase(t), "QRC_DATA_DIR=" + t.TempDir()}
		checkJoinBenches(t, env, []joinCase{
			{mode: "open", args: []string{"--floor"}, want: joinOutcomes{Joined: 200}},
			{mode: "capped", args: []string{"--instances", "2"}, want: joinOutcomes{Joined: 100, Waiting: 100}},
			{mode: "allowlist", want: joinOutcomes{Joined: 100, Waiting: 100}},
			{mode: "exclusions", args: []string{"--instances", "2"}, want: joinOutcomes{Joined: 100, Refused: 100}},
			{mode: "review", want: joinOutcomes{Waiting: 200}},
		})
		checkPushBench(t, env, 500, "--floor")
		checkPushBench(t, env, 500, "--instances", "2")
		checkTokenBench(t, env)
	})
	t.Run(storage.SQLite, func(t *testing.T) {
		dir := t.TempDir()
		env := []string{"QRC_DATABASE_URL=sqlite:" + dir + "/bench.db", "QRC_DATA_DIR=" + dir}
		checkJoinBenches(t, env, []joinCase{{mode: "capped", want: joinOutcomes{Joined: 100, Waiting: 100}}})
		checkPushBench(t, env, 200)
	})
}

type joinCase struct {
	mode string
	args []string
	want joinOutcomes // of 200 people
}

func checkJoinBenches(t *testing.T, env []string, cases []joinCase) {
	t.Helper()
	for _, c := range cases {
		t.Run("join "+c.mode+" "+strings.Join(c.args, " "), func(t *testing.T) {
			var r joinResult
			benchJSON(t, env, &r, append([]string{"join", "--users", "200", "--mode", c.mode}, c.args...)...)
			if !r.Verified || r.Errors != 0 || r.Outcomes != c.want || r.Stored != c.want || r.Memberships != c.want.Joined {
				t.Fatalf("got %d errors, responses %+v, stored %+v, %d memberships (verified %v, %v); want %+v",
					r.Errors, r.Outcomes, r.Stored, r.Memberships, r.Verified, r.Problems, c.want)
			}
			if slices.Contains(c.args, "--floor") && (r.Floor == nil || r.Floor.Requests != 200 || r.Floor.Errors != 0 || r.FloorRatio <= 0) {
				t.Fatalf("floor %+v, ratio %v: want 200 joins of bare SQL and a ratio", r.Floor, r.FloorRatio)
			}
			// On PostgreSQL every open join is a guessed one, committed in a batch.
			if b := r.Batches; c.mode == "open" && (b == nil || b.Joins < 200 || b.Batches == 0 || b.Batches > b.Joins) {
				t.Fatalf("join batches %+v: want each of the 200 joins in one", b)
			}
			if slices.Contains(c.args, "--instances") {
				if len(r.PerInstance) != 2 || r.PerInstance[0].Requests != 100 || r.PerInstance[1].Requests != 100 {
					t.Fatalf("per instance %+v: want 100 answered requests on each of 2", r.PerInstance)
				}
			}
		})
	}
}

func checkPushBench(t *testing.T, env []string, streams int, args ...string) {
	t.Helper()
	t.Run(fmt.Sprintf("push %d %s", streams, strings.Join(args, " ")), func(t *testing.T) {
		var r pushResult
		benchJSON(t, env, &r, append([]string{"push", "--users", fmt.Sprint(streams)}, args...)...)
		if r.Subscribers != streams || r.Delivered != streams || r.Missed != 0 || r.IdleConnBytes <= 0 {
			t.Fatalf("%d subscribers, %d delivered, %d missed, %.0f bytes per stream; want all %d delivered",
				r.Subscribers, r.Delivered, r.Missed, r.IdleConnBytes, streams)
		}
		if r.EditMs <= 0 || r.FirstMs <= 0 || r.FirstMs > r.MaxMs {
			t.Fatalf("edit %.2f ms, first delivery %.2f ms, last %.2f ms: want the edit and the first delivery timed",
				r.EditMs, r.FirstMs, r.MaxMs)
		}
		if slices.Contains(args, "--floor") && (r.Floor == nil || r.Floor.Delivered != streams || r.P99Ratio <= 0) {
			t.Fatalf("floor %+v, ratio %v: want all %d delivered and a ratio", r.Floor, r.P99Ratio, streams)
		}
		if slices.Contains(args, "--instances") {
			if len(r.PerInstance) != 2 || r.PerInstance[0].Requests != streams/2 || r.PerInstance[1].Requests != streams/2 {
				t.Fatalf("per instance %+v: want %d delivered on each of 2", r.PerInstance, streams/2)
			}
		}
	})
}

// checkTokenBench measures this server's token endpoint twice: in-process, and through
// --target as another server's would be, with a client registered by the client command.
func checkTokenBench(t *testing.T, env []string) {
	t.Helper()
	t.Run("token", func(t *testing.T) {
		var r benchResult
		benchJSON(t, env, &r, "token", "--duration", "1s", "--concurrency", "4")
		if r.Requests == 0 || r.Errors != 0 {
			t.Fatalf("token bench: %+v", r)
		}
		srv := startServer(t, env...)
		out, err := program(t, env, "client", "create", "--name", "bench target", "--confidential",
			"--grant", "client_credentials", "--scope", "circles:read", "--auth-method", "client_secret_basic", "--json").Output()
		if err != nil {
			t.Fatalf("client create: %v", err)
		}
		var c struct {
			ID     string `json:"client_id"`
			Secret string `json:"client_secret"`
		}
		if err := json.Unmarshal(out, &c); err != nil || c.ID == "" || c.Secret == "" {
			t.Fatalf("client create printed %s: %v", out, err)
		}
		var at benchResult
		benchJSON(t, env, &at, "token", "--duration", "1s", "--concurrency", "4",
			"--target", srv.base, "--client-id", c.ID, "--client-secret", c.Secret)
		if at.Requests == 0 || at.Errors != 0 || at.Target != srv.base {
			t.Fatalf("token bench at %s: %+v", srv.base, at)
		}
	})
}

// TestVerifyJoinsCatchesWrongCounts gives the join bench's check a circle that breaks each
// rule it checks, and expects each to be reported.
func TestVerifyJoinsCatchesWrongCounts(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		org := ensureUser(t, db, "+8613800000100", "Organizer")
		a := ensureUser(t, db, "+8613800000101", "A")
		b := ensureUser(t, db, "+8613800000102", "B")
		if _, err := db.CreateExclusion(ctx, a.ID, a.Phone, b.Phone, time.Now()); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		c := storage.Circle{OwnerID: org.ID, Code: "benchverify", Title: "verify", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
		if err := db.CreateCircle(ctx, &c, nil); err != nil {
			t.Fatal(err)
		}
		for _, u := range []storage.User{a, b} {
			if err := addBenchMembers(ctx, db, c.ID, []int64{u.ID}); err != nil {
				t.Fatal(err)
			}
		}
		want := joinOutcomes{Joined: 1, Refused: 1}
		r := joinResult{Mode: "exclusions", Outcomes: want, Expected: want}
		if err := verifyJoins(ctx, db, c.ID, &r); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(r.Problems, "; ")
		for _, p := range []string{"2 memberships, want 1", "stored requests", "1 members share the circle with someone they exclude"} {
			if !strings.Contains(got, p) {
				t.Errorf("problems %q: missing %q", got, p)
			}
		}
		if r.Verified {
			t.Fatal("verified a circle with two members who exclude each other")
		}
	})
}

func TestTakeJoinMode(t *testing.T) {
	tests := []struct {
		args []string
		mode string
		rest []string
	}{
		{[]string{"--users", "10"}, "", []string{"--users", "10"}},
		{[]string{"--mode", "capped", "--json"}, "capped", []string{"--json"}},
		{[]string{"-mode=review"}, "review", nil},
		{[]string{"--floor", "--mode=exclusions", "--instances", "2"}, "exclusions", []string{"--floor", "--instances", "2"}},
	}
	for _, tt := range tests {
		mode, rest, err := takeJoinMode(tt.args)
		if err != nil || mode != tt.mode || !slices.Equal(rest, tt.rest) {
			t.Errorf("takeJoinMode(%q) = %q, %q, %v; want %q, %q", tt.args, mode, rest, err, tt.mode, tt.rest)
		}
	}
	if _, _, err := takeJoinMode([]string{"--mode"}); err == nil {
		t.Error("--mode without a value: no error")
	}
}

func TestExpectedOutcomes(t *testing.T) {
	tests := []struct {
		mode string
		n    int
		want joinOutcomes
	}{
		{"open", 7, joinOutcomes{Joined: 7}},
		{"capped", 7, joinOutcomes{Joined: 3, Waiting: 4}},
		{"capped", 1, joinOutcomes{Joined: 1}},
		{"allowlist", 7, joinOutcomes{Joined: 4, Waiting: 3}},
		{"exclusions", 7, joinOutcomes{Joined: 4, Refused: 3}},
		{"review", 7, joinOutcomes{Waiting: 7}},
	}
	for _, tt := range tests {
		if got := expectedOutcomes(tt.mode, tt.n); got != tt.want {
			t.Errorf("expectedOutcomes(%s, %d) = %+v, want %+v", tt.mode, tt.n, got, tt.want)
		}
	}
}
