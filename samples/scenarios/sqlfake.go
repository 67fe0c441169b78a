package scenarios

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
)

// fakeConnector is the smallest database/sql driver that can answer a query:
// every query returns the same three-row, one-column result. It starts no
// goroutine of its own, so the goroutines a dump shows are database/sql's.
type fakeConnector struct{}

func (fakeConnector) Connect(context.Context) (driver.Conn, error) { return fakeConn{}, nil }
func (fakeConnector) Driver() driver.Driver                        { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return fakeConn{}, nil }

type fakeConn struct{}

func (fakeConn) Prepare(string) (driver.Stmt, error) { return fakeStmt{}, nil }
func (fakeConn) Close() error                        { return nil }
func (fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("fake driver: no transactions") }

type fakeStmt struct{}

func (fakeStmt) Close() error  { return nil }
func (fakeStmt) NumInput() int { return -1 } // -1: database/sql does not check the argument count
func (fakeStmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("fake driver: read-only")
}
func (fakeStmt) Query([]driver.Value) (driver.Rows, error) {
	return &fakeRows{names: []string{"ada", "grace", "ken"}}, nil
}

type fakeRows struct {
	names []string
	next  int
}

func (*fakeRows) Columns() []string { return []string{"name"} }
func (*fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.next == len(r.names) {
		return io.EOF
	}
	dest[0] = r.names[r.next]
	r.next++
	return nil
}
