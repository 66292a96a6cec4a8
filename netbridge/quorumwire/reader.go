package quorumwire

import (
	"errors"
	"fmt"
	"io"
)

// readerMinBuf is the buffer a PacketReader starts with: enough for dozens
// of discovery and heartbeat packets (20-200 bytes each) per read.
const readerMinBuf = 4096

// readerShrinkAbove: a buffer grown beyond this for one large packet is
// given back once the packets that follow fit the minimum buffer again.
const readerShrinkAbove = 64 << 10

// maxEmptyReads bounds consecutive (0, nil) reads before Next gives up with
// io.ErrNoProgress, so a misbehaving io.Reader cannot make it spin.
const maxEmptyReads = 100

// PacketReader reads QuorumPackets from a byte stream, as the quorum port
// carries them: back to back, with no outer length prefix. It handles
// partial reads and several packets per read, and it checks every length
// field against its limits before it lets the buffer grow for it, so a bad
// or hostile length costs no allocation. The buffer starts at a few KiB and
// grows only as a large packet's bytes arrive.
//
// After a Snap packet ZooKeeper writes the snapshot itself, unframed, on
// the same stream; a PacketReader cannot read past it (the sessions end
// there, since zkfle does not take snapshots).
//
// A PacketReader is not safe for concurrent use.
type PacketReader struct {
	r        io.Reader
	maxField int
	buf      []byte // len(buf) == cap(buf); buf[start:end] is unconsumed input
	start    int
	end      int
	sc       scanner // validation state of the packet at buf[start:]
	err      error   // sticky: a bad length or the end of the stream
}

// NewPacketReader returns a PacketReader with the default field limit,
// DefaultMaxField. It allocates nothing until the first Next.
func NewPacketReader(r io.Reader) *PacketReader {
	return NewPacketReaderSize(r, DefaultMaxField)
}

// NewPacketReaderSize returns a PacketReader whose data buffers, scheme and
// id strings may each be up to maxField bytes (match a Java peer's
// jute.maxbuffer plus extrasize); maxField <= 0 means DefaultMaxField. A
// whole packet may take up to twice maxField plus its 20 fixed bytes.
func NewPacketReaderSize(r io.Reader, maxField int) *PacketReader {
	if maxField <= 0 {
		maxField = DefaultMaxField
	}
	return &PacketReader{r: r, maxField: maxField}
}

// Next returns the next packet. The packet owns its memory.
//
// Errors:
//   - io.EOF (unwrapped) when the stream ends between packets;
//   - an error wrapping io.ErrUnexpectedEOF when it ends inside one;
//   - an error wrapping ErrLength, ErrAuthInfoCount or ErrPacketTooLarge,
//     naming the value, for a bad length (as in Java, the stream cannot be
//     resynchronised);
//   - any other error of the underlying reader, wrapped (use errors.Is).
//
// The first three are final: every later call returns the same error.
// After another read error (a deadline, say) the bytes read so far are
// kept and Next may be called again to resume.
func (pr *PacketReader) Next() (Packet, error) {
	if pr.err != nil {
		return Packet{}, pr.err
	}
	empty := 0
	for {
		done, need, err := pr.sc.advance(pr.buf[pr.start:pr.end], pr.maxField)
		if err != nil {
			pr.err = err
			return Packet{}, err
		}
		if done {
			n := pr.sc.pos
			p := decodeScanned(pr.buf[pr.start : pr.start+n])
			pr.start += n
			pr.sc = scanner{}
			return p, nil
		}
		pr.makeRoom(need)
		n, err := pr.r.Read(pr.buf[pr.end:])
		if n < 0 || n > len(pr.buf)-pr.end {
			// A broken io.Reader; bufio panics here, we refuse politely.
			return Packet{}, fmt.Errorf("quorumwire: reader returned %d for a %d-byte read", n, len(pr.buf)-pr.end)
		}
		pr.end += n
		if n > 0 {
			empty = 0
			continue // a sticky error such as io.EOF comes back with the next Read
		}
		if err != nil {
			return Packet{}, pr.readFailed(err)
		}
		empty++
		if empty >= maxEmptyReads {
			return Packet{}, fmt.Errorf("quorumwire: reading a packet: %w", io.ErrNoProgress)
		}
	}
}

// readFailed turns a read error into Next's error: io.EOF between packets
// stays io.EOF, inside one it becomes io.ErrUnexpectedEOF; both are final.
func (pr *PacketReader) readFailed(err error) error {
	if errors.Is(err, io.EOF) {
		if pr.start == pr.end {
			pr.err = io.EOF
		} else {
			pr.err = fmt.Errorf("quorumwire: stream ended %d bytes into a packet: %w", pr.end-pr.start, io.ErrUnexpectedEOF)
		}
		return pr.err
	}
	return fmt.Errorf("quorumwire: reading a packet: %w", err)
}

// makeRoom leaves free space after buf[end] for the packet that starts at
// buf[start] and needs at least need bytes (a length the scanner has
// already validated). The buffer doubles only when the packet's own bytes
// fill it, never beyond need, so memory follows what the peer has really
// sent, not what it announced; it shrinks back to the minimum once a large
// packet has been consumed.
func (pr *PacketReader) makeRoom(need int) {
	pending := pr.end - pr.start
	size := len(pr.buf)
	switch {
	case size < readerMinBuf:
		size = readerMinBuf
	case size > readerShrinkAbove && need <= readerMinBuf && pending <= readerMinBuf:
		size = readerMinBuf
	case pending == size && need > size:
		size = min(need, 2*size)
	}
	if size != len(pr.buf) {
		buf := make([]byte, size)
		copy(buf, pr.buf[pr.start:pr.end])
		pr.buf, pr.start, pr.end = buf, 0, pending
		return
	}
	if pr.end == len(pr.buf) {
		// No room at the tail: slide the pending bytes to the front.
		copy(pr.buf, pr.buf[pr.start:pr.end])
		pr.start, pr.end = 0, pending
	}
}
