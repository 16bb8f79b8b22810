package cards

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"qrcircles"
)

func vcardOf(t *testing.T, v Version, e Entry) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteVCards(&b, v, []Entry{e}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestVCardContents(t *testing.T) {
	c := validCard()
	c.Company = "Acme, Inc.; Asia"
	c.HasAvatar = true
	e := Entry{UserID: 42, Card: c, Photo: &Photo{ContentType: "image/jpeg", Data: []byte{1, 2, 3}}}
	tests := []struct {
		v    Version
		want []string
	}{
		{V4, []string{"BEGIN:VCARD\r\nVERSION:4.0\r\n", "FN:Li Lei\r\n", "TITLE:CTO\r\n", `ORG:Acme\, Inc.\; Asia` + "\r\n",
			"TEL;VALUE=uri;TYPE=cell:tel:+8613800138000\r\n", "EMAIL:li@example.com\r\n", `ADR:;;1 Road\nBeijing;;;;` + "\r\n",
			"URL:https://acme.example\r\n", "NOTE:hi\r\n", "PHOTO:data:image/jpeg;base64,AQID\r\n", "UID:urn:uuid:", "END:VCARD\r\n"}},
		{V3, []string{"VERSION:3.0\r\n", "N:Li Lei;;;;\r\n", "FN:Li Lei\r\n", "TEL;TYPE=CELL:+8613800138000\r\n",
			"EMAIL;TYPE=INTERNET:li@example.com\r\n", "PHOTO;ENCODING=b;TYPE=JPEG:AQID\r\n"}},
	}
	for _, tt := range tests {
		got := vcardOf(t, tt.v, e)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in\n%s", tt.v, w, got)
			}
		}
	}
	if strings.Contains(vcardOf(t, V4, Entry{UserID: 1, Card: Card{DisplayName: "x"}, Photo: e.Photo}), "PHOTO") {
		t.Error("photo written for a card that does not show its avatar")
	}
	if UserUID(1) != UserUID(1) || UserUID(1) == UserUID(2) {
		t.Error("UIDs are not stable per user")
	}
}

func TestCardFoldKeepsLinesShortAndCharactersWhole(t *testing.T) {
	c := Card{DisplayName: "x", Note: strings.Repeat("名片", 100)}
	out := vcardOf(t, V4, Entry{UserID: 1, Card: c})
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Fatalf("line splits a character: %q", line)
		}
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, "NOTE:"+c.Note+"\r\n") {
		t.Fatal("unfolding does not give the note back")
	}
}

func TestCardParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"": V4, "4.0": V4, "3.0": V3, "3": V3} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseVersion("2.1"); err == nil || err.(*qrcircles.Error).Field != "version" {
		t.Errorf("2.1: %v", err)
	}
}

func TestCardCSV(t *testing.T) {
	es := []Entry{
		{UserID: 1, Card: Card{DisplayName: "=HYPERLINK(\"x\")", Phones: []string{"+8613800138000", "+14155550100"}, Note: "a,b\nc"}},
		{UserID: 2, Card: Card{DisplayName: "Bo"}},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, es); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][1] != "display_name" {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][1] != `'=HYPERLINK("x")` || rows[1][4] != "'+8613800138000; +14155550100" || rows[1][8] != "a,b\nc" {
		t.Fatalf("row %q", rows[1])
	}
	if rows[2][0] != "2" || rows[2][2] != "" {
		t.Fatalf("row %q", rows[2])
	}
}

// TestDefuse: every cell that starts like a formula is text, numbers and phone lists
// included (OWASP CSV injection); anything else is left as it is.
func TestDefuse(t *testing.T) {
	tests := []struct{ in, out string }{
		{"=1+1", "'=1+1"},
		{"+1+1", "'+1+1"},
		{"-2", "'-2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"+8613800138000; +14155550100", "'+8613800138000; +14155550100"},
		{"=HYPERLINK(\"https://evil.example\")", "'=HYPERLINK(\"https://evil.example\")"},
		{"", ""},
		{"Ann", "Ann"},
		{"1+1", "1+1"},
		{" =1", " =1"},
		{"'=1", "'=1"},
		{"李雷", "李雷"},
	}
	for _, tt := range tests {
		if got := Defuse(tt.in); got != tt.out || Live(got) {
			t.Errorf("Defuse(%q) = %q (live %v), want %q", tt.in, got, Live(got), tt.out)
		}
	}
}

func encodeImage(t *testing.T, format string, w, h int, alpha uint8) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, alpha})
		}
	}
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCardProcessAvatar(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		wantType  string
		wantW     int
		wantH     int
		wantField bool
	}{
		{"large jpeg is shrunk", encodeImage(t, "jpeg", 1024, 768, 255), "image/jpeg", 512, 384, false},
		{"tall png", encodeImage(t, "png", 300, 900, 255), "image/jpeg", 170, 512, false},
		{"transparent png stays png", encodeImage(t, "png", 600, 600, 100), "image/png", 512, 512, false},
		{"small gif kept in size", encodeImage(t, "gif", 40, 30, 255), "image/jpeg", 40, 30, false},
		{"not an image", []byte("GIF89a but not really"), "", 0, 0, true},
		{"empty", nil, "", 0, 0, true},
		{"too large", append(encodeImage(t, "png", 8, 8, 255), make([]byte, MaxAvatarBytes)...), "", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ProcessAvatar(tt.data)
			if tt.wantField {
				if pe, ok := err.(*qrcircles.Error); !ok || pe.Field != "avatar" || pe.Code != qrcircles.EInvalid {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || p.ContentType != tt.wantType {
				t.Fatalf("%s %v", p.ContentType, err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(p.Data))
			if err != nil || cfg.Width != tt.wantW || cfg.Height != tt.wantH {
				t.Fatalf("stored %dx%d, %v; want %dx%d", cfg.Width, cfg.Height, err, tt.wantW, tt.wantH)
			}
		})
	}
}

func TestCardDownscaleAverages(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for x := range 4 {
		for y := range 2 {
			v := uint8(0)
			if x%2 == 1 {
				v = 200
			}
			img.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	got := Downscale(img, 2)
	if got.Bounds().Dx() != 2 || got.Bounds().Dy() != 1 {
		t.Fatalf("bounds %v", got.Bounds())
	}
	if c := got.RGBAAt(0, 0); c.R != 100 || c.A != 255 {
		t.Fatalf("pixel %v, want the average 100", c)
	}
}
