package electionwire

// A small reader for classic libpcap captures and a TCP reassembler, just
// enough to pull ZooKeeper's election traffic out of testdata/pcap. Test
// code only: it trusts nothing in the file and reports what it cannot
// handle (pcapng, IP fragments, gaps in a TCP stream) as errors.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"time"
)

// Link-layer header types (https://www.tcpdump.org/linktypes.html).
const (
	pcapLinkNull     = 0   // BSD loopback: 4-byte address family, host order
	pcapLinkEthernet = 1   // Ethernet II (tcpdump -i lo writes this on Linux)
	pcapLinkRaw      = 101 // raw IPv4/IPv6
	pcapLinkLoop     = 108 // OpenBSD loopback: family in network order
	pcapLinkSLL      = 113 // Linux cooked capture v1 (tcpdump -i any)
	pcapLinkIPv4     = 228 // raw IPv4
	pcapLinkSLL2     = 276 // Linux cooked capture v2
)

// pcapPacket is one captured link-layer frame and its capture time.
type pcapPacket struct {
	ts   time.Duration // since the Unix epoch
	data []byte
}

// readPcap parses a classic pcap file (either byte order, micro- or
// nanosecond timestamps).
func readPcap(file []byte) (linkType uint32, pkts []pcapPacket, err error) {
	if len(file) < 24 {
		return 0, nil, errors.New("pcap: file shorter than its global header")
	}
	var order binary.ByteOrder
	var tsUnit time.Duration
	switch magic := binary.LittleEndian.Uint32(file); magic {
	case 0xa1b2c3d4:
		order, tsUnit = binary.LittleEndian, time.Microsecond
	case 0xa1b23c4d:
		order, tsUnit = binary.LittleEndian, time.Nanosecond
	case 0xd4c3b2a1:
		order, tsUnit = binary.BigEndian, time.Microsecond
	case 0x4d3cb2a1:
		order, tsUnit = binary.BigEndian, time.Nanosecond
	default:
		return 0, nil, fmt.Errorf("pcap: magic 0x%08x is not classic pcap (pcapng?)", magic)
	}
	linkType = order.Uint32(file[20:]) & 0x0fffffff // the top bits are FCS flags
	for off := 24; off < len(file); {
		if len(file)-off < 16 {
			return 0, nil, fmt.Errorf("pcap: record header cut at offset %d", off)
		}
		sec, frac := order.Uint32(file[off:]), order.Uint32(file[off+4:])
		inclLen, origLen := int(order.Uint32(file[off+8:])), int(order.Uint32(file[off+12:]))
		off += 16
		if inclLen > len(file)-off {
			return 0, nil, fmt.Errorf("pcap: record of %d bytes cut at offset %d", inclLen, off)
		}
		if inclLen < origLen {
			return 0, nil, fmt.Errorf("pcap: packet at offset %d truncated by the snap length (%d of %d bytes)", off, inclLen, origLen)
		}
		ts := time.Duration(sec)*time.Second + time.Duration(frac)*tsUnit
		pkts = append(pkts, pcapPacket{ts: ts, data: file[off : off+inclLen]})
		off += inclLen
	}
	return linkType, pkts, nil
}

// tcpEndpoint is one side of a TCP connection.
type tcpEndpoint = netip.AddrPort

// tcpSegment is the part of a TCP packet reassembly needs.
type tcpSegment struct {
	ts       time.Duration
	src, dst tcpEndpoint
	seq      uint32
	flags    uint8
	payload  []byte
}

const (
	tcpFlagFIN = 0x01
	tcpFlagSYN = 0x02
	tcpFlagRST = 0x04
	tcpFlagACK = 0x10
)

