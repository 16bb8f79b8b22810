package templates

import (
	"context"
	"net/http"
)

// Viewer is the signed-in person as the navigation shows them: their name, the form token of
// the sign-out button, and the badges of what waits for them.
type Viewer struct {
	Name   string
	CSRF   string
	UserID int64
	// CardRequests counts the cards delivered to or asked of them that wait for their answer.
	CardRequests int
	// Unread is how many direct messages wait for them: the badge of "Messages".
	Unread int
}

// ViewerFunc looks up the signed-in person of a request; ok is false when nobody is signed
// in (or the session cannot be looked up: the navigation then offers to sign in).
type ViewerFunc func() (v Viewer, ok bool)

type viewerKey struct{}

// WithViewer keeps how to look up the signed-in person in ctx. The lookup runs only when a
// page is rendered, so requests that render none pay nothing.
func WithViewer(ctx context.Context, f ViewerFunc) context.Context {
	return context.WithValue(ctx, viewerKey{}, f)
}

// viewerOf looks up the signed-in person of r, if the server said how.
func viewerOf(r *http.Request) *Viewer {
	f, ok := r.Context().Value(viewerKey{}).(ViewerFunc)
	if !ok {
		return nil
	}
	if v, ok := f(); ok {
		return &v
	}
	return nil
}
