package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/templates"
)

// AccountStore is what taking one's data out and deleting one's account need of the database.
type AccountStore interface {
	Exclusions(ctx context.Context, userID int64) ([]qrcircles.Exclusion, error)
	Conversations(ctx context.Context, userID, beforeID int64, limit int) ([]qrcircles.Conversation, error)
	Messages(ctx context.Context, a, b, beforeID int64, limit int) ([]qrcircles.Message, error)
	Consents(ctx context.Context, userID int64) ([]qrcircles.Consent, error)
	DeleteAccount(ctx context.Context, userID int64, now time.Time) error
	AddAudit(ctx context.Context, e qrcircles.AuditEntry) error
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	Card(ctx context.Context, userID int64) (qrcircles.Card, error)
	CardSettings(ctx context.Context, userID int64) (qrcircles.CardSettings, error)
	PrivacyOf(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	Mutes(ctx context.Context, userID int64) ([]qrcircles.CircleMute, error)
	ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error)
	CardRequestsOf(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error)
}

func (w *Web) mountAccount(e *gin.Engine) {
	e.GET("/account/export.json", w.exportJSON)
	e.GET("/account/export.vcf", w.exportVCard)
	e.POST("/account/delete", w.deleteAccount)
}

// accountExport is everything the server keeps about a person, as they download it.
type accountExport struct {
	User struct {
		ID          int64     `json:"id"`
		Phone       string    `json:"phone"`
		DisplayName string    `json:"display_name"`
		CreatedAt   time.Time `json:"created_at"`
	} `json:"user"`
	Card         cards.Card              `json:"card"`
	Visibility   cards.Settings          `json:"visibility"`
	Privacy      qrcircles.UserPrivacy   `json:"privacy"`
	Organized    []exportCircle          `json:"circles_organized"`
	Joined       []exportCircle          `json:"circles_joined"`
	Waiting      []qrcircles.JoinRequest `json:"requests_waiting"`
	Contacts     []int64                 `json:"contacts"`
	CardRequests []qrcircles.CardRequest `json:"card_requests"`
	Messages     []qrcircles.Message     `json:"messages"`
	Exclusions   []qrcircles.Exclusion   `json:"exclusions"`
	Mutes        []qrcircles.CircleMute  `json:"mutes"`
	Consents     []qrcircles.Consent     `json:"consents"`
	ExportedAt   time.Time               `json:"exported_at"`
}

type exportCircle struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

func exportCircles(cs []qrcircles.Circle) []exportCircle {
	out := make([]exportCircle, len(cs))
	for i, c := range cs {
		out[i] = exportCircle{c.ID, c.Title}
	}
	return out
}

