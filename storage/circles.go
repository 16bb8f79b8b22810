package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"qrcircles"
)

// identityRules is how the identity ranges are kept in one column.
type identityRules struct {
	Prefixes     []string               `json:"prefixes,omitempty"`
	PhoneRanges  []qrcircles.PhoneRange `json:"phone_ranges,omitempty"`
	UserIDRanges []qrcircles.IDRange    `json:"user_id_ranges,omitempty"`
}

type circleRow struct { // json: as PostgreSQL's row_to_json writes it (join_guessed)
	ID            int64      `gorm:"primaryKey" json:"id"`
	Code          string     `json:"code"`
	OwnerID       int64      `json:"owner_id"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Location      string     `json:"location"`
	StartsAt      *time.Time `json:"starts_at"`
	EndsAt        *time.Time `json:"ends_at"`
	TimeZone      string     `json:"time_zone"`
	NotBefore     *time.Time `json:"not_before"`
	NotAfter      *time.Time `json:"not_after"`
	IdentityRules string     `json:"identity_rules"`
	AllowlistSize int        `json:"allowlist_size"`
	MemberCap     int        `json:"member_cap"`
	Mode          string     `json:"mode"`
	Closed        bool       `json:"closed"`
	OnSite        string     `json:"on_site"`
	RulesVersion  int64      `json:"rules_version"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func (circleRow) TableName() string { return "circles" }

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fromOpt(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toCircleRow(c *Circle) (circleRow, error) {
	ids, err := json.Marshal(identityRules{c.Rules.PhonePrefixes, c.Rules.PhoneRanges, c.Rules.UserIDRanges})
	if err != nil {
		return circleRow{}, err
	}
	return circleRow{
		ID: c.ID, Code: c.Code, OwnerID: c.OwnerID, Title: c.Title, Description: c.Description, Location: c.Location,
		StartsAt: optTime(c.StartsAt), EndsAt: optTime(c.EndsAt), TimeZone: c.TimeZone,
		NotBefore: optTime(c.Rules.NotBefore), NotAfter: optTime(c.Rules.NotAfter), IdentityRules: string(ids),
		AllowlistSize: c.AllowlistSize, MemberCap: c.Rules.Cap, Mode: string(c.Rules.Mode), Closed: c.Rules.Closed,
		OnSite: string(c.Rules.OnSite), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}, nil
}

func (r circleRow) circle() (Circle, error) {
	var ids identityRules
	if err := json.Unmarshal([]byte(r.IdentityRules), &ids); err != nil {
		return Circle{}, fmt.Errorf("circle %d identity rules: %w", r.ID, err)
	}
	return Circle{
		ID: r.ID, Code: r.Code, OwnerID: r.OwnerID, Title: r.Title, Description: r.Description, Location: r.Location,
		StartsAt: fromOpt(r.StartsAt), EndsAt: fromOpt(r.EndsAt), TimeZone: r.TimeZone, AllowlistSize: r.AllowlistSize,
		RulesVersion: r.RulesVersion,
		Rules: qrcircles.Rules{
			NotBefore: fromOpt(r.NotBefore), NotAfter: fromOpt(r.NotAfter),
			PhonePrefixes: ids.Prefixes, PhoneRanges: ids.PhoneRanges, UserIDRanges: ids.UserIDRanges,
			Cap: r.MemberCap, Mode: qrcircles.Mode(r.Mode), Closed: r.Closed, OnSite: qrcircles.OnSite(r.OnSite),
		},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}, nil
}

// CreateCircle stores a new circle with its allowlist and sets its ID.
func (db *DB) CreateCircle(ctx context.Context, c *Circle, allowlist []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c.AllowlistSize = len(allowlist)
		row, err := toCircleRow(c)
		if err != nil {
			return err
		}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("circle code: %w", ErrConflict)
			}
			return fmt.Errorf("creating circle: %w", err)
		}
		c.ID = row.ID
		if err := db.conn(ctx).Exec(`INSERT INTO circle_codes (code, circle_id) VALUES (?, ?)`, c.Code, c.ID).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("circle code: %w", ErrConflict)
			}
			return fmt.Errorf("creating circle: %w", err)
		}
		if err := db.fitCircleSeats(ctx, c.ID); err != nil {
			return err
		}
		return db.insertAllowlist(ctx, c.ID, allowlist)
	})
}

