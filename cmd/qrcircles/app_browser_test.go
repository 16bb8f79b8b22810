package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"qrcircles/resource/qr"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// The app in the pocket, in headless Chromium: installable and offline, the camera scanner
// fed a fake camera made from a QR code, cards exchanged face to face, passkeys.

// appSignIn opens the app in a fresh browser and signs in through it: the app sends the
// browser through the first-party client's authorization, which asks for phone and code.
func (p *chromePerson) appSignIn(s *site, phone, name string) {
	p.t.Helper()
	p.open("/app")
	p.signIn(s, phone, name, false)
	p.at("/app", "#joined")
}

// appWorld is the site's server with a partner app whose tokens set the scene through the API.
func (s *site) appWorld() *world {
	return (&world{t: s.t, db: s.db, app: s.app, base: s.base}).withPartner()
}

// circlePNG is the circle's own QR code as the API draws it.
func circlePNG(t *testing.T, w *world, org *person, id int64) []byte {
	t.Helper()
	res, body := w.request(org.token, "GET", fmt.Sprintf("/api/v1/circles/%d/qr.png?size=360", id), "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("qr.png: %d %s", res.StatusCode, body)
	}
	return body
}

// fakeCamera writes a .y4m video (what Chromium's fake camera plays) of the PNG on a white
// 640×480 frame, and returns the flags that make it the browser's camera.
func fakeCamera(t *testing.T, pngData []byte) []chromedp.ExecAllocatorOption {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 640, 480
	frame := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	b := src.Bounds()
	at := image.Pt((w-b.Dx())/2, (h-b.Dy())/2)
	draw.Draw(frame, b.Sub(b.Min).Add(at), src, b.Min, draw.Src)
	file := filepath.Join(t.TempDir(), "camera.y4m")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(f)
	fmt.Fprintf(out, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	chroma := bytes.Repeat([]byte{128}, w*h/4) // grey: no colour
	for range 3 {
		out.WriteString("FRAME\n")
		for y := range h {
			for x := range w {
				out.WriteByte(color.GrayModel.Convert(frame.At(x, y)).(color.Gray).Y)
			}
		}
		out.Write(chroma) // U
		out.Write(chroma) // V
	}
	if err := out.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", file),
	}
}

// emulateNetworkConditions is the CDP command the issue names (deprecated in the protocol,
// still served by Chromium), which cdproto no longer wraps.
var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// offline cuts the browser off the network: its page, and its service worker, whose fetches
// the page's emulation does not reach. It returns what puts the browser back online.
func (p *chromePerson) offline() (online func()) {
	p.t.Helper()
	emulate := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, emulateNetworkConditions, networkConditions{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		})
	}
	p.do("take the page offline", emulate(true))
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		p.fail("listing targets: %v", err)
	}
	var detach []context.CancelFunc // the worker's emulation lasts while the session does
	for _, tg := range targets {
		if tg.Type != "service_worker" {
			continue
		}
		wctx, wcancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(tg.TargetID), chromedp.WithDetachOnCancel())
		detach = append(detach, wcancel)
		tctx, tcancel := context.WithTimeout(wctx, stepTimeout)
		err := chromedp.Do(tctx, emulate(true))
		tcancel()
		if err != nil {
			p.fail("taking the service worker offline: %v", err)
		}
	}
	if len(detach) == 0 {
		p.fail("no service worker to take offline")
	}
	return func() {
		for _, d := range detach {
			d()
		}
		p.do("back online", emulate(false))
	}
}

// cached says whether the app's cache holds the path.
func (p *chromePerson) cached(path string) string {
	return fmt.Sprintf(`(window.__c = window.__c || {}, caches.open("qrc-app-v1").then(c => c.match(%q)).then(r => { window.__c[%q] = !!r; }), window.__c[%q])`, path, path, path)
}

