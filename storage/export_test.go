package storage

import "context"

// JoinSQL is every statement a join sends on PostgreSQL outside gorm, with its values
// written in: the locks and facts, and the writes of a guessed, a first and a repeated request.
func JoinSQL(db *DB, k JoinKey, w JoinWrite) ([]string, error) {
	steps, _ := db.factSteps(k)
	guessed, _, err := db.guessedFlight(k, JoinGuess{Write: w})
	if err != nil {
		return nil, err
	}
	steps = append(append(steps, guessed...), releaseSeatSteps(k)...)
	prev := w.Request
	first, fargs := requestStatement(nil, w)
	repeat, rargs := requestStatement(&prev, w)
	for _, wr := range []step{{sql: first, args: fargs}, {sql: repeat, args: rargs}} {
		stmt, args, err := withAfterRequest(wr.sql, wr.args, w)
		if err != nil {
			return nil, err
		}
		steps = append(steps, step{sql: stmt, args: args})
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = db.gorm.Dialector.Explain(numbered(s.sql), s.args...)
	}
	return out, nil
}

// EventsOf is the replay's read of the events once the person's circles are known.
func (db *DB) EventsOf(ctx context.Context, userID int64, circles []int64, afterID, throughID int64, limit int) ([]Event, error) {
	return db.eventsOf(ctx, userID, circles, afterID, throughID, limit)
}

// FitAllSeats is what migration 28 does to the circles already there: seats for every
// member of a capped circle, and free ones up to its cap.
func FitAllSeats(db *DB) error { return fitSeats(db.gorm, 0) }
