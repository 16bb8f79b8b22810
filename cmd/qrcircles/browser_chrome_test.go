package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A person in real headless Chromium: each has their own browser process and profile, so
// cookies and sessions are theirs alone.

// stepTimeout bounds every single wait in a browser test.
const stepTimeout = 15 * time.Second

// chromiumPath finds Debian's chromium. Outside CI a machine without it skips the browser
// tests; under CI (where .ci/run installs it) its absence fails them.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	const msg = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// shots numbers and keeps one run's screenshots.
type shots struct {
	dir string
	n   atomic.Int32
}

// screenshotDir is QRC_SCREENSHOTS/<lang> when that is set, or a new temporary folder,
// kept after the test so that the folder named in the output can be looked at.
func screenshotDir(t *testing.T, lang string) *shots {
	t.Helper()
	var dir string
	var err error
	if root := os.Getenv("QRC_SCREENSHOTS"); root != "" {
		dir = filepath.Join(root, lang)
		err = os.MkdirAll(dir, 0o755)
	} else {
		dir, err = os.MkdirTemp("", "qrc-browser-"+lang+"-")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &shots{dir: dir}
}

// langChoice is how a person's browser asks for its language.
type langChoice int

const (
	byAcceptLanguage langChoice = iota // the browser's Accept-Language header
	byCookie                           // the qrc_lang cookie that GET /lang/{code} sets
)

type chromePerson struct {
	t     *testing.T
	who   string // in messages and screenshot names
	ctx   context.Context
	base  string
	lang  string
	shots *shots
}

// chrome starts a browser for who, asking for lang the way given; flags are added to its
// command line (a fake camera).
func (s *site) chrome(t *testing.T, exe, who, lang string, how langChoice, sh *shots, flags ...chromedp.ExecAllocatorOption) *chromePerson {
	t.Helper()
	profile, err := os.MkdirTemp("", "qrc-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(360, 780),
	}, flags...)...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser process to end
		os.RemoveAll(profile)
	})
	// The first call starts the browser; it must not carry a timeout (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium for %s: %v", who, err)
	}
	p := &chromePerson{t: t, who: who, ctx: ctx, base: s.base, lang: lang, shots: sh}
	p.do("set up the browser", chromedp.EmulateViewport(360, 780), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if how == byCookie {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "qrc_lang", Value: lang, URL: s.base + "/"})
			return err
		}
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	}))
	return p
}

// do runs browser actions, each call within stepTimeout.
func (p *chromePerson) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression on the current page.
func eval[T any](p *chromePerson, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// until waits up to stepTimeout for a JavaScript condition to hold on the page, across
// navigations (an evaluation during one simply fails and is tried again).
func (p *chromePerson) until(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		// A page whose address has changed may still be parsing: a condition is read only once
		// the whole document is there.
		ok, err := eval[bool](p, `document.readyState !== "loading" && !!(`+cond+")")
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.fail("waited %v for %s (%s); last error %v", stepTimeout, what, cond, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// at waits until the page's path is path and it has an element matching sel, then checks
// the page's language.
func (p *chromePerson) at(path, sel string) {
	p.t.Helper()
	p.until(fmt.Sprintf("%s with %s", path, sel),
		fmt.Sprintf(`location.pathname === %q && document.readyState !== "loading" && document.querySelector(%q)`, path, sel))
	p.checkLang()
}

func (p *chromePerson) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
}

// fill types text into a field as a person would, after clearing it.
func (p *chromePerson) fill(sel, text string) {
	p.t.Helper()
	// chromedp.SetValue cannot set "" (v0.23.0 reports "could not set value"), so clear in script.
	if _, err := eval[bool](p, fmt.Sprintf(`(document.querySelector(%q).value = "") === ""`, sel)); err != nil {
		p.fail("clear %s: %v", sel, err)
	}
	p.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (p *chromePerson) choose(sel, value string) {
	p.t.Helper()
	p.do("choose "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

func (p *chromePerson) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

func (p *chromePerson) scrollTo(sel string) {
	p.t.Helper()
	p.do("scroll to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)))
}

// text is the text of the first element matching sel, "" when there is none.
func (p *chromePerson) text(sel string) string {
	s, _ := eval[string](p, fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel))
	return s
}

// markPage leaves a mark on the current document; it survives live updates and is gone
// after any navigation or reload.
func (p *chromePerson) markPage() {
	p.t.Helper()
	if _, err := eval[bool](p, `(window.__marker = 1) === 1`); err != nil {
		p.fail("marking the page: %v", err)
	}
}

func (p *chromePerson) stillMarked(what string) {
	p.t.Helper()
	if ok, err := eval[bool](p, `window.__marker === 1`); err != nil || !ok {
		p.fail("%s: the page was reloaded or left (marker gone, %v)", what, err)
	}
}

// shot saves a screenshot of the viewport as NN-who-name.png.
func (p *chromePerson) shot(name string) {
	p.t.Helper()
	// Every page the journey shows must fit a 360-px phone screen without sideways scrolling.
	if wide, err := eval[bool](p, `document.documentElement.scrollWidth > window.innerWidth`); err != nil || wide {
		p.fail("page %s is wider than the 360-px screen (%v)", name, err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.fail("screenshot %s: %v", name, err)
	}
	file := filepath.Join(p.shots.dir, fmt.Sprintf("%02d-%s-%s.png", p.shots.n.Add(1), p.who, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// checkLang fails unless the page is in the person's language. The zh-Hans pages come with
// the translation work; the message says whether its switcher route is there yet.
func (p *chromePerson) checkLang() {
	p.t.Helper()
	got, err := eval[string](p, `document.documentElement.lang`)
	if err == nil && got == p.lang {
		return
	}
	switcher := "GET /lang/" + p.lang + " could not be tried"
	if res, err := noRedirects.Get(p.base + "/lang/" + p.lang + "?return_to=/"); err == nil {
		res.Body.Close()
		switcher = fmt.Sprintf("GET /lang/%s answers %d", p.lang, res.StatusCode)
		if res.StatusCode == http.StatusNotFound {
			switcher += " (the language switcher is not there yet: the translated pages have not landed)"
		}
	}
	p.fail(`the page is in lang=%q (%v), want %q; %s`, got, err, p.lang, switcher)
}

var noRedirects = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// fail stops the test with where the browser is and a screenshot of it.
func (p *chromePerson) fail(format string, args ...any) {
	p.t.Helper()
	where, _ := eval[string](p, `location.href`)
	body := p.text("main")
	if len(body) > 600 {
		body = body[:600] + "…"
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(filepath.Join(p.shots.dir, "FAILED-"+p.who+".png"), png, 0o644)
	}
	p.t.Fatalf("%s: %s\n  at %s\n  page text: %s", p.who, fmt.Sprintf(format, args...), where, strings.TrimSpace(body))
}