type allowlistRow struct {
	CircleID int64  `gorm:"primaryKey"`
	Phone    string `gorm:"primaryKey"`
}

func (allowlistRow) TableName() string { return "circle_allowlist" }

func (db *DB) insertAllowlist(ctx context.Context, circleID int64, phones []string) error {
	if len(phones) == 0 {
		return nil
	}
	rows := make([]allowlistRow, len(phones))
	for i, p := range phones {
		rows[i] = allowlistRow{circleID, p}
	}
	err := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500).Error
	if err != nil {
		return fmt.Errorf("storing allowlist: %w", err)
	}
	return nil
}

// Circle returns the circle with the ID.
func (db *DB) Circle(ctx context.Context, id int64) (Circle, error) {
	return db.circleWhere(ctx, "id = ?", id)
}

// CircleByCode returns the circle whose QR code holds code: the code's row names the
// circle, which is then read by its key (docs/scaling.md: the codes are on every node, each
// circle on one).
func (db *DB) CircleByCode(ctx context.Context, code string) (Circle, error) {
	if unstorable(code) {
		return Circle{}, fmt.Errorf("circle: %w", ErrNotFound)
	}
	var ids []int64
	if err := db.conn(ctx).Raw(`SELECT circle_id FROM circle_codes WHERE code = ?`, code).Scan(&ids).Error; err != nil {
		return Circle{}, fmt.Errorf("circle code: %w", err)
	}
	if len(ids) == 0 {
		return Circle{}, fmt.Errorf("circle: %w", ErrNotFound)
	}
	return db.Circle(ctx, ids[0])
}

// unstorable reports a key no row can hold: text PostgreSQL refuses (a NUL, invalid UTF-8).
// A lookup by it finds nothing, without an error from the database.
func unstorable(key string) bool {
	return !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0
}

func (db *DB) circleWhere(ctx context.Context, where string, arg any) (Circle, error) {
	var row circleRow
	err := db.conn(ctx).Where(where, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Circle{}, fmt.Errorf("circle: %w", ErrNotFound)
	}
	if err != nil {
		return Circle{}, fmt.Errorf("circle: %w", err)
	}
	return row.circle()
}

// CirclesOwnedBy lists the circles a user organizes, newest first.
func (db *DB) CirclesOwnedBy(ctx context.Context, userID int64) ([]Circle, error) {
	var rows []circleRow
	if err := db.conn(ctx).Where("owner_id = ?", userID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing circles: %w", err)
	}
	return toCircles(rows)
}

// CirclesJoinedBy lists the circles a user is a member of.
func (db *DB) CirclesJoinedBy(ctx context.Context, userID int64) ([]Circle, error) {
	var rows []circleRow
	err := db.conn(ctx).Joins("JOIN memberships m ON m.circle_id = circles.id AND m.user_id = ?", userID).
		Order("m.joined_at DESC").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("listing joined circles: %w", err)
	}
	return toCircles(rows)
}

func toCircles(rows []circleRow) ([]Circle, error) {
	out := make([]Circle, 0, len(rows))
	for _, r := range rows {
		c, err := r.circle()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Allowlisted reports whether phone is on the circle's allowlist.
func (db *DB) Allowlisted(ctx context.Context, circleID int64, phone string) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&allowlistRow{}).Where("circle_id = ? AND phone = ?", circleID, phone).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("allowlist: %w", err)
	}
	return n > 0, nil
}

