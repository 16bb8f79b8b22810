package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/templates"
)

// The settings page: every privacy choice of a person on one page, each changed by a small
// form of its own that comes back to the page with "Saved".

func (w *Web) mountSettings(e *gin.Engine) {
	e.GET("/settings", w.settings)
	e.POST("/settings/visibility", w.defaultVisibilitySubmit)
	e.POST("/settings/circles/:id/visibility", w.circleVisibilitySubmit)
	e.POST("/settings/circles/:id/mute", w.muteSubmit)
	e.POST("/settings/privacy", w.privacySubmit)
	e.POST("/settings/exclusions", w.exclusionAdd)
	e.POST("/settings/exclusions/:xid/delete", w.exclusionDelete)
}

type settingsData struct {
	Default    visibilityChoice
	Circles    []circleSettings
	Toggles    []toggle
	Exclusions []exclusionView
	Phone      string // the exclusion phone as typed, kept after an error
	Requests   int    // how many card requests wait, on their own page
}

// toggle is one yes/no setting, turned on and off by privacySubmit.
type toggle struct {
	Setting     string
	Label, Help qrcircles.Words
	On          bool
}

// visibilityChoice is what a card shows somewhere: Mode is all, basic, custom, or default
// (a circle that follows the default); Fields are the custom choice's boxes.
type visibilityChoice struct {
	Mode   string
	Fields []fieldBox
}

type fieldBox struct {
	Name           string
	Label          qrcircles.Words
	Checked, Fixed bool // Fixed: the name, always shown
}

type circleSettings struct {
	ID         int64
	Title      string
	Visibility visibilityChoice
	Muted      bool
}

type exclusionView struct {
	ID           int64
	Phone, Since string
}

func choiceOf(fs cards.FieldSet, followsDefault bool) visibilityChoice {
	v := visibilityChoice{Mode: "custom"}
	switch {
	case followsDefault:
		v.Mode = "default"
	case fs == cards.All:
		v.Mode = "all"
	case fs == cards.Basic:
		v.Mode = "basic"
	}
	shown := fs.Names()
	for _, name := range cards.All.Names() {
		v.Fields = append(v.Fields, fieldBox{Name: name, Label: qrcircles.Say("web.field." + name), Checked: slices.Contains(shown, name), Fixed: name == "display_name"})
	}
	return v
}

// readVisibility reads a visibility form; nil is "follow the default", allowed for circles.
func readVisibility(c *gin.Context, allowDefault bool) (*cards.FieldSet, error) {
	var fs cards.FieldSet
	var err error
	switch c.PostForm("mode") {
	case "all":
		fs = cards.All
	case "basic":
		fs = cards.Basic
	case "custom":
		fs, err = qrcircles.ParseFields(c.PostFormArray("fields"), "fields")
	case "default":
		if allowDefault {
			return nil, nil
		}
		fallthrough
	default:
		err = qrcircles.Fail(qrcircles.EInvalid, "web.choose_shows").WithField("mode")
	}
	return &fs, err
}

var settingsTitle = qrcircles.Say("title.settings")

func (w *Web) settings(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	w.renderSettings(c, u, settingsData{}, nil)
}

// renderSettings shows the page with the stored settings, the values kept in d (a notice,
// a phone as typed) and err, if any, above it.
func (w *Web) renderSettings(c *gin.Context, u qrcircles.User, d settingsData, err error) {
	if lerr := w.loadSettings(c.Request.Context(), u.ID, &d); lerr != nil {
		w.fail(c, lerr)
		return
	}
	p, status := templates.Page{Data: d}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "settings page", err)
	}
	w.render(c, status, "settings", settingsTitle, p)
}

func (w *Web) loadSettings(ctx context.Context, userID int64, d *settingsData) error {
	s, err := w.Cards.Settings(ctx, userID)
	if err != nil {
		return err
	}
	d.Default = choiceOf(s.Default, false)
	if d.Circles, err = w.circleSettings(ctx, userID, s); err != nil {
		return err
	}
	p, err := w.Settings.Privacy(ctx, userID)
	if err != nil {
		return err
	}
	refuseAll, err := w.Settings.RefusesAllCircles(ctx, userID)
	if err != nil {
		return err
	}
	d.Toggles = toggles(p, refuseAll)
	if d.Exclusions, err = w.exclusions(ctx, userID); err != nil {
		return err
	}
	in, err := w.incomingCardRequests(ctx, userID, nil)
	d.Requests = len(in)
	return err
}

func toggles(p qrcircles.UserPrivacy, refuseAll bool) []toggle {
	return []toggle{
		privacyToggle("refuse_cards", p.RefuseStrangerCards),
		privacyToggle("block_messages", p.BlockStrangerMessages),
		privacyToggle("refuse_all", refuseAll),
	}
}

// privacyToggle is the setting's switch, named and explained by "privacy.<setting>".
func privacyToggle(setting string, on bool) toggle {
	return toggle{setting, qrcircles.Say("privacy." + setting), qrcircles.Say("privacy." + setting + "_note"), on}
}

