// Package settingsvc is a person's own settings, between the handlers (the API and the
// settings page) and storage: what they accept from strangers and whether they refuse to join
// any circle. A change that matters to security is audited in the transaction that makes it,
// on every path.
package settingsvc

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"qrcircles"
	"qrcircles/storage"
)

// Store is what the service needs of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	RefusesAllCircles(ctx context.Context, userID int64) (bool, error)
	SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, now time.Time) error
	PrivacyOf(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	PutPrivacy(ctx context.Context, p qrcircles.UserPrivacy) error
	AddAudit(ctx context.Context, e qrcircles.AuditEntry) error
}

var _ Store = (*storage.DB)(nil)

// Service reads and changes settings.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// RefusesAllCircles reports the user's "refuse to join any circle" setting.
func (s *Service) RefusesAllCircles(ctx context.Context, userID int64) (bool, error) {
	return s.Store.RefusesAllCircles(ctx, userID)
}

// SetRefuseAllCircles changes the user's "refuse to join any circle" setting and records the
// change in the audit log, in one transaction: no change goes unrecorded. ip is the client's
// address, for the entry.
func (s *Service) SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, ip string) error {
	now := s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SetRefuseAllCircles(ctx, userID, refuse, now); err != nil {
			return err
		}
		e := qrcircles.NewAuditEntry(now, qrcircles.AuditSettingsChange, userID, fmt.Sprintf("user:%d", userID), ip,
			map[string]string{"refuse_all_circles": strconv.FormatBool(refuse)})
		return s.Store.AddAudit(ctx, e)
	})
}

// Privacy is what the user accepts from strangers.
func (s *Service) Privacy(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error) {
	return s.Store.PrivacyOf(ctx, userID)
}

// SetPrivacy changes the settings given (nil: unchanged) and keeps the others.
func (s *Service) SetPrivacy(ctx context.Context, userID int64, refuseStrangerCards, blockStrangerMessages *bool) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.Store.PrivacyOf(ctx, userID)
		if err != nil {
			return err
		}
		setIf(&p.RefuseStrangerCards, refuseStrangerCards)
		setIf(&p.BlockStrangerMessages, blockStrangerMessages)
		p.UpdatedAt = s.now()
		return s.Store.PutPrivacy(ctx, p)
	})
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
