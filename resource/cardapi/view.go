package cardapi

import (
	"fmt"

	"qrcircles/resource/cards"
)

// avatarURL is where a viewer fetches the avatar a card shows, in the context it was shown.
func (h *Handler) avatarURL(userID, circleID int64) string {
	u := fmt.Sprintf("%s/users/%d/avatar", h.base, userID)
	if circleID != 0 {
		u += fmt.Sprintf("?circle=%d", circleID)
	}
	return u
}

func (h *Handler) views(es []cards.Entry, circleID int64) []cards.View {
	out := make([]cards.View, len(es))
	for i, e := range es {
		out[i] = cards.ViewOf(e, h.avatarURL(e.UserID, circleID))
	}
	return out
}
