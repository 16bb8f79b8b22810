// Command partner-example is a small partner app of QR Circles, as docs/partners.md describes
// one: it signs the user in (authorization code + PKCE on a loopback redirect, RFC 8252),
// reads a circle URL (given, or decoded from a QR code image), exchanges the user's token for
// a scan session of that circle (RFC 8693), joins, and prints the user's event stream.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/oauth2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, openBrowser)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "partner-example:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	issuer    string
	clientID  string
	circleURL string
	qrFile    string
	events    int
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("partner-example", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.issuer, "issuer", "", "base URL of the QR Circles server (the OAuth issuer)")
	fs.StringVar(&c.clientID, "client-id", "", "this app's client ID: a public client with redirect URI http://127.0.0.1/callback")
	fs.StringVar(&c.circleURL, "circle", "", "the circle URL a QR code holds")
	fs.StringVar(&c.qrFile, "qr", "", "a PNG or JPEG image of the circle's QR code, instead of --circle")
	fs.IntVar(&c.events, "events", 0, "stop after this many events; 0 follows the stream until interrupted")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.issuer == "" || c.clientID == "":
		return c, errors.New("--issuer and --client-id are required")
	case (c.circleURL == "") == (c.qrFile == ""):
		return c, errors.New("give either --circle or --qr")
	case c.events < 0:
		return c, errors.New("--events must not be negative")
	}
	c.issuer = strings.TrimSuffix(c.issuer, "/")
	return c, nil
}

// run is the whole program; openURL shows the user the sign-in page (a browser, or a test).
func run(ctx context.Context, args []string, stdout io.Writer, openURL func(string) error) error {
	cfg, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	circleURL := cfg.circleURL
	if cfg.qrFile != "" {
		if circleURL, err = decodeQR(cfg.qrFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "QR code: %s\n", circleURL)
	}
	meta, err := discover(ctx, cfg.issuer)
	if err != nil {
		return err
	}
	conf := &oauth2.Config{
		ClientID: cfg.clientID,
		Endpoint: oauth2.Endpoint{AuthURL: meta.AuthorizationEndpoint, TokenURL: meta.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"openid", "circles:read", "circles:join"},
	}
	tok, err := signIn(ctx, conf, meta, stdout, openURL)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "signed in")
	scan, err := exchangeForScan(ctx, conf, tok.AccessToken, circleURL)
	if err != nil {
		return err
	}
	status, err := join(ctx, cfg.issuer, scan)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "join: %s\n", status)
	return followEvents(ctx, conf.Client(ctx, tok), cfg.issuer, cfg.events, stdout)
}

// openBrowser opens the system browser (RFC 8252 §8.12: never an embedded web view). Failing
// is no error: run has printed the URL for the user to open by hand.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	_ = cmd.Start()
	return nil
}

// decodeQR reads the URL in a QR code image: a clean rendering first (PURE_BARCODE), then a
// photo-like search (TRY_HARDER).
func decodeQR(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	r := qrcode.NewQRCodeReader()
	res, err := r.Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		res, err = r.Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	}
	if err != nil {
		return "", fmt.Errorf("%s: no QR code found: %w", path, err)
	}
	return res.GetText(), nil
}

// metadata is what the app reads of the server's metadata (RFC 8414).
type metadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	// ISSParameter says the server names itself in every authorization response (RFC 9207).
	ISSParameter bool `json:"authorization_response_iss_parameter_supported"`
}

func discover(ctx context.Context, issuer string) (metadata, error) {
	var meta metadata
	req, err := http.NewRequestWithContext(ctx, "GET", issuer+"/.well-known/oauth-authorization-server", nil)
	if err != nil {
		return meta, err
	}
	if err := doJSON(req, &meta, http.StatusOK); err != nil {
		return meta, fmt.Errorf("discovery: %w", err)
	}
	if meta.Issuer != issuer {
		return meta, fmt.Errorf("discovery: the metadata is of issuer %q, not %q", meta.Issuer, issuer)
	}
	return meta, nil
}

// signIn runs the authorization-code flow with PKCE on a loopback redirect (RFC 8252 §7.3).
func signIn(ctx context.Context, conf *oauth2.Config, meta metadata, stdout io.Writer, openURL func(string) error) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := *conf
	c.RedirectURL = "http://" + ln.Addr().String() + "/callback"
	verifier, state := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	codes := make(chan url.Values, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case codes <- r.URL.Query():
			fmt.Fprintln(w, "Signed in. You can close this window and go back to the app.")
		default:
			http.Error(w, "already signed in", http.StatusConflict)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	authURL := c.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	fmt.Fprintf(stdout, "Sign in at:\n%s\n", authURL)
	if err := openURL(authURL); err != nil {
		return nil, fmt.Errorf("opening the browser: %w", err)
	}
	var q url.Values
	select {
	case q = <-codes:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := checkRedirect(q, state, meta); err != nil {
		return nil, err
	}
	tok, err := c.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("code exchange: %w", err)
	}
	return tok, nil
}

