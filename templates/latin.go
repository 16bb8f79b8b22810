package templates

import (
	"html"
	"regexp"
	"strings"
)

// The check that a Chinese page holds no English: every run of Latin-letter words a person
// can read (text, and the alt, title, aria-label and placeholder attributes) is a leak unless
// each word is a code everyone writes in Latin letters (QR, SMS, vCard), part of a URL, an
// e-mail address or a time zone's offset, or one of the names the caller entered.

// latinTokens are the words a Chinese page writes in Latin letters.
var latinTokens = map[string]bool{
	"QR": true, "SMS": true, "vCard": true, "CSV": true, "PNG": true, "SVG": true, "JPEG": true, "GIF": true,
	"JSON": true, "UTF-8": true, "URL": true, "ID": true, "UTC": true, "A4": true, "Ctrl": true, "P": true,
	"MB": true, "KB": true, "English": true, "API": true, "OAuth": true, "HTTPS": true, "https": true, "http": true,
	"WebAuthn": true, "JavaScript": true, "px": true, "LISTEN": true, "SQLite": true, "PostgreSQL": true,
}

var (
	hiddenRE = regexp.MustCompile(`(?is)<(script|style|code)\b.*?</(script|style|code)>`)
	attrRE   = regexp.MustCompile(`(?i)\s(?:alt|title|aria-label|placeholder)="([^"]*)"`)
	anyTagRE = regexp.MustCompile(`<[^>]*>`)
	// Things written in Latin letters that are no sentence: URLs, addresses, paths, versions.
	codeRE = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+\.\S+|(?:^|\s)/\S*|\bv?\d+(?:\.\d+)+\b|\b[\w.-]+\.(?:example|com|dev|org|net|cn)\b|%[a-z]|\bE\.164\b|\bU\+[0-9A-F]{4,6}\b|\b\d[\d.]*(?:h|m|s|ms|µs|ns)+\b`)
	wordRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*`)
	// runRE finds runs of words joined only by what joins the words of an English sentence.
	runRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9'’-]*(?:[ \t,;:.!?()"&+/…-]+[A-Za-z0-9][A-Za-z0-9'’-]*)*`)
)

// LatinSentences returns what the page page (HTML) says in Latin letters that is neither a
// code nor one of names: each returned run is English a Chinese reader would have to read.
func LatinSentences(page string, names ...string) []string {
	visible := hiddenRE.ReplaceAllString(page, " ")
	var parts []string
	for _, m := range attrRE.FindAllStringSubmatch(visible, -1) {
		parts = append(parts, m[1])
	}
	parts = append(parts, anyTagRE.ReplaceAllString(visible, "\n")) // a run ends with its element
	text := html.UnescapeString(strings.Join(parts, "\n"))
	for _, n := range names {
		if n != "" {
			text = strings.ReplaceAll(text, n, " ")
		}
	}
	text = codeRE.ReplaceAllString(text, " ")
	var out []string
	for _, run := range runRE.FindAllString(text, -1) {
		for _, w := range wordRE.FindAllString(run, -1) {
			if !latinTokens[w] {
				out = append(out, strings.TrimSpace(run))
				break
			}
		}
	}
	return out
}
