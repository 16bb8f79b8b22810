package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// The message pages: conversations, a thread and its form, the unread badge, the stranger
// policy and deleted senders, on both databases.

func threadOf(id int64) string { return fmt.Sprintf("/messages/%d", id) }

// unreadBadge is the count of the navigation's Messages badge on p, 0 when there is none.
func (p page) unreadBadge() int {
	m := regexp.MustCompile(`id="nav-messages"[^>]*>[^<]*<span class="badge" aria-hidden="true">(\d+)</span>`).FindStringSubmatch(p.body)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

// messageCircle is a circle with Ann and Bo in it, each in their browser.
func messageCircle(t *testing.T, db *storage.DB) (s *site, circle storage.Circle, ann, bo *browser, annID, boID int64) {
	t.Helper()
	s = siteOn(t, db)
	_, circle = s.organizer("+8613700000000", circleForm("Meetup"))
	a, b := s.joinByPage(circle, "+8613800000001", "Ann"), s.joinByPage(circle, "+8613800000002", "Bo")
	return s, circle, a.b, b.b, a.user.ID, b.user.ID
}

func TestMessagePagesBothWays(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		s, circle, ann, bo, annID, boID := messageCircle(t, db)

		// Ann finds Bo on the circle page and writes to him; a textarea's CRLF is a newline.
		if p := ann.get(circlePath(circle.ID)); !strings.Contains(p.body, fmt.Sprintf(`href="%s#compose"`, threadOf(boID))) {
			t.Fatalf("the circle page offers no Message link to Bo:\n%s", p.body)
		}
		th := ann.get(threadOf(boID))
		if th.status != 200 || !strings.Contains(th.body, "<h1>Bo</h1>") || th.field("csrf") == "" || strings.Contains(th.body, `id="refusal"`) {
			t.Fatalf("Ann's empty thread with Bo: %d\n%s", th.status, th.body)
		}
		p := ann.post(threadOf(boID), url.Values{"csrf": {th.field("csrf")}, "body": {"Hello Bo\r\nsee you at the door"}})
		if p.status != 200 || p.path != threadOf(boID) || !strings.Contains(p.body, "Hello Bo\nsee you at the door") {
			t.Fatalf("after sending: %s (%d)\n%s", p.path, p.status, p.body)
		}

		// Bo's navigation counts it; his list names Ann with her message on one line.
		list := bo.get("/messages")
		if list.unreadBadge() != 1 || !strings.Contains(list.body, "1 unread") || !strings.Contains(list.body, "<strong>Ann</strong>") ||
			!strings.Contains(list.body, "Hello Bo see you at the door") {
			t.Fatalf("Bo's conversations (badge %d):\n%s", list.unreadBadge(), list.body)
		}
		// Opening the thread reads it: the badge is gone on that very page, and Ann sees it read.
		if p := bo.get(threadOf(annID)); p.unreadBadge() != 0 || !strings.Contains(p.body, "Hello Bo\nsee you at the door") {
			t.Fatalf("Bo's thread (badge %d):\n%s", p.unreadBadge(), p.body)
		}
		if p := bo.get("/messages"); p.unreadBadge() != 0 || strings.Contains(p.body, "unread") {
			t.Fatalf("after reading, Bo still has unread messages:\n%s", p.body)
		}
		if p := ann.get(threadOf(boID)); !strings.Contains(p.body, "· Read") {
			t.Fatalf("Ann's message does not show as read:\n%s", p.body)
		}

		// Bo answers; now Ann has one unread, newest conversation first.
		th = bo.get(threadOf(annID))
		bo.post(threadOf(annID), url.Values{"csrf": {th.field("csrf")}, "body": {"Hi Ann"}})
		if p := ann.get("/messages"); p.unreadBadge() != 1 || !strings.Contains(p.body, "Hi Ann") {
			t.Fatalf("Ann's conversations after Bo's answer (badge %d):\n%s", p.unreadBadge(), p.body)
		}
		if p := ann.get(threadOf(boID)); strings.Index(p.body, "Hello Bo") > strings.Index(p.body, "Hi Ann") {
			t.Fatalf("the thread does not read oldest first:\n%s", p.body)
		}

		// A blank message and a form without its token are refused in place, nothing sent.
		th = ann.get(threadOf(boID))
		if p := ann.post(threadOf(boID), url.Values{"csrf": {th.field("csrf")}, "body": {" \r\n "}}); p.status != 400 ||
			!strings.Contains(p.body, "Write a message.") || !strings.Contains(p.body, `<form method="post" action="/messages/`) {
			t.Fatalf("blank message: %d\n%s", p.status, p.body)
		}
		if p := ann.post(threadOf(boID), url.Values{"body": {"forged"}}); p.status != 403 || !strings.Contains(p.body, "form has expired") ||
			!strings.Contains(p.body, ">forged</textarea>") {
			t.Fatalf("message without the form's token: %d\n%s", p.status, p.body)
		}
		var n int64
		s.db.Gorm().Table("messages").Count(&n)
		if n != 2 {
			t.Fatalf("%d messages stored, want 2", n)
		}

		// Someone Ann shares nothing with: not even their name shows.
		cy := s.user("+8613900000003", "Cy Stranger")
		for _, path := range []string{threadOf(cy.ID), threadOf(cy.ID) + "?before_id=1"} {
			if p := ann.get(path); p.status != 403 || strings.Contains(p.body, "Cy Stranger") ||
				!strings.Contains(p.body, "You can message only people in your circles and your contacts.") {
				t.Fatalf("%s, a stranger's thread: %d\n%s", path, p.status, p.body)
			}
		}
		if p := ann.get("/messages/999999"); p.status != 404 {
			t.Fatalf("thread with nobody: %d", p.status)
		}
		if p := s.browser().get(threadOf(boID)); !strings.HasPrefix(p.path, "/login?return_to=") {
			t.Fatalf("signed out, the thread went to %s", p.path)
		}
	})
}

