package electionwire

import "errors"

// Sentinel errors. Every error this package returns for bad input wraps
// exactly one of them (test with errors.Is) and its message names the bad
// value. None of them is ever a panic.
var (
	// ErrUnknownProtocolVersion: the first i64 of a connection header is
	// negative but neither ProtocolV1 nor ProtocolV2 (or, when encoding,
	// InitialMessage.Version is none of 0, ProtocolV1, ProtocolV2).
	ErrUnknownProtocolVersion = errors.New("electionwire: unknown protocol version")

	// ErrAddrLength: the address field's length is outside 1..MaxAddrLen.
	ErrAddrLength = errors.New("electionwire: address field length out of range")

	// ErrBadAddress: an address is not "host:port" or "[v6]:port" with a
	// decimal port in 1..65535, or the field is not UTF-8.
	ErrBadAddress = errors.New("electionwire: badly formed address")

	// ErrAddrCount: an InitialMessage to encode has the wrong number of
	// addresses for its version (V1 and V2 need at least one, V1 at most
	// one, the legacy header none).
	ErrAddrCount = errors.New("electionwire: wrong number of addresses for the header version")

	// ErrLegacySID: a legacy (bare sid) header needs a sid >= 0, because a
	// receiver takes a negative first i64 for a protocol version.
	ErrLegacySID = errors.New("electionwire: legacy header needs a sid >= 0")

	// ErrTruncated: the stream ended in the middle of a connection header.
	ErrTruncated = errors.New("electionwire: connection header truncated")

	// ErrFrameLength: a frame length is outside 1..MaxFrameLen. A Java
	// receiver closes the connection on it; there is no way to resync.
	ErrFrameLength = errors.New("electionwire: frame length out of range")

	// ErrShortNotification: a notification body is shorter than 28 bytes.
	ErrShortNotification = errors.New("electionwire: notification body too short")

	// ErrUnsupportedNotification: a notification body of 29..39 bytes. That
	// includes the 36-byte form of 3.4.0-3.4.5, which 3.5+ drops too.
	ErrUnsupportedNotification = errors.New("electionwire: unsupported notification body length")

	// ErrConfigLength: a version > 1 notification whose config length is
	// missing, negative, larger than the body, or longer than what follows.
	ErrConfigLength = errors.New("electionwire: bad notification config length")
)
