package electionwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frameOf frames body with a hand-written length (any value).
func frameOf(length int32, body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(length)), body...)
}

// testBodies are frame bodies of assorted sizes, the first a real one.
func testBodies(t *testing.T) [][]byte {
	n1 := readHexVector(t, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	return [][]byte{n1[frameHeaderLen:], {0x2a}, bytes.Repeat([]byte{7}, 28), bytes.Repeat([]byte{9}, 5000)}
}

func concatFrames(t *testing.T, bodies [][]byte) []byte {
	var stream []byte
	for _, b := range bodies {
		var err error
		stream, err = AppendFrame(stream, b)
		require.NoError(t, err)
	}
	return stream
}

// readAllFrames calls Next until it fails, copying each body.
func readAllFrames(fr *FrameReader) ([][]byte, error) {
	var got [][]byte
	for {
		body, err := fr.Next()
		if err != nil {
			return got, err
		}
		got = append(got, bytes.Clone(body))
	}
}

func TestFrameReaderSplitsAnyReadPattern(t *testing.T) {
	bodies := testBodies(t)
	stream := concatFrames(t, bodies)
	for name, r := range map[string]io.Reader{
		"one byte per read":  iotest.OneByteReader(bytes.NewReader(stream)),
		"half per read":      iotest.HalfReader(bytes.NewReader(stream)),
		"EOF with last data": iotest.DataErrReader(bytes.NewReader(stream)),
		"all in one read":    bytes.NewReader(stream),
	} {
		got, err := readAllFrames(NewFrameReader(r))
		assert.Equal(t, io.EOF, err, name)
		assert.Equal(t, bodies, got, name)
	}
}

// countingReader counts Read calls.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

func TestFrameReaderTakesSeveralFramesFromOneRead(t *testing.T) {
	n1 := readHexVector(t, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	stream := bytes.Repeat(n1, 5) // 930 bytes: fits the initial buffer
	cr := &countingReader{r: bytes.NewReader(stream)}
	fr := NewFrameReader(cr)
	for i := 0; i < 5; i++ {
		body, err := fr.Next()
		require.NoError(t, err)
		assert.Equal(t, n1[frameHeaderLen:], body)
	}
	assert.Equal(t, 1, cr.reads, "five small frames that arrived together need one read")
	_, err := fr.Next()
	assert.Equal(t, io.EOF, err)
}

func TestFrameReaderRejectsBadLengthsBeforeAllocating(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length int32
		naming string
	}{
		{"1 GiB (QuorumPeerMainTest.testBadPackets)", 1 << 30, "1073741824"},
		{"-20 (CnxManagerTest.testCnxManagerSpinLock)", -20, "-20"},
		{"zero", 0, "0"},
		{"one over the limit", MaxFrameLen + 1, "524289"},
		{"min int32", -1 << 31, "-2147483648"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Plenty of bytes follow, as an attacker would send.
			r := bytes.NewReader(append(frameOf(tc.length, nil), make([]byte, 8192)...))
			fr := NewFrameReader(r)
			_, err := fr.Next()
			require.ErrorIs(t, err, ErrFrameLength)
			assert.Contains(t, err.Error(), tc.naming)
			assert.LessOrEqual(t, cap(fr.buf), frameReaderMinBuf, "no buffer for the claimed length")

			_, again := fr.Next()
			assert.Equal(t, err, again, "the stream cannot be resynchronised: the error sticks")
		})
	}
}

func TestFrameReaderLengthLimitsInclusive(t *testing.T) {
	big := bytes.Repeat([]byte{0xab}, MaxFrameLen)
	stream := append(frameOf(MaxFrameLen, big), frameOf(1, []byte{1})...)
	got, err := readAllFrames(NewFrameReader(bytes.NewReader(stream)))
	assert.Equal(t, io.EOF, err)
	require.Len(t, got, 2)
	assert.Equal(t, big, got[0])
	assert.Equal(t, []byte{1}, got[1])
}

func TestFrameReaderEndOfStream(t *testing.T) {
	n1 := readHexVector(t, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	for _, tc := range []struct {
		name   string
		stream []byte
		frames int
		clean  bool
	}{
		{"empty stream", nil, 0, true},
		{"on a boundary", n1, 1, true},
		{"inside the length", append(bytes.Clone(n1), 0, 0), 1, false},
		{"inside the body", append(bytes.Clone(n1), n1[:100]...), 1, false},
		{"length only", n1[:frameHeaderLen], 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fr := NewFrameReader(iotest.HalfReader(bytes.NewReader(tc.stream)))
			got, err := readAllFrames(fr)
			assert.Len(t, got, tc.frames)
			if tc.clean {
				assert.Equal(t, io.EOF, err, "a clean end is io.EOF itself")
			} else {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			}
			_, again := fr.Next()
			assert.Equal(t, err, again, "the end sticks")
		})
	}
}

func TestFrameReaderBufferGrowsOnlyToTheFrame(t *testing.T) {
	const bigLen = 100000
	stream := frameOf(10, make([]byte, 10))
	stream = append(stream, frameOf(bigLen, make([]byte, bigLen))...)
	stream = append(stream, frameOf(10, make([]byte, 10))...)
	fr := NewFrameReader(iotest.OneByteReader(bytes.NewReader(stream)))

	_, err := fr.Next()
	require.NoError(t, err)
	assert.Equal(t, frameReaderMinBuf, cap(fr.buf), "a tiny frame needs only the initial buffer")

	body, err := fr.Next()
	require.NoError(t, err)
	assert.Len(t, body, bigLen)
	assert.Equal(t, frameHeaderLen+bigLen, cap(fr.buf), "grown to exactly the frame")

	_, err = fr.Next()
	require.NoError(t, err)
	assert.Equal(t, frameReaderMinBuf, cap(fr.buf), "the big buffer is given back")
}