// checkRedirect checks what came back on the redirect URI before the code is used: the
// issuer first (RFC 9207: present, it must be this server; the server says whether it always
// sends it), then an error, then the state.
func checkRedirect(q url.Values, state string, meta metadata) error {
	switch {
	case q.Has("iss") && q.Get("iss") != meta.Issuer:
		return fmt.Errorf("sign-in: the response comes from issuer %q, not %q", q.Get("iss"), meta.Issuer)
	case !q.Has("iss") && meta.ISSParameter:
		return errors.New("sign-in: the response does not name its issuer")
	case q.Get("error") != "":
		return fmt.Errorf("sign-in refused: %s: %s", q.Get("error"), q.Get("error_description"))
	case q.Get("state") != state:
		return errors.New("sign-in: the redirect's state does not match")
	}
	return nil
}

// scanSession is a token for one circle, from the user's token (RFC 8693).
type scanSession struct {
	token    string
	circleID int64
}

func exchangeForScan(ctx context.Context, conf *oauth2.Config, userToken, circleURL string) (scanSession, error) {
	form := url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"client_id":          {conf.ClientID},
		"subject_token":      {userToken},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"audience":           {circleURL},
	}
	req, err := http.NewRequestWithContext(ctx, "POST", conf.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return scanSession{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var res struct {
		AccessToken string `json:"access_token"`
		CircleID    int64  `json:"circle_id"`
	}
	if err := doJSON(req, &res, http.StatusOK); err != nil {
		return scanSession{}, fmt.Errorf("token exchange for %s: %w", circleURL, err)
	}
	if res.AccessToken == "" || res.CircleID == 0 {
		return scanSession{}, errors.New("token exchange: the answer has no access_token or circle_id")
	}
	return scanSession{res.AccessToken, res.CircleID}, nil
}

// join asks to join the scan session's circle; the answer's status is "joined" or "waiting".
func join(ctx context.Context, base string, s scanSession) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/circles/"+strconv.FormatInt(s.circleID, 10)+"/join", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	var res struct {
		Status string `json:"status"`
	}
	if err := doJSON(req, &res, http.StatusOK, http.StatusAccepted); err != nil {
		return "", fmt.Errorf("join circle %d: %w", s.circleID, err)
	}
	return res.Status, nil
}

// doJSON sends req and decodes a JSON answer with one of the statuses ok; any other answer
// becomes an error with what the server said (a problem's detail, or OAuth's error).
func doJSON(req *http.Request, v any, ok ...int) error {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	for _, s := range ok {
		if res.StatusCode == s {
			return json.Unmarshal(body, v)
		}
	}
	var e struct {
		Detail           string `json:"detail"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	if msg := strings.TrimSpace(e.Detail + " " + e.Error + " " + e.ErrorDescription); msg != "" {
		return fmt.Errorf("%s: %s", res.Status, msg)
	}
	return errors.New(res.Status)
}

// followEvents prints the user's events, one a line, until n have come (n > 0) or ctx ends. A
// "reset" (the server no longer holds the oldest events) is printed but not counted.
// It asks for a replay from the start (Last-Event-ID: 0): the join happened before the stream
// connected, so only the replay shows it.
func followEvents(ctx context.Context, client *http.Client, base string, n int, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", "0")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("event stream: %s", res.Status)
	}
	seen := 0
	var id, typ, data string
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		field, value, _ := strings.Cut(sc.Text(), ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id = value
		case "event":
			typ = value
		case "data":
			if data != "" {
				data += "\n"
			}
			data += value
		case "": // a blank line ends an event; a comment (": heartbeat") has no field either
			if sc.Text() != "" || (typ == "" && data == "") {
				continue
			}
			fmt.Fprintf(stdout, "event %s %s %s\n", id, typ, data)
			reset := typ == "reset" // older history was deleted: a note, not one of the n events
			typ, data = "", ""
			if !reset {
				seen++
			}
			if n > 0 && seen >= n {
				return nil
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	return errors.New("event stream: the server closed it")
}
