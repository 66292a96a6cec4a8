package quorumwire

import "errors"

// Sentinel errors of the codec. Every error the codec returns for bad input
// wraps exactly one of them (test with errors.Is) and its message names the
// bad value. None of them is ever a panic.
var (
	// ErrLength: a buffer or string length is below -1 (jute's null) or
	// above the reader's field limit. Java's BinaryInputArchive throws
	// "Unreasonable length" for the same values; the stream cannot be
	// resynchronised after it.
	ErrLength = errors.New("quorumwire: unreasonable length")

	// ErrAuthInfoCount: the authinfo vector's count is below -1, or more
	// Ids than the field limit could hold (each takes at least 8 bytes).
	ErrAuthInfoCount = errors.New("quorumwire: unreasonable authinfo count")

	// ErrPacketTooLarge: a packet's authinfo vector, all Ids together,
	// takes more bytes than the reader's field limit. With the data buffer
	// bounded by the same limit, no packet is longer than twice the limit
	// plus its 20 fixed bytes.
	ErrPacketTooLarge = errors.New("quorumwire: packet too large")

	// ErrTruncated: DecodePacket's input ends inside a packet.
	ErrTruncated = errors.New("quorumwire: packet truncated")

	// ErrShortPayload: a payload (LearnerInfo, LEADERINFO or ACKEPOCH data)
	// is shorter than the fields ZooKeeper reads from it. Java would fail
	// with a BufferUnderflowException and close the connection.
	ErrShortPayload = errors.New("quorumwire: payload too short")

	// ErrWrongType: a payload helper was given a packet of another type.
	ErrWrongType = errors.New("quorumwire: wrong packet type")
)
