package acceptloop

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted is a listener whose Accept returns a script of connections and
// errors, then net.ErrClosed.
type scripted struct {
	mu     sync.Mutex
	script []any
	calls  int
}

func (s *scripted) Accept() (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
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
func (s *scripted) Close() error   { return nil }
func (s *scripted) Addr() net.Addr { return &net.TCPAddr{} }

// A failed accept does not end the loop; closing the listener does, and
// Serve says so.
func TestServeSurvivesAcceptErrors(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	emfile := errors.New("accept: too many open files")
	ln := &scripted{script: []any{emfile, a, errors.New("again")}}
	var got []net.Conn
	var failures []error
	err := Serve(ln, nil, func(c net.Conn) { got = append(got, c) }, func(err error) { failures = append(failures, err) })
	assert.ErrorIs(t, err, net.ErrClosed)
	assert.Equal(t, []net.Conn{a}, got)
	assert.Len(t, failures, 2)
	assert.ErrorIs(t, failures[0], emfile)
}

// The back-off doubles between consecutive failures, is capped, and is
// reset by a success.
func TestServeBacksOffAndResets(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var delays []time.Duration
	orig := pause
	pause = func(_ <-chan struct{}, d time.Duration) bool { delays = append(delays, d); return true }
	defer func() { pause = orig }()
	e := errors.New("EMFILE")
	script := []any{e, e, e, a, e}
	for range 10 {
		script = append(script, e)
	}
	ln := &scripted{script: script}
	require.ErrorIs(t, Serve(ln, nil, func(net.Conn) {}, nil), net.ErrClosed)
	want := []time.Duration{First, 2 * First, 4 * First, First}
	for d := First; len(want) < 14; {
		d = min(2*d, Max)
		want = append(want, d)
	}
	assert.Equal(t, want, delays)
}

// Closing stop ends the loop during a back-off, with nil.
func TestServeStopsDuringBackoff(t *testing.T) {
	e := errors.New("EMFILE")
	script := make([]any, 100)
	for i := range script {
		script[i] = e
	}
	ln := &scripted{script: script}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- Serve(ln, stop, func(net.Conn) {}, nil) }()
	require.Eventually(t, func() bool { ln.mu.Lock(); defer ln.mu.Unlock(); return ln.calls >= 3 }, 5*time.Second, time.Millisecond)
	close(stop)
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}

// A panic in take ends the loop with ErrPanicked instead of killing the
// process.
func TestServeRecoversPanics(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ln := &scripted{script: []any{a}}
	err := Serve(ln, nil, func(net.Conn) { panic("boom") }, nil)
	assert.ErrorIs(t, err, ErrPanicked)
	assert.Contains(t, err.Error(), "boom")
}