func TestAppInstallsAndWorksOffline(t *testing.T) {
	exe := chromiumPath(t)
	s := newSite(t)
	sh := screenshotDir(t, "app")
	w := s.appWorld()
	org, mei := w.person("+8613700000010", "Olga"), w.person("+8613800000011", "Mei")
	mei.putCard("Engineer")
	c := w.liveCircle(org, "Launch party", mei)

	checkManifest(t, s)
	ann := s.chrome(t, exe, "ann", "en", byAcceptLanguage, sh)
	ann.appSignIn(s, "+8613800000012", "Ann")
	annAPI := w.person("+8613800000012", "Ann")
	annAPI.putCard("Architect")
	if s, r := annAPI.join(c); s != 200 {
		t.Fatalf("Ann joining: %d %+v", s, r)
	}
	ann.do("manifest", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, cdppage.GetAppManifest, cdppage.GetAppManifestParams{})
		if err == nil && (len(res.Errors) > 0 || !strings.HasSuffix(res.URL, "/manifest.webmanifest")) {
			err = fmt.Errorf("the browser finds the manifest %q wrong: %+v", res.URL, res.Errors)
		}
		return err
	}))
	ann.until("the service worker in control", `navigator.serviceWorker.controller !== null`)
	ann.open("/app")
	ann.until("the circle in my circles", `document.querySelector("#joined") && document.querySelector("#joined").innerText.includes("Launch party")`)
	ann.shot("installed-app")
	circle := fmt.Sprintf("/app/circles/%d", c.ID)
	card := fmt.Sprintf("%s/members/%d", circle, mei.user.ID)
	ann.click(fmt.Sprintf(`a[href=%q]`, circle))
	ann.until("the members", `document.querySelector("#members") && document.querySelector("#members").innerText.includes("Mei")`)
	ann.click(fmt.Sprintf(`a[href=%q]`, card))
	ann.until("Mei's card", `document.querySelector("#card") && document.querySelector("#card").innerText.includes("Engineer")`)
	for _, p := range []string{"/app", fmt.Sprintf("/api/v1/circles/%d/members/cards", c.ID), "/api/v1/me/circles", "/api/v1/contacts", "/api/v1/me/card"} {
		ann.until(p+" kept for offline", ann.cached(p))
	}

	online := ann.offline()
	ann.open("/app")
	ann.until("my circles offline", `!document.querySelector("#offline").hidden && document.querySelector("#joined").innerText.includes("Launch party")`)
	if note := ann.text("#offline"); !strings.HasPrefix(note, "offline — as of ") {
		ann.fail("offline note %q", note)
	}
	ann.shot("offline")
	ann.open(card)
	ann.until("Mei's card offline", `!document.querySelector("#offline").hidden && document.querySelector("#card") && document.querySelector("#card").innerText.includes("Engineer")`)
	online()

	// Signing out leaves nothing private in the browser.
	ann.open("/app")
	ann.at("/app", "#joined")
	ann.click("#app-sign-out button")
	ann.until("signed out", `location.pathname === "/"`)
	ann.until("no cache left", `(window.__k = window.__k, caches.keys().then(k => { window.__k = k.length; }), window.__k === 0)`)
	if got, _ := eval[string](ann, `localStorage.getItem("qrc.app.token") || ""`); got != "" {
		ann.fail("the app's token outlived sign-out")
	}
}

// checkManifest fetches the manifest and its icons as an installing browser would.
func checkManifest(t *testing.T, s *site) {
	t.Helper()
	var m struct {
		Name     string `json:"name"`
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct{ Src, Sizes string }
	}
	res, err := http.Get(s.base + "/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&m)
	res.Body.Close()
	if err != nil || !strings.Contains(m.Name, "QR Circles") || !strings.Contains(m.Name, "二维码好友圈") || m.StartURL != "/app" ||
		m.Display != "standalone" || len(m.Icons) < 2 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/manifest+json") {
		t.Fatalf("manifest: %+v (%v, %s)", m, err, res.Header.Get("Content-Type"))
	}
	for _, ic := range m.Icons {
		r, err := http.Get(s.base + ic.Src)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(r.Body)
		r.Body.Close()
		if err != nil || fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) != ic.Sizes {
			t.Fatalf("icon %s: %v, %dx%d, want %s", ic.Src, err, cfg.Width, cfg.Height, ic.Sizes)
		}
	}
}

