package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles/resource/cards"
	"qrcircles/resource/server"
	"qrcircles/storage/storagetest"
)

// bigBody is a request body of n filler bytes between head and tail. It is made as it is
// sent, from one buffer, so that the test itself holds next to nothing of it.
type bigBody struct {
	head, tail string
	n          int64
}

func (b bigBody) size() int64 { return int64(len(b.head)) + b.n + int64(len(b.tail)) }

// rawClient sends requests over plain connections, writing the body while it reads the
// answer, as an attacker's script would. Its buffers are made once, before any measurement.
type rawClient struct {
	addr  string
	fill  []byte // filler, one write's worth
	chunk []byte // a chunk's size line
}

func newRawClient(base string) *rawClient {
	return &rawClient{addr: strings.TrimPrefix(base, "http://"), fill: bytes.Repeat([]byte("a"), 32<<10), chunk: make([]byte, 0, 32)}
}

// sizeAnswer is what the server said: status, headers, and the start of the body.
type sizeAnswer struct {
	status int
	header http.Header
	body   string
}

// send sends the request with Content-Length, or chunked, and returns the answer once the
// server has closed the connection (so that all its work for the request is done).
func (rc *rawClient) send(t *testing.T, method, path string, header http.Header, b bigBody, chunked bool) sizeAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", rc.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a safety net against a hang, not a measure
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, path, rc.addr)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n\r\n", b.size())
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := conn.Write(head.Bytes()); err != nil {
			return
		}
		_ = rc.writeBody(conn, b, chunked)
	}()
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	_, _ = io.Copy(io.Discard, br) // until the server closes
	conn.Close()
	<-done
	return sizeAnswer{res.StatusCode, res.Header, string(raw)}
}

// writeBody writes the body; it stops at the first failed write (the server closed).
func (rc *rawClient) writeBody(conn net.Conn, b bigBody, chunked bool) error {
	write := func(p []byte) error {
		if chunked {
			rc.chunk = append(strconv.AppendInt(rc.chunk[:0], int64(len(p)), 16), '\r', '\n')
			if _, err := conn.Write(rc.chunk); err != nil {
				return err
			}
		}
		if _, err := conn.Write(p); err != nil {
			return err
		}
		if chunked {
			_, err := conn.Write(crlf)
			return err
		}
		return nil
	}
	if err := write([]byte(b.head)); err != nil {
		return err
	}
	for left := b.n; left > 0; {
		n := min(left, int64(len(rc.fill)))
		if err := write(rc.fill[:n]); err != nil {
			return err
		}
		left -= n
	}
	if err := write([]byte(b.tail)); err != nil {
		return err
	}
	if chunked {
		_, err := conn.Write([]byte("0\r\n\r\n"))
		return err
	}
	return nil
}

// allocatedBy returns how many bytes the whole process allocated while fn ran.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const boundary = "qrcirclesboundary"

var crlf = []byte("\r\n")

func TestRefusedHugeBodiesCostNoMemoryOnPostgres(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000000", "Olga")
	rc := newRawClient(w.base)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"text/html"}}
	multi := http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}, "Accept": {"text/html"}}
	api := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + org.token}}
	formBody := bigBody{head: "csrf=x&phone=", n: 40 << 20}
	multiBody := bigBody{head: "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n",
		n: 40 << 20, tail: "\r\n--" + boundary + "--\r\n"}
	title := bigBody{head: `{"title":"`, n: 100 << 20, tail: `"}`}
	settings := bigBody{head: `{"refuse_all_circles":false,"x":"`, n: 100 << 20, tail: `"}`}
	const mb = 1 << 20
	for _, tt := range []struct {
		name, method, path string
		header             http.Header
		body               bigBody
		chunked            bool
		sizeAnswer         string // "text/html" or "application/problem+json"
		bound              uint64 // the most the server may allocate for it
	}{
		{"40 MB form to /login", "POST", "/login", form, formBody, false, "text/html", mb},
		{"40 MB chunked form to /login", "POST", "/login", form, formBody, true, "text/html", mb},
		{"40 MB multipart to /login", "POST", "/login", multi, multiBody, false, "text/html", mb},
		{"40 MB chunked multipart to /login", "POST", "/login", multi, multiBody, true, "text/html", mb},
		{"100 MB title to /api/v1/circles", "POST", "/api/v1/circles", api, title, false, "application/problem+json", mb},
		// A chunked body is read up to the route's limit (1 MB here, an allowlist's) and no further.
		{"100 MB chunked title to /api/v1/circles", "POST", "/api/v1/circles", api, title, true, "application/problem+json", server.AllowlistLimit + mb},
		{"100 MB chunked settings to /api/v1/me/settings", "PUT", "/api/v1/me/settings", api, settings, true, "application/problem+json", mb},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Once first, so that what is made once per process (templates' buffers, pools) is not counted.
			small := tt.body
			small.n = 2 * server.AllowlistLimit
			rc.send(t, tt.method, tt.path, tt.header, small, tt.chunked)
			var a sizeAnswer
			grew := allocatedBy(func() { a = rc.send(t, tt.method, tt.path, tt.header, tt.body, tt.chunked) })
			if a.status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(a.header.Get("Content-Type"), tt.sizeAnswer) {
				t.Errorf("status %d, %q: %.300s", a.status, a.header.Get("Content-Type"), a.body)
			}
			if grew >= tt.bound {
				t.Errorf("refusing a %d MB body allocated %d KB (at most %d KB)", tt.body.size()>>20, grew>>10, tt.bound>>10)
			} else {
				t.Logf("refusing %d MB allocated %d KB", tt.body.size()>>20, grew>>10)
			}
		})
	}
}

