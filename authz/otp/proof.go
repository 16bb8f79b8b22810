package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The proof of work that stands in for the per-IP limit speaks ALTCHA's first protocol, which
// the altcha widget solves in the browser: the server picks a salt and a secret number, the
// challenge is SHA-256(salt + number) in hex, and the server's HMAC of the challenge signs it.
// The widget finds the number by trying them all and sends back, base64-encoded JSON, the
// challenge with the number. The salt carries the expiry ("?expires=UNIX"), so the signature
// covers it; a solution is spent once (the caller keeps its ID until it expires).

// ProofAlgorithm is the one hash the challenges use.
const ProofAlgorithm = "SHA-256"

// ProofChallenge is what the widget is given.
type ProofChallenge struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	MaxNumber int64  `json:"maxnumber"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// ProofSolution is what the widget sends back.
type ProofSolution struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	Number    int64  `json:"number"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Why a proof is refused.
var (
	ErrProofMalformed = errors.New("otp: proof of work is malformed")
	ErrProofWrong     = errors.New("otp: proof of work does not solve a challenge of this server")
	ErrProofExpired   = errors.New("otp: proof of work expired")
)

// NewProofChallenge makes a challenge signed with key that expires after ttl. The number is
// drawn uniformly from [0, maxNumber], so the browser tries maxNumber/2 hashes on average.
func NewProofChallenge(key []byte, maxNumber int64, ttl time.Duration, now time.Time) (ProofChallenge, error) {
	salt := make([]byte, 12)
	if _, err := rand.Read(salt); err != nil {
		return ProofChallenge{}, fmt.Errorf("proof salt: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(maxNumber+1))
	if err != nil {
		return ProofChallenge{}, fmt.Errorf("proof number: %w", err)
	}
	s := hex.EncodeToString(salt) + "?expires=" + strconv.FormatInt(now.Add(ttl).Unix(), 10)
	ch := proofHash(s, n.Int64())
	return ProofChallenge{ProofAlgorithm, ch, maxNumber, s, proofSignature(key, ch)}, nil
}

// VerifyProof checks a payload from the widget at now and returns the solution's ID (its
// signature, which is unique per challenge) and when it expires; the caller spends the ID so
// that it works once.
func VerifyProof(key []byte, payload string, now time.Time) (id string, expires time.Time, err error) {
	s, err := decodeProof(payload)
	if err != nil {
		return "", time.Time{}, err
	}
	if s.Algorithm != ProofAlgorithm || !hmacEqual(proofSignature(key, s.Challenge), s.Signature) ||
		!hmacEqual(proofHash(s.Salt, s.Number), s.Challenge) {
		return "", time.Time{}, ErrProofWrong
	}
	expires, ok := proofExpiry(s.Salt)
	if !ok {
		return "", time.Time{}, ErrProofWrong // every challenge this server makes expires
	}
	if !now.Before(expires) {
		return "", time.Time{}, ErrProofExpired
	}
	return s.Signature, expires, nil
}

func decodeProof(payload string) (ProofSolution, error) {
	var s ProofSolution
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
	if err != nil || len(raw) > 2048 {
		return s, ErrProofMalformed
	}
	if err := json.Unmarshal(raw, &s); err != nil || s.Number < 0 {
		return s, ErrProofMalformed
	}
	return s, nil
}

func proofHash(salt string, number int64) string {
	sum := sha256.Sum256([]byte(salt + strconv.FormatInt(number, 10)))
	return hex.EncodeToString(sum[:])
}

func proofSignature(key []byte, challenge string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(challenge))
	return hex.EncodeToString(m.Sum(nil))
}

func hmacEqual(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// proofExpiry reads the expiry that the salt carries after "?".
func proofExpiry(salt string) (time.Time, bool) {
	_, query, ok := strings.Cut(salt, "?")
	if !ok {
		return time.Time{}, false
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return time.Time{}, false
	}
	unix, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(unix, 0), true
}
