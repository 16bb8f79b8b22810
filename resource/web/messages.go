package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/messagesvc"
	"qrcircles/templates"
)

// The message pages: a person's conversations, and one conversation (a thread) with the form
// to write in it. They call the message service the API calls; who may write to whom is its
// rule alone, and the pages only say it before anyone writes.

// directMessages is what the message pages ask of the message service (messagesvc.Service).
type directMessages interface {
	Send(ctx context.Context, from, to int64, body string) (qrcircles.Message, error)
	Conversation(ctx context.Context, self, other int64, p messagesvc.Page) ([]qrcircles.Message, error)
	Conversations(ctx context.Context, userID int64, p messagesvc.Page) ([]qrcircles.Conversation, error)
	Reach(ctx context.Context, from, to int64) (messagesvc.Reach, error)
	People(ctx context.Context, ids []int64) (map[int64]qrcircles.User, error)
}

var _ directMessages = (*messagesvc.Service)(nil)

func (w *Web) mountMessages(e *gin.Engine) {
	e.GET("/messages", w.conversations)
	e.GET("/messages/:uid", w.thread)
	e.POST("/messages/:uid", w.sendMessage)
}

func threadPath(other int64) string { return "/messages/" + strconv.FormatInt(other, 10) }

// messageZone is the zone the message pages give times in: people write to each other around
// an event, and the events are where the product is used.
const messageZone = "Asia/Shanghai"

// lastShown is how much of a conversation's latest message its line in the list shows.
const lastShown = 80

type conversationView struct {
	With   person
	Last   string
	When   qrcircles.Words
	At     string // the instant, for <time datetime>
	FromMe bool
	Unread int
}

type conversationsData struct {
	Zone          qrcircles.Words // the zone of every time shown, named once
	Conversations []conversationView
	Next          int64 // before_id of the next page; 0 when this is the last
}

// conversations lists the people the person exchanged messages with, the latest first.
func (w *Web) conversations(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	p, err := messagesvc.ParsePage(c.Query("before_id"), "")
	var d conversationsData
	if err == nil {
		d, err = w.conversationsOf(c.Request.Context(), u.ID, p)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, http.StatusOK, "messages", qrcircles.Say("inbox.title"), templates.Page{Data: d})
}

// conversationsOf is a page of self's conversations with the people they are with.
func (w *Web) conversationsOf(ctx context.Context, self int64, p messagesvc.Page) (conversationsData, error) {
	cs, err := w.Messages.Conversations(ctx, self, p)
	ids := make([]int64, len(cs))
	for i, v := range cs {
		ids[i] = v.With
	}
	var people map[int64]qrcircles.User
	if err == nil {
		people, err = w.Messages.People(ctx, ids)
	}
	d := conversationsData{Zone: templates.ZoneLabel(messageZone), Conversations: make([]conversationView, len(cs))}
	for i, v := range cs {
		d.Conversations[i] = conversationView{With: personOf(v.With, people), Last: shorten(v.Last.Body, lastShown),
			When: templates.Clock(v.Last.CreatedAt, messageZone), At: rfc3339(v.Last.CreatedAt), FromMe: v.Last.FromID == self, Unread: v.Unread}
	}
	if len(cs) > 0 {
		d.Next = p.Next(len(cs), cs[len(cs)-1].Last.ID)
	}
	return d, err
}

type messageView struct {
	ID         int64
	Mine, Read bool // Read: a message of the viewer's that the other has read
	Body       string
	When       qrcircles.Words
	At         string
}

type threadData struct {
	Zone     qrcircles.Words // the zone of every time shown, named once
	With     person
	Messages []messageView   // the oldest first, as a conversation reads
	Older    int64           // before_id of the earlier messages; 0 when there are none
	Body     string          // what the person wrote, kept when it could not be sent
	Refusal  qrcircles.Words // why the person cannot write here, before they try; none when they can
}

