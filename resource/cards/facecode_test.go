package cards

import (
	"bytes"
	"testing"
	"time"

	"qrcircles"
)

func TestFaceCode(t *testing.T) {
	key, other := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 32)
	nonce := make([]byte, FaceCodeNonceSize)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	code, err := SealFaceCode(key, 42, now.Add(FaceCodeLifespan), nonce)
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(code)
	flipped[len(flipped)/2] ^= 1
	for _, tc := range []struct {
		name string
		key  []byte
		code string
		at   time.Time
		want int64
		err  string
	}{
		{"fresh", key, code, now, 42, ""},
		{"just before expiry", key, code, now.Add(FaceCodeLifespan - time.Second), 42, ""},
		{"expired", key, code, now.Add(FaceCodeLifespan), 0, qrcircles.EGone},
		{"another server's", other, code, now, 0, qrcircles.EInvalid},
		{"tampered", key, string(flipped), now, 0, qrcircles.EInvalid},
		{"not base64", key, "!!", now, 0, qrcircles.EInvalid},
		{"empty", key, "", now, 0, qrcircles.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := OpenFaceCode(tc.key, tc.code, tc.at)
			if got := qrcircles.CodeOf(err); err != nil && got != tc.err || err == nil && tc.err != "" || id != tc.want {
				t.Fatalf("OpenFaceCode = %d, %v; want %d, %s", id, err, tc.want, tc.err)
			}
		})
	}
}

func TestFaceCodesDifferEachTime(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	exp := time.Now().Add(time.Minute)
	a, _ := SealFaceCode(key, 1, exp, bytes.Repeat([]byte{1}, FaceCodeNonceSize))
	b, _ := SealFaceCode(key, 1, exp, bytes.Repeat([]byte{2}, FaceCodeNonceSize))
	if a == b {
		t.Fatal("two codes for the same person are alike: a reader could link them")
	}
}