// strangerWords is what the pages say when Bo takes messages only from his contacts, and of a
// deleted sender, in each language.
var strangerWords = map[string]struct{ refuses, deleted, gone string }{
	"en":      {"This person does not accept messages from people who are not their contacts.", "Deleted user", "This person deleted their account"},
	"zh-Hans": {"此人不接受非联系人发来的消息。", "已注销用户", "此人已注销账户"},
}

func TestMessagePagesStrangerPolicyAndDeletedSender(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) { strangerPolicy(t, db, lang) })
		})
	}
}

func strangerPolicy(t *testing.T, db *storage.DB, lang string) {
	ctx, words := context.Background(), strangerWords[lang]
	s := siteOn(t, db)
	_, circle := s.organizer("+8613700000000", circleForm("Meetup"))
	phone := func(n int) string { return fmt.Sprintf("+86138000000%02d", n) }
	a, b, c := s.joinByPage(circle, phone(1), "Ann"), s.joinByPage(circle, phone(2), "Bo"), s.joinByPage(circle, phone(3), "Cy")
	ann, cy, annID, boID, cyID := a.b, c.b, a.user.ID, b.user.ID, c.user.ID
	ann.get("/lang/" + lang + "?return_to=/")

	// Ann opened the form before Bo turned strangers' messages off: it says so before she
	// writes, and again after she tried.
	open := ann.get(threadOf(boID))
	on := true
	if err := s.app.settings.SetPrivacy(ctx, boID, nil, &on); err != nil {
		t.Fatal(err)
	}
	if p := ann.get(threadOf(boID)); p.status != 200 || !strings.Contains(text(p), words.refuses) || strings.Contains(p.body, `name="body"`) {
		t.Fatalf("before writing: %d\n%s", p.status, p.body)
	}
	p := ann.post(threadOf(boID), url.Values{"csrf": {open.field("csrf")}, "body": {"Hello?"}})
	if p.status != 403 || !strings.Contains(text(p), words.refuses) || strings.Count(text(p), words.refuses) != 1 {
		t.Fatalf("after trying: %d\n%s", p.status, p.body)
	}
	if ms, _ := s.db.Messages(ctx, annID, boID, 0, 10); len(ms) != 0 {
		t.Fatalf("a refused message was stored: %+v", ms)
	}

	// Cy writes to Ann, then deletes their account: Ann still reads it, from "Deleted user",
	// and cannot answer.
	th := cy.get(threadOf(annID))
	cy.post(threadOf(annID), url.Values{"csrf": {th.field("csrf")}, "body": {"Bye for now"}})
	if err := s.db.DeleteAccount(ctx, cyID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := ann.get("/messages"); !strings.Contains(p.body, "<strong>"+words.deleted+"</strong>") || strings.Contains(p.body, ">Cy<") {
		t.Fatalf("Ann's conversations after Cy left:\n%s", p.body)
	}
	if p := ann.get(threadOf(cyID)); p.status != 200 || !strings.Contains(p.body, words.deleted+" · ") || !strings.Contains(p.body, "Bye for now") ||
		!strings.Contains(p.body, words.gone) || strings.Contains(p.body, `name="body"`) {
		t.Fatalf("Ann's thread with the deleted user: %d\n%s", p.status, p.body)
	}
}

// A textarea sends its lines ending in CRLF, which the text rule refuses: the announcement
// form takes them as typed, like the message form.
func TestAnnouncementFormTakesLines(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Meetup"))
	v := org.get(circlePath(circle.ID))
	p := org.post(circlePath(circle.ID)+"/announcements", url.Values{"csrf": {v.field("csrf")}, "body": {"Doors open at nine\r\nBring your badge"}})
	if p.status != 200 || !strings.Contains(p.body, "Doors open at nine\nBring your badge") {
		t.Fatalf("a two-line announcement: %s (%d)\n%s", p.path, p.status, p.body)
	}
}

// messagePages walks the message pages in Chinese (see TestEveryPageAndErrorInChinese): a
// thread, a message sent and refused, the conversations, a stranger's thread and one whose
// recipient takes messages only from contacts.
func (z *zhWalk) messagePages(b *browser, c circleRef) {
	bo := z.memberID(b.get(circlePath(c.ID)), "Bo Member")
	thread := "/messages/" + bo
	th := b.get(thread)
	z.check("an empty thread", th, 200)
	z.check("a blank message", z.submit(b, th, thread, "body", " "), 400)
	z.check("a message too long", z.submit(b, th, thread, "body", strings.Repeat("中", 2001)), 400)
	z.check("a message without its form's token", b.post(thread, url.Values{"body": {"你好"}}), 403)
	z.check("a message sent", z.submit(b, th, thread, "body", "你好"), 200)
	z.check("the conversations", b.get("/messages"), 200)
	z.check("a thread with nobody", b.get("/messages/999999"), 404)
	z.check("a thread with oneself", b.get(threadOf(z.s.user("+8613800000001", "Ann Attendee").ID)), 400)
	z.check("a stranger's thread", b.get(threadOf(z.s.user("+8613600000001", "Cy Stranger").ID)), 403)
	on, off := true, false
	id, _ := strconv.ParseInt(bo, 10, 64)
	if err := z.s.app.settings.SetPrivacy(context.Background(), id, nil, &on); err != nil {
		z.t.Fatal(err)
	}
	z.check("a thread with someone who takes messages from contacts only", b.get(thread), 200)
	z.check("a message to them", z.submit(b, th, thread, "body", "你好"), 403)
	if err := z.s.app.settings.SetPrivacy(context.Background(), id, nil, &off); err != nil {
		z.t.Fatal(err)
	}
}
