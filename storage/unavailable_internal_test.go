package storage

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

func TestMarkUnavailableTellsOutagesFromRefusals(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown (fast restart)", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"connection refused", fmt.Errorf("query: %w", refused), true},
		{"unexpected EOF", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{"bad connection", driver.ErrBadConn, true},
		{"closed connection", fmt.Errorf("x: %w", pgconn.ErrConnClosed), true},
		{"closed handle", errors.New("sql: database is closed"), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"no row", gorm.ErrRecordNotFound, false},
		{"not found", fmt.Errorf("user: %w", ErrNotFound), false},
		{"other", errors.New("boom"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := markUnavailable(c.err)
			if got := errors.Is(err, ErrUnavailable); got != c.want {
				t.Fatalf("marked %v, want %v (%v)", got, c.want, err)
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("the cause is lost: %v", err)
			}
			if again := markUnavailable(err); again != err {
				t.Fatalf("marked twice: %v", again)
			}
		})
	}
	if markUnavailable(nil) != nil {
		t.Fatal("nil became an error")
	}
}
