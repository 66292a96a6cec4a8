package electionwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzReadInitialMessage: no input panics, reads past the header limit, or
// decodes to something that does not encode back to the same value.
func FuzzReadInitialMessage(f *testing.F) {
	headers, _, _ := goldenSeeds(f)
	for _, h := range headers {
		f.Add(h)
	}
	f.Add(binary.BigEndian.AppendUint64(nil, 5))
	f.Add(headerOf(ProtocolV2, 1, "[::]:3888|[::1]:3888|0.0.0.0:1"))
	f.Add(headerOf(ProtocolV1, 1, "a:1|b:2"))
	f.Add(headerOf(-65530, 1, "a:1"))
	f.Add(rawHeader(ProtocolV1, 1, 1<<20, "a:1"))

	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		m, err := ReadInitialMessage(r)
		consumed := len(data) - r.Len()
		require.LessOrEqual(t, consumed, initialHeaderLen+MaxAddrLen, "read past the largest header")
		if err != nil {
			require.True(t, err == io.EOF || errors.Is(err, ErrTruncated) || errors.Is(err, ErrUnknownProtocolVersion) ||
				errors.Is(err, ErrAddrLength) || errors.Is(err, ErrBadAddress), "untyped error %v", err)
			return
		}
		if m.Version == 0 {
			require.Equal(t, legacyHeaderLen, consumed)
			require.Nil(t, m.Addrs)
			enc, err := m.Encode()
			require.NoError(t, err)
			require.Equal(t, data[:consumed], enc)
			return
		}
		require.Equal(t, initialHeaderLen+int(binary.BigEndian.Uint32(data[16:])), consumed)
		for _, a := range m.Addrs {
			host, _, err := HostPort(a)
			require.NoError(t, err)
			require.False(t, IsWildcardHost(host), "wildcard %q kept", a)
		}

		switch {
		case len(m.Addrs) == 0:
			_, err := m.Encode()
			require.ErrorIs(t, err, ErrAddrCount, "nothing left to advertise")
			return
		case m.Version == ProtocolV1 && len(m.Addrs) > 1:
			_, err := m.Encode()
			require.ErrorIs(t, err, ErrAddrCount, "we never send V1 with '|'")
			m.Version = ProtocolV2
		}
		enc, err := m.Encode()
		require.NoError(t, err)
		back, err := ReadInitialMessage(bytes.NewReader(enc))
		require.NoError(t, err)
		require.Equal(t, m, back)
		field := data[initialHeaderLen:consumed]
		if back.Version == int64(binary.BigEndian.Uint64(data)) && strings.Count(string(field), "|")+1 == len(m.Addrs) {
			require.Equal(t, data[:consumed], enc, "nothing dropped: same bytes")
		}
	})
}

