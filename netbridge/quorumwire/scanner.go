package quorumwire

import (
	"encoding/binary"
	"fmt"
)

// scanner validates a packet's length fields as its bytes arrive, without
// allocating and without rescanning what it has already checked, so a peer
// that trickles a packet with many authinfo Ids costs linear time.
type scanner struct {
	// pos is the offset up to which the packet has been validated.
	pos int
	// stage is what comes at pos: the header and data length, the
	// authinfo count, or the length of one of the Id strings.
	stage scanStage
	// strings is the number of Id strings whose lengths are still to come.
	strings int
	// authStart is the offset of the first Id, to bound all of authinfo.
	authStart int
}

type scanStage uint8

const (
	stageHeader scanStage = iota
	stageAuthCount
	stageStrings
	stageDone
)

// advance validates as much of the packet at the start of b as is there.
// It returns done when b holds the whole packet (its length is then
// s.pos); otherwise need is the least total number of bytes that lets it
// progress. Every length is checked before it contributes to need, so a
// caller that grows its buffer to need never allocates for a bad length.
func (s *scanner) advance(b []byte, maxField int) (done bool, need int, err error) {
	for {
		switch s.stage {
		case stageHeader:
			if len(b) < 16 {
				return false, 16, nil
			}
			n := int32(binary.BigEndian.Uint32(b[12:]))
			if err := checkLen("data", n, maxField); err != nil {
				return false, 0, err
			}
			s.pos = 16 + max(int(n), 0)
			s.stage = stageAuthCount
		case stageAuthCount:
			if len(b) < s.pos+4 {
				return false, s.pos + 4, nil
			}
			count := int32(binary.BigEndian.Uint32(b[s.pos:]))
			if count < -1 || int(count) > maxField/8 {
				return false, 0, fmt.Errorf("%w: %d (want -1..%d)", ErrAuthInfoCount, count, maxField/8)
			}
			s.pos += 4
			s.authStart = s.pos
			s.strings = 2 * max(int(count), 0)
			s.stage = stageStrings
		case stageStrings:
			if s.strings == 0 {
				s.stage = stageDone
				continue
			}
			if len(b) < s.pos+4 {
				return false, s.pos + 4, nil
			}
			n := int32(binary.BigEndian.Uint32(b[s.pos:]))
			if err := checkLen("authinfo string", n, maxField); err != nil {
				return false, 0, err
			}
			s.pos += 4 + max(int(n), 0)
			if s.pos-s.authStart > maxField {
				return false, 0, fmt.Errorf("%w: authinfo takes more than %d bytes", ErrPacketTooLarge, maxField)
			}
			s.strings--
		case stageDone:
			if len(b) < s.pos {
				return false, s.pos, nil
			}
			return true, s.pos, nil
		}
	}
}

// checkLen applies BinaryInputArchive.checkLength, with -1 (null) allowed.
func checkLen(field string, n int32, maxField int) error {
	if n < -1 || int(n) > maxField {
		return fmt.Errorf("%w: %s length %d (want -1..%d)", ErrLength, field, n, maxField)
	}
	return nil
}
