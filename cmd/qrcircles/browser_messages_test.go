package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Two people of one circle message each other in real headless Chromium on a 360-px screen,
// once per language: a message reaches the other's open page live, raising the unread badge
// of the navigation; opening the thread reads it and clears the badge; the answer appears in
// the first one's open thread without a reload.

func TestBrowserMessages(t *testing.T) {
	exe := chromiumPath(t)
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { messagesJourney(t, exe, lang) })
	}
}

// messagesWords are the words of the journey in each language.
var messagesWords = map[string]struct{ nav, unread, hello, answer, later string }{
	"en":      {"Messages", "1 unread", "Hello Bo, see you at the door", "Hi Ann, on my way", "I am at the door"},
	"zh-Hans": {"消息", "1 条未读", "你好，门口见", "好的，马上到", "我到门口了"},
}

func messagesJourney(t *testing.T, exe, lang string) {
	words := messagesWords[lang]
	s := newSite(t)
	sh := screenshotDir(t, lang)
	_, circle := s.organizer("+8613700000000", circleForm("Meetup"))
	a, b := s.joinByPage(circle, "+8613800000001", "Ann"), s.joinByPage(circle, "+8613800000002", "Bo")

	bo := s.chrome(t, exe, "bo", lang, byCookie, sh)
	bo.adopt(b.b)
	bo.open(circlePath(circle.ID))
	bo.at(circlePath(circle.ID), "#nav-messages")
	if got := bo.text("#nav-messages"); got != words.nav {
		bo.fail("the navigation's item reads %q, want %q with no badge", got, words.nav)
	}
	bo.markPage()

	// Ann writes to Bo from the circle's member list.
	ann := s.chrome(t, exe, "ann", lang, byAcceptLanguage, sh)
	ann.adopt(a.b)
	ann.open(circlePath(circle.ID))
	ann.at(circlePath(circle.ID), "#members")
	ann.click(fmt.Sprintf("#member-%d a.message-link", b.user.ID))
	ann.at(threadOf(b.user.ID), "#message-body")
	ann.fill("#message-body", words.hello)
	ann.shot("compose")
	ann.tapTargets()
	ann.click("form.compose button[type=submit]")
	ann.until("the message in Ann's thread", fmt.Sprintf(`document.querySelector("#thread li.msg.mine") && document.querySelector("#thread").innerText.includes(%q)`, words.hello))
	ann.shot("sent")

	// Bo's open page gets the badge without a reload, with its spoken count.
	bo.until("the unread badge", `document.querySelector("#nav-messages .badge") && document.querySelector("#nav-messages .badge").innerText === "1"`)
	bo.stillMarked("the badge arrived")
	if got := bo.text("#nav-messages .visually-hidden"); !strings.Contains(got, words.unread) {
		bo.fail("the badge's label is %q, want %q", got, words.unread)
	}
	bo.shot("badge")

	// Bo opens his messages from the badge and the thread: reading clears the badge.
	bo.click("#nav-messages")
	bo.at("/messages", "#conversations li.conversation.unread")
	bo.shot("conversations")
	bo.tapTargets()
	bo.click("#conversations li.conversation a")
	bo.at(threadOf(a.user.ID), "#message-body")
	if got := bo.text("#thread"); !strings.Contains(got, words.hello) {
		bo.fail("Bo's thread reads %q, want %q", got, words.hello)
	}
	if n, _ := eval[int](bo, `document.querySelectorAll("#nav-messages .badge").length`); n != 0 {
		bo.fail("the badge stays after reading")
	}

	// Bo answers while Ann's thread is open: it appears there live, read at once.
	ann.markPage()
	bo.fill("#message-body", words.answer)
	bo.click("form.compose button[type=submit]")
	bo.until("Bo's answer in his thread", fmt.Sprintf(`document.querySelector("#thread").innerText.includes(%q)`, words.answer))
	bo.shot("answered")
	ann.until("the answer in Ann's open thread", fmt.Sprintf(`document.querySelector("#thread li.msg:not(.mine)") && document.querySelector("#thread").innerText.includes(%q)`, words.answer))
	ann.stillMarked("the answer arrived")
	// The open thread read it on arrival: no badge, and Bo's message is marked read.
	if n, _ := eval[int](ann, `document.querySelectorAll("#nav-messages .badge").length`); n != 0 {
		ann.fail("a badge for a message read on arrival")
	}
	if ms, err := s.db.Messages(context.Background(), a.user.ID, b.user.ID, 0, 1); err != nil || len(ms) != 1 || ms[0].ReadAt == nil {
		t.Fatalf("Bo's answer, shown in Ann's open thread, is not read: %+v %v", ms, err)
	}
	ann.shot("answer-live")

	// While Ann's tab is hidden, Bo's next message waits unread; when she looks, it shows.
	ann.visible(false)
	bo.fill("#message-body", words.later)
	bo.click("form.compose button[type=submit]")
	bo.until("Bo's second answer in his thread", fmt.Sprintf(`document.querySelector("#thread").innerText.includes(%q)`, words.later))
	time.Sleep(time.Second) // what a hidden tab must not do has no event to wait for
	if ms, _ := s.db.Messages(context.Background(), a.user.ID, b.user.ID, 0, 1); len(ms) != 1 || ms[0].ReadAt != nil {
		t.Fatalf("a message that came while the thread's tab was hidden was read: %+v", ms)
	}
	ann.visible(true)
	ann.until("the second answer once Ann looks", fmt.Sprintf(`document.querySelector("#thread").innerText.includes(%q)`, words.later))
	ann.stillMarked("the second answer arrived")
}

// visible makes the page look seen or hidden to its scripts, as a tab brought to the front or
// put behind another.
func (p *chromePerson) visible(seen bool) {
	p.t.Helper()
	script := fmt.Sprintf(`(() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => %v});
		document.dispatchEvent(new Event("visibilitychange")); return true; })()`, !seen)
	if _, err := eval[bool](p, script); err != nil {
		p.fail("making the page seen %v: %v", seen, err)
	}
}
