package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"qrcircles/config"
	"qrcircles/storage"
)

// benchInstanceCmd is the hidden "bench instance": one more server instance for a bench with
// --instances, started by the bench as a child process.
const benchInstanceCmd = "instance"

// envBenchInstance gives the child instance its number, which names its profiles.
const envBenchInstance = "QRC_BENCH_INSTANCE"

// instanceStart bounds how long a child instance may take to listen.
const instanceStart = 60 * time.Second

// benchCluster is the system under benchmark. The first instance runs in the bench's own
// process (its CPU profile and memory are the bench's); the others are child processes of
// this binary on the same database with the same secret and public URL, as instances behind
// a load balancer are. They hear each other's events through PostgreSQL LISTEN/NOTIFY.
type benchCluster struct {
	*benchServer
	bases    []string // base URL of every instance, the first one's first
	children []*instanceProcess
	notifies *notifyCounter // on PostgreSQL with one instance, for the database figures
}

func startCluster(ctx context.Context, cfg config.Config, f benchFlags) (*benchCluster, error) {
	bs, err := startBenchServer(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	cl := &benchCluster{benchServer: bs, bases: []string{bs.base}}
	if f.instances > 1 && bs.db.Dialect() != storage.Postgres {
		cl.stop()
		return nil, errors.New("--instances needs PostgreSQL: instances share the database and hear each other through LISTEN/NOTIFY")
	}
	for n := 2; n <= f.instances; n++ {
		p, err := startInstanceProcess(ctx, cfg, bs.base, f.profile, n)
		if err != nil {
			cl.stop()
			return nil, fmt.Errorf("instance %d: %w", n, err)
		}
		cl.children = append(cl.children, p)
		cl.bases = append(cl.bases, p.base)
	}
	if bs.db.Dialect() == storage.Postgres && f.instances == 1 {
		if cl.notifies, err = countNotifies(ctx, cfg.DatabaseURL); err != nil {
			cl.stop()
			return nil, err
		}
	}
	return cl, nil
}

// stop stops the child instances (they write their profiles as they go), then the first.
func (cl *benchCluster) stop() {
	for _, p := range cl.children {
		p.stop()
	}
	if cl.notifies != nil {
		cl.notifies.stop()
	}
	cl.benchServer.stop()
}

// instanceProcess is a child instance.
type instanceProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string
}

func startInstanceProcess(ctx context.Context, cfg config.Config, public, profileDir string, n int) (*instanceProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"bench", benchInstanceCmd}
	if profileDir != "" {
		args = append(args, "--profile", profileDir)
	}
	cmd := exec.Command(exe, args...)
	// Settings given to the bench as flags reach the child as the variables they stand for;
	// later entries win over the inherited environment.
	cmd.Env = append(os.Environ(),
		"QRC_MODE="+cfg.Mode, "QRC_ROLE="+config.RoleAll, "QRC_DATABASE_URL="+cfg.DatabaseURL, "QRC_DATA_DIR="+cfg.DataDir,
		"QRC_SECRET="+string(cfg.Secret), "QRC_PUBLIC_URL="+public, "QRC_DB_MAX_CONNS="+strconv.Itoa(cfg.DBMaxOpenConns),
		"QRC_DEFAULT_REGION="+cfg.DefaultRegion, "QRC_SCAN_SESSION_LIFESPAN="+cfg.ScanSessionLifespan.String(),
		envBenchInstance+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &instanceProcess{cmd: cmd, stdin: stdin}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if ok {
			p.base = a
			return p, nil
		}
		p.stop()
		return nil, errors.New("exited before it listened")
	case <-time.After(instanceStart):
	case <-ctx.Done():
	}
	p.stop()
	return nil, errors.New("did not listen in time")
}

// stop closes the child's standard input, which tells it to stop, and waits for it.
func (p *instanceProcess) stop() {
	p.stdin.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// benchInstance is the child: it serves like the bench's own instance until its standard
// input closes (the bench stops it, or died), and says "listening URL" once its LISTEN
// connection is up, so that it hears the first event.
func (m *Main) benchInstance(ctx context.Context, cfg config.Config, f benchFlags) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	n := os.Getenv(envBenchInstance)
	if n == "" {
		n = "2"
	}
	prof, err := startProfile(f.profile, "-instance"+n)
	if err != nil {
		return err
	}
	bs, err := startBenchServer(ctx, cfg, cfg.PublicURL)
	if err != nil {
		return errors.Join(err, prof.stop())
	}
	defer bs.stop()
	for bs.db.Dialect() == storage.Postgres && bs.app.push.ListenPID() == 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintf(m.Stdout, "listening %s\n", bs.base)
	<-ctx.Done()
	return prof.stop()
}

// warmClient is a client's untimed first call: it opens the client's connection to every
// instance.
func (cl *benchCluster) warmClient(c *benchClient) {
	for i := range cl.bases {
		host := cl.host(i)
		c.wire(host, []byte("GET /healthz HTTP/1.1\r\nHost: "+host+"\r\n\r\n"))
	}
}

// host is the address of the instance that request i goes to.
func (cl *benchCluster) host(i int) string {
	return strings.TrimPrefix(cl.bases[i%len(cl.bases)], "http://")
}

// warmServerPool opens up to n connections of the first instance's database pool before a
// run is timed, as the floor's are (warmPool); further instances open theirs as they go.
func warmServerPool(ctx context.Context, db *storage.DB, n int) error {
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		return err
	}
	if most := sqlDB.Stats().MaxOpenConnections; most > 0 {
		n = min(n, most)
	}
	return holdConns(n, func() (func(), error) {
		c, err := sqlDB.Conn(ctx)
		if err == nil {
			err = c.PingContext(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("opening the server's connections: %w", err)
		}
		return func() { c.Close() }, nil
	})
}
