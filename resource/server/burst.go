package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/problem"
)

// BurstWindow is how long a burst of outage errors is counted before it is summed up.
const BurstWindow = 10 * time.Second

// BurstLog logs the first error of a burst at once and only counts the rest: during an
// outage every request fails the same way, and one line says it as well as thousands. When
// the window that the first error opened has passed, one line says how many more there
// were; the next error opens a new burst.
type BurstLog struct {
	log    *slog.Logger
	msg    string
	window time.Duration
	after  func(d time.Duration, f func()) // the clock: time.AfterFunc, or a test's hand

	mu   sync.Mutex
	open bool
	more int
}

// NewBurstLog returns a BurstLog writing msg to log, with windows of BurstWindow.
func NewBurstLog(log *slog.Logger, msg string) *BurstLog {
	return NewBurstLogClock(log, msg, BurstWindow, func(d time.Duration, f func()) { time.AfterFunc(d, f) })
}

// NewBurstLogClock is NewBurstLog with the window's end in the caller's hands: after must
// call f once d has passed.
func NewBurstLogClock(log *slog.Logger, msg string, window time.Duration, after func(d time.Duration, f func())) *BurstLog {
	return &BurstLog{log: log, msg: msg, window: window, after: after}
}

// Error logs err if it opens a burst, and counts it otherwise.
func (b *BurstLog) Error(ctx context.Context, err error) {
	b.mu.Lock()
	if b.open {
		b.more++
		b.mu.Unlock()
		return
	}
	b.open, b.more = true, 0
	b.mu.Unlock()
	b.log.ErrorContext(ctx, b.msg, "error", err.Error())
	b.after(b.window, b.close)
}

// close ends the burst, summing up the errors it only counted.
func (b *BurstLog) close() {
	b.mu.Lock()
	more := b.more
	b.open, b.more = false, 0
	b.mu.Unlock()
	if more > 0 {
		b.log.Error(fmt.Sprintf("%s: %d more in the last %s", b.msg, more, b.window), "more", more)
	}
}

const burstKey = "server.burst"

// LogUnavailable logs err, an outage that made this request fail, through the engine's
// BurstLog: once per burst, not once per request.
func LogUnavailable(c *gin.Context, err error) {
	if b, ok := c.Get(burstKey); ok {
		b.(*BurstLog).Error(c.Request.Context(), err)
		return
	}
	c.Error(err) // an engine not made by New: the access log shows it
}

// withBurstLog makes b the BurstLog of every request.
func withBurstLog(b *BurstLog) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(burstKey, b)
		c.Next()
	}
}

// logProblem logs what Problem answers, if anything: an internal error with each request, an
// outage once per burst.
func logProblem(c *gin.Context, err error) {
	switch {
	case problem.Unavailable(err):
		LogUnavailable(c, err)
	case problem.CodeOf(err) == problem.EInternal:
		c.Error(err)
	}
}
