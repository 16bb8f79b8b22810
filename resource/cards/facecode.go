package cards

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"qrcircles"
)

// A face code is what a member's personal QR code holds: who they are and until when, sealed
// (AES-GCM) under a key derived from the server secret. It names nobody to whoever reads the
// QR code, nobody can forge or stretch one, and a photo of it stops working within minutes.

// FaceCodeLifespan is how long a personal QR code works.
const FaceCodeLifespan = 5 * time.Minute

// FaceCodeNonceSize is the size of the random nonce SealFaceCode takes.
const FaceCodeNonceSize = 12

var (
	errFaceCodeInvalid = qrcircles.Fail(qrcircles.EInvalid, "cards.face_invalid")
	errFaceCodeExpired = qrcircles.Fail(qrcircles.EGone, "cards.face_expired")
)

func faceAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SealFaceCode makes the code of userID's personal QR, good until expires; key is 32 bytes,
// nonce FaceCodeNonceSize random bytes.
func SealFaceCode(key []byte, userID int64, expires time.Time, nonce []byte) (string, error) {
	aead, err := faceAEAD(key)
	if err != nil {
		return "", err
	}
	if len(nonce) != aead.NonceSize() {
		return "", errors.New("cards: face code nonce of the wrong size")
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(userID))
	plain = binary.BigEndian.AppendUint64(plain, uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(aead.Seal(append([]byte(nil), nonce...), nonce, plain, nil)), nil
}

// OpenFaceCode returns the user a code names: an EInvalid error when the code is not one
// of this key's, EGone when it expired before now.
func OpenFaceCode(key []byte, code string, now time.Time) (int64, error) {
	aead, err := faceAEAD(key)
	if err != nil {
		return 0, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(code)
	if err != nil || len(raw) < aead.NonceSize() {
		return 0, errFaceCodeInvalid
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil || len(plain) != 16 {
		return 0, errFaceCodeInvalid
	}
	id := int64(binary.BigEndian.Uint64(plain))
	if now.Unix() >= int64(binary.BigEndian.Uint64(plain[8:])) {
		return 0, errFaceCodeExpired
	}
	return id, nil
}