// circleSettings lists the circles the person joined with what each shows and whether it
// is muted.
func (w *Web) circleSettings(ctx context.Context, userID int64, s cards.Settings) ([]circleSettings, error) {
	mine, err := w.Circles.MyCircles(ctx, userID)
	if err != nil {
		return nil, err
	}
	mutes, err := w.Messages.Mutes(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]circleSettings, len(mine.Joined))
	for i, circle := range mine.Joined {
		_, chosen := s.Circles[circle.ID]
		muted := slices.ContainsFunc(mutes, func(m qrcircles.CircleMute) bool { return m.CircleID == circle.ID })
		out[i] = circleSettings{ID: circle.ID, Title: circle.Title, Visibility: choiceOf(s.ForCircle(circle.ID), !chosen), Muted: muted}
	}
	return out, nil
}

func (w *Web) exclusions(ctx context.Context, userID int64) ([]exclusionView, error) {
	xs, err := w.Circles.Exclusions(ctx, userID)
	out := make([]exclusionView, len(xs))
	for i, x := range xs {
		out[i] = exclusionView{ID: x.ID, Phone: x.OtherPhone, Since: x.CreatedAt.UTC().Format("2006-01-02")}
	}
	return out, err
}

// settingsAction is the one shape of the settings forms: the form was read into kept and
// err; check the form token, act, and go back to the form with "Saved", or show the page
// again with the error at the form.
func (w *Web) settingsAction(c *gin.Context, kept settingsData, err error, act func(ctx context.Context, u qrcircles.User) error) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	if err == nil {
		err = w.formExpired(c)
	}
	if err == nil {
		err = act(c.Request.Context(), u)
	}
	if err != nil {
		w.renderSettings(c, u, kept, err)
		return
	}
	goBack(c, "/settings", "saved")
}

func (w *Web) defaultVisibilitySubmit(c *gin.Context) {
	fs, err := readVisibility(c, false)
	w.settingsAction(c, settingsData{}, err, func(ctx context.Context, u qrcircles.User) error {
		return w.Cards.SetDefaultVisibility(ctx, u.ID, *fs)
	})
}

func (w *Web) circleVisibilitySubmit(c *gin.Context) {
	id, err := pathID(c, "id")
	var fs *cards.FieldSet
	if err == nil {
		fs, err = readVisibility(c, true)
	}
	w.settingsAction(c, settingsData{}, err, func(ctx context.Context, u qrcircles.User) error {
		return w.Cards.SetCircleVisibility(ctx, u.ID, id, fs)
	})
}

// muteSubmit mutes (muted=on) or unmutes a circle the person is in.
func (w *Web) muteSubmit(c *gin.Context) {
	id, err := pathID(c, "id")
	on, verr := onOff(c.PostForm("muted"))
	if err == nil {
		err = verr
	}
	w.settingsAction(c, settingsData{}, err, func(ctx context.Context, u qrcircles.User) error {
		if !on {
			return w.Messages.Unmute(ctx, u.ID, id)
		}
		return w.Messages.Mute(ctx, u.ID, id)
	})
}

// privacySubmit turns one of the person's yes/no settings on or off: setting names it,
// value is on or off.
func (w *Web) privacySubmit(c *gin.Context) {
	setting := c.PostForm("setting")
	on, err := onOff(c.PostForm("value"))
	if err == nil && setting != "refuse_cards" && setting != "block_messages" && setting != "refuse_all" {
		err = qrcircles.Fail(qrcircles.EInvalid, "web.no_setting").WithField("setting")
	}
	w.settingsAction(c, settingsData{}, err, func(ctx context.Context, u qrcircles.User) error {
		switch setting {
		case "refuse_cards":
			return w.Settings.SetPrivacy(ctx, u.ID, &on, nil)
		case "block_messages":
			return w.Settings.SetPrivacy(ctx, u.ID, nil, &on)
		}
		return w.Settings.SetRefuseAllCircles(ctx, u.ID, on, c.ClientIP())
	})
}

func onOff(v string) (bool, error) {
	switch v {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, qrcircles.Fail(qrcircles.EInvalid, "web.on_or_off").WithField("value")
}

// exclusionAdd records "never in the same circle as the holder of this phone".
func (w *Web) exclusionAdd(c *gin.Context) {
	phone := c.PostForm("phone")
	w.settingsAction(c, settingsData{Phone: phone}, nil, func(ctx context.Context, u qrcircles.User) error {
		_, err := w.Circles.AddExclusion(ctx, u, phone)
		return labelField(err, []string{"phone"})
	})
}

func (w *Web) exclusionDelete(c *gin.Context) {
	xid, err := pathID(c, "xid")
	w.settingsAction(c, settingsData{}, err, func(ctx context.Context, u qrcircles.User) error {
		return w.Circles.RemoveExclusion(ctx, u.ID, xid)
	})
}
