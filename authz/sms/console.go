package sms

import (
	"context"
	"log/slog"
)

// Console logs codes instead of sending them: the sender for development, when no Twilio
// credentials are set.
type Console struct {
	Logger *slog.Logger
	// Sink, when set, also receives every code, so that tests can type it in.
	Sink func(phone, code string)
}

var _ Sender = (*Console)(nil)

// Provider implements Sender.
func (c *Console) Provider() string { return ProviderConsole }

// Send implements Sender.
func (c *Console) Send(ctx context.Context, m Message) (string, error) {
	if c.Logger != nil {
		c.Logger.InfoContext(ctx, "SMS code (console sender: nothing was sent)", "to", m.To, "code", m.Code, "text", m.Body())
	}
	if c.Sink != nil {
		c.Sink(m.To, m.Code)
	}
	return "", nil
}
