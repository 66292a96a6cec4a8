package actors

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// scriptedListener returns its errors and connections in order, then
// net.ErrClosed.
type scriptedListener struct {
	net.Listener
	script []any
}

func (s *scriptedListener) Accept() (net.Conn, error) {
	if len(s.script) == 0 {
		return nil, net.ErrClosed
	}
	next := s.script[0]
	s.script = s.script[1:]
	if err, ok := next.(error); ok {
		return nil, err
	}
	return next.(net.Conn), nil
}

// A failed accept (out of file descriptors, say) does not end a leader's
// accept loop; only closing the listener does.
func TestAcceptLoopSurvivesAcceptErrors(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ln := &scriptedListener{script: []any{errors.New("accept: too many open files"), a, errors.New("again")}}
	var got []net.Conn
	acceptLoop(ln, func(c net.Conn) { got = append(got, c) })
	assert.Equal(t, []net.Conn{a}, got)
	assert.Empty(t, ln.script, "the loop ran until the listener was closed")
}
