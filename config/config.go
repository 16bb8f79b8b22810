// Package config holds the one Config struct of QR Circles, filled from QRC_* environment
// variables and command-line flags (flags win), and validated before anything starts.
package config

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Modes the server runs in. Production refuses to invent secrets.
const (
	ModeDevelopment = "development"
	ModeProduction  = "production"
)

// Roles a process can run.
const (
	RoleAll      = "all"
	RoleAuthz    = "authz"
	RoleResource = "resource"
)

// SMS providers.
const (
	SMSConsole         = "console"
	SMSTwilioVerify    = "twilio-verify"
	SMSTwilioMessaging = "twilio-messaging"
)

// MinSecretLen is the shortest system secret accepted, in bytes.
const MinSecretLen = 32

// Config is every setting of the program.
type Config struct {
	Mode            string
	Listen          string
	PublicURL       *url.URL
	DatabaseURL     string
	DataDir         string
	Secret          []byte // empty in development until the data folder supplies one
	DBMaxOpenConns  int
	DefaultRegion   string
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration
	TrustedProxies  []string
	// Role says which servers this process runs: RoleAll, RoleAuthz or RoleResource.
	Role string
	// AuthzURL is the authorization server a resource-only process introspects tokens at.
	AuthzURL                  *url.URL
	IntrospectionClientID     string
	IntrospectionClientSecret string
	// ScanSessionLifespan is how long a scan session (the token that joins one circle) lasts.
	ScanSessionLifespan time.Duration
	// AuditRetention is how long audit entries are kept before the cleanup deletes them.
	AuditRetention time.Duration
	SMS            SMS
}

// SMS holds the settings of the SMS provider.
type SMS struct {
	Provider            string
	TwilioAccountSID    string
	TwilioAuthToken     string
	TwilioVerifyService string
	TwilioFrom          string
	HourlyBudget        int
	// Regions lists the regions (ISO 3166 letters) whose numbers may be sent codes; nil
	// means every region.
	Regions []string
}

// Production reports whether the program runs in production mode.
func (c Config) Production() bool { return c.Mode == ModeProduction }

// Setting describes one configuration variable: its environment name, flag, default and meaning.
type Setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	set     func(c *Config, v string) error
}

// Settings lists every configuration variable, in the order the README documents them.
func Settings() []Setting {
	return []Setting{
		{"QRC_MODE", "mode", ModeDevelopment, "`development` or `production`; production requires QRC_SECRET and QRC_PUBLIC_URL", setMode},
		{"QRC_ROLE", "role", RoleAll, "`all` (both servers and the pages), `authz` (authorization server and sign-in pages) or `resource` (the API, verifying tokens at QRC_AUTHZ_URL)", setRole},
		{"QRC_AUTHZ_URL", "authz-url", "", "base URL of the authorization server, for `--role resource`", setAuthzURL},
		{"QRC_INTROSPECTION_CLIENT_ID", "introspection-client-id", "", "confidential client the resource server introspects tokens as (`--role resource`)", func(c *Config, v string) error { c.IntrospectionClientID = v; return nil }},
		{"QRC_INTROSPECTION_CLIENT_SECRET", "introspection-client-secret", "", "its secret", func(c *Config, v string) error { c.IntrospectionClientSecret = v; return nil }},
		{"QRC_LISTEN", "listen", ":8080", "address the HTTP server listens on", setListen},
		{"QRC_PUBLIC_URL", "public-url", "http://localhost:8080", "public base URL: the OAuth issuer and the base of circle URLs in QR codes", setPublicURL},
		{"QRC_DATABASE_URL", "database-url", "", "`postgres://…` for PostgreSQL; `sqlite:PATH` or empty for the embedded SQLite file in the data folder", setDatabaseURL},
		{"QRC_DATA_DIR", "data-dir", "./data", "folder for the embedded database and the development secret", setDataDir},
		{"QRC_SECRET", "secret", "", "system secret, at least 32 bytes; generated and kept in the data folder in development", setSecret},
		{"QRC_DB_MAX_CONNS", "db-max-conns", "20", "PostgreSQL connection pool size", setMaxConns},
		{"QRC_DEFAULT_REGION", "default-region", "CN", "region (ISO 3166 two letters) for phone numbers typed without a country code", setRegion},
		{"QRC_SMS_PROVIDER", "sms-provider", "", "`console`, `twilio-verify` or `twilio-messaging`; empty picks Twilio when its credentials are set, else console", setSMSProvider},
		{"QRC_TWILIO_ACCOUNT_SID", "twilio-account-sid", "", "Twilio account SID", func(c *Config, v string) error { c.SMS.TwilioAccountSID = v; return nil }},
		{"QRC_TWILIO_AUTH_TOKEN", "twilio-auth-token", "", "Twilio auth token", func(c *Config, v string) error { c.SMS.TwilioAuthToken = v; return nil }},
		{"QRC_TWILIO_VERIFY_SERVICE_SID", "twilio-verify-service-sid", "", "Twilio Verify service SID (provider twilio-verify)", func(c *Config, v string) error { c.SMS.TwilioVerifyService = v; return nil }},
		{"QRC_TWILIO_FROM", "twilio-from", "", "sender number or messaging service SID (provider twilio-messaging)", func(c *Config, v string) error { c.SMS.TwilioFrom = v; return nil }},
		{"QRC_SMS_HOURLY_BUDGET", "sms-hourly-budget", "1000", "most SMS codes sent per hour by all instances together", setSMSBudget},
		{"QRC_SMS_REGIONS", "sms-regions", "CN", "comma-separated regions (such as CN,HK) whose phone numbers may be sent sign-in codes; `*` for every region", setSMSRegions},
		{"QRC_LOG_LEVEL", "log-level", "info", "`debug`, `info`, `warn` or `error`", setLogLevel},
		{"QRC_LOG_FORMAT", "log-format", "auto", "`json`, `text`, or `auto` (JSON unless stderr is a terminal)", setLogFormat},
		{"QRC_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", "how long a stopping server waits for requests in flight", setShutdownTimeout},
		{"QRC_SCAN_SESSION_LIFESPAN", "scan-session-lifespan", "10m", "how long a scan session (the token that joins one circle) lasts", setScanLifespan},
		{"QRC_AUDIT_RETENTION", "audit-retention", "8760h", "how long audit log entries are kept (8760h = 365 days); older ones are deleted", setAuditRetention},
		{"QRC_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is believed; empty trusts none", setTrustedProxies},
	}
}

