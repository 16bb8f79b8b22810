package qrcircles

import "testing"

func TestCardParseFields(t *testing.T) {
	tests := []struct {
		in   []string
		want FieldSet
		bad  bool
	}{
		{nil, FieldSet(FieldDisplayName), false},
		{[]string{"all"}, FieldsAll, false},
		{[]string{"basic"}, FieldsBasic, false},
		{[]string{"phones", "avatar"}, FieldSet(FieldDisplayName | FieldPhones | FieldAvatar), false},
		{[]string{"salary"}, FieldsNone, true},
	}
	for _, tt := range tests {
		got, err := ParseFields(tt.in, "default")
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseFields(%v) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if err != nil {
			if pe := err.(*Error); pe.Field != "default" {
				t.Errorf("field %q", pe.Field)
			}
			continue
		}
		back, err := ParseStoredFields(got.String())
		if err != nil || back != got {
			t.Errorf("stored form %q reads back as %v, %v", got.String(), back, err)
		}
	}
}
