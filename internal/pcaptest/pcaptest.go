// Package pcaptest reassembles the TCP streams of a packet capture for
// tests that compare zkfle's bytes with a real ZooKeeper's: the quorum-port
// codec's golden tests (netbridge/quorumwire) and the session replays
// (zab) read the same capture. Test helpers only: nothing outside _test.go
// files imports it.
package pcaptest

import (
	"encoding/binary"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Stream is one direction of a TCP connection, reassembled.
type Stream struct {
	// Name is "sport->dport".
	Name string
	// First is the index of its first segment, to order streams.
	First int
	// Data is the payload, in sequence order.
	Data []byte

	isn uint32
}

// ReadStreams reassembles every TCP direction of a classic pcap
// (Ethernet link type, IPv4) by sequence number. Loopback captures have no
// loss, so a gap is a test failure; retransmitted bytes are skipped.
func ReadStreams(t testing.TB, path string) map[string]*Stream {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(b), 24, "pcap global header")
	require.Equal(t, uint32(0xa1b2c3d4), binary.LittleEndian.Uint32(b), "little-endian microsecond pcap")
	require.Equal(t, uint32(1), binary.LittleEndian.Uint32(b[20:]), "Ethernet link type")
	streams := make(map[string]*Stream)
	for off, n := 24, 0; off < len(b); n++ {
		require.LessOrEqual(t, off+16, len(b), "record header at %d", off)
		incl := int(binary.LittleEndian.Uint32(b[off+8:]))
		require.LessOrEqual(t, off+16+incl, len(b), "record at %d", off)
		frame := b[off+16 : off+16+incl]
		off += 16 + incl
		require.Equal(t, uint16(0x0800), binary.BigEndian.Uint16(frame[12:]), "IPv4 frame %d", n)
		ip := frame[14:]
		ihl := int(ip[0]&0x0f) * 4
		require.Equal(t, byte(6), ip[9], "TCP in frame %d", n)
		tcp := ip[ihl:binary.BigEndian.Uint16(ip[2:])]
		name := fmt.Sprintf("%d->%d", binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:]))
		seq := binary.BigEndian.Uint32(tcp[4:])
		s := streams[name]
		if s == nil {
			s = &Stream{Name: name, First: n}
			streams[name] = s
		}
		if tcp[13]&0x02 != 0 { // SYN
			s.isn = seq
			continue
		}
		payload := tcp[int(tcp[12]>>4)*4:]
		if len(payload) == 0 {
			continue
		}
		rel := int(seq - s.isn - 1)
		require.LessOrEqual(t, rel, len(s.Data), "gap in stream %s", name)
		if end := rel + len(payload); end > len(s.Data) {
			s.Data = append(s.Data, payload[len(s.Data)-rel:]...)
		}
	}
	for name, s := range streams {
		if len(s.Data) == 0 {
			delete(streams, name)
		}
	}
	return streams
}
