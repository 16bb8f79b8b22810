package templates

// Region is a choice of the phone number's country or region on the sign-in page.
type Region struct {
	Code string // ISO 3166 letters, as phone.Normalize takes them
	Dial string // the country calling code, without +
	Name string // in the page's language
}

var regions = []struct {
	code, dial, en, zh string
}{
	{"CN", "86", "China mainland", "中国大陆"},
	{"HK", "852", "Hong Kong (China)", "中国香港"},
	{"MO", "853", "Macao (China)", "中国澳门"},
	{"TW", "886", "Taiwan (China)", "中国台湾"},
	{"SG", "65", "Singapore", "新加坡"},
	{"MY", "60", "Malaysia", "马来西亚"},
	{"JP", "81", "Japan", "日本"},
	{"KR", "82", "South Korea", "韩国"},
	{"US", "1", "United States", "美国"},
	{"CA", "1", "Canada", "加拿大"},
	{"GB", "44", "United Kingdom", "英国"},
	{"DE", "49", "Germany", "德国"},
	{"FR", "33", "France", "法国"},
	{"AU", "61", "Australia", "澳大利亚"},
	{"IN", "91", "India", "印度"},
}

// Regions lists the choices of the phone's country or region in lang.
func Regions(lang string) []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		name := r.en
		if lang == Chinese {
			name = r.zh
		}
		out[i] = Region{r.code, r.dial, name}
	}
	return out
}

// KnownRegion reports whether code is one of the choices.
func KnownRegion(code string) bool {
	for _, r := range regions {
		if r.code == code {
			return true
		}
	}
	return false
}
