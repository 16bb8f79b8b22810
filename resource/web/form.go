package web

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"qrcircles/templates"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/circles"
)

// circleForm is the create and edit form as typed, so that a rejected form comes back with
// the person's values in it.
type circleForm struct {
	Title, Description, Location    string
	StartsAt, EndsAt, TimeZone      string // datetime-local values in TimeZone
	NotBefore, NotAfter             string // the scan window, also in TimeZone
	Prefixes, PhoneRanges, IDRanges string // one entry per line
	Cap, Mode, Status               string // Status: "open" or "closed"; empty on create
	OnSite                          string // "", "review" or "refuse" (qrcircles.OnSite)
}

// zones offered in the form; a circle's own zone is added when it is not among them.
var zones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
	"Asia/Seoul", "Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Paris", "Europe/Berlin",
	"Europe/Moscow", "Africa/Johannesburg", "America/New_York", "America/Chicago", "America/Denver",
	"America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney", "Pacific/Auckland", "UTC"}

const localLayout = "2006-01-02T15:04" // what <input type="datetime-local"> sends

type option struct {
	Value    string
	Label    qrcircles.Words
	Selected bool
}

// Zones lists the time-zone choices with the form's one selected.
func (f circleForm) Zones() []option {
	list := zones
	if f.TimeZone != "" && !slices.Contains(list, f.TimeZone) {
		list = append([]string{f.TimeZone}, list...)
	}
	out := make([]option, len(list))
	for i, z := range list {
		out[i] = option{z, templates.ZoneLabel(z), z == f.TimeZone}
	}
	return out
}

// OnSites lists the on-site choices with the form's one selected.
func (f circleForm) OnSites() []option {
	return []option{
		{"", qrcircles.Say("onsite.any"), f.OnSite == ""},
		{"review", qrcircles.Say("onsite.review"), f.OnSite == "review"},
		{"refuse", qrcircles.Say("onsite.refuse"), f.OnSite == "refuse"},
	}
}

// Modes lists the admission modes with the form's one selected.
func (f circleForm) Modes() []option {
	return []option{
		{"rules", qrcircles.Say("mode.rules"), f.Mode == "rules" || f.Mode == ""},
		{"review", qrcircles.Say("mode.review"), f.Mode == "review"},
		{"open", qrcircles.Say("mode.open"), f.Mode == "open"},
	}
}

func readForm(c *gin.Context) circleForm {
	p := c.PostForm
	return circleForm{Title: p("title"), Description: p("description"), Location: p("location"),
		StartsAt: p("starts_at"), EndsAt: p("ends_at"), TimeZone: p("time_zone"),
		NotBefore: p("not_before"), NotAfter: p("not_after"),
		Prefixes: p("phone_prefixes"), PhoneRanges: p("phone_ranges"), IDRanges: p("user_id_ranges"),
		Cap: p("member_cap"), Mode: p("mode"), Status: p("status"), OnSite: p("on_site")}
}

// formOf fills the edit form from a circle.
func formOf(c qrcircles.Circle) circleForm {
	loc := templates.Location(c.TimeZone)
	r := c.Rules
	f := circleForm{Title: c.Title, Description: c.Description, Location: c.Location, TimeZone: c.TimeZone,
		StartsAt: localValue(c.StartsAt, loc), EndsAt: localValue(c.EndsAt, loc),
		NotBefore: localValue(r.NotBefore, loc), NotAfter: localValue(r.NotAfter, loc),
		Prefixes: strings.Join(r.PhonePrefixes, "\n"), Mode: string(r.Mode), Status: "open", OnSite: string(r.OnSite)}
	var lines []string
	for _, pr := range r.PhoneRanges {
		lines = append(lines, pr.From+".."+pr.To)
	}
	f.PhoneRanges = strings.Join(lines, "\n")
	lines = nil
	for _, ir := range r.UserIDRanges {
		lines = append(lines, fmt.Sprintf("%d..%d", ir.From, ir.To))
	}
	f.IDRanges = strings.Join(lines, "\n")
	if r.Cap > 0 {
		f.Cap = strconv.Itoa(r.Cap)
	}
	if r.Closed {
		f.Status = "closed"
	}
	return f
}

// input turns the form into the service's input; every field is set, the form being whole.
func (f circleForm) input() (circles.Input, error) {
	in := circles.Input{Title: &f.Title, Description: &f.Description, Location: &f.Location, TimeZone: &f.TimeZone}
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil || f.TimeZone == "" {
		return in, qrcircles.Fail(qrcircles.EInvalid, "web.time_zone").WithField("time_zone")
	}
	times := []struct {
		name, value string
		dst         **time.Time
	}{{"starts_at", f.StartsAt, &in.StartsAt}, {"ends_at", f.EndsAt, &in.EndsAt},
		{"not_before", f.NotBefore, &in.NotBefore}, {"not_after", f.NotAfter, &in.NotAfter}}
	for _, t := range times {
		v, err := parseLocal(t.value, loc)
		if err != nil {
			return in, qrcircles.Fail(qrcircles.EInvalid, "web.bad_time", qrcircles.Say("web.time."+t.name)).WithField(t.name)
		}
		*t.dst = &v
	}
	if err := f.rules(&in); err != nil {
		return in, err
	}
	return in, nil
}