// Load fills a Config from the environment (through getenv) and then from args, which may
// set any setting as a flag. Extra flags of a subcommand can be registered on fs first; flags
// and positional arguments may be mixed, and the positional ones are returned.
// The first invalid value is reported as an error naming the variable.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, []string, error) {
	var c Config
	settings := Settings()
	values := make(map[string]string, len(settings))
	for _, s := range settings {
		values[s.Env] = s.Default
		if v := getenv(s.Env); v != "" {
			values[s.Env] = v
		}
	}
	for _, s := range settings {
		fs.Func(s.Flag, s.Usage+" ("+s.Env+")", func(v string) error { values[s.Env] = v; return nil })
	}
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return c, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	for _, s := range settings {
		if err := s.set(&c, strings.TrimSpace(values[s.Env])); err != nil {
			return c, nil, fmt.Errorf("%s: %w", s.Env, err)
		}
	}
	return c, positional, c.validate()
}

func (c *Config) validate() error {
	if c.Production() {
		if len(c.Secret) == 0 {
			return fmt.Errorf("QRC_SECRET: required in production (at least %d bytes)", MinSecretLen)
		}
		if c.PublicURL.Scheme != "https" && !isLoopback(c.PublicURL.Hostname()) {
			return fmt.Errorf("QRC_PUBLIC_URL: must be https in production (got %s)", c.PublicURL)
		}
	}
	if c.Role == RoleResource {
		if c.AuthzURL == nil {
			return fmt.Errorf("QRC_AUTHZ_URL: required with --role resource")
		}
		if c.IntrospectionClientID == "" || c.IntrospectionClientSecret == "" {
			return fmt.Errorf("QRC_INTROSPECTION_CLIENT_ID: a confidential client and its secret are required with --role resource")
		}
	}
	if c.SMS.Provider == "" {
		c.SMS.Provider = SMSConsole
		if c.SMS.TwilioAccountSID != "" && c.SMS.TwilioAuthToken != "" {
			c.SMS.Provider = SMSTwilioMessaging
			if c.SMS.TwilioVerifyService != "" {
				c.SMS.Provider = SMSTwilioVerify
			}
		}
	}
	return c.validateSMS()
}

func (c *Config) validateSMS() error {
	s := c.SMS
	if s.Provider == SMSConsole {
		if c.Production() {
			return fmt.Errorf("QRC_SMS_PROVIDER: the console sender only logs codes; production needs twilio-verify or twilio-messaging")
		}
		return nil
	}
	if s.TwilioAccountSID == "" {
		return fmt.Errorf("QRC_TWILIO_ACCOUNT_SID: required by SMS provider %s", s.Provider)
	}
	if s.TwilioAuthToken == "" {
		return fmt.Errorf("QRC_TWILIO_AUTH_TOKEN: required by SMS provider %s", s.Provider)
	}
	if s.Provider == SMSTwilioVerify && s.TwilioVerifyService == "" {
		return fmt.Errorf("QRC_TWILIO_VERIFY_SERVICE_SID: required by SMS provider %s", s.Provider)
	}
	if s.Provider == SMSTwilioMessaging && s.TwilioFrom == "" {
		return fmt.Errorf("QRC_TWILIO_FROM: required by SMS provider %s", s.Provider)
	}
	return nil
}

