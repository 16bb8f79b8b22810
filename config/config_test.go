package config

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	c, _, err := Load(flag.NewFlagSet("test", flag.ContinueOnError), args, func(k string) string { return env[k] })
	return c, err
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.PublicURL.String() != "http://localhost:8080" || c.DatabaseURL != "" ||
		c.DataDir != "./data" || c.Mode != ModeDevelopment || c.SMS.Provider != SMSConsole || c.DefaultRegion != "CN" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestSMSRegions(t *testing.T) {
	for env, want := range map[string][]string{"": {"CN"}, "CN, HK,MO": {"CN", "HK", "MO"}, "*": nil} {
		vars := map[string]string{}
		if env != "" {
			vars["QRC_SMS_REGIONS"] = env
		}
		c, err := load(t, vars)
		if err != nil || !slices.Equal(c.SMS.Regions, want) {
			t.Errorf("QRC_SMS_REGIONS=%q: %v %v, want %v", env, c.SMS.Regions, err, want)
		}
	}
}

func TestAuditRetention(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want time.Duration
	}{
		{nil, nil, 365 * 24 * time.Hour},
		{map[string]string{"QRC_AUDIT_RETENTION": "720h"}, nil, 720 * time.Hour},
		{map[string]string{"QRC_AUDIT_RETENTION": "720h"}, []string{"--audit-retention", "90m"}, 90 * time.Minute},
	} {
		c, err := load(t, tt.env, tt.args...)
		if err != nil || c.AuditRetention != tt.want {
			t.Errorf("env %v args %v: retention %s, %v; want %s", tt.env, tt.args, c.AuditRetention, err, tt.want)
		}
	}
	_, err := load(t, map[string]string{"QRC_AUDIT_RETENTION": "0"})
	if err == nil || !strings.Contains(err.Error(), "positive duration") {
		t.Fatalf("zero retention: %v; want a message asking for a positive duration", err)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := load(t, map[string]string{"QRC_LISTEN": ":9000"}, "--listen", "127.0.0.1:9001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9001" {
		t.Fatalf("listen = %q", c.Listen)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	long := strings.Repeat("s", 40)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"short secret in production", map[string]string{"QRC_MODE": "production", "QRC_SECRET": "0123456789"}, "QRC_SECRET"},
		{"no secret in production", map[string]string{"QRC_MODE": "production", "QRC_PUBLIC_URL": "https://x.example"}, "QRC_SECRET"},
		{"http public URL in production", map[string]string{"QRC_MODE": "production", "QRC_SECRET": long, "QRC_PUBLIC_URL": "http://x.example"}, "QRC_PUBLIC_URL"},
		{"console SMS in production", map[string]string{"QRC_MODE": "production", "QRC_SECRET": long, "QRC_PUBLIC_URL": "https://x.example"}, "QRC_SMS_PROVIDER"},
		{"mysql URL", map[string]string{"QRC_DATABASE_URL": "mysql://x"}, "QRC_DATABASE_URL"},
		{"bad mode", map[string]string{"QRC_MODE": "prod"}, "QRC_MODE"},
		{"bad listen", map[string]string{"QRC_LISTEN": "8080"}, "QRC_LISTEN"},
		{"relative public URL", map[string]string{"QRC_PUBLIC_URL": "circles.example"}, "QRC_PUBLIC_URL"},
		{"bad region", map[string]string{"QRC_DEFAULT_REGION": "china"}, "QRC_DEFAULT_REGION"},
		{"bad pool", map[string]string{"QRC_DB_MAX_CONNS": "0"}, "QRC_DB_MAX_CONNS"},
		{"bad timeout", map[string]string{"QRC_SHUTDOWN_TIMEOUT": "soon"}, "QRC_SHUTDOWN_TIMEOUT"},
		{"zero audit retention", map[string]string{"QRC_AUDIT_RETENTION": "0"}, "QRC_AUDIT_RETENTION"},
		{"negative audit retention", map[string]string{"QRC_AUDIT_RETENTION": "-24h"}, "QRC_AUDIT_RETENTION"},
		{"audit retention in days", map[string]string{"QRC_AUDIT_RETENTION": "365d"}, "QRC_AUDIT_RETENTION"},
		{"twilio without token", map[string]string{"QRC_SMS_PROVIDER": "twilio-verify", "QRC_TWILIO_ACCOUNT_SID": "AC1"}, "QRC_TWILIO_AUTH_TOKEN"},
		{"verify without service", map[string]string{"QRC_SMS_PROVIDER": "twilio-verify", "QRC_TWILIO_ACCOUNT_SID": "AC1", "QRC_TWILIO_AUTH_TOKEN": "t"}, "QRC_TWILIO_VERIFY_SERVICE_SID"},
		{"bad role", map[string]string{"QRC_ROLE": "both"}, "QRC_ROLE"},
		{"resource role without authz URL", map[string]string{"QRC_ROLE": "resource"}, "QRC_AUTHZ_URL"},
		{"resource role without client", map[string]string{"QRC_ROLE": "resource", "QRC_AUTHZ_URL": "https://a.example"}, "QRC_INTROSPECTION_CLIENT_ID"},
		{"unknown provider", map[string]string{"QRC_SMS_PROVIDER": "carrier-pigeon"}, "QRC_SMS_PROVIDER"},
		{"region name instead of code", map[string]string{"QRC_SMS_REGIONS": "CN,china"}, "QRC_SMS_REGIONS"},
		{"empty region", map[string]string{"QRC_SMS_REGIONS": "CN,"}, "QRC_SMS_REGIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("expected an error")
			}
			if !strings.HasPrefix(err.Error(), tt.want+":") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q should be one line starting with %s", err, tt.want)
			}
		})
	}
}

func TestTwilioPickedWhenCredentialsSet(t *testing.T) {
	c, err := load(t, map[string]string{"QRC_TWILIO_ACCOUNT_SID": "AC1", "QRC_TWILIO_AUTH_TOKEN": "t", "QRC_TWILIO_VERIFY_SERVICE_SID": "VA1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SMS.Provider != SMSTwilioVerify {
		t.Fatalf("provider = %q", c.SMS.Provider)
	}
}

func TestEnsureSecretPersists(t *testing.T) {
	dir := t.TempDir()
	a := Config{Mode: ModeDevelopment, DataDir: filepath.Join(dir, "d")}
	if err := EnsureSecret(&a); err != nil {
		t.Fatal(err)
	}
	if len(a.Secret) < MinSecretLen {
		t.Fatalf("secret too short: %d", len(a.Secret))
	}
	b := Config{Mode: ModeDevelopment, DataDir: a.DataDir}
	if err := EnsureSecret(&b); err != nil {
		t.Fatal(err)
	}
	if string(a.Secret) != string(b.Secret) {
		t.Fatal("second start made a new secret")
	}
	info, err := os.Stat(filepath.Join(a.DataDir, secretFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", info, err)
	}
	p := Config{Mode: ModeProduction, DataDir: dir}
	if err := EnsureSecret(&p); err == nil {
		t.Fatal("production must not invent a secret")
	}
}

func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		row := "| `" + s.Env + "` | `--" + s.Flag + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no row starting %q", row)
		}
	}
}

func TestFlagsAndPositionalArgumentsMix(t *testing.T) {
	_, pos, err := Load(flag.NewFlagSet("test", flag.ContinueOnError), []string{"a", "--listen", ":1", "b"}, func(string) string { return "" })
	if err != nil || strings.Join(pos, ",") != "a,b" {
		t.Fatalf("positional %v, %v", pos, err)
	}
}
