package quorumwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func samplePackets() []Packet {
	return []Packet{
		NewLearnerInfoPacket(false, 2, 0, 0),
		NewAckEpochPacket(0, 0),
		{Type: Request, Zxid: -1, Data: bytes.Repeat([]byte{7}, 5000), AuthInfo: []ID{{"ip", "127.0.0.1"}}},
		NewPingPacket(1 << 32),
		PingReply(NewPingPacket(1 << 32)),
	}
}

func encodeAll(ps []Packet) []byte {
	var b []byte
	for _, p := range ps {
		b = p.AppendEncode(b)
	}
	return b
}

func TestPacketReaderReadsBackToBackPackets(t *testing.T) {
	want := samplePackets()
	stream := encodeAll(want)
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(stream) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(stream)) },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			pr := NewPacketReader(mk())
			for i, w := range want {
				got, err := pr.Next()
				require.NoError(t, err, "packet %d", i)
				assert.Equal(t, w, got, "packet %d", i)
			}
			_, err := pr.Next()
			assert.Equal(t, io.EOF, err, "EOF between packets is a clean io.EOF")
			_, err = pr.Next()
			assert.Equal(t, io.EOF, err, "and stays so")
		})
	}
}

func TestPacketReaderEOFInsideAPacket(t *testing.T) {
	stream := encodeAll(samplePackets()[:2])
	pr := NewPacketReader(bytes.NewReader(stream[:len(stream)-3]))
	_, err := pr.Next()
	require.NoError(t, err)
	_, err = pr.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "21 bytes into a packet")
	_, err2 := pr.Next()
	assert.Equal(t, err, err2, "final")
}

// countingReader counts the bytes handed out and can fail once.
type countingReader struct {
	r       io.Reader
	n       int
	failAt  int // fail the read that would go past this many bytes, once
	failErr error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.failErr != nil && c.n+len(p) > c.failAt {
		if c.n < c.failAt {
			p = p[:c.failAt-c.n]
		} else {
			err := c.failErr
			c.failErr = nil
			return 0, err
		}
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestPacketReaderRejectsBadLengthBeforeAllocating: a header announcing a
// 2 GiB buffer is refused after its 16 bytes, with the buffer still at its
// initial size, and the error is final.
func TestPacketReaderRejectsBadLengthBeforeAllocating(t *testing.T) {
	hdr := binary.BigEndian.AppendUint32(unhex(t, "0000000a 0000000100000000"), 0x7fffffff)
	src := &countingReader{r: io.MultiReader(bytes.NewReader(hdr), neverEnding{})}
	pr := NewPacketReader(iotest.OneByteReader(src))
	_, err := pr.Next()
	require.ErrorIs(t, err, ErrLength)
	assert.Contains(t, err.Error(), "data length 2147483647")
	assert.Equal(t, 16, src.n, "read nothing past the header")
	assert.LessOrEqual(t, len(pr.buf), readerMinBuf)
	_, err2 := pr.Next()
	assert.Equal(t, err, err2)
}

// neverEnding yields zero bytes forever.
type neverEnding struct{}

func (neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

// TestPacketReaderGrowsWithArrivedBytes: a header announcing 1 MiB of data
// that then sends only 100 KiB leaves the buffer near 100 KiB, not 1 MiB.
func TestPacketReaderGrowsWithArrivedBytes(t *testing.T) {
	hdr := binary.BigEndian.AppendUint32(unhex(t, "00000002 0000000100000000"), MaxBuffer)
	stream := append(hdr, make([]byte, 100<<10)...)
	pr := NewPacketReader(bytes.NewReader(stream))
	_, err := pr.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.LessOrEqual(t, len(pr.buf), 2*(100<<10+16))
}

func TestPacketReaderLargePacketThenShrinks(t *testing.T) {
	big := Packet{Type: Proposal, Zxid: 1, Data: bytes.Repeat([]byte{1}, MaxBuffer)}
	small := NewPingPacket(3)
	stream := encodeAll([]Packet{big, small, small})
	pr := NewPacketReader(iotest.HalfReader(bytes.NewReader(stream)))
	got, err := pr.Next()
	require.NoError(t, err)
	assert.Equal(t, big, got)
	require.Greater(t, len(pr.buf), MaxBuffer)
	for range 2 {
		got, err = pr.Next()
		require.NoError(t, err)
		assert.Equal(t, small, got)
	}
	assert.Equal(t, readerMinBuf, len(pr.buf), "the large buffer was given back")
}

func TestPacketReaderResumesAfterATransientError(t *testing.T) {
	want := samplePackets()
	stream := encodeAll(want)
	timeout := errors.New("i/o timeout")
	src := &countingReader{r: bytes.NewReader(stream), failAt: 50, failErr: timeout}
	pr := NewPacketReader(src)
	got, err := pr.Next()
	require.NoError(t, err)
	assert.Equal(t, want[0], got)
	_, err = pr.Next()
	require.ErrorIs(t, err, timeout, "mid-packet read error is reported")
	for i, w := range want[1:] {
		got, err := pr.Next()
		require.NoError(t, err, "packet %d after resuming", i+1)
		assert.Equal(t, w, got)
	}
}

func TestPacketReaderFieldLimit(t *testing.T) {
	stream := Packet{Type: Request, Data: make([]byte, 101)}.AppendEncode(nil)
	_, err := NewPacketReaderSize(bytes.NewReader(stream), 100).Next()
	require.ErrorIs(t, err, ErrLength)
	assert.Contains(t, err.Error(), "data length 101 (want -1..100)")

	p, err := NewPacketReaderSize(bytes.NewReader(stream), 101).Next()
	require.NoError(t, err)
	assert.Len(t, p.Data, 101)

	p, err = NewPacketReaderSize(bytes.NewReader(stream), 0).Next()
	require.NoError(t, err, "0 means the default")
	assert.Len(t, p.Data, 101)
}

// emptyReader returns (0, nil) forever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// liarReader claims to have read more than it was given.
type liarReader struct{}

func (liarReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestPacketReaderMisbehavingReaders(t *testing.T) {
	_, err := NewPacketReader(emptyReader{}).Next()
	require.ErrorIs(t, err, io.ErrNoProgress)

	_, err = NewPacketReader(liarReader{}).Next()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reader returned")
}
