package electionwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawHeader builds a V1/V2-shaped header by hand, with any length field.
func rawHeader(version, sid int64, addrLen int32, addr string) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(version))
	b = binary.BigEndian.AppendUint64(b, uint64(sid))
	b = binary.BigEndian.AppendUint32(b, uint32(addrLen))
	return append(b, addr...)
}

func headerOf(version, sid int64, addr string) []byte {
	return rawHeader(version, sid, int32(len(addr)), addr)
}

// TestInitialMessageCnxManagerCases are CnxManagerTest.testInitialMessage's
// parser cases (ZooKeeper's own parser tests).
func TestInitialMessageCnxManagerCases(t *testing.T) {
	t.Run("protocol -65530 is rejected", func(t *testing.T) {
		r := bytes.NewReader(headerOf(-65530, 5, "10.0.0.2:3888"))
		_, err := ReadInitialMessage(r)
		require.ErrorIs(t, err, ErrUnknownProtocolVersion)
		assert.Contains(t, err.Error(), "-65530")
		assert.Equal(t, int64(8), r.Size()-int64(r.Len()), "nothing is read after the version")
	})
	t.Run("1 MiB address is rejected before it is read", func(t *testing.T) {
		addr := strings.Repeat("a", 1<<20)
		r := bytes.NewReader(headerOf(ProtocolV1, 5, addr))
		_, err := ReadInitialMessage(r)
		require.ErrorIs(t, err, ErrAddrLength)
		assert.Contains(t, err.Error(), "1048576")
		assert.Equal(t, int64(initialHeaderLen), r.Size()-int64(r.Len()), "the address is not read")
	})
	t.Run("what's going on here? is rejected", func(t *testing.T) {
		_, err := ReadInitialMessage(bytes.NewReader(headerOf(ProtocolV1, 5, "what's going on here?")))
		require.ErrorIs(t, err, ErrBadAddress)
		assert.Contains(t, err.Error(), `"what's going on here?"`)
	})
	t.Run("V1 10.0.0.2:3888 is sid 5 at that address", func(t *testing.T) {
		got, err := ReadInitialMessage(bytes.NewReader(headerOf(ProtocolV1, 5, "10.0.0.2:3888")))
		require.NoError(t, err)
		assert.Equal(t, InitialMessage{Version: ProtocolV1, SID: 5, Addrs: []string{"10.0.0.2:3888"}}, got)
	})
	t.Run("V2 keeps three addresses in order", func(t *testing.T) {
		got, err := ReadInitialMessage(bytes.NewReader(headerOf(ProtocolV2, 5, "1.1.1.1:9999|2.2.2.2:8888|3.3.3.3:7777")))
		require.NoError(t, err)
		assert.Equal(t, []string{"1.1.1.1:9999", "2.2.2.2:8888", "3.3.3.3:7777"}, got.Addrs)
	})
}

func TestReadInitialMessageLegacySID(t *testing.T) {
	for _, sid := range []int64{0, 2, 1 << 40, ObserverID} {
		stream := binary.BigEndian.AppendUint64(nil, uint64(sid))
		stream = append(stream, 0, 0, 0, 4, 0, 0, 0, 5) // testCnxManagerNPE's frame follows
		r := bytes.NewReader(stream)
		got, err := ReadInitialMessage(r)
		require.NoError(t, err)
		assert.Equal(t, InitialMessage{SID: sid}, got)
		assert.Equal(t, 8, r.Len(), "only the sid is read; the frame is left")
	}
}

func TestReadInitialMessageObserverIDIsKept(t *testing.T) {
	got, err := ReadInitialMessage(bytes.NewReader(headerOf(ProtocolV1, ObserverID, "10.0.0.9:3888")))
	require.NoError(t, err)
	assert.Equal(t, ObserverID, got.SID, "the connection owner picks the replacement sid")
}

func TestReadInitialMessageAddrLengthLimits(t *testing.T) {
	longHost := strings.Repeat("h", MaxAddrLen-len(":3888"))
	for _, tc := range []struct {
		name    string
		addrLen int32
		addr    string
		wantErr error
	}{
		{"zero", 0, "", ErrAddrLength},
		{"negative", -1, "", ErrAddrLength},
		{"min int32", -1 << 31, "", ErrAddrLength},
		{"one over", MaxAddrLen + 1, longHost + ":38888", ErrAddrLength},
		{"exactly the limit", MaxAddrLen, longHost + ":3888", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadInitialMessage(bytes.NewReader(rawHeader(ProtocolV2, 1, tc.addrLen, tc.addr)))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{tc.addr}, got.Addrs)
		})
	}
}

func TestReadInitialMessageAddresses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int64
		field   string
		want    []string
		wantErr error
	}{
		{"V1 with '|' is parsed like V2", ProtocolV1, "10.0.0.1:3888|10.0.0.2:3888", []string{"10.0.0.1:3888", "10.0.0.2:3888"}, nil},
		{"IPv6 literal", ProtocolV2, "[::1]:3888", []string{"[::1]:3888"}, nil},
		{"only a wildcard: fall back to config", ProtocolV1, "0.0.0.0:3888", nil, nil},
		{"wildcards are dropped", ProtocolV2, "[::]:3888|10.0.0.1:3888|0.0.0.0:3889", []string{"10.0.0.1:3888"}, nil},
		{"empty piece", ProtocolV2, "10.0.0.1:3888||10.0.0.2:3888", nil, ErrBadAddress},
		{"trailing separator", ProtocolV2, "10.0.0.1:3888|", nil, ErrBadAddress},
		{"one bad piece spoils the list", ProtocolV2, "10.0.0.1:3888|10.0.0.2", nil, ErrBadAddress},
		{"bad port", ProtocolV1, "10.0.0.1:http", nil, ErrBadAddress},
		{"not UTF-8", ProtocolV1, "h\xff:3888", nil, ErrBadAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadInitialMessage(bytes.NewReader(headerOf(tc.version, 7, tc.field)))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "sid 7")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, InitialMessage{Version: tc.version, SID: 7, Addrs: tc.want}, got)
		})
	}
}