// chunkedReader hands out its data in reads of varying, seeded sizes.
type chunkedReader struct {
	data []byte
	seed uint8
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	c.seed = c.seed*31 + 7
	n := min(len(p), len(c.data), int(c.seed%23)+1)
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// FuzzFrameReader checks the reader against a plain reference split of the
// same stream, read in seeded chunk sizes: same bodies, the right final
// error, and a buffer never larger than the biggest frame header read asks
// for.
func FuzzFrameReader(f *testing.F) {
	_, streams, _ := goldenSeeds(f)
	for _, s := range streams {
		f.Add(s, uint8(0))
		f.Add(s, uint8(200))
	}
	f.Add(frameOf(1<<30, nil), uint8(1))
	f.Add(frameOf(-20, []byte{1, 2}), uint8(1))
	f.Add(append(frameOf(3, []byte{1, 2, 3}), 0, 0), uint8(9))

	f.Fuzz(func(t *testing.T, stream []byte, seed uint8) {
		fr := NewFrameReader(&chunkedReader{data: stream, seed: seed})
		var bodies [][]byte
		var final error
		for i := 0; ; i++ {
			require.LessOrEqual(t, i, len(stream)/(frameHeaderLen+1)+1, "more frames than the stream can hold")
			body, err := fr.Next()
			if err != nil {
				final = err
				break
			}
			require.NotEmpty(t, body)
			require.LessOrEqual(t, len(body), MaxFrameLen)
			require.Equal(t, len(body), cap(body))
			bodies = append(bodies, bytes.Clone(body))
		}
		_, again := fr.Next()
		require.Equal(t, final, again, "the final error sticks")

		// Reference: walk the stream by hand.
		off, biggest := 0, 0
		for _, b := range bodies {
			require.Equal(t, uint32(len(b)), binary.BigEndian.Uint32(stream[off:]))
			require.Equal(t, b, stream[off+frameHeaderLen:off+frameHeaderLen+len(b)])
			off += frameHeaderLen + len(b)
			biggest = max(biggest, frameHeaderLen+len(b))
		}
		rest := stream[off:]
		switch {
		case len(rest) == 0:
			require.Equal(t, io.EOF, final)
		case len(rest) < frameHeaderLen:
			require.ErrorIs(t, final, io.ErrUnexpectedEOF)
		default:
			length := int32(binary.BigEndian.Uint32(rest))
			if length < 1 || length > MaxFrameLen {
				require.ErrorIs(t, final, ErrFrameLength)
			} else {
				require.ErrorIs(t, final, io.ErrUnexpectedEOF)
				biggest = max(biggest, frameHeaderLen+int(length))
			}
		}
		assert.LessOrEqual(t, cap(fr.buf), max(frameReaderMinBuf, biggest), "buffer larger than any frame asked for")
		assert.LessOrEqual(t, cap(fr.buf), frameHeaderLen+MaxFrameLen)
	})
}

// FuzzDecodeNotification: no body panics; each error is typed and matches
// the length rules; whatever decodes re-encodes to an equivalent value.
func FuzzDecodeNotification(f *testing.F) {
	_, _, bodies := goldenSeeds(f)
	for _, b := range bodies {
		f.Add(b)
	}
	f.Add(head28().b)
	f.Add(head28().i64(1).b)
	f.Add(head28().i64(1).i32(1).b)
	f.Add(head28().i64(1).i32(2).i32(-123).raw(make([]byte, 4)).b)
	f.Add(head28().i64(1).i32(2).i32(10000).raw(make([]byte, 33)).b)

	f.Fuzz(func(t *testing.T, body []byte) {
		var n Notification
		err := DecodeNotification(body, &n)
		size := len(body)
		switch {
		case size < notificationLen28:
			require.ErrorIs(t, err, ErrShortNotification)
			return
		case size > notificationLen28 && size < notificationLen40:
			require.ErrorIs(t, err, ErrUnsupportedNotification)
			return
		case err != nil:
			require.ErrorIs(t, err, ErrConfigLength)
			require.Greater(t, int32(binary.BigEndian.Uint32(body[36:])), int32(1), "only a config can be bad")
			return
		}
		require.Equal(t, size, n.Size)
		if size == notificationLen28 || size == notificationLen40 {
			require.Zero(t, n.Version)
		}
		require.Equal(t, n.Version > 1, n.Config != nil, "a config exactly when version > 1")
		if len(n.Config) > 0 {
			saved := bytes.Clone(n.Config)
			for i := range body {
				body[i] ^= 0xff
			}
			require.Equal(t, saved, n.Config, "config must not alias the body")
			for i := range body {
				body[i] ^= 0xff
			}
		}

		enc := n.AppendEncode(nil)
		var back Notification
		require.NoError(t, DecodeNotification(enc, &back))
		want := n
		want.Size = len(enc)
		if n.Version == NotificationVersion1 {
			// Version 1 is encoded as the 3.4.6+ 40-byte body, which a 3.8
			// receiver reads as version 0 (see AppendEncode).
			want.Version = 0
		}
		require.Equal(t, want, back)
		if n.Version != NotificationVersion1 && (n.Version > 1 && size == notificationLen44+len(n.Config) || size == notificationLen28) {
			require.Equal(t, body, enc, "canonical bodies come back byte for byte")
		}
	})
}
