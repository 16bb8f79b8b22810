package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestIdentityRangesKeepLoading: ranges were stored as {"From":…,"To":…} before their JSON
// keys were lower case; such rows must load as they did, and a saved circle is written with
// the new keys.
func TestIdentityRangesKeepLoading(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now()
		u, _, err := db.EnsureUser(ctx, "+8613900000001", now)
		if err != nil {
			t.Fatal(err)
		}
		c := storage.Circle{Code: "rangesold", OwnerID: u.ID, Title: "ranges", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now,
			Rules: qrcircles.Rules{
				PhoneRanges:  []qrcircles.PhoneRange{{From: "+8613800000000", To: "+8613899999999"}},
				UserIDRanges: []qrcircles.IDRange{{From: 1, To: 1000}},
			}}
		if err := db.CreateCircle(ctx, &c, nil); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.Gorm().Raw(`SELECT identity_rules FROM circles WHERE id = ?`, c.ID).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stored, `"from":"+8613800000000"`) || !strings.Contains(stored, `"to":1000`) {
			t.Fatalf("stored with old keys: %s", stored)
		}

		old := `{"prefixes":["+65"],"phone_ranges":[{"From":"+8613700000000","To":"+8613700000099"}],"user_id_ranges":[{"From":5,"To":9}]}`
		if err := db.Gorm().Exec(`UPDATE circles SET identity_rules = ? WHERE id = ?`, old, c.ID).Error; err != nil {
			t.Fatal(err)
		}
		got, err := db.Circle(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantPhones := []qrcircles.PhoneRange{{From: "+8613700000000", To: "+8613700000099"}}
		wantIDs := []qrcircles.IDRange{{From: 5, To: 9}}
		if !slices.Equal(got.Rules.PhoneRanges, wantPhones) || !slices.Equal(got.Rules.UserIDRanges, wantIDs) ||
			!slices.Equal(got.Rules.PhonePrefixes, []string{"+65"}) {
			t.Fatalf("old row loaded as %+v", got.Rules)
		}
	})
}
