package storage

import "context"

// JoinSQL is every statement a join sends on PostgreSQL outside gorm, with its values
// written in: the locks and facts (shared, and exclusive as an organizer's decision takes
// them), and the writes of a first and a repeated request; and the call of join_guessed
// that writes the guessed one, g.
func JoinSQL(db *DB, k JoinKey, g JoinGuess) (stmts []string, guessed string, err error) {
	w := g.Write
	exclusive := k
	exclusive.Exclusive = true
	steps, _ := db.factSteps(k)
	more, _ := db.factSteps(exclusive)
	steps = append(steps, more...)
	call, _, err := joinGuessedStep(k, g, true)
	if err != nil {
		return nil, "", err
	}
	steps = append(append(steps, call), releaseSeatSteps(k)...)
	prev := w.Request
	first, fargs := requestStatement(nil, w)
	repeat, rargs := requestStatement(&prev, w)
	for _, wr := range []step{{sql: first, args: fargs}, {sql: repeat, args: rargs}} {
		stmt, args, err := withAfterRequest(wr.sql, wr.args, w)
		if err != nil {
			return nil, "", err
		}
		steps = append(steps, step{sql: stmt, args: args})
	}
	for _, s := range steps {
		stmts = append(stmts, db.gorm.Dialector.Explain(numbered(s.sql), s.args...))
	}
	return stmts, db.gorm.Dialector.Explain(numbered(call.sql), call.args...), nil
}

// EventsOf is the replay's read of the events once the person's circles are known.
func (db *DB) EventsOf(ctx context.Context, userID int64, circles []int64, afterID, throughID int64, limit int) ([]Event, error) {
	return db.eventsOf(ctx, userID, circles, afterID, throughID, limit)
}

// FitAllSeats is what migration 28 does to the circles already there: seats for every
// member of a capped circle, and free ones up to its cap.
func FitAllSeats(db *DB) error { return fitSeats(db.gorm, 0) }

// HoldJoinBatches keeps batches of joins from being sent until release: the joins that
// arrive meanwhile wait, and then go together.
func HoldJoinBatches(db *DB) (release func()) {
	b := db.batcher()
	b.mu.Lock()
	b.inFlight += b.most
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		b.inFlight -= b.most
		b.mu.Unlock()
		b.startSender(db)
	}
}

// JoinsWaiting is the number of joins waiting for a batch.
func JoinsWaiting(db *DB) int {
	b := db.batcher()
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiting)
}

// PhoneLockKey is the key of the advisory lock a join takes, shared, on the phone.
func PhoneLockKey(phone string) int64 { return advisoryKey(phoneLockKey(phone)) }
