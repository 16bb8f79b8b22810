package cards

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

func fuzzCard(name, title, company, phone, email, address, website, note string) Card {
	return Card{DisplayName: name, Title: title, Company: company, Phones: []string{phone}, Emails: []string{email},
		Address: address, Website: website, Note: note}
}

func addCardSeeds(f *testing.F) {
	f.Add("Li Lei", "CTO", "Acme", "+8613800138000", "li@acme.example", "1 Road\nShanghai", "https://acme.example", "note")
	f.Add("=HYPERLINK(\"x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\r=1", "https://a.example/?a=1,b;c", "a,b\r\nc\\d;e")
	f.Add("END:VCARD", "\nBEGIN:VCARD", "x\r\nFN:Mallory", "+86", "", "", "", strings.Repeat("二维码好友圈", 40))
	f.Add(strings.Repeat("\x80", 160), "\xff", "é", "", "", "", strings.Repeat("\x80", 160), strings.Repeat("😀", 50))
}

// FuzzVCard: whatever a card holds, its vCard is lines of at most 75 octets ending in CRLF,
// never split inside a character; the card cannot add, end or begin a vCard or a property;
// and a card that passes Validate reads back field for field.
func FuzzVCard(f *testing.F) {
	addCardSeeds(f)
	f.Fuzz(func(t *testing.T, name, title, company, phone, email, address, website, note string) {
		c := fuzzCard(name, title, company, phone, email, address, website, note)
		for _, v := range []Version{V4, V3} {
			var b bytes.Buffer
			if err := WriteVCards(&b, v, []Entry{{UserID: 7, Card: c}}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", out)
			}
			for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
				if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
					t.Fatalf("line of %d octets, or a bare line break: %q", len(line), line)
				}
				if utf8.ValidString(out) && !utf8.ValidString(line) {
					t.Fatalf("a character split across lines: %q", line)
				}
			}
			props := unfold(out)
			if props[0] != "BEGIN:VCARD" || props[len(props)-1] != "END:VCARD" || count(props, "BEGIN:VCARD") != 1 || count(props, "END:VCARD") != 1 {
				t.Fatalf("the card broke out of its vCard:\n%s", out)
			}
			if Validate(c) != nil {
				continue
			}
			want := map[string]string{"FN": c.DisplayName, "TITLE": c.Title, "ORG": c.Company, "NOTE": c.Note}
			for prop, value := range want {
				got, n := valueOf(props, prop)
				if (value == "" && n != 0) || (value != "" && (n != 1 || got != value)) {
					t.Fatalf("%s reads back as %q (%d times), want %q:\n%s", prop, got, n, value, out)
				}
			}
		}
	})
}

// unfold undoes RFC 6350 §3.2 folding and returns the content lines.
func unfold(s string) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(s, "\r\n ", ""), "\r\n"), "\r\n")
}

func count(lines []string, line string) int {
	n := 0
	for _, l := range lines {
		if l == line {
			n++
		}
	}
	return n
}

// valueOf finds the property's lines and unescapes the value of the last one.
func valueOf(lines []string, prop string) (string, int) {
	var value string
	n := 0
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, prop+":"); ok {
			value, n = v, n+1
		}
	}
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] == '\\' && i+1 < len(value) {
			i++
			if value[i] == 'n' || value[i] == 'N' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(value[i])
			}
			continue
		}
		b.WriteByte(value[i])
	}
	return b.String(), n
}

// FuzzCSV: whatever a card holds, the CSV export reads back with one row per card, nine
// cells each, no cell a spreadsheet would run as a formula, and every cell the card's value
// (with the apostrophe in front where it started like one).
func FuzzCSV(f *testing.F) {
	addCardSeeds(f)
	f.Fuzz(func(t *testing.T, name, title, company, phone, email, address, website, note string) {
		c := fuzzCard(name, title, company, phone, email, address, website, note)
		var b bytes.Buffer
		if err := WriteCSV(&b, []Entry{{UserID: 7, Card: c}, {UserID: 8, Card: Card{DisplayName: "+1"}}}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("%d rows, %v:\n%s", len(rows), err, b.String())
		}
		want := []string{"7", name, title, company, phone, email, address, website, note}
		for i, cell := range rows[1] {
			if Live(cell) {
				t.Fatalf("live formula %q", cell)
			}
			w := want[i]
			if Live(w) {
				w = "'" + w
			}
			w = strings.ReplaceAll(w, "\r\n", "\n") // csv reads CRLF in a cell as LF
			if cell != w {
				t.Fatalf("cell %d = %q, want %q", i, cell, w)
			}
		}
		if rows[2][1] != "'+1" {
			t.Fatalf("the next row: %q", rows[2])
		}
	})
}
