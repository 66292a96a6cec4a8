package electionwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// After the connection header, both directions carry frames:
//
//	i32 length (1..MaxFrameLen), then length bytes of body
//
// Java writes the length and the body as two unbuffered writes (two TCP
// segments on loopback), so a reader must never assume one frame per read.

// AppendFrame appends the frame for body (its i32 length, then body) to dst.
// A body outside 1..MaxFrameLen bytes is ErrFrameLength, because a Java
// receiver would drop the connection on it; dst is then returned unchanged.
func AppendFrame(dst, body []byte) ([]byte, error) {
	if len(body) < 1 || len(body) > MaxFrameLen {
		return dst, fmt.Errorf("%w: body of %d bytes (want 1..%d)", ErrFrameLength, len(body), MaxFrameLen)
	}
	dst = slices.Grow(dst, frameHeaderLen+len(body))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	return append(dst, body...), nil
}

// frameReaderMinBuf is the buffer a FrameReader starts with: a dozen
// ZooKeeper notification frames (~186 bytes each), so that one read can
// pick up several, yet far below MaxFrameLen.
const frameReaderMinBuf = 4096

// frameReaderShrinkAbove: a buffer grown beyond this for one large frame is
// given back once the frames that follow fit the minimum buffer again.
const frameReaderShrinkAbove = 64 << 10

// maxEmptyReads bounds consecutive (0, nil) reads before giving up with
// io.ErrNoProgress, so a misbehaving reader cannot make Next spin forever.
const maxEmptyReads = 100

// FrameReader splits a byte stream into frame bodies. It handles partial
// reads and several frames per read, and it checks each length before it
// allocates anything for the body. Its buffer starts at a few KiB and grows
// only as a large frame's bytes arrive, up to that frame's own length (at
// most 4+MaxFrameLen bytes).
//
// A FrameReader is not safe for concurrent use.
type FrameReader struct {
	r   io.Reader
	buf []byte // len(buf) == cap(buf); buf[start:end] is unconsumed input
	// start and end delimit the received bytes not yet returned as frames.
	start, end int
	// err is sticky: a bad length or the end of the stream ends the reader.
	err error
}

// NewFrameReader returns a FrameReader reading from r. It allocates no
// buffer until the first call to Next.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: r}
}

// Next returns the next frame body. The body aliases the reader's buffer:
// it is valid only until the next call to Next, so copy what you keep.
// Its capacity equals its length, so appending to it cannot clobber the
// frames that follow.
//
// Errors:
//   - io.EOF (unwrapped) when the stream ends on a frame boundary;
//   - an error wrapping io.ErrUnexpectedEOF when it ends inside a frame;
//   - an error wrapping ErrFrameLength, naming the value, when a length is
//     <= 0 or > MaxFrameLen (checked before anything is allocated for the
//     body; the stream cannot be resynchronised, as in Java);
//   - any other error of the underlying reader, wrapped (use errors.Is).
//
// The first three are final: every later call returns the same error.
// After another read error (say, a deadline) the unconsumed bytes are kept
// and Next may be called again to resume.
func (fr *FrameReader) Next() ([]byte, error) {
	if fr.err != nil {
		return nil, fr.err
	}
	if err := fr.fill(frameHeaderLen); err != nil {
		return nil, fr.readFailed(err, 0)
	}
	length := int32(binary.BigEndian.Uint32(fr.buf[fr.start:]))
	if length < 1 || length > MaxFrameLen {
		fr.err = fmt.Errorf("%w: %d (want 1..%d)", ErrFrameLength, length, MaxFrameLen)
		return nil, fr.err
	}
	total := frameHeaderLen + int(length)
	if err := fr.fill(total); err != nil {
		return nil, fr.readFailed(err, int(length))
	}
	from, to := fr.start+frameHeaderLen, fr.start+total
	fr.start = to
	return fr.buf[from:to:to], nil
}

// fill makes sure at least need unconsumed bytes are buffered, reading as
// much as the buffer holds per call so that several small frames arrive
// with one read.
func (fr *FrameReader) fill(need int) error {
	empty := 0
	for fr.end-fr.start < need {
		fr.makeRoom(need)
		n, err := fr.r.Read(fr.buf[fr.end:])
		if n < 0 || n > len(fr.buf)-fr.end {
			// A broken io.Reader; bufio panics here, we refuse politely.
			return fmt.Errorf("electionwire: reader returned %d for a %d-byte read", n, len(fr.buf)-fr.end)
		}
		fr.end += n
		if fr.end-fr.start >= need {
			// Enough for this frame; a sticky error such as io.EOF will
			// come back from the next Read when more is needed.
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			empty++
			if empty >= maxEmptyReads {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// makeRoom leaves free space after buf[end] for a frame of need bytes that
// starts at buf[start] and is not complete yet. The buffer grows by
// doubling only when it is full, and never beyond need, so memory follows
// the bytes that actually arrived (a header claiming 512 KiB followed by
// nothing costs nothing) and ends at the frame's own length. A buffer grown
// large is given back once frames are small again. Unconsumed bytes are
// moved to the front when the frame would not fit after them.
func (fr *FrameReader) makeRoom(need int) {
	pending := fr.end - fr.start
	size := len(fr.buf)
	switch {
	case size < frameReaderMinBuf:
		size = frameReaderMinBuf // first use
	case size > frameReaderShrinkAbove && need <= frameReaderMinBuf && pending <= frameReaderMinBuf:
		size = frameReaderMinBuf
	case fr.end == size && size < need:
		size = min(need, 2*size)
	}
	if size != len(fr.buf) {
		buf := make([]byte, size)
		copy(buf, fr.buf[fr.start:fr.end])
		fr.buf, fr.start, fr.end = buf, 0, pending
		return
	}
	if fr.start > 0 && len(fr.buf)-fr.start < need {
		copy(fr.buf, fr.buf[fr.start:fr.end])
		fr.start, fr.end = 0, pending
	}
}

// readFailed turns a read error met while filling a frame into Next's
// error. bodyLen is 0 while the length itself is being read.
func (fr *FrameReader) readFailed(err error, bodyLen int) error {
	if !errors.Is(err, io.EOF) {
		return fmt.Errorf("electionwire: reading frame: %w", err)
	}
	pending := fr.end - fr.start
	switch {
	case bodyLen == 0 && pending == 0:
		fr.err = io.EOF
	case bodyLen == 0:
		fr.err = fmt.Errorf("electionwire: stream ended after %d of %d length bytes: %w", pending, frameHeaderLen, io.ErrUnexpectedEOF)
	default:
		fr.err = fmt.Errorf("electionwire: stream ended after %d of %d body bytes of a frame: %w",
			pending-frameHeaderLen, bodyLen, io.ErrUnexpectedEOF)
	}
	return fr.err
}
