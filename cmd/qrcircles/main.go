// Command qrcircles is the one binary of QR Circles: the server, its migrations and its tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A server's heap is small next to the machine's memory: collect less often and spend
		// the CPU on requests. GOGC set in the environment wins.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "qrcircles: "+err.Error())
		os.Exit(1)
	}
}

// Main runs one subcommand. Its fields are the outside world, so tests can replace them.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Listening, when set, is told the address the server bound (useful with port 0).
	Listening func(addr string)
}

const usage = `usage: qrcircles [command] [flags]

commands:
  serve            run the server (the default)
  migrate up       apply pending database migrations
  migrate status   list migrations and whether they are applied
  client ...       manage OAuth clients (create, list, delete, rotate-secret)
  keys rotate      add a new ID-token signing key
  audit            show the audit log of security-relevant events
  bench token      measure the token endpoint (client_credentials)
  bench join       measure joins of one circle
  bench push       measure live push to 10,000 event streams
  demo             make a demo circle and print its QR code
  version          print the version
`

// Run runs the subcommand named by args[0]; serve when there is none.
func (m *Main) Run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return m.serve(ctx, args)
	case "migrate":
		return m.migrate(ctx, args)
	case "client":
		return m.client(ctx, args)
	case "keys":
		return m.keys(ctx, args)
	case "bench":
		return m.bench(ctx, args)
	case "audit":
		return m.audit(ctx, args)
	case "demo":
		return m.demo(ctx, args)
	case "version":
		fmt.Fprintln(m.Stdout, "qrcircles", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
