package templates

import (
	"fmt"
	"time"

	"qrcircles"
)

// The times a page shows: always in the event's own time zone, named once, the way its reader
// writes dates: "Fri 1 May 2026 19:30" or "2026年5月1日 周五 19:30".

// At is the instant t in zone (an IANA name), to show on a page; nothing for a zero time.
func At(t time.Time, zone string) qrcircles.Words {
	if t.IsZero() {
		return qrcircles.Words{}
	}
	return Verbatim(span{from: t, zone: zone})
}

// Between is the range from–to in zone, the zone named once; either end may be zero.
func Between(from, to time.Time, zone string) qrcircles.Words {
	switch {
	case from.IsZero():
		return At(to, zone)
	case to.IsZero():
		return At(from, zone)
	}
	return Verbatim(span{from: from, to: to, zone: zone})
}

// Clock is the instant t in zone without the zone's name: for a page of many times that names
// their zone once; nothing for a zero time.
func Clock(t time.Time, zone string) qrcircles.Words {
	if t.IsZero() {
		return qrcircles.Words{}
	}
	return Verbatim(span{from: t, zone: zone, bare: true})
}

// span is one instant (to zero) or a range, in a zone; it writes itself in a language.
type span struct {
	from, to time.Time
	zone     string
	bare     bool // without the zone's name
}

// String is the span in English, for the logs.
func (s span) String() string { return s.In(English) }

func (s span) In(lang string) string {
	loc := Location(s.zone)
	from := s.from.In(loc)
	out := day(lang, from) + " " + from.Format("15:04")
	if !s.to.IsZero() {
		to := s.to.In(loc)
		if to.YearDay() == from.YearDay() && to.Year() == from.Year() {
			out += "–" + to.Format("15:04")
		} else {
			out += " – " + day(lang, to) + " " + to.Format("15:04")
		}
	}
	if s.bare {
		return out
	}
	return out + " (" + ZoneName(lang, s.zone, from) + ")"
}

var weekdaysZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// day is the date of t: "Fri 1 May 2026" or "2026年5月1日 周五".
func day(lang string, t time.Time) string {
	if lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()])
	}
	return t.Format("Mon 2 Jan 2006")
}

// zonesZH names the common zones in Chinese, after the city people know them by.
var zonesZH = map[string]string{
	"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Urumqi": "乌鲁木齐时间",
	"Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间",
	"Asia/Tokyo": "东京时间", "Asia/Seoul": "首尔时间", "Asia/Singapore": "新加坡时间",
	"Asia/Kuala_Lumpur": "吉隆坡时间", "Asia/Bangkok": "曼谷时间", "Asia/Jakarta": "雅加达时间",
	"Asia/Kolkata": "印度时间", "Asia/Dubai": "迪拜时间", "Europe/London": "伦敦时间",
	"Europe/Paris": "巴黎时间", "Europe/Berlin": "柏林时间", "Europe/Moscow": "莫斯科时间",
	"Africa/Johannesburg": "约翰内斯堡时间", "America/New_York": "纽约时间",
	"America/Chicago": "芝加哥时间", "America/Denver": "丹佛时间", "America/Los_Angeles": "洛杉矶时间",
	"America/Sao_Paulo": "圣保罗时间", "Australia/Sydney": "悉尼时间", "Pacific/Auckland": "奥克兰时间",
	"UTC": "协调世界时",
}

// ZoneName names zone for a reader of lang at the instant t: English readers get the IANA name;
// Chinese readers the city's time ("北京时间"), or the offset from UTC ("UTC+05:30") for a zone
// without a Chinese name.
func ZoneName(lang, zone string, t time.Time) string {
	if _, err := time.LoadLocation(zone); err != nil || zone == "" {
		zone = "UTC" // the times were shown in UTC
	}
	if lang != Chinese {
		return zone
	}
	if zh, ok := zonesZH[zone]; ok {
		return zh
	}
	_, offset := t.In(Location(zone)).Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, offset/3600, offset/60%60)
}

// Location is the zone of that name, UTC when this machine does not know it.
func Location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

// ZoneLabel names zone as a choice of a form, in the reader's language (see ZoneName).
func ZoneLabel(zone string) qrcircles.Words { return Verbatim(zoneLabel(zone)) }

type zoneLabel string

func (z zoneLabel) In(lang string) string { return ZoneName(lang, string(z), time.Now()) }
func (z zoneLabel) String() string        { return string(z) }
