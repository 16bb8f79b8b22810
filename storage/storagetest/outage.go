package storagetest

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"qrcircles/storage"
)

// Outage takes a test's database away, to see what the server answers while it is down.
type Outage struct {
	cut   func()
	proxy *proxy // PostgreSQL only
}

// Cut makes every statement from now on fail as when the database server is gone: on
// PostgreSQL every connection is dropped and new ones are refused; SQLite's handle is closed.
func (o *Outage) Cut() { o.cut() }

// Restore lets connections through again (PostgreSQL only: a closed SQLite handle stays
// closed, so a test that needs the database back runs on PostgreSQL).
func (o *Outage) Restore(t testing.TB) {
	t.Helper()
	if o.proxy == nil {
		t.Fatal("Restore: only a PostgreSQL outage can end")
	}
	o.proxy.setDown(false)
}

// BackendsWithOutage is Backends for databases that the test can take away.
func BackendsWithOutage(t *testing.T, fn func(t *testing.T, db *storage.DB, o *Outage)) {
	t.Helper()
	t.Run(storage.SQLite, func(t *testing.T) {
		dir := t.TempDir()
		db := openMigrated(t, storage.Options{URL: "sqlite:" + filepath.Join(dir, "test.db"), DataDir: dir})
		report(t, storage.SQLite)
		fn(t, db, &Outage{cut: func() { _ = db.Close() }})
	})
	t.Run(storage.Postgres, func(t *testing.T) {
		db, o := PostgresWithOutage(t)
		fn(t, db, o)
	})
}

// PostgresWithOutage returns a fresh migrated PostgreSQL database reached through a TCP proxy
// on 127.0.0.1 that the outage controls.
func PostgresWithOutage(t testing.TB) (*storage.DB, *Outage) {
	t.Helper()
	u, err := url.Parse(NewPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := startProxy(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	u.Host = p.addr()
	db := openMigrated(t, storage.Options{URL: u.String(), MaxOpenConns: 8})
	report(t, storage.Postgres)
	return db, &Outage{cut: func() { p.setDown(true) }, proxy: p}
}

// proxy forwards TCP connections to the database; while down it drops them all and closes
// each new one at once, as a database that is shutting down or gone does.
type proxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
}

func startProxy(upstream string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *proxy) serve(c net.Conn) {
	defer p.wg.Done()
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		c.Close()
		up.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// track registers a new connection pair unless the proxy is down.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.setDown(true)
	p.wg.Wait()
}
