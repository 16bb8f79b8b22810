package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// BudgetStore keeps a circle's expected attendance: the budget of SMS codes a day that
// sign-ins starting at the circle's page may use, whatever network they come from.
type BudgetStore interface {
	CircleSMSBudget(ctx context.Context, circleID int64) (expected, memberCap int, err error)
	SetCircleSMSBudget(ctx context.Context, circleID int64, expected int, now time.Time) error
}

// smsBudget is the circle's expected attendance (0: not set) and the budget it makes.
func (w *Web) smsBudget(ctx context.Context, circleID int64) (expected, budget int, err error) {
	expected, memberCap, err := w.Budgets.CircleSMSBudget(ctx, circleID)
	return expected, qrcircles.CircleSMSBudget(expected, memberCap), err
}

// maxExpected bounds the expected attendance an organizer may set; the overall hourly budget
// (QRC_SMS_HOURLY_BUDGET) still holds above it.
const maxExpected = 1_000_000

// budgetSubmit sets the circle's expected attendance; empty goes back to the default.
func (w *Web) budgetSubmit(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	expected, err := parseExpected(c.PostForm("expected"))
	if err == nil {
		err = w.formExpired(c)
	}
	if err == nil {
		err = w.Budgets.SetCircleSMSBudget(c.Request.Context(), circle.ID, expected, w.now())
	}
	w.renderManage(c, u, circle, formOf(circle), "", qrcircles.Words{}, err)
}

func parseExpected(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxExpected {
		return 0, qrcircles.Fail(qrcircles.EInvalid, "web.expected").WithField("expected")
	}
	return n, nil
}
