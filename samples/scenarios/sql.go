package scenarios

import (
	"context"
	"database/sql"
)

// firstUser returns the first row of a query and returns without rows.Close().
// database/sql closes Rows by itself only when Next reaches the end or the
// query's context ends; with more rows pending and a long-lived context, the
// goroutine it started to watch that context ((*Rows).awaitDone) waits for
// ever, and the connection stays checked out.
func firstUser(ctx context.Context, db *sql.DB, h *hatch) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM users")
	if err != nil {
		return "", err
	}
	h.add(func() { rows.Close() }) // scaffolding: stop closes the rows late
	var name string
	if rows.Next() {
		err = rows.Scan(&name)
	}
	return name, err
}

// openDB opens the fake database; sql.OpenDB starts the pool's connection
// opener goroutine, which is why this happens in Setup, before the first dump.
func openDB() (*sql.DB, func()) {
	p := newProbe()
	db := sql.OpenDB(fakeConnector{})
	p.await(want{"select", "database/sql.(*DB).connectionOpener", 1})
	return db, stopper(p, func() { db.Close() })
}

// sql-rows-not-closed: stop closes the rows (kept by the hatch), which cancels
// awaitDone's close context; Setup's stop closes the DB and its opener.
func sqlRowsNotClosed() Scenario {
	setup, run := staged(openDB, runSQLRowsNotClosed)
	return Scenario{
		Name:      "sql-rows-not-closed",
		Doc:       "database/sql QueryContext with a cancelable context whose rows are never closed leaves the (*Rows).awaitDone goroutine waiting, with the connection checked out.",
		Leaks:     true,
		Want:      "sql-rows-not-closed",
		WantCount: 1,
		Setup:     setup,
		Run:       run,
	}
}

func runSQLRowsNotClosed(db *sql.DB) func() {
	p := newProbe()
	var h hatch
	// A cancelable context that outlives the call, like a server's or a
	// long job's: its cancel is only for stop.
	ctx, cancel := context.WithCancel(context.Background())
	_, err := firstUser(ctx, db, &h)
	must("sql-rows-not-closed", err)
	p.await(want{"select", "database/sql.(*Rows).awaitDone", 1})
	return stopper(p, h.open, cancel)
}
