package electionwire

import "math"

// Wire constants of ZooKeeper 3.8's election port (QuorumCnxManager and
// FastLeaderElection). The names in parentheses are Java's.
const (
	// ProtocolV1 is the first i64 of a 3.5+ connection header that carries
	// one "host:port" (PROTOCOL_VERSION_V1). Java 3.6+ sends it unless
	// multiAddress.enabled=true, so that 3.5 peers can still parse it.
	ProtocolV1 int64 = -65536

	// ProtocolV2 is the first i64 of a header whose address field may list
	// several "host:port" joined by '|' (PROTOCOL_VERSION_V2, 3.6+). 3.5
	// peers reject it (ZOOKEEPER-3720).
	ProtocolV2 int64 = -65535

	// MaxAddrLen is the largest address field a receiver accepts, in bytes
	// (QuorumCnxManager.maxBuffer). The lower bound is 1.
	MaxAddrLen = 2048

	// MaxFrameLen is the largest frame body a receiver accepts, in bytes
	// (QuorumCnxManager.PACKETMAXSIZE = 512 KiB). The lower bound is 1.
	MaxFrameLen = 524288

	// ObserverID is the sid pre-3.5 observers announced themselves with
	// (QuorumPeer.OBSERVER_ID = Long.MAX_VALUE). A Java acceptor replaces
	// it with a fresh negative sid per connection; ReadInitialMessage
	// returns it unchanged and leaves that choice to the connection owner.
	ObserverID int64 = math.MaxInt64
)

// Notification format versions (Notification.CURRENTVERSION and its
// predecessors). See Notification.Version for how each is laid out.
const (
	// NotificationVersionLegacy marks the 28- and 40-byte bodies, which a
	// 3.5+ receiver reads without a version (as 0).
	NotificationVersionLegacy int32 = 0
	// NotificationVersion1 is what 3.4.6+ senders put in the 40-byte body.
	NotificationVersion1 int32 = 1
	// NotificationVersion2 is the current format (3.5+): 44 bytes plus the
	// sender's quorum config string.
	NotificationVersion2 int32 = 2
)

// Byte sizes of the fixed parts of the layouts.
const (
	// initialHeaderLen is protocol version + sid + address length.
	initialHeaderLen = 8 + 8 + 4
	// legacyHeaderLen is the bare sid of a pre-3.5 initiator.
	legacyHeaderLen = 8
	// frameHeaderLen is the i32 length in front of every frame body.
	frameHeaderLen = 4
	// notificationLen28 is state, leader, zxid, electionEpoch (<= 3.3).
	notificationLen28 = 28
	// notificationLen36 adds peerEpoch (3.4.0-3.4.5; 3.5+ cannot read it).
	notificationLen36 = 36
	// notificationLen40 adds the i32 version 0x1 (3.4.6+).
	notificationLen40 = 40
	// notificationLen44 adds the i32 config length (3.5+); the config follows.
	notificationLen44 = 44
)
