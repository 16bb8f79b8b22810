package cards

import (
	"errors"
	"strings"
	"testing"

	"qrcircles"
)

func validCard() Card {
	return Card{DisplayName: "Li Lei", Title: "CTO", Company: "Acme", Phones: []string{"+8613800138000"},
		Emails: []string{"li@example.com"}, Address: "1 Road\nBeijing", Website: "https://acme.example", Note: "hi"}
}

func TestCardCleanNamesTheFieldAtFault(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Card)
		field string // "" = valid
	}{
		{"valid", func(*Card) {}, ""},
		{"name only", func(c *Card) { *c = Card{DisplayName: " Han Meimei "} }, ""},
		{"missing name", func(c *Card) { c.DisplayName = "  " }, "display_name"},
		{"long name", func(c *Card) { c.DisplayName = strings.Repeat("李", MaxName+1) }, "display_name"},
		{"name of max length in CJK", func(c *Card) { c.DisplayName = strings.Repeat("李", MaxName) }, ""},
		{"newline in title", func(c *Card) { c.Title = "a\nb" }, "title"},
		{"long company", func(c *Card) { c.Company = strings.Repeat("x", MaxCompany+1) }, "company"},
		{"bad phone", func(c *Card) { c.Phones = []string{"+8613800138000", "12345"} }, "phones[1]"},
		{"too many phones", func(c *Card) { c.Phones = make([]string, MaxPhones+1) }, "phones"},
		{"blank phones dropped", func(c *Card) { c.Phones = []string{" ", ""} }, ""},
		{"bad email", func(c *Card) { c.Emails = []string{"no-at-sign"} }, "emails[0]"},
		{"email with name", func(c *Card) { c.Emails = []string{"Li <li@example.com>"} }, "emails[0]"},
		{"email without dot", func(c *Card) { c.Emails = []string{"li@localhost"} }, "emails[0]"},
		{"ftp website", func(c *Card) { c.Website = "ftp://acme.example" }, "website"},
		{"website without host", func(c *Card) { c.Website = "https://" }, "website"},
		{"javascript website", func(c *Card) { c.Website = "javascript:alert(1)" }, "website"},
		{"long note", func(c *Card) { c.Note = strings.Repeat("n", MaxNote+1) }, "note"},
		{"control char in address", func(c *Card) { c.Address = "a\x00b" }, "address"},
		{"invalid utf-8", func(c *Card) { c.Note = "\xff" }, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCard()
			tt.edit(&c)
			_, err := Clean(c, nil)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid card refused: %v", err)
				}
				return
			}
			pe, ok := qrcircles.ErrorOf(err)
			if !ok || pe.Code != qrcircles.EInvalid || pe.Field != tt.field {
				t.Fatalf("err = %v, want invalid %q", err, tt.field)
			}
		})
	}
}

func TestCardCleanUsesTheNormalizer(t *testing.T) {
	norm := func(s string) (string, error) {
		if s == "138 0013 8000" {
			return "+8613800138000", nil
		}
		return "", qrcircles.Invalid("phone", "nope")
	}
	c, err := Clean(Card{DisplayName: "x", Phones: []string{"138 0013 8000"}}, norm)
	if err != nil || len(c.Phones) != 1 || c.Phones[0] != "+8613800138000" {
		t.Fatalf("%+v %v", c, err)
	}
	_, err = Clean(Card{DisplayName: "x", Phones: []string{"138 0013 8000", "1"}}, norm)
	var pe *qrcircles.Error
	if !errors.As(err, &pe) || pe.Field != "phones[1]" || pe.Message != "nope" {
		t.Fatalf("err = %v", err)
	}
	// The normalizer's words reach the page in its language; an error without words for
	// people gets the card's own.
	for _, tt := range []struct {
		fails  error
		en, zh string
	}{
		{qrcircles.Fail(qrcircles.EInvalid, "cards.phone_format"), "Write the phone number with + and the country code, for example +8613800138000.",
			"请以 + 和国家代码开头填写手机号，例如 +8613800138000。"},
		{errors.New("libphonenumber: too short"), "This is not a valid phone number.", "这不是有效的手机号。"},
	} {
		_, err = Clean(Card{DisplayName: "x", Phones: []string{"1"}}, func(string) (string, error) { return "", tt.fails })
		if !errors.As(err, &pe) || pe.Field != "phones[0]" || pe.Message != tt.en || pe.In(qrcircles.LangChinese) != tt.zh || !errors.Is(err, tt.fails) {
			t.Errorf("normalizer's %v: err = %v (%q)", tt.fails, err, pe.In(qrcircles.LangChinese))
		}
	}
}