func TestAppScannerJoinsFromTheCamera(t *testing.T) {
	exe := chromiumPath(t)
	s := newSite(t)
	sh := screenshotDir(t, "app")
	w := s.appWorld()
	org := w.person("+8613700000020", "Olga")
	c := w.liveCircle(org, "Camera party")
	bo := s.chrome(t, exe, "bo", "zh-Hans", byAcceptLanguage, sh, fakeCamera(t, circlePNG(t, w, org, c.ID))...)
	bo.appSignIn(s, "+8613800000021", "吴波")
	bo.open("/scan")
	bo.at("/scan", "#scanner-video")
	bo.markPage()
	bo.until("joined by the camera", `document.querySelector('#join-result[data-status="joined"]')`)
	bo.stillMarked("joined without signing in again")
	bo.shot("scanner-joined")
	u, err := s.db.UserByPhone(context.Background(), "+8613800000021")
	if err != nil {
		t.Fatal(err)
	}
	if in, err := s.db.IsMember(context.Background(), c.ID, u.ID); err != nil || !in {
		t.Fatalf("after the scan, member = %v (%v)", in, err)
	}
	if got := bo.text("#join-result"); !strings.Contains(got, "Camera party") || !strings.Contains(got, "已加入") {
		bo.fail("join result %q", got)
	}
}

