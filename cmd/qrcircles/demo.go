package main

import (
	"context"
	"fmt"
	"time"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/resource/qr"
	"qrcircles/storage"
)

// The demo organizer and circle; demo finds them by these values, so it makes them once.
const (
	demoPhone       = "+8613700000000"
	demoName        = "Demo Organizer"
	demoTitle       = "QR Circles demo"
	demoDescription = "A circle to try QR Circles: scan the code, sign in with your phone, and you are in. / 扫码、手机号登录，即可加入。"
)

// demo makes (once) a demo organizer and circle and prints the circle's QR code.
func (m *Main) demo(ctx context.Context, args []string) error {
	cfg, pos, err := m.loadConfig("demo", args, nil)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("demo takes no arguments, got %q", pos[0])
	}
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &circles.Service{Store: db, PublicURL: cfg.PublicURL, NormalizePhone: phoneNormalizer(cfg.DefaultRegion)}
	circle, err := ensureDemoCircle(ctx, db, svc)
	if err != nil {
		return err
	}
	url := svc.URL(circle)
	fmt.Fprintf(m.Stdout, "%s — organized by %s (%s)\n%s\n\n%s\n", demoTitle, demoName, demoPhone, url, qr.Terminal(url))
	fmt.Fprintf(m.Stdout, "Start the server with `qrcircles serve` (reachable at %s), then scan the code with any phone camera.\n", cfg.PublicURL)
	return nil
}

// ensureDemoCircle returns the demo circle, creating its organizer and the circle when missing.
func ensureDemoCircle(ctx context.Context, db *storage.DB, svc *circles.Service) (storage.Circle, error) {
	now := time.Now().UTC()
	owner, _, err := db.EnsureUser(ctx, demoPhone, now)
	if err == nil && owner.DisplayName == "" {
		err = db.SetDisplayName(ctx, owner.ID, demoName, now)
	}
	if err != nil {
		return storage.Circle{}, fmt.Errorf("demo organizer: %w", err)
	}
	owned, err := db.CirclesOwnedBy(ctx, owner.ID)
	if err != nil {
		return storage.Circle{}, err
	}
	for _, c := range owned {
		if c.Title == demoTitle {
			return c, nil
		}
	}
	title, description, mode := demoTitle, demoDescription, qrcircles.ModeRules
	return svc.Create(ctx, owner.ID, circles.Input{Title: &title, Description: &description, Mode: &mode})
}
