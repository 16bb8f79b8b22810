package storage

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// ErrUnavailable marks a failure of the database itself rather than of the query: it is
// down, restarting, unreachable, out of connections, or closed. The same request may well
// succeed in a moment, so callers answer "try again" (HTTP 503), never "not found" or "not
// active". Test with errors.Is; the marked error still wraps its cause.
var ErrUnavailable error = unavailableError{}

type unavailableError struct{}

func (unavailableError) Error() string { return "database unavailable" }

// Unavailable lets packages that cannot import this one (the problem+json writer) recognize
// the error by its behaviour.
func (unavailableError) Unavailable() bool { return true }

// markUnavailable wraps err with ErrUnavailable when it is a failure of the connection or
// of the server, and returns any other error as it is.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !connectionFailure(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// PostgreSQL error codes of a server that is going away or cannot take the connection:
// class 08 (connection exception) is matched by prefix.
var unavailableCodes = map[string]bool{
	"57P01": true, // admin_shutdown: terminated by a fast shutdown or restart
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now: starting up or shutting down
	"53300": true, // too_many_connections
}

// connectionFailure reports whether err says that the database could not be reached or
// went away, as opposed to refusing the statement.
func connectionFailure(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || unavailableCodes[pg.Code]
	}
	var connect *pgconn.ConnectError
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.As(err, &connect), errors.As(err, &op), errors.As(err, &dns), pgconn.Timeout(err):
		return true
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	// database/sql keeps this one unexported: the handle was closed (the server is stopping).
	return strings.Contains(err.Error(), "sql: database is closed")
}

// markUnavailableCallbacks marks the errors of every statement gorm runs. Statements whose
// errors reach us another way (a Row's Scan, a transaction's begin and commit) are marked
// where they are run.
func markUnavailableCallbacks(g *gorm.DB) error {
	mark := func(tx *gorm.DB) { tx.Error = markUnavailable(tx.Error) }
	cb := g.Callback()
	for _, p := range []interface {
		Register(name string, fn func(*gorm.DB)) error
	}{cb.Create(), cb.Query(), cb.Update(), cb.Delete(), cb.Row(), cb.Raw()} {
		if err := p.Register("qrcircles:mark_unavailable", mark); err != nil {
			return fmt.Errorf("registering the database error callback: %w", err)
		}
	}
	return nil
}
