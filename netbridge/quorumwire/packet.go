package quorumwire

import (
	"encoding/binary"
	"fmt"

	"github.com/zkfle/zkfle/zk"
)

// ID is jute's org.apache.zookeeper.data.Id: an authentication scheme and
// the identity it vouches for (an element of QuorumPacket.authinfo).
type ID struct {
	// Scheme is the auth scheme ("digest", "ip", "sasl", ...).
	Scheme string
	// ID is the identity within the scheme.
	ID string
}

// Packet is jute's QuorumPacket, the only record on the quorum port.
//
// Jute distinguishes a null buffer or vector (length -1) from an empty one
// (length 0), and ZooKeeper relies on it: the leader's PING carries null
// data, a learner's reply carries an empty array. Packet keeps the
// distinction with Go's nil: a nil Data or AuthInfo encodes as -1, a
// non-nil empty one as 0, and decoding gives back the same.
type Packet struct {
	// Type is the packet type.
	Type PacketType
	// Zxid is the packet's zxid; its meaning depends on Type.
	Zxid int64
	// Data is the payload; nil is jute's null.
	Data []byte
	// AuthInfo is the authinfo vector; nil is jute's null. Only forwarded
	// client requests (and the ping replies that echo them) carry Ids.
	AuthInfo []ID
}

// String renders the packet for logs and test failures, in the spirit of
// LearnerHandler.packetToString: the type name, the zxid in hex and the
// data length.
func (p Packet) String() string {
	data := "null"
	if p.Data != nil {
		data = fmt.Sprintf("%d bytes", len(p.Data))
	}
	return fmt.Sprintf("%s zxid=%v data=%s authinfo=%d", p.Type, zk.Zxid(p.Zxid), data, len(p.AuthInfo))
}

// EncodedLen is the number of bytes AppendEncode writes for p.
func (p Packet) EncodedLen() int {
	n := fixedLen + len(p.Data)
	for _, id := range p.AuthInfo {
		n += 4 + len(id.Scheme) + 4 + len(id.ID)
	}
	return n
}

// AppendEncode appends p's jute encoding (BinaryOutputArchive.writeRecord)
// to dst and returns the extended slice: type, zxid, data as a length
// prefixed buffer, authinfo as a counted vector of (scheme, id) strings,
// all big-endian. There is no outer length prefix on the quorum port.
func (p Packet) AppendEncode(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(p.Type))
	dst = binary.BigEndian.AppendUint64(dst, uint64(p.Zxid))
	dst = appendBuffer(dst, p.Data)
	if p.AuthInfo == nil {
		return binary.BigEndian.AppendUint32(dst, nullLen)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(p.AuthInfo)))
	for _, id := range p.AuthInfo {
		dst = appendString(dst, id.Scheme)
		dst = appendString(dst, id.ID)
	}
	return dst
}

// nullLen is jute's length for a null buffer, string or vector (-1).
const nullLen = 0xffffffff

func appendBuffer(dst, b []byte) []byte {
	if b == nil {
		return binary.BigEndian.AppendUint32(dst, nullLen)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

// DecodePacket decodes the packet at the start of b and returns it with the
// number of bytes it took. The packet owns its memory (nothing aliases b).
// A null scheme or id string (length -1, which ZooKeeper never writes)
// decodes as "". Errors wrap ErrTruncated when b ends inside the packet, or
// ErrLength, ErrAuthInfoCount or ErrPacketTooLarge (with DefaultMaxField)
// for a bad length.
func DecodePacket(b []byte) (Packet, int, error) {
	var sc scanner
	done, need, err := sc.advance(b, DefaultMaxField)
	if err != nil {
		return Packet{}, 0, err
	}
	if !done {
		return Packet{}, 0, fmt.Errorf("%w: have %d bytes, need at least %d", ErrTruncated, len(b), need)
	}
	return decodeScanned(b[:sc.pos]), sc.pos, nil
}

// decodeScanned builds a Packet from a buffer the scanner has validated and
// found to hold exactly one packet.
func decodeScanned(b []byte) Packet {
	p := Packet{
		Type: PacketType(binary.BigEndian.Uint32(b)),
		Zxid: int64(binary.BigEndian.Uint64(b[4:])),
	}
	pos := 12
	p.Data, pos = readBuffer(b, pos)
	count := int32(binary.BigEndian.Uint32(b[pos:]))
	pos += 4
	if count < 0 {
		return p
	}
	p.AuthInfo = make([]ID, count)
	for i := range p.AuthInfo {
		var scheme, id []byte
		scheme, pos = readBuffer(b, pos)
		id, pos = readBuffer(b, pos)
		p.AuthInfo[i] = ID{Scheme: string(scheme), ID: string(id)}
	}
	return p
}

// readBuffer copies the length-prefixed buffer at b[pos:] (nil for -1) and
// returns the position after it.
func readBuffer(b []byte, pos int) ([]byte, int) {
	n := int32(binary.BigEndian.Uint32(b[pos:]))
	pos += 4
	if n < 0 {
		return nil, pos
	}
	out := make([]byte, n)
	copy(out, b[pos:])
	return out, pos + int(n)
}