func TestReadInitialMessageTruncated(t *testing.T) {
	full := headerOf(ProtocolV1, 3, "127.0.0.1:12203")
	_, err := ReadInitialMessage(bytes.NewReader(nil))
	assert.Equal(t, io.EOF, err, "no byte at all is a clean end")
	for cut := 1; cut < len(full); cut++ {
		_, err := ReadInitialMessage(bytes.NewReader(full[:cut]))
		require.ErrorIs(t, err, ErrTruncated, "cut at %d", cut)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", cut)
	}
}

func TestReadInitialMessageSlowReaders(t *testing.T) {
	full := headerOf(ProtocolV2, 3, "127.0.0.1:12203|[::1]:12203")
	want := InitialMessage{Version: ProtocolV2, SID: 3, Addrs: []string{"127.0.0.1:12203", "[::1]:12203"}}
	for name, r := range map[string]io.Reader{
		"one byte per read": iotest.OneByteReader(bytes.NewReader(full)),
		"half per read":     iotest.HalfReader(bytes.NewReader(full)),
		"EOF with the data": iotest.DataErrReader(bytes.NewReader(full)),
	} {
		got, err := ReadInitialMessage(r)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
}

func TestReadInitialMessagePassesOtherErrorsOn(t *testing.T) {
	full := headerOf(ProtocolV1, 3, "127.0.0.1:12203")
	r := io.MultiReader(bytes.NewReader(full[:12]), iotest.ErrReader(os.ErrDeadlineExceeded))
	_, err := ReadInitialMessage(r)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.False(t, errors.Is(err, ErrTruncated), "a timeout is not a truncated header")
}

func TestInitialMessageEncode(t *testing.T) {
	got, err := InitialMessage{SID: 7}.Encode()
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 0, 0, 0, 0, 0, 0, 7}, got, "legacy header is the bare sid")

	got, err = InitialMessage{Version: ProtocolV2, SID: 2, Addrs: []string{"10.0.0.2:3888", "[::1]:3888"}}.Encode()
	require.NoError(t, err)
	assert.Equal(t, headerOf(ProtocolV2, 2, "10.0.0.2:3888|[::1]:3888"), got)

	// Java advertises a wildcard config verbatim; so do we.
	got, err = InitialMessage{Version: ProtocolV1, SID: 2, Addrs: []string{"0.0.0.0:3888"}}.Encode()
	require.NoError(t, err)
	assert.Equal(t, headerOf(ProtocolV1, 2, "0.0.0.0:3888"), got)

	prefix := []byte("prefix")
	appended, err := InitialMessage{Version: ProtocolV1, SID: 2, Addrs: []string{"10.0.0.2:3888"}}.AppendEncode(prefix)
	require.NoError(t, err)
	assert.Equal(t, append([]byte("prefix"), headerOf(ProtocolV1, 2, "10.0.0.2:3888")...), appended)
}

func TestInitialMessageEncodeRefuses(t *testing.T) {
	long := []string{strings.Repeat("h", MaxAddrLen-len(":1")) + ":1", "x:2"}
	for _, tc := range []struct {
		name    string
		m       InitialMessage
		wantErr error
		naming  string
	}{
		{"negative bare sid", InitialMessage{SID: -4}, ErrLegacySID, "-4"},
		{"bare sid with address", InitialMessage{SID: 4, Addrs: []string{"h:1"}}, ErrAddrCount, "1"},
		{"V1 without address", InitialMessage{Version: ProtocolV1, SID: 4}, ErrAddrCount, "0"},
		{"V1 with two addresses", InitialMessage{Version: ProtocolV1, SID: 4, Addrs: []string{"h:1", "g:2"}}, ErrAddrCount, "2"},
		{"V2 without address", InitialMessage{Version: ProtocolV2, SID: 4}, ErrAddrCount, "V2"},
		{"unknown version", InitialMessage{Version: -65530, SID: 4, Addrs: []string{"h:1"}}, ErrUnknownProtocolVersion, "-65530"},
		{"bad address", InitialMessage{Version: ProtocolV1, SID: 4, Addrs: []string{"h"}}, ErrBadAddress, `"h"`},
		{"separator inside an address", InitialMessage{Version: ProtocolV2, SID: 4, Addrs: []string{"h:1|g:2"}}, ErrBadAddress, `"h:1|g:2"`},
		{"not UTF-8", InitialMessage{Version: ProtocolV1, SID: 4, Addrs: []string{"h\xff:1"}}, ErrBadAddress, `"h\xff:1"`},
		{"field too long", InitialMessage{Version: ProtocolV2, SID: 4, Addrs: long}, ErrAddrLength, "2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte{1, 2, 3}
			got, err := tc.m.AppendEncode(prefix)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.naming)
			assert.Equal(t, []byte{1, 2, 3}, got, "the buffer is returned unchanged")
		})
	}
}