// decodeTCP extracts the TCP segment of a link-layer frame. ok is false for
// packets that are not TCP over IPv4/IPv6 (ARP, UDP, ...).
func decodeTCP(linkType uint32, pkt pcapPacket) (seg tcpSegment, ok bool, err error) {
	ip, ok, err := linkPayload(linkType, pkt.data)
	if !ok || err != nil {
		return seg, ok, err
	}
	if len(ip) < 1 {
		return seg, false, errors.New("ip: empty packet")
	}
	var transport []byte
	switch ip[0] >> 4 {
	case 4:
		if len(ip) < 20 {
			return seg, false, errors.New("ipv4: header cut")
		}
		ihl, total := int(ip[0]&0x0f)*4, int(binary.BigEndian.Uint16(ip[2:]))
		if ihl < 20 || total < ihl || total > len(ip) {
			return seg, false, fmt.Errorf("ipv4: bad lengths ihl=%d total=%d captured=%d", ihl, total, len(ip))
		}
		if ip[9] != 6 {
			return seg, false, nil
		}
		if frag := binary.BigEndian.Uint16(ip[6:]); frag&0x3fff != 0 {
			return seg, false, errors.New("ipv4: fragments are not supported")
		}
		seg.src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), 0)
		seg.dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), 0)
		transport = ip[ihl:total]
	case 6:
		if len(ip) < 40 {
			return seg, false, errors.New("ipv6: header cut")
		}
		if ip[6] != 6 {
			return seg, false, nil // not TCP, or behind extension headers
		}
		plen := int(binary.BigEndian.Uint16(ip[4:]))
		if 40+plen > len(ip) {
			return seg, false, fmt.Errorf("ipv6: payload length %d exceeds the captured %d bytes", plen, len(ip)-40)
		}
		seg.src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(ip[8:24])), 0)
		seg.dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(ip[24:40])), 0)
		transport = ip[40 : 40+plen]
	default:
		return seg, false, nil
	}
	if len(transport) < 20 {
		return seg, false, errors.New("tcp: header cut")
	}
	dataOff := int(transport[12]>>4) * 4
	if dataOff < 20 || dataOff > len(transport) {
		return seg, false, fmt.Errorf("tcp: bad data offset %d", dataOff)
	}
	seg.src = netip.AddrPortFrom(seg.src.Addr(), binary.BigEndian.Uint16(transport[0:]))
	seg.dst = netip.AddrPortFrom(seg.dst.Addr(), binary.BigEndian.Uint16(transport[2:]))
	seg.seq = binary.BigEndian.Uint32(transport[4:])
	seg.flags = transport[13]
	seg.payload = transport[dataOff:]
	seg.ts = pkt.ts
	return seg, true, nil
}

// linkPayload strips the link-layer header. ok is false for frames that do
// not carry IP.
func linkPayload(linkType uint32, frame []byte) (ip []byte, ok bool, err error) {
	need := func(n int) error {
		if len(frame) < n {
			return fmt.Errorf("link type %d: frame of %d bytes shorter than its %d-byte header", linkType, len(frame), n)
		}
		return nil
	}
	isIP := func(etherType uint16) bool { return etherType == 0x0800 || etherType == 0x86dd }
	switch linkType {
	case pcapLinkEthernet:
		if err := need(14); err != nil {
			return nil, false, err
		}
		etherType, hdr := binary.BigEndian.Uint16(frame[12:]), 14
		if etherType == 0x8100 { // one 802.1Q tag
			if err := need(18); err != nil {
				return nil, false, err
			}
			etherType, hdr = binary.BigEndian.Uint16(frame[16:]), 18
		}
		return frame[hdr:], isIP(etherType), nil
	case pcapLinkSLL:
		if err := need(16); err != nil {
			return nil, false, err
		}
		return frame[16:], isIP(binary.BigEndian.Uint16(frame[14:])), nil
	case pcapLinkSLL2:
		if err := need(20); err != nil {
			return nil, false, err
		}
		return frame[20:], isIP(binary.BigEndian.Uint16(frame[0:])), nil
	case pcapLinkNull, pcapLinkLoop:
		if err := need(4); err != nil {
			return nil, false, err
		}
		// The family is in the capturing host's order (NULL) or network
		// order (LOOP); AF_INET is 2 everywhere, AF_INET6 is 10, 24, 28 or 30.
		fam := binary.LittleEndian.Uint32(frame)
		if linkType == pcapLinkLoop || fam > 0xffff {
			fam = binary.BigEndian.Uint32(frame)
		}
		switch fam {
		case 2, 10, 24, 28, 30:
			return frame[4:], true, nil
		}
		return nil, false, nil
	case pcapLinkRaw, pcapLinkIPv4:
		return frame, true, nil
	}
	return nil, false, fmt.Errorf("pcap: unsupported link type %d", linkType)
}

// tcpStream is one direction of a TCP connection, reassembled.
type tcpStream struct {
	src, dst tcpEndpoint
	synSeen  bool // the sender's SYN was captured (then data starts at ISN+1)
	isn      uint32
	data     []byte
	// arrivals maps stream offsets to capture times: arrivals[i].end is the
	// offset just past the bytes first seen at arrivals[i].ts.
	arrivals []streamArrival
	segs     []tcpSegment
}

type streamArrival struct {
	end int
	ts  time.Duration
}

