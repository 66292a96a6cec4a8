package electionwire

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"

	"github.com/zkfle/zkfle/zk"
)

// Notification is one election message, the body of a frame. The sender's
// sid is not in it: it is the sid of the connection it came on.
//
// Layouts by generation (big-endian; fields are only ever appended):
//
//	offset  size  field           28 B   40 B (3.4.6+)   44+N B (3.5+)
//	0       4     i32 state        x        x               x
//	4       8     i64 leader       x        x               x
//	12      8     i64 zxid         x        x               x
//	20      8     i64 electionEpoch x       x               x
//	28      8     i64 peerEpoch             x               x
//	36      4     i32 version               0x1 (ignored)   0x2
//	40      4     i32 configLength                          x
//	44      N     config (UTF-8)                            x
type Notification struct {
	// State is the sender's state, the i32 code as sent. A code no state
	// has decodes fine (zk.ServerState.Valid is false for it): ZooKeeper
	// 3.8 drops such a message only after its voter check, so the caller
	// decides when to drop it.
	State zk.ServerState
	// Leader is the sid the sender proposes (LOOKING) or follows.
	Leader int64
	// Zxid is the proposed leader's last zxid as the sender knows it.
	Zxid int64
	// ElectionEpoch is the sender's round (logical clock).
	ElectionEpoch int64
	// PeerEpoch is the proposed leader's epoch. A 28-byte body has none:
	// it is Zxid>>32 (arithmetic shift), as ZooKeeper derives it.
	PeerEpoch int64
	// Version is the format version as ZooKeeper 3.8 reads it: 0 for 28-
	// and 40-byte bodies (Java does not read the 0x1 that 3.4.6+ senders
	// put in the 40-byte body), otherwise the i32 at offset 36.
	Version int32
	// Config is the sender's QuorumVerifier.toString(), present only when
	// Version > 1 (then non-nil, possibly empty); nil otherwise. Decoding
	// copies it out of the frame buffer.
	Config []byte
	// Size is the length of the body this was decoded from (28, 40,
	// 44+N...), for logs. Encoding ignores it.
	Size int
}

// DecodeNotification decodes body into n exactly as ZooKeeper 3.8's
// FastLeaderElection.WorkerReceiver does:
//
//   - fewer than 28 bytes: ErrShortNotification;
//   - 28 bytes: PeerEpoch = Zxid>>32, Version 0, no config;
//   - 40 bytes: PeerEpoch is read, the version slot is NOT (Version 0);
//   - 29..39 bytes, including the 36-byte form of 3.4.0-3.4.5 that every
//     3.5+ receiver drops on a buffer underflow: ErrUnsupportedNotification;
//   - 41 bytes or more: PeerEpoch and Version are read; when Version > 1 the
//     i32 config length must be present, within 0..len(body) (Java compares
//     it with the whole body, ZOOKEEPER-3769) and covered by the bytes that
//     follow, else ErrConfigLength;
//   - bytes after the config (or after the version when Version <= 1) are
//     ignored.
//
// The state is not checked (see Notification.State). The only allocation is the
// copy of a non-empty Config. On error n is left unchanged.
func DecodeNotification(body []byte, n *Notification) error {
	size := len(body)
	if size < notificationLen28 {
		return fmt.Errorf("%w: %d bytes (want at least %d)", ErrShortNotification, size, notificationLen28)
	}
	if size > notificationLen28 && size < notificationLen40 {
		return fmt.Errorf("%w: %d bytes (3.5+ reads 28, 40, or 44 and more)", ErrUnsupportedNotification, size)
	}
	be := binary.BigEndian
	d := Notification{
		State:         zk.ServerState(int32(be.Uint32(body[0:]))),
		Leader:        int64(be.Uint64(body[4:])),
		Zxid:          int64(be.Uint64(body[12:])),
		ElectionEpoch: int64(be.Uint64(body[20:])),
		Size:          size,
	}
	switch {
	case size == notificationLen28:
		d.PeerEpoch = d.Zxid >> 32
	case size == notificationLen40:
		d.PeerEpoch = int64(be.Uint64(body[28:]))
	default:
		d.PeerEpoch = int64(be.Uint64(body[28:]))
		d.Version = int32(be.Uint32(body[36:]))
		if d.Version > 1 {
			config, err := decodeConfig(body, d.Version)
			if err != nil {
				return err
			}
			d.Config = config
		}
	}
	*n = d
	return nil
}

