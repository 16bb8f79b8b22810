package otp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// solve finds the number as the widget does, by trying them in turn.
func solve(t *testing.T, c ProofChallenge) ProofSolution {
	t.Helper()
	for n := int64(0); n <= c.MaxNumber; n++ {
		if proofHash(c.Salt, n) == c.Challenge {
			return ProofSolution{c.Algorithm, c.Challenge, n, c.Salt, c.Signature}
		}
	}
	t.Fatal("no number solves the challenge")
	return ProofSolution{}
}

func encode(s ProofSolution) string {
	b, _ := json.Marshal(s)
	return base64.StdEncoding.EncodeToString(b)
}

func TestProofOfWork(t *testing.T) {
	key, now := []byte("0123456789abcdef0123456789abcdef"), time.Unix(1_800_000_000, 0)
	c, err := NewProofChallenge(key, 2000, 10*time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	good := solve(t, c)
	id, exp, err := VerifyProof(key, encode(good), now.Add(time.Minute))
	if err != nil || id != c.Signature || !exp.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("a right solution: %q %v %v", id, exp, err)
	}
	wrongNumber := good
	wrongNumber.Number++
	longer := good
	longer.Salt = strings.Replace(good.Salt, "expires=", "expires=9", 1) // a later expiry the server never signed
	resigned := good
	resigned.Challenge, resigned.Salt = proofHash(longer.Salt, good.Number), longer.Salt
	noExpiry := good
	noExpiry.Salt, noExpiry.Challenge = "abc", proofHash("abc", 1)
	noExpiry.Number, noExpiry.Signature = 1, proofSignature(key, noExpiry.Challenge)
	sha512 := good
	sha512.Algorithm = "SHA-512"
	for name, tc := range map[string]struct {
		key     []byte
		payload string
		at      time.Time
		want    error
	}{
		"wrong number":             {key, encode(wrongNumber), now, ErrProofWrong},
		"salt with a later expiry": {key, encode(longer), now, ErrProofWrong},
		"challenge not signed":     {key, encode(resigned), now, ErrProofWrong},
		"another server's key":     {[]byte("another key of 32 bytes or so...."), encode(good), now, ErrProofWrong},
		"no expiry in the salt":    {key, encode(noExpiry), now, ErrProofWrong},
		"another algorithm":        {key, encode(sha512), now, ErrProofWrong},
		"expired":                  {key, encode(good), now.Add(10 * time.Minute), ErrProofExpired},
		"not base64":               {key, "%%%", now, ErrProofMalformed},
		"not JSON":                 {key, base64.StdEncoding.EncodeToString([]byte("nope")), now, ErrProofMalformed},
		"empty":                    {key, "", now, ErrProofMalformed},
	} {
		if _, _, err := VerifyProof(tc.key, tc.payload, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
