package electionwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// InitialMessage is the connection header an initiator sends once, right
// after connecting to a peer's election port. The acceptor never answers it.
//
// Layouts (big-endian):
//
//	legacy (Version 0):  i64 sid (>= 0)
//	V1 / V2:             i64 version, i64 sid, i32 n, n bytes of UTF-8
//	                     "host:port" (V2: several joined by '|')
type InitialMessage struct {
	// Version is ProtocolV1, ProtocolV2, or 0 for the legacy bare-sid
	// header of pre-3.5 initiators.
	Version int64
	// SID is the initiator's server id. ObserverID is returned as is.
	SID int64
	// Addrs are the initiator's own election addresses, "host:port" or
	// "[v6]:port", in wire order. ReadInitialMessage leaves out literal
	// wildcard addresses (0.0.0.0, ::), as ZooKeeper does (ZOOKEEPER-2164),
	// so an empty Addrs after a V1/V2 header means: dial the peer back at
	// the address in your own config, as for a legacy header.
	Addrs []string
}

// Encode returns the whole header in one buffer, so that it can go out in
// one Write: the Java receiver reads the address field with a single
// read() and fails if it gets less (ZOOKEEPER-2189).
func (m InitialMessage) Encode() ([]byte, error) {
	return m.AppendEncode(nil)
}

// AppendEncode appends the header to b and returns the extended buffer.
//
// It refuses what a 3.8 receiver would refuse, and what would break older
// ones: a legacy header needs SID >= 0 and no Addrs (ErrLegacySID,
// ErrAddrCount); V1 carries exactly one address (a 3.5 receiver does not
// split on '|') and V2 at least one (ErrAddrCount); every address must pass
// HostPort (ErrBadAddress); the joined field must fit MaxAddrLen
// (ErrAddrLength); any other Version is ErrUnknownProtocolVersion.
// Wildcard addresses are sent as given, as Java does. On error b is
// returned unchanged.
func (m InitialMessage) AppendEncode(b []byte) ([]byte, error) {
	switch m.Version {
	case 0:
		if m.SID < 0 {
			return b, fmt.Errorf("%w: sid %d", ErrLegacySID, m.SID)
		}
		if len(m.Addrs) != 0 {
			return b, fmt.Errorf("%w: legacy header carries no address, got %d", ErrAddrCount, len(m.Addrs))
		}
		return binary.BigEndian.AppendUint64(b, uint64(m.SID)), nil
	case ProtocolV1:
		if len(m.Addrs) != 1 {
			return b, fmt.Errorf("%w: V1 header carries exactly one address, got %d", ErrAddrCount, len(m.Addrs))
		}
	case ProtocolV2:
		if len(m.Addrs) == 0 {
			return b, fmt.Errorf("%w: V2 header needs at least one address", ErrAddrCount)
		}
	default:
		return b, fmt.Errorf("%w: %d", ErrUnknownProtocolVersion, m.Version)
	}

	fieldLen := len(m.Addrs) - 1 // the '|' separators
	for _, a := range m.Addrs {
		if !utf8.ValidString(a) {
			return b, fmt.Errorf("%w %q: not UTF-8", ErrBadAddress, a)
		}
		if _, _, err := HostPort(a); err != nil {
			return b, err
		}
		fieldLen += len(a)
		if fieldLen > MaxAddrLen {
			// Checked inside the loop so that a huge list cannot overflow.
			break
		}
	}
	if fieldLen > MaxAddrLen {
		return b, fmt.Errorf("%w: addresses take more than %d bytes (limit %d)", ErrAddrLength, fieldLen, MaxAddrLen)
	}

	b = slices.Grow(b, initialHeaderLen+fieldLen)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Version))
	b = binary.BigEndian.AppendUint64(b, uint64(m.SID))
	b = binary.BigEndian.AppendUint32(b, uint32(fieldLen))
	for i, a := range m.Addrs {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, a...)
	}
	return b, nil
}

