package cardsvc

import (
	"context"
	"crypto/rand"
	"time"

	"qrcircles"
	"qrcircles/resource/cards"
)

// Cards face to face: a member shows a personal QR code, another scans it with the app, and
// both have each other's card in one step. The code is sealed and short-lived
// (cards.SealFaceCode); showing it is giving one's card, so the scanner gets it at once, while
// the scanner's card reaches the one who showed the code under their stranger policy like any
// delivery.

// FaceCode seals a new personal QR code of userID and says until when it is good.
func (s *Service) FaceCode(userID int64) (string, time.Time, error) {
	nonce := make([]byte, cards.FaceCodeNonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", time.Time{}, err
	}
	exp := s.now().Add(cards.FaceCodeLifespan)
	code, err := cards.SealFaceCode(s.FaceKey, userID, exp, nonce)
	return code, exp, err
}

// ExchangeFaceToFace gives scanner the card of the person whose personal QR code they read,
// and that person the scanner's card (Delivered), or a request to accept it (Waiting) when
// they refuse cards from strangers. It returns who showed the code.
func (s *Service) ExchangeFaceToFace(ctx context.Context, scanner int64, code string) (int64, string, qrcircles.CardRequest, error) {
	var q qrcircles.CardRequest
	shown, err := cards.OpenFaceCode(s.FaceKey, code, s.now())
	if err == nil && shown == scanner {
		err = qrcircles.Fail(qrcircles.EInvalid, "cards.face_own").WithField("code")
	}
	if err == nil {
		_, err = s.Store.User(ctx, shown)
	}
	if err != nil {
		return 0, "", q, err
	}
	var outcome string
	err = s.inTx(ctx, func(ctx context.Context) error {
		var err error
		if outcome, q, err = s.giveCard(ctx, scanner, shown); err != nil {
			return err
		}
		return s.addContact(ctx, scanner, shown)
	})
	return shown, outcome, q, err
}
