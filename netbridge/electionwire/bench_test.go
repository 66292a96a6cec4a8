package electionwire

import (
	"bytes"
	"io"
	"testing"
)

// benchNotification is golden vector N1: a current (version 2) body with
// the captured ensemble's 138-byte config, 182 bytes in all.
func benchNotification(b *testing.B) (Notification, []byte) {
	raw := readHexVector(b, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	body := raw[frameHeaderLen:]
	var n Notification
	if err := DecodeNotification(body, &n); err != nil {
		b.Fatal(err)
	}
	return n, body
}

func BenchmarkEncodeNotificationV2(b *testing.B) {
	n, body := benchNotification(b)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = n.AppendEncode(buf[:0])
	}
	if !bytes.Equal(buf, body) {
		b.Fatal("encoded body differs from the golden vector")
	}
}

func BenchmarkDecodeNotificationV2(b *testing.B) {
	_, body := benchNotification(b)
	var n Notification
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := DecodeNotification(body, &n); err != nil {
			b.Fatal(err)
		}
	}
	if len(n.Config) != 138 {
		b.Fatalf("config of %d bytes, want 138", len(n.Config))
	}
}

// repeatReader replays one frame forever, a stand-in for a busy socket.
type repeatReader struct {
	frame []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.frame[r.off:])
		n += c
		r.off = (r.off + c) % len(r.frame)
	}
	return n, nil
}

var _ io.Reader = (*repeatReader)(nil)

func BenchmarkFrameReaderNext(b *testing.B) {
	raw := readHexVector(b, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	fr := NewFrameReader(&repeatReader{frame: raw})
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := fr.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
