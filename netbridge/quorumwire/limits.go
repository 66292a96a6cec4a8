package quorumwire

// MaxBuffer is jute.maxbuffer's default (0xfffff bytes, 1 MiB - 1): the
// largest record ZooKeeper means to accept.
const MaxBuffer = 0xfffff

// FieldMargin is the slack added to MaxBuffer for a single field, as Java's
// BinaryInputArchive adds extra room "for extra fields, etc.". Java 3.8
// allows zookeeper.jute.maxbuffer.extrasize (default MaxBuffer, floor 1024);
// we take the floor, since no discovery or heartbeat packet comes close and
// zkfle never receives transactions.
const FieldMargin = 1024

// DefaultMaxField is the longest data buffer, scheme or id string a
// PacketReader accepts by default.
const DefaultMaxField = MaxBuffer + FieldMargin

// fixedLen is the size of a packet's fixed fields: type (4), zxid (8), the
// data length (4) and the authinfo count (4).
const fixedLen = 4 + 8 + 4 + 4
