package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this test binary as the real program, with real signals.
func TestMain(m *testing.M) {
	if os.Getenv("QRC_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"qrcircles"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// program runs this binary as qrcircles with args and a clean QRC_* environment.
func program(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"QRC_TEST_RUN_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "QRC_LOG_FORMAT=json"}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// running is the program started as a server.
type running struct {
	cmd      *exec.Cmd
	base     string
	mu       sync.Mutex
	requests []logLine // access-log lines
	others   []logLine // every other line
	done     chan struct{}
}

type logLine struct {
	Msg, Addr, Path string
	Status          int
	Level, Error    string
}

// startServer starts the program and returns it once it listens.
func startServer(t *testing.T, env ...string) *running {
	t.Helper()
	r := &running{cmd: program(t, append(env, "QRC_LISTEN=127.0.0.1:0"), "serve"), done: make(chan struct{})}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); <-r.done; _ = r.cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line logLine
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			switch line.Msg {
			case "listening":
				addr <- line.Addr
			case "request":
				r.mu.Lock()
				r.requests = append(r.requests, line)
				r.mu.Unlock()
			default:
				r.mu.Lock()
				r.others = append(r.others, line)
				r.mu.Unlock()
			}
		}
	}()
	select {
	case a := <-addr:
		r.base = "http://" + a
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start listening")
	}
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r.wait(t)
}

func (r *running) wait(t *testing.T) {
	t.Helper()
	<-r.done
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("server exit: %v", err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestFreshStartServesHealthAndKeepsData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for i := range 2 {
		srv := startServer(t, "QRC_DATA_DIR="+data)
		for _, path := range []string{"/healthz", "/readyz", "/"} {
			if code, body := get(t, srv.base+path); code != 200 {
				t.Fatalf("start %d: GET %s = %d %s", i+1, path, code, body)
			}
		}
		if code, body := get(t, srv.base+"/nope"); code != 404 || !strings.Contains(body, "problems/not-found") {
			t.Fatalf("unknown path: %d %s", code, body)
		}
		srv.stop(t)
		secret, err := os.ReadFile(filepath.Join(data, "secret"))
		if err != nil || len(strings.TrimSpace(string(secret))) < 32 {
			t.Fatalf("secret after start %d: %v", i+1, err)
		}
	}
	status, err := program(t, []string{"QRC_DATA_DIR=" + data}, "migrate", "status").Output()
	if err != nil || strings.Contains(string(status), "pending") || !strings.Contains(string(status), "system settings") {
		t.Fatalf("migrate status after two starts: %v\n%s", err, status)
	}
}

func TestBadSettingsStopTheProgramNamingTheSetting(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"QRC_DATABASE_URL=postgres://nohost:1/x"}, "QRC_DATABASE_URL"},
		{[]string{"QRC_MODE=production", "QRC_SECRET=0123456789", "QRC_PUBLIC_URL=https://c.example"}, "QRC_SECRET"},
		{[]string{"QRC_LISTEN=nonsense"}, "QRC_LISTEN"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			cmd := program(t, append(tt.env, "QRC_DATA_DIR="+t.TempDir()), "serve")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("exit: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "qrcircles: "+tt.want+":") {
				t.Fatalf("want one line naming %s, got:\n%s", tt.want, out)
			}
		})
	}
}

// TestSIGTERMFinishesAcceptedRequests sends SIGTERM in the middle of a burst. Every request the
// server accepted (and so logged) must reach its client as a 200; connections the kernel queued
// but the server never accepted may fail, and after the signal no client gets anything else.
func TestSIGTERMFinishesAcceptedRequests(t *testing.T) {
	srv := startServer(t, "QRC_DATA_DIR="+t.TempDir())
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	var ok atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := client.Get(srv.base + "/readyz")
				if err != nil {
					return // the listener is gone
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("status %d", res.StatusCode))
					mu.Unlock()
				}
				ok.Add(1)
			}
		}()
	}
	for ok.Load() < 300 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	srv.stop(t)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d requests failed, e.g. %s", len(bad), bad[0])
	}
	handled := 0
	for _, l := range srv.requests {
		if l.Path == "/readyz" {
			handled++
			if l.Status != 200 {
				t.Fatalf("server answered %d", l.Status)
			}
		}
	}
	if int64(handled) != ok.Load() {
		t.Fatalf("server accepted %d requests, clients received %d answers", handled, ok.Load())
	}
	t.Logf("%d requests accepted and answered across the shutdown", handled)
}
