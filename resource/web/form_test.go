package web

import (
	"reflect"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/templates"
)

func TestFormInput(t *testing.T) {
	base := circleForm{Title: "Expo", TimeZone: "Asia/Shanghai", Mode: "rules"}
	with := func(f func(*circleForm)) circleForm { c := base; f(&c); return c }
	cases := []struct {
		name  string
		form  circleForm
		field string // the field at fault; "" when valid
	}{
		{"minimal", base, ""},
		{"no zone", with(func(f *circleForm) { f.TimeZone = "" }), "time_zone"},
		{"unknown zone", with(func(f *circleForm) { f.TimeZone = "Mars/Olympus" }), "time_zone"},
		{"bad start", with(func(f *circleForm) { f.StartsAt = "tomorrow" }), "starts_at"},
		{"bad window", with(func(f *circleForm) { f.NotAfter = "2026-13-01T00:00" }), "not_after"},
		{"bad phone range", with(func(f *circleForm) { f.PhoneRanges = "+861-+862-+863" }), "phone_ranges"},
		{"bad id range", with(func(f *circleForm) { f.IDRanges = "1..x" }), "user_id_ranges"},
		{"negative cap", with(func(f *circleForm) { f.Cap = "-1" }), "member_cap"},
		{"word cap", with(func(f *circleForm) { f.Cap = "ten" }), "member_cap"},
	}
	for _, c := range cases {
		_, err := c.form.input()
		if got := fieldOf(err); got != c.field {
			t.Errorf("%s: field %q (%v), want %q", c.name, got, err, c.field)
		}
	}
}

func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	if pe, ok := err.(*qrcircles.Error); ok {
		return pe.Field
	}
	return "not a problem: " + err.Error()
}

func TestFormReadsTimesInTheChosenZoneAndRanges(t *testing.T) {
	f := circleForm{Title: "Expo", TimeZone: "Asia/Shanghai", StartsAt: "2026-05-01T09:00", NotBefore: "2026-05-01T08:30:15",
		Prefixes: " +86138 \n\n+86139", PhoneRanges: "+8613800000000..+8613800000099\n+8613900000000 - +8613900000009",
		IDRanges: "1000-1999\n42", Cap: " 50 ", Mode: "review", Status: "closed"}
	in, err := f.input()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC); !in.StartsAt.Equal(want) {
		t.Errorf("starts %v, want %v", in.StartsAt, want)
	}
	if want := time.Date(2026, 5, 1, 0, 30, 15, 0, time.UTC); !in.NotBefore.Equal(want) {
		t.Errorf("not before %v, want %v", in.NotBefore, want)
	}
	if !in.EndsAt.IsZero() || !in.NotAfter.IsZero() {
		t.Errorf("empty times should clear: %v %v", in.EndsAt, in.NotAfter)
	}
	wantPR := []qrcircles.PhoneRange{{From: "+8613800000000", To: "+8613800000099"}, {From: "+8613900000000", To: "+8613900000009"}}
	wantIR := []qrcircles.IDRange{{From: 1000, To: 1999}, {From: 42, To: 42}}
	if !reflect.DeepEqual(*in.Prefixes, []string{"+86138", "+86139"}) || !reflect.DeepEqual(*in.PhoneRanges, wantPR) ||
		!reflect.DeepEqual(*in.IDRanges, wantIR) || *in.Cap != 50 || *in.Mode != qrcircles.ModeReview || !*in.Closed {
		t.Errorf("rules: %v %v %v %d %s %v", *in.Prefixes, *in.PhoneRanges, *in.IDRanges, *in.Cap, *in.Mode, *in.Closed)
	}
	f.Status = ""
	if in, _ := f.input(); in.Closed != nil {
		t.Error("a form without a status (the create form) must leave Closed alone")
	}
}

func TestFormOfShowsTheCircleInItsZone(t *testing.T) {
	c := storage.Circle{Title: "Expo", TimeZone: "Asia/Shanghai", StartsAt: time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC)}
	c.Rules = qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+861", To: "+862"}}, UserIDRanges: []qrcircles.IDRange{{From: 1, To: 9}}, Cap: 5, Mode: qrcircles.ModeOpen}
	f := formOf(c)
	if f.StartsAt != "2026-05-01T09:00" || f.PhoneRanges != "+861..+862" || f.IDRanges != "1..9" || f.Cap != "5" || f.Mode != "open" || f.Status != "open" {
		t.Fatalf("%+v", f)
	}
	in, err := f.input()
	if err != nil || !in.StartsAt.Equal(c.StartsAt) || !reflect.DeepEqual(*in.PhoneRanges, c.Rules.PhoneRanges) {
		t.Fatalf("round trip: %v %+v", err, in)
	}
}

// TestLabelFieldKeepsBothLanguages: a rule's error about a field is shown with the field's
// label, in the page's language, never English on a Chinese page; the form's own messages,
// which name their field, are shown as they are.
func TestLabelFieldKeepsBothLanguages(t *testing.T) {
	rule := qrcircles.Fail(qrcircles.EInvalid, "admission.rule.too_many", 3, 2).WithField("phone_prefixes")
	labeled := labelField(rule, ruleFields)
	if got := templates.Say(templates.Chinese, templates.ErrorWords(labeled)); got != "手机号前缀：有 3 项，最多允许 2 项" {
		t.Errorf("Chinese: %q", got)
	}
	if got := templates.Say(templates.English, templates.ErrorWords(labeled)); got != "Phone prefixes: has 3 entries, at most 2 allowed" {
		t.Errorf("English: %q", got)
	}
	if pe, _ := qrcircles.ErrorOf(labeled); pe.Field != "phone_prefixes" || pe.Message != "Phone prefixes: has 3 entries, at most 2 allowed" {
		t.Errorf("the API's side: %+v", pe)
	}
	_, own := circleForm{Title: "Expo", TimeZone: "Asia/Shanghai", IDRanges: "1..2..3"}.input()
	if got := templates.Say(templates.Chinese, templates.ErrorWords(labelField(own, ruleFields))); got != "用户身份ID范围第 1 行：请写成 1000..1999。" {
		t.Errorf("the form's own message: %q", got)
	}
}