// Allowlist returns the circle's allowlist.
func (db *DB) Allowlist(ctx context.Context, circleID int64) ([]string, error) {
	var phones []string
	err := db.conn(ctx).Model(&allowlistRow{}).Where("circle_id = ?", circleID).Order("phone").Pluck("phone", &phones).Error
	if err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	return phones, nil
}

// UpdateCircle saves a circle's fields and rules; with a non-nil allowlist it also replaces
// the allowlist. Before fn runs, the circle row is locked, so no join runs against old rules
// while the change commits; fn (may be nil) runs in the same transaction, after the save.
func (db *DB) UpdateCircle(ctx context.Context, c *Circle, allowlist []string, fn func(ctx context.Context) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.lockCircle(ctx, c.ID, true); err != nil {
			return err
		}
		if allowlist != nil {
			if err := db.conn(ctx).Where("circle_id = ?", c.ID).Delete(&allowlistRow{}).Error; err != nil {
				return fmt.Errorf("replacing allowlist: %w", err)
			}
			if err := db.insertAllowlist(ctx, c.ID, allowlist); err != nil {
				return err
			}
			c.AllowlistSize = len(allowlist)
		}
		row, err := toCircleRow(c)
		if err != nil {
			return err
		}
		if err := db.conn(ctx).Select("*").Omit("id", "code", "owner_id", "rules_version", "created_at").Save(&row).Error; err != nil {
			return fmt.Errorf("updating circle: %w", err)
		}
		err = db.conn(ctx).Raw("UPDATE circles SET rules_version = rules_version + 1 WHERE id = ? RETURNING rules_version", c.ID).
			Row().Scan(&c.RulesVersion)
		if err != nil {
			return wrapErr("updating circle", err)
		}
		if err := db.fitCircleSeats(ctx, c.ID); err != nil {
			return err
		}
		if fn != nil {
			return fn(ctx)
		}
		return nil
	})
}

// lockCircle locks the circle's row for the transaction and returns the circle as it is
// now. Exclusive locks serialize the joins of a capped circle and every rule change; shared
// (key-share) locks let the joins of an uncapped circle run side by side while still waiting
// for a rule change to commit.
func (db *DB) lockCircle(ctx context.Context, id int64, exclusive bool) (Circle, error) {
	return db.lockCircleAnd(ctx, id, exclusive, "")
}

// lockCircleAnd is lockCircle that also takes a shared advisory lock on name (if any) in the
// same round trip.
func (db *DB) lockCircleAnd(ctx context.Context, id int64, exclusive bool, name string) (Circle, error) {
	q := db.conn(ctx).Model(&circleRow{})
	if db.dialect == Postgres {
		strength := "KEY SHARE"
		if exclusive {
			strength = "UPDATE"
		}
		q = q.Clauses(clause.Locking{Strength: strength})
		if name != "" {
			q = q.Select("circles.*, pg_advisory_xact_lock_shared(?) IS NULL AS locked", advisoryKey(name))
		}
	}
	var row circleRow
	err := q.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Circle{}, fmt.Errorf("circle: %w", ErrNotFound)
	}
	if err != nil {
		return Circle{}, fmt.Errorf("locking circle: %w", err)
	}
	return row.circle()
}

// lockKey takes a transaction-scoped PostgreSQL advisory lock on a name; SQLite needs none,
// its transactions already run one at a time.
func (db *DB) lockKey(ctx context.Context, name string, shared bool) error {
	if db.dialect != Postgres {
		return nil
	}
	fn := "pg_advisory_xact_lock"
	if shared {
		fn = "pg_advisory_xact_lock_shared"
	}
	if err := db.conn(ctx).Exec("SELECT "+fn+"(?)", advisoryKey(name)).Error; err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	return nil
}

func advisoryKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

func phoneLockKey(phone string) string { return "phone:" + phone }

func parseReasons(s string) []qrcircles.Reason {
	var out []qrcircles.Reason
	for _, f := range strings.Fields(s) {
		out = append(out, qrcircles.Reason(f))
	}
	return out
}
