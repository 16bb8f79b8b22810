package authz

import "testing"

func TestWithRegion(t *testing.T) {
	for _, c := range []struct{ raw, region, want string }{
		{"415 555 0100", "US", "+14155550100"},
		{"07911 123456", "GB", "+447911123456"},
		{"138 0013 8000", "CN", "+8613800138000"},
		{"+8613800138000", "US", "+8613800138000"},
		{"0086 138 0013 8000", "US", "0086 138 0013 8000"},
		{"138 0013 8000", "", "138 0013 8000"},
		{"138 0013 8000", "XX", "138 0013 8000"},
	} {
		got, err := withRegion(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("withRegion(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
	if _, err := withRegion("12", "CN"); err == nil {
		t.Error("a too-short number should be refused")
	}
}