func setMode(c *Config, v string) error {
	if v != ModeDevelopment && v != ModeProduction {
		return fmt.Errorf("expected development or production, got %q", v)
	}
	c.Mode = v
	return nil
}

func setRole(c *Config, v string) error {
	if v != RoleAll && v != RoleAuthz && v != RoleResource {
		return fmt.Errorf("expected all, authz or resource, got %q", v)
	}
	c.Role = v
	return nil
}

func setAuthzURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimRight(v, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("expected an absolute http(s) URL, got %q", v)
	}
	c.AuthzURL = u
	return nil
}

func setListen(c *Config, v string) error {
	i := strings.LastIndex(v, ":")
	if i < 0 {
		return fmt.Errorf("expected host:port or :port, got %q", v)
	}
	if p, err := strconv.Atoi(v[i+1:]); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("expected a port number 0-65535 after the colon, got %q", v)
	}
	c.Listen = v
	return nil
}

func setPublicURL(c *Config, v string) error {
	u, err := url.Parse(strings.TrimRight(v, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("expected an absolute http(s) URL such as https://circles.example.com, got %q", v)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("expected a URL without query or fragment, got %q", v)
	}
	c.PublicURL = u
	return nil
}

func setDatabaseURL(c *Config, v string) error {
	switch {
	case v == "", strings.HasPrefix(v, "sqlite:"):
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := url.Parse(v); err != nil {
			return fmt.Errorf("expected a valid postgres:// URL: %v", err)
		}
	default:
		return fmt.Errorf("expected postgres://USER@HOST:PORT/DB, sqlite:PATH, or empty for the embedded database")
	}
	c.DatabaseURL = v
	return nil
}

func setDataDir(c *Config, v string) error {
	if v == "" {
		return fmt.Errorf("expected a folder path")
	}
	c.DataDir = v
	return nil
}

func setSecret(c *Config, v string) error {
	if v != "" && len(v) < MinSecretLen {
		return fmt.Errorf("must be at least %d bytes, got %d", MinSecretLen, len(v))
	}
	c.Secret = []byte(v)
	return nil
}

func setMaxConns(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return fmt.Errorf("expected a whole number from 1 to 1000, got %q", v)
	}
	c.DBMaxOpenConns = n
	return nil
}

func setRegion(c *Config, v string) error {
	if len(v) != 2 || strings.ToUpper(v) != v {
		return fmt.Errorf("expected a two-letter upper-case region code such as CN or US, got %q", v)
	}
	c.DefaultRegion = v
	return nil
}

func setSMSProvider(c *Config, v string) error {
	switch v {
	case "", SMSConsole, SMSTwilioVerify, SMSTwilioMessaging:
		c.SMS.Provider = v
		return nil
	}
	return fmt.Errorf("expected console, twilio-verify or twilio-messaging, got %q", v)
}

func setSMSBudget(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("expected a positive whole number, got %q", v)
	}
	c.SMS.HourlyBudget = n
	return nil
}

func setSMSRegions(c *Config, v string) error {
	c.SMS.Regions = nil
	if strings.TrimSpace(v) == "*" {
		return nil
	}
	for _, r := range strings.Split(v, ",") {
		r = strings.TrimSpace(r)
		if len(r) != 2 || strings.ToUpper(r) != r || strings.ToLower(r) == r {
			return fmt.Errorf("expected two-letter upper-case region codes separated by commas, such as CN,HK, or *, got %q", v)
		}
		c.SMS.Regions = append(c.SMS.Regions, r)
	}
	return nil
}

func setLogLevel(c *Config, v string) error {
	switch v {
	case "debug", "info", "warn", "error":
		c.LogLevel = v
		return nil
	}
	return fmt.Errorf("expected debug, info, warn or error, got %q", v)
}

func setLogFormat(c *Config, v string) error {
	switch v {
	case "auto", "json", "text":
		c.LogFormat = v
		return nil
	}
	return fmt.Errorf("expected auto, json or text, got %q", v)
}

func setShutdownTimeout(c *Config, v string) error {
	d, err := positiveDuration(v, "20s")
	c.ShutdownTimeout = d
	return err
}

func setAuditRetention(c *Config, v string) error {
	d, err := positiveDuration(v, "8760h (365 days)")
	c.AuditRetention = d
	return err
}

// positiveDuration parses a Go duration above zero; example shows the expected form.
func positiveDuration(v, example string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("expected a positive duration such as %s, got %q", example, v)
	}
	return d, nil
}

func setScanLifespan(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute || d > 24*time.Hour {
		return fmt.Errorf("expected a duration from 1m to 24h, got %q", v)
	}
	c.ScanSessionLifespan = d
	return nil
}

func setTrustedProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("expected IP addresses or CIDRs separated by commas, got %q", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