// rules parses the admission fields of the form into in.
func (f circleForm) rules(in *circles.Input) error {
	prefixes := lines(f.Prefixes)
	in.Prefixes = &prefixes
	pr, err := parsePhoneRanges(f.PhoneRanges)
	if err != nil {
		return err
	}
	in.PhoneRanges = &pr
	ir, err := parseIDRanges(f.IDRanges)
	if err != nil {
		return err
	}
	in.IDRanges = &ir
	n := 0
	if s := strings.TrimSpace(f.Cap); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 0 {
			return qrcircles.Fail(qrcircles.EInvalid, "web.member_cap").WithField("member_cap")
		}
	}
	in.Cap = &n
	mode, onSite := qrcircles.Mode(f.Mode), qrcircles.OnSite(f.OnSite)
	in.Mode, in.OnSite = &mode, &onSite
	if f.Status != "" {
		closed := f.Status == "closed"
		in.Closed = &closed
	}
	return nil
}

func parseLocal(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(localLayout, v, loc)
	if err != nil {
		t, err = time.ParseInLocation(localLayout+":05", v, loc)
	}
	return t.UTC(), err
}

func localValue(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localLayout)
}

// lines returns the non-blank lines of s, trimmed.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// splitRange reads "from..to" or "from-to"; a line with one value is a range of one.
func splitRange(line string) (string, string, bool) {
	if from, to, ok := strings.Cut(line, ".."); ok {
		return strings.TrimSpace(from), strings.TrimSpace(to), true
	}
	if strings.Count(line, "-") == 1 {
		from, to, _ := strings.Cut(line, "-")
		return strings.TrimSpace(from), strings.TrimSpace(to), true
	}
	return line, line, !strings.Contains(line, "-")
}

func parsePhoneRanges(s string) ([]qrcircles.PhoneRange, error) {
	out := []qrcircles.PhoneRange{}
	for i, l := range lines(s) {
		from, to, ok := splitRange(l)
		if !ok {
			return nil, qrcircles.Fail(qrcircles.EInvalid, "web.phone_range", i+1).WithField("phone_ranges")
		}
		out = append(out, qrcircles.PhoneRange{From: strings.ReplaceAll(from, " ", ""), To: strings.ReplaceAll(to, " ", "")})
	}
	return out, nil
}

func parseIDRanges(s string) ([]qrcircles.IDRange, error) {
	out := []qrcircles.IDRange{}
	for i, l := range lines(s) {
		from, to, ok := splitRange(l)
		a, errA := strconv.ParseInt(from, 10, 64)
		b, errB := strconv.ParseInt(to, 10, 64)
		if !ok || errA != nil || errB != nil {
			return nil, qrcircles.Fail(qrcircles.EInvalid, "web.id_range", i+1).WithField("user_id_ranges")
		}
		out = append(out, qrcircles.IDRange{From: a, To: b})
	}
	return out, nil
}

// ruleFields are the rule fields whose messages (from the admission rules) do not say which
// field they are about.
var ruleFields = []string{"phone_prefixes", "phone_ranges", "user_id_ranges", "not_after", "cap", "mode", "on_site"}

// labeled prefixes a rule error's message with the form field it is about.
func labeled(err error) error { return labelField(err, ruleFields) }

// labelField prefixes the message of an error about a field with the field's label
// ("web.field.<name>"), the first of fields that the error's field starts with.
func labelField(err error, fields []string) error {
	pe, ok := qrcircles.ErrorOf(err)
	var text *qrcircles.TextError
	if !ok || pe.Field == "" || errors.As(err, &text) || strings.HasPrefix(pe.Words.Key, "web.") {
		return err // the text rule's messages and the pages' own name their field
	}
	for _, f := range fields {
		if strings.HasPrefix(pe.Field, f) {
			out := qrcircles.Fail(pe.Code, "web.labeled", qrcircles.Say("web.field."+f), templates.ErrorWords(pe)).WithField(pe.Field)
			out.Err = pe.Err
			return out
		}
	}
	return err
}

// when shows an instant in the circle's zone, naming the zone.
func when(t time.Time, zone string) qrcircles.Words { return templates.At(t, zone) }

// eventTime shows the event's start and end in its zone, the zone named once.
func eventTime(c qrcircles.Circle) qrcircles.Words {
	return templates.Between(c.StartsAt, c.EndsAt, c.TimeZone)
}
