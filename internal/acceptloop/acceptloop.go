// Package acceptloop is the one accept loop of zkfle's servers: the
// election port's Listener, a leader's quorum port and the client port.
//
// Why one: a server must keep accepting through transient failures (out of
// file descriptors, say), back off between them so a persistent failure
// does not spin a core, and stop promptly when its owner stops. Three loops
// that each did this differently (one fixed 50 ms pause, one doubling, one
// without a panic guard) are now this one.
package acceptloop

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Back-off after a failed accept: doubling from First to Max, reset by
// the next successful accept (net/http's server does the same).
const (
	First = 5 * time.Millisecond
	Max   = time.Second
)

// ErrPanicked wraps a panic raised by take or by the listener.
var ErrPanicked = errors.New("acceptloop: panic in the accept loop")

// Serve accepts from ln until stop is closed or ln is closed, handing each
// connection to take (on this goroutine: take must not block). A failed
// accept is reported to failed (if set) and retried after the back-off.
//
// It returns nil when stop was closed (the owner is stopping), the error
// when ln was closed (net.ErrClosed) or its deadline passed (a
// net.Error with Timeout), and an error wrapping ErrPanicked if take
// panicked: the loop then ends rather than serve on in an unknown state.
func Serve(ln net.Listener, stop <-chan struct{}, take func(net.Conn), failed func(error)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrPanicked, r)
		}
	}()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if stopped(stop) {
				return nil
			}
			var ne net.Error
			if errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout()) {
				return err
			}
			if failed != nil {
				failed(err)
			}
			delay = min(max(2*delay, First), Max)
			if !pause(stop, delay) {
				return nil
			}
			continue
		}
		delay = 0
		take(c)
	}
}

// pause waits d (the back-off between failed accepts, not
// synchronisation) and reports whether to go on: false once stop closes.
// A variable so that tests can record the delays instead of sleeping.
var pause = func(stop <-chan struct{}, d time.Duration) bool {
	select {
	case <-stop:
		return false
	case <-time.After(d):
		return true
	}
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}
