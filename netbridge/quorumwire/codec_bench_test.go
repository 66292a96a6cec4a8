package quorumwire

import (
	"bytes"
	"testing"

	"github.com/zkfle/zkfle/zk"
)

// BenchmarkAppendEncodePing measures encoding the packet the heartbeat
// sends most.
func BenchmarkAppendEncodePing(b *testing.B) {
	p := NewPingPacket(int64(zk.MakeZxid(3, 0)))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for range b.N {
		buf = p.AppendEncode(buf[:0])
	}
}

// BenchmarkPacketReaderPings measures reading a stream of ping replies, as
// a leader does all day.
func BenchmarkPacketReaderPings(b *testing.B) {
	reply := PingReply(NewPingPacket(int64(zk.MakeZxid(3, 0)))).AppendEncode(nil)
	stream := bytes.Repeat(reply, 1000)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pr := NewPacketReader(bytes.NewReader(stream))
		for range 1000 {
			if _, err := pr.Next(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