// decodeConfig reads the length-prefixed config of a version > 1 body and
// returns a copy of it ([]byte{} when empty, which does not allocate).
func decodeConfig(body []byte, version int32) ([]byte, error) {
	size := len(body)
	if size < notificationLen44 {
		return nil, fmt.Errorf("%w: version %d body of %d bytes has no room for the config length",
			ErrConfigLength, version, size)
	}
	configLen := int64(int32(binary.BigEndian.Uint32(body[40:])))
	if configLen < 0 || configLen > int64(size) {
		return nil, fmt.Errorf("%w: %d in a %d-byte body", ErrConfigLength, configLen, size)
	}
	if have := int64(size - notificationLen44); configLen > have {
		return nil, fmt.Errorf("%w: %d but only %d bytes follow it", ErrConfigLength, configLen, have)
	}
	if configLen == 0 {
		return []byte{}, nil
	}
	return slices.Clone(body[notificationLen44 : notificationLen44+configLen]), nil
}

// AppendEncode appends n's body to b, in the layout its Version selects:
//
//   - Version 0: the 28-byte form when PeerEpoch == Zxid>>32, which is all
//     that form can say. Otherwise the 40-byte form with 0x0 in its version
//     slot, which every 3.5+ receiver also reads as version 0 and which
//     keeps PeerEpoch.
//   - Version 1: the 40-byte form with 0x1, as 3.4.6+ senders write it (and
//     as 3.5+ receivers read it: as version 0).
//   - any other Version (2, the current format, in practice): 44 bytes plus
//     Config, with Version in its slot and len(Config) before it. A
//     receiver reads the config only when Version > 1.
//
// It never fails and does not allocate when b has room. Frame the result
// with AppendFrame, or use AppendNotificationFrame.
func (n *Notification) AppendEncode(b []byte) []byte {
	be := binary.BigEndian
	size := n.encodedLen()
	b = slices.Grow(b, size)
	b = be.AppendUint32(b, uint32(n.State))
	b = be.AppendUint64(b, uint64(n.Leader))
	b = be.AppendUint64(b, uint64(n.Zxid))
	b = be.AppendUint64(b, uint64(n.ElectionEpoch))
	if size == notificationLen28 {
		return b
	}
	b = be.AppendUint64(b, uint64(n.PeerEpoch))
	b = be.AppendUint32(b, uint32(n.Version))
	if size == notificationLen40 {
		return b
	}
	b = be.AppendUint32(b, uint32(len(n.Config)))
	return append(b, n.Config...)
}

// encodedLen is the body length AppendEncode writes for n.
func (n *Notification) encodedLen() int {
	switch n.Version {
	case NotificationVersionLegacy:
		if n.PeerEpoch == n.Zxid>>32 {
			return notificationLen28
		}
		return notificationLen40
	case NotificationVersion1:
		return notificationLen40
	default:
		return notificationLen44 + len(n.Config)
	}
}

// AppendNotificationFrame appends n as a whole frame (length, then body) to
// dst without an intermediate buffer. A body longer than MaxFrameLen is
// ErrFrameLength; dst is then returned unchanged.
func AppendNotificationFrame(dst []byte, n *Notification) ([]byte, error) {
	size := n.encodedLen()
	if size > MaxFrameLen {
		return dst, fmt.Errorf("%w: notification body of %d bytes (want 1..%d)", ErrFrameLength, size, MaxFrameLen)
	}
	dst = slices.Grow(dst, frameHeaderLen+size)
	dst = binary.BigEndian.AppendUint32(dst, uint32(size))
	return n.AppendEncode(dst), nil
}

// LogValue renders n for log/slog with the project's stable keys.
func (n *Notification) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("state", n.State.String()),
		slog.Int64("leader", n.Leader),
		slog.String("zxid", zk.Zxid(n.Zxid).String()),
		slog.Int64("round", n.ElectionEpoch),
		slog.Int64("epoch", n.PeerEpoch),
		slog.Int("version", int(n.Version)),
		slog.Int("size", n.Size),
	)
}
