package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const secretFile = "secret"

// EnsureSecret gives a development Config the secret kept in its data folder, creating one on
// the first run so that sessions and keys survive restarts. A configured secret is kept as is.
func EnsureSecret(c *Config) error {
	if len(c.Secret) > 0 {
		return nil
	}
	if c.Production() {
		return fmt.Errorf("QRC_SECRET: required in production")
	}
	path := filepath.Join(c.DataDir, secretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < MinSecretLen {
			return fmt.Errorf("QRC_DATA_DIR: %s holds a secret shorter than %d bytes; delete it to make a new one", path, MinSecretLen)
		}
		c.Secret = []byte(s)
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("QRC_DATA_DIR: reading the secret: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("QRC_DATA_DIR: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("generating the secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(raw)
	// O_EXCL: when two first starts race, one writes and the other reads what it wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return EnsureSecret(c)
	}
	if err != nil {
		return fmt.Errorf("QRC_DATA_DIR: writing the secret: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(s + "\n"); err != nil {
		return fmt.Errorf("QRC_DATA_DIR: writing the secret: %w", err)
	}
	c.Secret = []byte(s)
	return nil
}