// padJSON marshals v and pads it with spaces to exactly n bytes.
func padJSON(t *testing.T, v any, n int) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil || len(b) > n {
		t.Fatalf("%d bytes of JSON for %d: %v", len(b), n, err)
	}
	return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
}

// send sends a body with the token and returns the status and the answer.
func (w *world) send(token, method, path, ctype string, body []byte) (int, string) {
	w.t.Helper()
	res, raw := w.request(token, method, path, ctype, bytes.NewReader(body))
	return res.StatusCode, string(raw)
}

// tooLarge says whether an answer is the API's 413 problem.
func tooLarge(status int, body string) bool {
	return status == http.StatusRequestEntityTooLarge && strings.Contains(body, `"type":"https://qrcircles.dev/problems/too-large"`)
}

// paddedPNG is a real PNG image followed by filler up to exactly n bytes, which a PNG
// decoder never reads.
func paddedPNG(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return append(buf.Bytes(), make([]byte, n-buf.Len())...)
}

// avatarForm is a multipart form whose "avatar" file is data, and its Content-Type.
func avatarForm(data []byte, fields map[string]string) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestAPIBodyLimitsPerRouteOnPostgres(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000000", "Olga")

	// JSON: 64 KB and not a byte more.
	settings := map[string]any{"refuse_all_circles": false}
	if s, body := w.send(org.token, "PUT", "/api/v1/me/settings", "application/json", padJSON(t, settings, server.FormLimit)); s != 200 {
		t.Fatalf("64 KB of JSON: %d %s", s, body)
	}
	if s, body := w.send(org.token, "PUT", "/api/v1/me/settings", "application/json", padJSON(t, settings, server.FormLimit+1)); !tooLarge(s, body) {
		t.Fatalf("64 KB + 1 of JSON: %d %s", s, body)
	}

	// A circle with its allowlist: 1 MB and not a byte more.
	phones := make([]string, 10000)
	for i := range phones {
		phones[i] = fmt.Sprintf("+86138%08d", i)
	}
	circle := map[string]any{"title": "Big list", "allowlist": phones}
	s, body := w.send(org.token, "POST", "/api/v1/circles", "application/json", padJSON(t, circle, server.AllowlistLimit))
	if s != 201 || !strings.Contains(body, `"allowlist_size":10000`) {
		t.Fatalf("a 1 MB allowlist: %d %.300s", s, body)
	}
	if s, body := w.send(org.token, "POST", "/api/v1/circles", "application/json", padJSON(t, circle, server.AllowlistLimit+1)); !tooLarge(s, body) {
		t.Fatalf("1 MB + 1 of allowlist: %d %s", s, body)
	}

	// An avatar of 2 MB, as the body or as a form's file; the same route refuses more.
	if s, body := w.send(org.token, "PUT", "/api/v1/me/card/avatar", "image/png", paddedPNG(t, cards.MaxAvatarBytes)); s != 200 {
		t.Fatalf("a 2 MB avatar: %d %s", s, body)
	}
	form, ctype := avatarForm(paddedPNG(t, cards.MaxAvatarBytes), nil)
	if s, body := w.send(org.token, "PUT", "/api/v1/me/card/avatar", ctype, form); s != 200 {
		t.Fatalf("a 2 MB avatar in a form of %d bytes: %d %s", len(form), s, body)
	}
	max := server.BodyRuleOf("PUT", "/api/v1/me/card/avatar").Max
	if s, body := w.send(org.token, "PUT", "/api/v1/me/card/avatar", "image/png", paddedPNG(t, int(max)+1)); !tooLarge(s, body) {
		t.Fatalf("an avatar of %d bytes: %d %s", max+1, s, body)
	}

	// Multipart only where a file is expected.
	form, ctype = avatarForm([]byte("{}"), map[string]string{"refuse_all_circles": "true"})
	if s, body := w.send(org.token, "PUT", "/api/v1/me/settings", ctype, form); s != http.StatusUnsupportedMediaType ||
		!strings.Contains(body, "problems/unsupported-media-type") {
		t.Fatalf("multipart settings: %d %s", s, body)
	}
	res, err := http.Post(w.base+"/oauth2/token", ctype, bytes.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	var oauthErr struct{ Error string }
	_ = json.NewDecoder(res.Body).Decode(&oauthErr)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || oauthErr.Error != "invalid_request" {
		t.Fatalf("multipart token request: %d %+v", res.StatusCode, oauthErr)
	}
}

func TestPageBodyLimitsOnPostgres(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Big party"))
	manage := org.get(fmt.Sprintf("/circles/%d/manage", circle.ID))
	csrf := manage.field("csrf")

	// A CSV upload of exactly 1 MB is read whole; one byte more is refused with a page.
	upload := func(size int) page {
		var csv strings.Builder
		for i := range 10000 {
			fmt.Fprintf(&csv, "+86139%08d\n", i)
		}
		empty, _ := allowlistForm(csrf, "")
		csv.WriteString(strings.Repeat("\n", size-len(empty)-csv.Len())) // blank lines, skipped
		body, ctype := allowlistForm(csrf, csv.String())
		if len(body) != size {
			t.Fatalf("form of %d bytes, want %d", len(body), size)
		}
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/circles/%d/allowlist", s.base, circle.ID), bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		return org.do(req)
	}
	if p := upload(server.AllowlistLimit); p.status != 200 || !strings.Contains(p.body, "10000 phone numbers are on the list") {
		t.Fatalf("a 1 MB allowlist upload: %s (%d)\n%.500s", p.path, p.status, p.body)
	}
	if p := upload(server.AllowlistLimit + 1); p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "this page takes at most 1 MB") {
		t.Fatalf("1 MB + 1 of allowlist upload: %d\n%.500s", p.status, p.body)
	}

	// The avatar form takes a 2 MB picture.
	card := org.get("/me/card")
	if p := org.uploadAvatar(card.field("csrf"), paddedPNG(t, cards.MaxAvatarBytes)); p.status != 200 || p.path != "/me/card?done=saved" {
		t.Fatalf("a 2 MB avatar: %s (%d)\n%.500s", p.path, p.status, p.body)
	}

	// A form where no file is expected refuses a multipart body, even with a good token: no
	// code is sent. In Chinese for a Chinese browser.
	b := s.browser()
	login := b.get("/login")
	body, ctype := allowlistForm(login.field("csrf"), "")
	req, _ := http.NewRequest("POST", s.base+"/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept-Language", "zh-CN")
	if p := b.do(req); p.status != http.StatusUnsupportedMediaType || !strings.Contains(p.body, "不接受文件上传") {
		t.Fatalf("multipart sign-in: %s (%d)\n%.500s", p.path, p.status, p.body)
	}
	// The same form as a form goes on: the token was good.
	if p := b.post("/login", url.Values{"csrf": {login.field("csrf")}, "phone": {"+8613800000001"}}); !strings.HasPrefix(p.path, "/login/code") {
		t.Fatalf("the form itself: %s (%d)", p.path, p.status)
	}
}

// allowlistForm is the manage page's allowlist form with csv as its uploaded file.
func allowlistForm(csrf, csv string) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.SetBoundary(boundary)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "guests.csv")
	_, _ = io.WriteString(fw, csv)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestEveryBodyRuleNamesARoute keeps the table of limits in step with the routes: a renamed
// route would silently fall back to the form limit.
func TestEveryBodyRuleNamesARoute(t *testing.T) {
	a, _ := serveApp(t, storagetest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	served := map[string]bool{}
	for _, r := range a.engine.Routes() {
		served[r.Method+" "+r.Path] = true
	}
	for _, r := range server.BodyRoutes() {
		if !served[r] {
			t.Errorf("the body limits name %q, which the server does not serve", r)
		}
	}
}