func TestFrameReaderMemoryFollowsTheBytesReceived(t *testing.T) {
	// A valid but huge length, then only a trickle of body.
	stream := frameOf(MaxFrameLen, make([]byte, 10))
	fr := NewFrameReader(bytes.NewReader(stream))
	_, err := fr.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, frameReaderMinBuf, cap(fr.buf), "no 512 KiB buffer for 14 bytes")

	stream = frameOf(MaxFrameLen, make([]byte, 10000))
	fr = NewFrameReader(bytes.NewReader(stream))
	_, err = fr.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, 4*frameReaderMinBuf, cap(fr.buf), "doubling only while the bytes keep coming")
}

func TestFrameReaderBodyCannotClobberTheNextFrame(t *testing.T) {
	stream := concatFrames(t, [][]byte{{1, 2, 3}, {4, 5, 6}})
	fr := NewFrameReader(bytes.NewReader(stream))
	first, err := fr.Next()
	require.NoError(t, err)
	assert.Equal(t, len(first), cap(first))
	_ = append(first, 0xff, 0xff, 0xff, 0xff) // must reallocate, not write into the buffer
	second, err := fr.Next()
	require.NoError(t, err)
	assert.Equal(t, []byte{4, 5, 6}, second)
}

// scriptedReader returns its steps in order: data, or an error.
type scriptedReader struct {
	steps []readStep
}

type readStep struct {
	data []byte
	err  error
}

func (s *scriptedReader) Read(p []byte) (int, error) {
	if len(s.steps) == 0 {
		return 0, io.EOF
	}
	st := &s.steps[0]
	if st.err != nil {
		err := st.err
		s.steps = s.steps[1:]
		return 0, err
	}
	n := copy(p, st.data)
	st.data = st.data[n:]
	if len(st.data) == 0 {
		s.steps = s.steps[1:]
	}
	return n, nil
}

func TestFrameReaderResumesAfterATimeout(t *testing.T) {
	frame := frameOf(6, []byte("abcdef"))
	r := &scriptedReader{steps: []readStep{
		{data: frame[:2]},
		{err: os.ErrDeadlineExceeded},
		{data: frame[2:7]},
		{err: os.ErrDeadlineExceeded},
		{data: frame[7:]},
	}}
	fr := NewFrameReader(r)
	_, err := fr.Next()
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "inside the length")
	_, err = fr.Next()
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "inside the body")
	body, err := fr.Next()
	require.NoError(t, err)
	assert.Equal(t, []byte("abcdef"), body, "nothing read before the timeouts is lost")
}

// stuckReader returns (0, nil) forever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestFrameReaderGivesUpOnAReaderThatNeverProgresses(t *testing.T) {
	_, err := NewFrameReader(stuckReader{}).Next()
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

func TestAppendFrame(t *testing.T) {
	got, err := AppendFrame([]byte{9}, []byte{1, 2})
	require.NoError(t, err)
	assert.Equal(t, []byte{9, 0, 0, 0, 2, 1, 2}, got)

	for _, size := range []int{0, MaxFrameLen + 1} {
		dst := []byte{9}
		got, err := AppendFrame(dst, make([]byte, size))
		require.ErrorIs(t, err, ErrFrameLength, "size %d", size)
		assert.Equal(t, []byte{9}, got)
	}
	got, err = AppendFrame(nil, make([]byte, MaxFrameLen))
	require.NoError(t, err)
	assert.Len(t, got, frameHeaderLen+MaxFrameLen)
}

// TestHeaderAndFramesOverTCP sends what a Java initiator sends over a real
// loopback connection (the header in one write, then each frame as a
// length write and a body write) and reads it back the way the acceptor
// side of the bridge does.
func TestHeaderAndFramesOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	bodies := testBodies(t)
	header := InitialMessage{Version: ProtocolV1, SID: 3, Addrs: []string{"127.0.0.1:12203"}}
	sendErr := make(chan error, 1)
	go func() {
		sendErr <- func() error {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return err
			}
			defer conn.Close()
			hdr, err := header.Encode()
			if err != nil {
				return err
			}
			if _, err := conn.Write(hdr); err != nil {
				return err
			}
			for _, b := range bodies {
				if _, err := conn.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b)))); err != nil {
					return err
				}
				if _, err := conn.Write(b); err != nil {
					return err
				}
			}
			return nil
		}()
	}()

	conn, err := ln.Accept()
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	gotHeader, err := ReadInitialMessage(conn)
	require.NoError(t, err)
	assert.Equal(t, header, gotHeader)
	got, err := readAllFrames(NewFrameReader(conn))
	assert.True(t, errors.Is(err, io.EOF), "got %v", err)
	assert.Equal(t, bodies, got)
	require.NoError(t, <-sendErr)
}

// liarReader claims more bytes than it was given room for.
type liarReader struct{}

func (liarReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestFrameReaderRefusesABrokenReader(t *testing.T) {
	_, err := NewFrameReader(liarReader{}).Next()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reader returned 4097 for a 4096-byte read")
}