// person is someone the message pages name: "Deleted user" once they deleted their account
// (their name went with it).
type person struct {
	ID      int64
	Name    string
	Deleted bool
}

func personOf(id int64, people map[int64]qrcircles.User) person {
	u := people[id]
	return person{ID: id, Name: u.DisplayName, Deleted: u.Deleted()}
}

// thread shows the conversation with one person, the latest messages last, and the form to
// write to them. Opening it marks what they sent as read.
func (w *Web) thread(c *gin.Context) {
	u, other, ok := w.signedInThread(c)
	if !ok {
		return
	}
	p, err := messagesvc.ParsePage(c.Query("before_id"), "")
	if err != nil {
		w.fail(c, err)
		return
	}
	w.showThread(c, u.ID, other, p, "", nil)
}

// sendMessage sends what the form holds, then shows the thread again with it (or with why
// it was not sent, keeping the text).
func (w *Web) sendMessage(c *gin.Context) {
	u, other, ok := w.signedInThread(c)
	if !ok {
		return
	}
	body := c.PostForm("body")
	err := w.formExpired(c)
	if err == nil {
		_, err = w.Messages.Send(c.Request.Context(), u.ID, other, body)
	}
	if err != nil {
		w.showThread(c, u.ID, other, messagesvc.Page{Limit: messagesvc.DefaultLimit}, body, err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadPath(other)+"#compose")
}

// signedInThread is the first step of the thread pages: the person and whom the thread is with.
func (w *Web) signedInThread(c *gin.Context) (qrcircles.User, int64, bool) {
	u, ok := w.requireUser(c)
	if !ok {
		return u, 0, false
	}
	other, err := pathID(c, "uid")
	if err != nil {
		w.fail(c, err)
		return u, 0, false
	}
	return u, other, true
}

// showThread renders a page of the thread between self and other, with sendErr (if any)
// next to the form. A thread with someone the person does not know and never wrote to shows
// nothing of them, not even their name: only why they cannot write.
func (w *Web) showThread(c *gin.Context, self, other int64, p messagesvc.Page, body string, sendErr error) {
	ctx := c.Request.Context()
	ms, err := w.Messages.Conversation(ctx, self, other, p)
	var r messagesvc.Reach
	if err == nil {
		r, err = w.Messages.Reach(ctx, self, other)
	}
	if err == nil && len(ms) == 0 && !r.Known() {
		err = messagesvc.MayMessage(r)
	}
	var people map[int64]qrcircles.User
	if err == nil {
		people, err = w.Messages.People(ctx, []int64{other})
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	d := threadData{Zone: templates.ZoneLabel(messageZone), With: personOf(other, people), Messages: messageViews(ms, self), Body: body}
	if !d.With.Deleted { // the page says that one itself
		d.Refusal = templates.ErrorWords(messagesvc.MayMessage(r))
	}
	if len(ms) > 0 {
		d.Older = p.Next(len(ms), ms[len(ms)-1].ID)
	}
	page, status := templates.Page{Data: d}, http.StatusOK
	if sendErr != nil {
		page.Error, status = w.pageError(c, "sending a message", sendErr)
	}
	if !d.Refusal.Zero() || d.With.Deleted {
		page.Error = qrcircles.Words{} // what the page says in place of the form is why
	}
	w.render(c, status, "message_thread", qrcircles.Say("inbox.title"), page)
}

// messageViews turns a newest-first page into the thread's lines, oldest first.
func messageViews(ms []qrcircles.Message, self int64) []messageView {
	out := make([]messageView, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = messageView{ID: m.ID, Mine: m.FromID == self, Read: m.FromID == self && m.ReadAt != nil,
			Body: m.Body, When: templates.Clock(m.CreatedAt, messageZone), At: rfc3339(m.CreatedAt)}
	}
	return out
}

// shorten keeps the first n characters of s on one line, marking a cut with "…".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
