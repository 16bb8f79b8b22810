package main

import (
	"context"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"qrcircles"
	"qrcircles/storage"
)

// TestBrowserLivePageRefetchesAfterReset: the organizer's open page loses its event stream
// while the log forgets events after the last one it had; on reconnecting the stream opens
// with a reset, and live.js fetches the page parts again, without a reload, though no event
// about the change ever came.
func TestBrowserLivePageRefetchesAfterReset(t *testing.T) {
	exe := chromiumPath(t)
	s := newSite(t)
	org := s.chrome(t, exe, "organizer", "en", byAcceptLanguage, screenshotDir(t, "reset"))
	org.open("/circles/new")
	org.signIn(s, organizerPhone, "Olga Organizer", false)
	org.at("/circles/new", "form.circle-form")
	org.fill("#title", "Reset party")
	org.choose("#mode", "review")
	org.click("form.circle-form button[type=submit]")
	org.until("the manage page", `/^\/circles\/\d+\/manage$/.test(location.pathname) && document.querySelector("#counts")`)
	manage, _ := eval[string](org, `location.pathname`)
	circleID, _ := strconv.ParseInt(regexp.MustCompile(`\d+`).FindString(manage), 10, 64)
	ctx := context.Background()
	// The page again through a proxy whose connections the test can cut (cookies do not
	// care for the port).
	proxy := newCutProxy(t, strings.TrimPrefix(s.base, "http://"))
	org.do("keep a hand on the page's event streams", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: keepEventSources})
		return err
	}))
	org.do("open the page through the proxy", chromedp.Navigate(proxy.base+manage))
	// Open means subscribed: the server writes the response head after subscribing.
	org.until("the proxied page's stream", `location.port === `+strconv.Quote(proxy.port)+
		` && window.__eventSources && window.__eventSources.length === 1 && window.__eventSources[0].readyState === EventSource.OPEN`)

	// An event the page is about: the stream now has an ID to resume from.
	if _, err := s.app.circles.Join(ctx, s.user(annPhone, "Ann Lee"), circleID, time.Now()); err != nil {
		t.Fatal(err)
	}
	org.until("the request to show", `document.querySelector("#counts").innerText.includes("members: 0 · 1 waiting")`)
	org.markPage()

	// Behind the page's back: a member added without an event, and an event for someone
	// else, after the page's last one, that the cleanup then deletes as expired.
	mo, zed := s.user("+8613800000005", "Mo"), s.user("+8613800000006", "Zed")
	if err := s.db.Gorm().Exec(`INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (?, ?, ?)`, circleID, mo.ID, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	expired := storage.Event{RecipientID: zed.ID, Type: qrcircles.EventCardDelivered, CreatedAt: time.Now().Add(-storage.EventRetention - time.Hour)}
	if err := s.db.AppendEvents(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if n, err := s.db.DeleteEventsBefore(ctx, time.Now().Add(-storage.EventRetention)); err != nil || n != 1 {
		t.Fatalf("the cleanup deleted %d events (%v), want 1", n, err)
	}
	if got := org.text("#counts"); !strings.Contains(got, "members: 0 · 1 waiting") {
		t.Fatalf("the page changed before its stream was cut: %q", got)
	}

	// The connection drops; the browser reconnects with its Last-Event-ID.
	proxy.cut()
	org.until("the page to show what changed", `document.querySelector("#counts").innerText.includes("members: 1 · 1 waiting")`)
	org.stillMarked("after the reset")
}

// keepEventSources keeps every EventSource a page makes in window.__eventSources.
const keepEventSources = `(function () {
  var Original = window.EventSource;
  window.__eventSources = [];
  window.EventSource = function (url, init) {
    var es = new Original(url, init);
    window.__eventSources.push(es);
    return es;
  };
  window.EventSource.prototype = Original.prototype;
  window.EventSource.OPEN = Original.OPEN;
})();`

// cutProxy forwards TCP connections to a server until cut closes them all, as a dropped
// network would.
type cutProxy struct {
	base, port string
	mu         sync.Mutex
	conns      []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p := &cutProxy{base: "http://" + ln.Addr().String(), port: port}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