func TestAppExchangesCardsFaceToFace(t *testing.T) {
	exe := chromiumPath(t)
	s := newSite(t)
	sh := screenshotDir(t, "app")
	w := s.appWorld()
	ctx := context.Background()

	// Bo shows his personal QR code in the app.
	bo := s.chrome(t, exe, "bo", "en", byAcceptLanguage, sh)
	bo.appSignIn(s, "+8613800000031", "Bo")
	boAPI := w.person("+8613800000031", "Bo")
	boAPI.putCard("Designer")
	bo.open("/app/me")
	bo.until("the personal QR code", `document.querySelector("#personal-qr svg") && document.querySelector("#personal-qr").dataset.url`)
	bo.shot("personal-qr")
	boURL, _ := eval[string](bo, `document.querySelector("#personal-qr").dataset.url`)
	boPNG, err := qr.PNG(boURL, 360)
	if err != nil {
		t.Fatal(err)
	}

	// Carl refuses cards from strangers; his code is a photo Ann picks.
	carl := w.person("+8613800000033", "Carl")
	carl.putCard("Lawyer")
	w.must(200, carl.token, "PUT", "/api/v1/me/privacy", map[string]any{"refuse_stranger_cards": true}, nil)
	var code struct{ URL string }
	w.must(200, carl.token, "GET", "/api/v1/me/card/code", nil, &code)
	carlPNG, err := qr.PNG(code.URL, 360)
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "carl.png")
	if err := os.WriteFile(photo, carlPNG, 0o644); err != nil {
		t.Fatal(err)
	}

	// Ann scans Bo's code with the camera: both have each other's card, Bo sees it live.
	ann := s.chrome(t, exe, "ann", "en", byAcceptLanguage, sh, fakeCamera(t, boPNG)...)
	ann.appSignIn(s, "+8613800000032", "Ann")
	annAPI := w.person("+8613800000032", "Ann")
	annAPI.putCard("Engineer")
	ann.open("/scan")
	ann.until("exchanged with Bo", `document.querySelector('#exchange-result[data-status="exchanged"]')`)
	ann.shot("exchanged")
	bo.until("Ann among Bo's new contacts, live", `document.querySelector("#new-contacts").innerText.includes("Ann")`)
	for _, pair := range [][2]*person{{annAPI, boAPI}, {boAPI, annAPI}} {
		if has, err := s.db.HoldsContact(ctx, pair[0].user.ID, pair[1].user.ID); err != nil || !has {
			t.Fatalf("%s does not hold %s's card (%v)", pair[0].user.DisplayName, pair[1].user.DisplayName, err)
		}
	}

	// Ann picks the photo of Carl's code: she gets his card, he gets a request.
	ann.open("/scan")
	ann.at("/scan", "#scan-photo")
	ann.do("pick the photo", chromedp.SetUploadFiles(chromedp.CSS("#scan-photo"), []string{photo}))
	ann.until("waiting for Carl", `document.querySelector('#exchange-result[data-status="waiting"]')`)
	if has, _ := s.db.HoldsContact(ctx, annAPI.user.ID, carl.user.ID); !has {
		t.Fatal("Ann did not get the card of Carl, who showed his code")
	}
	if has, _ := s.db.HoldsContact(ctx, carl.user.ID, annAPI.user.ID); has {
		t.Fatal("Carl refuses strangers' cards but holds Ann's without accepting")
	}
	incoming, _, err := s.db.CardRequestsOf(ctx, carl.user.ID, storage.CardWaiting)
	if err != nil || len(incoming) != 1 || incoming[0].FromID != annAPI.user.ID || incoming[0].Kind != storage.CardDeliver {
		t.Fatalf("Carl's waiting requests: %+v (%v)", incoming, err)
	}

	// Any other code is shown as text, never opened unasked.
	other, err := qr.PNG("https://elsewhere.example/promo", 360)
	if err == nil {
		err = os.WriteFile(photo, other, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	ann.open("/scan")
	ann.at("/scan", "#scan-photo")
	ann.do("pick another photo", chromedp.SetUploadFiles(chromedp.CSS("#scan-photo"), []string{photo}))
	ann.until("the code shown as text", `document.querySelector("#scan-text") && document.querySelector("#scan-text").innerText === "https://elsewhere.example/promo"`)
	if where, _ := eval[string](ann, `location.pathname`); where != "/scan" {
		ann.fail("a foreign code took the app to %s", where)
	}
}

func TestAppPasskeySignsInWithoutSMS(t *testing.T) {
	exe := chromiumPath(t)
	s := siteAs(t, storagetest.Postgres(t), "localhost") // WebAuthn needs a domain name
	sh := screenshotDir(t, "app")
	const phone = "+8613800000041"
	mei := s.chrome(t, exe, "mei", "en", byAcceptLanguage, sh)
	mei.do("a virtual authenticator", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true}})
		return err
	}))
	checkDiscoveryOffersPasskeys(t, s)

	// First sign-in by SMS; the app offers a passkey.
	mei.appSignIn(s, phone, "Mei")
	mei.until("the passkey offer", `!document.querySelector("#passkey-offer").hidden`)
	mei.shot("passkey-offer")
	mei.click("#passkey-offer-add")
	mei.until("the passkey added", `document.querySelector("#passkey-added")`)
	u, err := s.db.UserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := s.db.Passkeys(context.Background(), u.ID); err != nil || len(ps) != 1 {
		t.Fatalf("passkeys after adding one: %+v (%v)", ps, err)
	}
	mei.click("#app-sign-out button")
	mei.until("signed out", `location.pathname === "/"`)

	// The second sign-in uses the passkey: no SMS is sent.
	sent := s.sms.count(phone)
	mei.open("/app")
	mei.at("/login", "#passkey-signin")
	mei.shot("passkey-sign-in")
	mei.click("#passkey-signin")
	mei.at("/app", "#joined")
	if n := s.sms.count(phone) - sent; n != 0 {
		t.Fatalf("%d SMS sent on the passkey sign-in", n)
	}

	// /account lists the passkey and removes it.
	mei.open("/account")
	mei.at("/account", "#passkeys form.passkey")
	mei.click("#passkeys form.passkey button")
	mei.until("the passkey gone", `location.pathname === "/account" && document.querySelector("#passkeys") && !document.querySelector("#passkeys form.passkey")`)
	if ps, _ := s.db.Passkeys(context.Background(), u.ID); len(ps) != 0 {
		t.Fatalf("passkeys after removing: %+v", ps)
	}
}

func checkDiscoveryOffersPasskeys(t *testing.T, s *site) {
	t.Helper()
	res, err := http.Get(s.base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var d struct {
		Methods []string `json:"sign_in_methods_supported"`
	}
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil || strings.Join(d.Methods, " ") != "sms passkey" {
		t.Fatalf("discovery sign-in methods %v (%v)", d.Methods, err)
	}
}
