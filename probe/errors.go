package probe

import (
	"errors"
	"fmt"
)

// Sentinel errors. Each per-address error is an *AddrError wrapping one of
// them; test with errors.Is (which) and errors.As (where).
var (
	// ErrBadSID: the probe's sid is negative or ZooKeeper's OBSERVER_ID.
	ErrBadSID = errors.New("probe: unusable probe sid")
	// ErrBadAddress: an address is not host:port with a port in 1..65535.
	ErrBadAddress = errors.New("probe: bad address")
	// ErrDial: the TCP connection could not be made.
	ErrDial = errors.New("probe: cannot connect")
	// ErrSend: the header or the notification could not be written.
	ErrSend = errors.New("probe: cannot send")
	// ErrClosed: the server closed the connection without answering. A
	// server whose sid is larger than the probe's does that (ZooKeeper
	// dials back instead; zkfle rejects an unknown smaller sid): use a
	// larger --sid.
	ErrClosed = errors.New("probe: connection closed without an answer")
	// ErrNoReply: no answer within the timeout (the server may be stuck in
	// another connection's handshake, or it is not an election port).
	ErrNoReply = errors.New("probe: no answer")
	// ErrTLS: the TLS handshake failed, or the server refused our
	// certificate (a TLS alert) before answering.
	ErrTLS = errors.New("probe: TLS failed")
	// ErrMalformed: the server sent a frame that is not a notification.
	ErrMalformed = errors.New("probe: malformed answer")
)

// AddrError is the error of one probed address.
type AddrError struct {
	// Addr is the address as given.
	Addr string
	// Err wraps one of the sentinel errors.
	Err error
}

// Error names the address and what went wrong.
func (e *AddrError) Error() string { return fmt.Sprintf("probe %s: %v", e.Addr, e.Err) }

// Unwrap returns the cause.
func (e *AddrError) Unwrap() error { return e.Err }