// timeAt is when byte off of the stream was first captured.
func (s *tcpStream) timeAt(off int) time.Duration {
	i := sort.Search(len(s.arrivals), func(i int) bool { return s.arrivals[i].end > off })
	if i == len(s.arrivals) {
		return -1
	}
	return s.arrivals[i].ts
}

// tcpConn is a connection: the initiator (who sent the SYN) and both
// directions.
type tcpConn struct {
	initiator, acceptor tcpEndpoint
	out, in             *tcpStream // initiator->acceptor, acceptor->initiator
	firstTS             time.Duration
}

// reassembleTCP groups segments into connections and puts each direction
// in sequence order. Retransmitted bytes must match what was seen first; a
// hole in a stream is an error.
func reassembleTCP(segs []tcpSegment) ([]*tcpConn, error) {
	streams := map[[2]tcpEndpoint]*tcpStream{}
	var order [][2]tcpEndpoint
	for _, s := range segs {
		key := [2]tcpEndpoint{s.src, s.dst}
		st := streams[key]
		if st == nil {
			st = &tcpStream{src: s.src, dst: s.dst}
			streams[key] = st
			order = append(order, key)
		}
		if s.flags&tcpFlagSYN != 0 {
			st.synSeen, st.isn = true, s.seq
		}
		st.segs = append(st.segs, s)
	}
	for _, st := range streams {
		if err := st.assemble(); err != nil {
			return nil, err
		}
	}

	var conns []*tcpConn
	done := map[[2]tcpEndpoint]bool{}
	for _, key := range order {
		if done[key] {
			continue
		}
		rev := [2]tcpEndpoint{key[1], key[0]}
		done[key], done[rev] = true, true
		a, b := streams[key], streams[rev]
		if b == nil {
			b = &tcpStream{src: key[1], dst: key[0]}
		}
		// The initiator sent a SYN without ACK; the first stream seen is
		// the fallback when the handshake was not captured.
		if b.sentBareSYN() && !a.sentBareSYN() {
			a, b = b, a
		}
		first := a.segs[0].ts
		if len(b.segs) > 0 && b.segs[0].ts < first {
			first = b.segs[0].ts
		}
		conns = append(conns, &tcpConn{initiator: a.src, acceptor: a.dst, out: a, in: b, firstTS: first})
	}
	sort.SliceStable(conns, func(i, j int) bool { return conns[i].firstTS < conns[j].firstTS })
	return conns, nil
}

func (s *tcpStream) sentBareSYN() bool {
	for _, seg := range s.segs {
		if seg.flags&(tcpFlagSYN|tcpFlagACK) == tcpFlagSYN {
			return true
		}
	}
	return false
}

// assemble orders the stream's payload by sequence number (relative to the
// ISN, so wrap-around is harmless) and fills data and arrivals.
func (s *tcpStream) assemble() error {
	type piece struct {
		rel     uint32
		ts      time.Duration
		payload []byte
	}
	var pieces []piece
	base, haveBase := s.isn+1, s.synSeen
	for _, seg := range s.segs {
		if len(seg.payload) == 0 {
			continue
		}
		if !haveBase {
			base, haveBase = seg.seq, true
		}
		seq := seg.seq
		payload := seg.payload
		if seg.flags&tcpFlagSYN != 0 { // data on a SYN starts after it
			seq++
		}
		pieces = append(pieces, piece{rel: seq - base, ts: seg.ts, payload: payload})
	}
	sort.SliceStable(pieces, func(i, j int) bool { return pieces[i].rel < pieces[j].rel })
	for _, p := range pieces {
		start, end := int(p.rel), int(p.rel)+len(p.payload)
		switch {
		case start > len(s.data):
			return fmt.Errorf("tcp %v->%v: %d bytes missing before stream offset %d", s.src, s.dst, start-len(s.data), start)
		case end <= len(s.data):
			if !bytes.Equal(s.data[start:end], p.payload) {
				return fmt.Errorf("tcp %v->%v: retransmission at offset %d differs", s.src, s.dst, start)
			}
		default:
			overlap := len(s.data) - start
			if !bytes.Equal(s.data[start:], p.payload[:overlap]) {
				return fmt.Errorf("tcp %v->%v: overlapping segment at offset %d differs", s.src, s.dst, start)
			}
			s.data = append(s.data, p.payload[overlap:]...)
			s.arrivals = append(s.arrivals, streamArrival{end: len(s.data), ts: p.ts})
		}
	}
	return nil
}
