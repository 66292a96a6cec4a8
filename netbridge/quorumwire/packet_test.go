package quorumwire

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPacketRoundTrip(t *testing.T) {
	cases := map[string]Packet{
		"null data, null authinfo":   {Type: Ping, Zxid: 0x100000000},
		"empty data, empty authinfo": {Type: Ping, Zxid: 5, Data: []byte{}, AuthInfo: []ID{}},
		"data":                       {Type: NewLeader, Zxid: -1, Data: []byte("server.1=a:1:2:participant\nversion=0")},
		"authinfo":                   {Type: Request, Zxid: 1, Data: []byte{1, 2, 3}, AuthInfo: []ID{{"ip", "127.0.0.1"}, {"digest", "u:p"}, {"", ""}}},
		"unknown type":               {Type: 99, Zxid: 42},
		"negative type":              {Type: -3},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			b := p.AppendEncode([]byte{0xEE}) // appends, keeps the prefix
			require.Equal(t, byte(0xEE), b[0])
			b = b[1:]
			assert.Len(t, b, p.EncodedLen())
			got, n, err := DecodePacket(append(b, 0xAA, 0xBB)) // trailing bytes are the next packet's
			require.NoError(t, err)
			assert.Equal(t, len(b), n)
			assert.Equal(t, p, got)
		})
	}
}

// TestNullAndEmptyAreDistinct: jute's -1 (null) and 0 (empty) lengths, which
// ZooKeeper's PING and PING reply differ by, survive both ways.
func TestNullAndEmptyAreDistinct(t *testing.T) {
	null := Packet{Type: Ping}.AppendEncode(nil)
	empty := Packet{Type: Ping, Data: []byte{}, AuthInfo: []ID{}}.AppendEncode(nil)
	assert.Equal(t, unhex(t, "00000005 0000000000000000 ffffffff ffffffff"), null)
	assert.Equal(t, unhex(t, "00000005 0000000000000000 00000000 00000000"), empty)
	p, _, err := DecodePacket(null)
	require.NoError(t, err)
	assert.Nil(t, p.Data)
	assert.Nil(t, p.AuthInfo)
	p, _, err = DecodePacket(empty)
	require.NoError(t, err)
	assert.NotNil(t, p.Data)
	assert.Empty(t, p.Data)
	assert.NotNil(t, p.AuthInfo)
	assert.Empty(t, p.AuthInfo)
}

func TestDecodePacketDoesNotAlias(t *testing.T) {
	b := Packet{Type: Request, Data: []byte("abc"), AuthInfo: []ID{{"ip", "x"}}}.AppendEncode(nil)
	p, _, err := DecodePacket(b)
	require.NoError(t, err)
	for i := range b {
		b[i] = 0
	}
	assert.Equal(t, []byte("abc"), p.Data)
	assert.Equal(t, "ip", p.AuthInfo[0].Scheme)
}

func TestDecodePacketNullIDStringsDecodeEmpty(t *testing.T) {
	b := unhex(t, "00000001 0000000000000000 ffffffff 00000001 ffffffff ffffffff")
	p, n, err := DecodePacket(b)
	require.NoError(t, err)
	assert.Equal(t, len(b), n)
	assert.Equal(t, []ID{{}}, p.AuthInfo)
}

func TestDecodePacketTruncated(t *testing.T) {
	full := Packet{Type: Request, Zxid: 7, Data: []byte("data"), AuthInfo: []ID{{"ip", "1.2.3.4"}}}.AppendEncode(nil)
	for cut := 0; cut < len(full); cut++ {
		_, _, err := DecodePacket(full[:cut])
		require.ErrorIs(t, err, ErrTruncated, "cut at %d", cut)
		assert.Contains(t, err.Error(), "have ")
	}
}

