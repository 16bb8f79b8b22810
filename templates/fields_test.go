package templates

import (
	"testing"

	"qrcircles"
)

func TestFieldList(t *testing.T) {
	for _, c := range []struct {
		names  []string
		en, zh string
	}{
		{nil, "", ""},
		{[]string{"display_name"}, "name", "姓名"},
		{[]string{"display_name", "phones"}, "name and phone", "姓名和电话"},
		{[]string{"display_name", "company", "phones", "avatar"}, "name, company, phone and photo", "姓名、公司、电话和头像"},
	} {
		if got := FieldList(English, c.names); got != c.en {
			t.Errorf("FieldList(en, %v) = %q, want %q", c.names, got, c.en)
		}
		if got := FieldList(Chinese, c.names); got != c.zh {
			t.Errorf("FieldList(zh, %v) = %q, want %q", c.names, got, c.zh)
		}
	}
	for _, name := range qrcircles.FieldsAll.Names() {
		if _, ok := catalog["fields."+name]; !ok {
			t.Errorf("the field %s has no name in sentences", name)
		}
	}
}
