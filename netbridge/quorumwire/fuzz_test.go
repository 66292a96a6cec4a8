package quorumwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/zkfle/zkfle/zk"
)

// goldenBytes returns the golden vectors' bytes, to seed fuzz targets.
func goldenBytes(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, v := range loadGolden(f) {
		out = append(out, v.bytes)
	}
	return out
}

// FuzzDecodePacket: DecodePacket never panics; what it accepts re-encodes
// to the same bytes, except null Id strings, which decode as "".
func FuzzDecodePacket(f *testing.F) {
	for _, v := range goldenBytes(f) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, n, err := DecodePacket(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("took %d of %d bytes", n, len(b))
		}
		if hasNullIDString(b[:n], p) {
			return
		}
		if n != p.EncodedLen() || !bytes.Equal(p.AppendEncode(nil), b[:n]) {
			t.Fatalf("re-encoding differs (n=%d, EncodedLen=%d)", n, p.EncodedLen())
		}
	})
}

// hasNullIDString reports whether an accepted packet has an Id string of
// length -1 (re-encoding writes length 0 for it).
func hasNullIDString(b []byte, p Packet) bool {
	pos := 16 + len(p.Data) + 4
	for range 2 * len(p.AuthInfo) {
		n := int32(binary.BigEndian.Uint32(b[pos:]))
		if n == -1 {
			return true
		}
		pos += 4 + int(n)
	}
	return false
}

// FuzzPacketReader: reading a stream whole and one byte at a time gives the
// same packets and the same kind of end; nothing panics.
func FuzzPacketReader(f *testing.F) {
	for _, v := range goldenBytes(f) {
		f.Add(append(append([]byte{}, v...), v...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		whole, errW := readStream(NewPacketReaderSize(bytes.NewReader(b), 4096))
		bytewise, errB := readStream(NewPacketReaderSize(iotest.OneByteReader(bytes.NewReader(b)), 4096))
		if len(whole) != len(bytewise) {
			t.Fatalf("%d packets whole, %d byte by byte", len(whole), len(bytewise))
		}
		for i := range whole {
			if whole[i].String() != bytewise[i].String() || !bytes.Equal(whole[i].Data, bytewise[i].Data) {
				t.Fatalf("packet %d differs", i)
			}
		}
		if (errW == nil) != (errB == nil) || errW != nil && errW.Error() != errB.Error() {
			t.Fatalf("ends differ: %v vs %v", errW, errB)
		}
	})
}

// readStream reads packets to the end: nil error for a clean io.EOF.
func readStream(pr *PacketReader) ([]Packet, error) {
	var out []Packet
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
}

// FuzzDecodeLearnerInfo: never panics; a full record re-encodes exactly.
func FuzzDecodeLearnerInfo(f *testing.F) {
	f.Add(unhex(f, "0000000000000002 00010000 0000000000000000"))
	f.Add(unhex(f, "0000000000000002"))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		li, err := DecodeLearnerInfo(b)
		if err != nil {
			if len(b) >= 8 {
				t.Fatalf("rejected %d bytes: %v", len(b), err)
			}
			return
		}
		if len(b) >= learnerInfoLen && !bytes.Equal(li.AppendEncode(nil), b[:learnerInfoLen]) {
			t.Fatalf("re-encoding differs")
		}
	})
}

// FuzzDecodeEpochPayloads: the LEADERINFO and ACKEPOCH helpers never panic
// and accept exactly the packets of their type with 4 data bytes or more.
func FuzzDecodeEpochPayloads(f *testing.F) {
	f.Add(int32(LeaderInfo), int64(1<<32), unhex(f, "00010000"))
	f.Add(int32(AckEpoch), int64(0x100000002), unhex(f, "ffffffff"))
	f.Add(int32(AckEpoch), int64(0), []byte{})
	f.Fuzz(func(t *testing.T, typ int32, zxid int64, data []byte) {
		p := Packet{Type: PacketType(typ), Zxid: zxid, Data: data}
		prop, err := DecodeLeaderInfo(p)
		if (err == nil) != (p.Type == LeaderInfo && len(data) >= 4) {
			t.Fatalf("DecodeLeaderInfo(%s, %d bytes): %v", p.Type, len(data), err)
		}
		if err == nil && prop.Epoch != zk.Zxid(zxid).Epoch() {
			t.Fatalf("epoch %d from zxid %x", prop.Epoch, zxid)
		}
		ack, err := DecodeAckEpoch(p)
		if (err == nil) != (p.Type == AckEpoch && len(data) >= 4) {
			t.Fatalf("DecodeAckEpoch(%s, %d bytes): %v", p.Type, len(data), err)
		}
		if err == nil && !bytes.Equal(NewAckEpochPacket(ack.CurrentEpoch, ack.LastZxid).Data, data[:4]) {
			t.Fatalf("ACKEPOCH re-encoding differs")
		}
	})
}