// ReadInitialMessage reads one connection header from r with the limits of
// a ZooKeeper 3.8 acceptor (QuorumCnxManager.handleConnection and
// InitialMessage.parse):
//
//   - a first i64 >= 0 is a legacy bare sid: nothing more is read;
//   - a negative one must be ProtocolV1 or ProtocolV2, else
//     ErrUnknownProtocolVersion, and nothing more is read;
//   - the address length must be 1..MaxAddrLen (ErrAddrLength), checked
//     before anything is allocated or read for it;
//   - the field must be UTF-8 and every '|'-separated piece must pass
//     HostPort (ErrBadAddress). V1 and V2 are parsed alike: a V1 header with
//     '|' is accepted, as in Java. Literal wildcards are dropped (see
//     InitialMessage.Addrs); no DNS lookup is made.
//
// Unlike Java, which reads the address with one read() and fails on a
// short one, this waits for the whole field. A stream that ends before the
// first byte returns io.EOF; one that ends mid-header returns an error
// wrapping both ErrTruncated and io.ErrUnexpectedEOF. Other read errors
// (deadlines, resets) are returned wrapped. It never reads past the header.
func ReadInitialMessage(r io.Reader) (InitialMessage, error) {
	var hdr [initialHeaderLen]byte
	if n, err := io.ReadFull(r, hdr[:legacyHeaderLen]); err != nil {
		if n == 0 && err == io.EOF {
			return InitialMessage{}, io.EOF
		}
		return InitialMessage{}, headerReadError(err, n, legacyHeaderLen)
	}
	first := int64(binary.BigEndian.Uint64(hdr[:8]))
	if first >= 0 {
		return InitialMessage{SID: first}, nil
	}
	if first != ProtocolV1 && first != ProtocolV2 {
		return InitialMessage{}, fmt.Errorf("%w: %d (0x%x)", ErrUnknownProtocolVersion, first, uint64(first))
	}

	if n, err := io.ReadFull(r, hdr[legacyHeaderLen:]); err != nil {
		return InitialMessage{}, headerReadError(err, legacyHeaderLen+n, initialHeaderLen)
	}
	m := InitialMessage{
		Version: first,
		SID:     int64(binary.BigEndian.Uint64(hdr[8:16])),
	}
	fieldLen := int32(binary.BigEndian.Uint32(hdr[16:20]))
	if fieldLen < 1 || fieldLen > MaxAddrLen {
		return InitialMessage{}, fmt.Errorf("%w: %d (sid %d, want 1..%d)", ErrAddrLength, fieldLen, m.SID, MaxAddrLen)
	}
	field := make([]byte, fieldLen)
	if n, err := io.ReadFull(r, field); err != nil {
		return InitialMessage{}, headerReadError(err, initialHeaderLen+n, initialHeaderLen+int(fieldLen))
	}
	addrs, err := parseAddrField(field)
	if err != nil {
		return InitialMessage{}, fmt.Errorf("sid %d: %w", m.SID, err)
	}
	m.Addrs = addrs
	return m, nil
}

// parseAddrField splits the address field on '|' and validates every
// piece, leaving out literal wildcards.
func parseAddrField(field []byte) ([]string, error) {
	if !utf8.Valid(field) {
		return nil, fmt.Errorf("%w %q: not UTF-8", ErrBadAddress, field)
	}
	var addrs []string
	for _, piece := range strings.Split(string(field), "|") {
		host, _, err := HostPort(piece)
		if err != nil {
			return nil, err
		}
		if !IsWildcardHost(host) {
			addrs = append(addrs, piece)
		}
	}
	return addrs, nil
}

// headerReadError classifies a failed read of the header: the end of the
// stream becomes ErrTruncated (and io.ErrUnexpectedEOF), anything else is
// passed on with the position.
func headerReadError(err error, got, want int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: stream ended after %d of %d header bytes: %w", ErrTruncated, got, want, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("electionwire: reading connection header (%d of %d bytes): %w", got, want, err)
}