func (w *Web) exportJSON(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	x, err := w.collectExport(c.Request.Context(), u)
	if err != nil {
		w.fail(c, err)
		return
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		w.fail(c, err)
		return
	}
	download(c, "qrcircles-"+strconv.FormatInt(u.ID, 10)+".json")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// collectExport gathers the person's data; each step reads one kind of row.
func (w *Web) collectExport(ctx context.Context, u qrcircles.User) (accountExport, error) {
	x := accountExport{ExportedAt: w.now()}
	x.User.ID, x.User.Phone, x.User.DisplayName, x.User.CreatedAt = u.ID, u.Phone, u.DisplayName, u.CreatedAt
	steps := []func() error{
		func() error {
			mine, err := w.Circles.MyCircles(ctx, u.ID)
			x.Organized, x.Joined, x.Waiting = exportCircles(mine.Owned), exportCircles(mine.Joined), mine.Waiting
			return err
		},
		func() (err error) { x.Card, err = w.Account.Card(ctx, u.ID); return qrcircles.IgnoreNotFound(err) },
		func() (err error) {
			x.Visibility, err = w.Account.CardSettings(ctx, u.ID)
			return qrcircles.IgnoreNotFound(err)
		},
		func() (err error) {
			x.Privacy, err = w.Account.PrivacyOf(ctx, u.ID)
			return qrcircles.IgnoreNotFound(err)
		},
		func() error { return w.exportContacts(ctx, u.ID, &x) },
		func() error { return w.exportMessages(ctx, u.ID, &x) },
		func() (err error) { x.Exclusions, err = w.Account.Exclusions(ctx, u.ID); return err },
		func() (err error) { x.Mutes, err = w.Account.Mutes(ctx, u.ID); return err },
		func() (err error) { x.Consents, err = w.Account.Consents(ctx, u.ID); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return x, err
		}
	}
	return x, nil
}

func (w *Web) exportContacts(ctx context.Context, userID int64, x *accountExport) error {
	ids, err := w.Account.ContactIDs(ctx, userID)
	if err != nil {
		return err
	}
	for id := range ids {
		x.Contacts = append(x.Contacts, id)
	}
	in, out, err := w.Account.CardRequestsOf(ctx, userID, "")
	x.CardRequests = append(in, out...)
	return err
}

// exportPage is how many rows one read of a conversation takes.
const exportPage = 500

func (w *Web) exportMessages(ctx context.Context, userID int64, x *accountExport) error {
	var before int64
	for {
		convs, err := w.Account.Conversations(ctx, userID, before, exportPage)
		if err != nil {
			return err
		}
		for _, cv := range convs {
			if err := w.exportConversation(ctx, userID, cv.With, x); err != nil {
				return err
			}
			before = cv.Last.ID
		}
		if len(convs) < exportPage {
			return nil
		}
	}
}

func (w *Web) exportConversation(ctx context.Context, userID, with int64, x *accountExport) error {
	var before int64
	for {
		ms, err := w.Account.Messages(ctx, userID, with, before, exportPage)
		if err != nil {
			return err
		}
		x.Messages = append(x.Messages, ms...)
		if len(ms) < exportPage {
			return nil
		}
		before = ms[len(ms)-1].ID
	}
}

// exportVCard is the person's own card, whole, as a vCard.
func (w *Web) exportVCard(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	card, err := w.Account.Card(c.Request.Context(), u.ID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound { // no card yet: their name and phone are still theirs
		card, err = cards.Card{DisplayName: u.DisplayName, Phones: []string{u.Phone}}, nil
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	download(c, "qrcircles-"+strconv.FormatInt(u.ID, 10)+".vcf")
	c.Header("Content-Type", cards.MediaType)
	c.Status(http.StatusOK)
	if err := cards.WriteVCards(c.Writer, cards.V4, []cards.Entry{{UserID: u.ID, Card: card}}); err != nil {
		c.Error(err)
	}
}

func download(c *gin.Context, name string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
}

// deleteAccount deletes the signed-in person's account once they confirmed it on /account.
func (w *Web) deleteAccount(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	if !w.Auth.CheckCSRF(c) {
		w.renderError(c, "message", qrcircles.Say("account.title"), errExpiredForm, nil)
		return
	}
	if c.PostForm("confirm") != "yes" {
		w.renderError(c, "message", qrcircles.Say("account.title"), errConfirmDelete, nil)
		return
	}
	if err := w.DeleteAccount(c, u.ID); err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, http.StatusOK, "account_deleted", qrcircles.Say("title.account_deleted"), templates.Page{})
}

// DeleteAccount deletes the person's account and records it, in one transaction: every row
// that holds them goes (qrcircles.DeleteAccount), their tokens and sessions with it, and the
// circles they were in are told they left. A feature that keeps more about a person extends
// qrcircles.DeleteAccount, not this.
func (w *Web) DeleteAccount(c *gin.Context, userID int64) error {
	ctx := c.Request.Context()
	err := w.Account.InTx(ctx, func(ctx context.Context) error {
		if err := w.Account.DeleteAccount(ctx, userID, w.now()); err != nil {
			return err
		}
		id := strconv.FormatInt(userID, 10)
		return w.Account.AddAudit(ctx, qrcircles.NewAuditEntry(w.now(), qrcircles.AuditAccountDelete, userID, "user:"+id, "", nil))
	})
	if err == nil && w.Circles.Events != nil {
		w.Circles.Events.Notify() // the circles they left drop them live
	}
	return err
}

var (
	errConfirmDelete = qrcircles.Fail(qrcircles.EInvalid, "web.confirm_delete").WithField("confirm")
)