func TestDecodePacketBadLengths(t *testing.T) {
	header := func(dataLen int32) []byte {
		b := unhex(t, "00000005 0000000000000000")
		return binary.BigEndian.AppendUint32(b, uint32(dataLen))
	}
	withAuth := func(count int32, strs ...int32) []byte {
		b := binary.BigEndian.AppendUint32(header(-1), uint32(count))
		for _, n := range strs {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
			if n > 0 && n < 100 {
				b = append(b, make([]byte, n)...)
			}
		}
		return b
	}
	// Two strings of 600000 bytes: each within the field limit, not both.
	bigAuth := withAuth(1, 600000)
	bigAuth = append(bigAuth, make([]byte, 600000)...)
	bigAuth = binary.BigEndian.AppendUint32(bigAuth, 600000)
	cases := []struct {
		name string
		in   []byte
		want error
		text string
	}{
		{"data length -2", header(-2), ErrLength, "data length -2"},
		{"data length too big", header(DefaultMaxField + 1), ErrLength, "1049600"},
		{"data length int32 max", header(1<<31 - 1), ErrLength, "2147483647"},
		{"authinfo count -2", withAuth(-2), ErrAuthInfoCount, "-2"},
		{"authinfo count too big", withAuth(DefaultMaxField/8 + 1), ErrAuthInfoCount, "131200 (want -1..131199)"},
		{"scheme length -5", withAuth(1, -5), ErrLength, "authinfo string length -5"},
		{"id length too big", withAuth(1, 2, DefaultMaxField+1), ErrLength, "1049600"},
		{"authinfo too large in total", bigAuth, ErrPacketTooLarge, "authinfo takes more than 1049599 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DecodePacket(tc.in)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

func TestPacketTypeNames(t *testing.T) {
	want := map[PacketType]string{
		Request: "REQUEST", Proposal: "PROPOSAL", Ack: "ACK", Commit: "COMMIT", Ping: "PING",
		Revalidate: "REVALIDATE", Sync: "SYNC", Inform: "INFORM", CommitAndActivate: "COMMITANDACTIVATE",
		NewLeader: "NEWLEADER", FollowerInfo: "FOLLOWERINFO", UpToDate: "UPTODATE", Diff: "DIFF",
		Trunc: "TRUNC", Snap: "SNAP", ObserverInfo: "OBSERVERINFO", LeaderInfo: "LEADERINFO",
		AckEpoch: "ACKEPOCH", InformAndActivate: "INFORMANDACTIVATE",
	}
	// ZooKeeper's numbers (Leader.java), spelled out once more on purpose.
	numbers := map[string]int32{
		"REQUEST": 1, "PROPOSAL": 2, "ACK": 3, "COMMIT": 4, "PING": 5, "REVALIDATE": 6, "SYNC": 7,
		"INFORM": 8, "COMMITANDACTIVATE": 9, "NEWLEADER": 10, "FOLLOWERINFO": 11, "UPTODATE": 12,
		"DIFF": 13, "TRUNC": 14, "SNAP": 15, "OBSERVERINFO": 16, "LEADERINFO": 17, "ACKEPOCH": 18,
		"INFORMANDACTIVATE": 19,
	}
	for typ, name := range want {
		assert.Equal(t, name, typ.String())
		assert.Equal(t, numbers[name], int32(typ), name)
	}
	assert.Equal(t, "UNKNOWN(0)", PacketType(0).String())
	assert.Equal(t, "UNKNOWN(20)", PacketType(20).String())
	assert.Equal(t, "UNKNOWN(-1)", PacketType(-1).String())
}

func TestPacketString(t *testing.T) {
	assert.Equal(t, "PING zxid=0x100000000 data=null authinfo=0", Packet{Type: Ping, Zxid: 1 << 32}.String())
	assert.Equal(t, "UPTODATE zxid=0xffffffffffffffff data=3 bytes authinfo=1",
		Packet{Type: UpToDate, Zxid: -1, Data: []byte("abc"), AuthInfo: []ID{{}}}.String())
}
