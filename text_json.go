package qrcircles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// wholeBody names a JSON document that is itself a bad string.
var wholeBody = TextField{English: "The request body", Chinese: "请求正文"}

// CheckTextJSON refuses a JSON document holding a string that is not text: invalid UTF-8, or an
// escape of half a UTF-16 surrogate pair. encoding/json turns both into U+FFFD without a
// word, so this runs on the raw body before it is decoded. The error names the string's
// place as the API does ("title", "phones[1]", "card.note"). A document that is not JSON
// at all passes: its decoder refuses it.
func CheckTextJSON(raw []byte) error {
	at := badString(raw)
	if at < 0 {
		return nil
	}
	f := wholeBody
	if p := pathAt(raw, at); p != "" {
		f = TextField{Name: p}
	}
	return &TextError{Field: f, Problem: TextNotUTF8}
}

// badString returns where the first string literal that is not text starts, or -1.
func badString(raw []byte) int {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`)) {
		return -1 // the common case: nothing to look at closely
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue // outside a string; in JSON every quote here opens one
		}
		end, ok := scanString(raw, i)
		if !ok {
			return i
		}
		i = end
	}
	return -1
}

// scanString reads the string literal whose opening quote is at raw[start] and returns the
// index of its closing quote, and whether everything in it is text. Malformed escapes are
// left for the decoder to refuse.
func scanString(raw []byte, start int) (int, bool) {
	for j := start + 1; j < len(raw); {
		switch c := raw[j]; {
		case c == '"':
			return j, true
		case c == '\\':
			if j+1 < len(raw) && raw[j+1] == 'u' {
				n, ok := surrogateEscape(raw, j)
				if !ok {
					return j, false
				}
				j += n
				continue
			}
			j += 2
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(raw[j:])
			if r == utf8.RuneError && size == 1 {
				return j, false
			}
			j += size
		}
	}
	return len(raw), true
}

// surrogateEscape reads the \uXXXX escape at raw[j]: its length (12 for a surrogate pair), and
// false when it is half a pair.
func surrogateEscape(raw []byte, j int) (int, bool) {
	r, ok := hex4(raw, j+2)
	if !ok || !utf16.IsSurrogate(r) {
		return 6, true
	}
	if r >= 0xDC00 { // a low half with no high half before it
		return 6, false
	}
	if j+12 <= len(raw) && raw[j+6] == '\\' && raw[j+7] == 'u' {
		if lo, ok := hex4(raw, j+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 12, true
		}
	}
	return 6, false
}

func hex4(raw []byte, i int) (rune, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(raw[i:i+4]), 16, 32)
	return rune(v), err == nil
}

// frame is an object or array being read, for pathAt.
type jsonFrame struct {
	object  bool
	key     string // the member being read, in an object
	index   int    // the element being read, in an array
	wantKey bool
}

// pathAt names the place of the token that covers offset at: "a.b[2].c".
func pathAt(raw []byte, at int) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []jsonFrame
	done := func() { // a value ended: the next is a key, or the next element
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return pathOf(stack)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			stack[n-1].key, _ = tok.(string)
			stack[n-1].wantKey = false
		} else if d, ok := tok.(json.Delim); ok {
			stack = append(stack, jsonFrame{object: d == '{', wantKey: d == '{'})
			continue
		} else if dec.InputOffset() <= int64(at) {
			done()
			continue
		}
		if dec.InputOffset() > int64(at) {
			return pathOf(stack)
		}
	}
}

func pathOf(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if !f.object {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.key)
	}
	return b.String()
}

// DecodeTextJSON reads a JSON document from r into v, refusing first a document with a string
// that is not text (see CheckTextJSON); strict also refuses members v does not have. Errors of
// reading and decoding are returned as they are, for the caller to name the field.
func DecodeTextJSON(r io.Reader, v any, strict bool) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("reading the body: %w", err)
	}
	if err := CheckTextJSON(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if strict {
		dec.DisallowUnknownFields()
	}
	return dec.Decode(v)
}
