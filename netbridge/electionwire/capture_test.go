package electionwire

// Helpers that load the golden test data: the .hex vectors and the
// election messages of the ZooKeeper 3.8.0 captures in testdata/pcap.

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readHexVector reads a testdata .hex file: '#' comment lines, then hex
// digits with any whitespace.
func readHexVector(tb testing.TB, path string) []byte {
	tb.Helper()
	text, err := os.ReadFile(path)
	require.NoError(tb, err)
	var digits strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	require.NoError(tb, err, "hex in %s", path)
	return b
}

// electionMessage is one connection header or one frame found in a
// capture, numbered like the *.decoded.md files: in order of the capture
// time of its last byte.
type electionMessage struct {
	no       int
	at       time.Duration // since the capture's first packet
	from, to int64
	initial  bool
	raw      []byte // the header, or the whole frame with its length prefix
	header   InitialMessage
	body     []byte // the frame body (frames only)
}

// captureElectionSID maps the captures' election ports to sids: server K
// listens on 12200+K (golden-frames.md).
func captureElectionSID(port uint16) (int64, bool) {
	if port >= 12201 && port <= 12299 {
		return int64(port) - 12200, true
	}
	return 0, false
}

// loadCapture extracts every election message of testdata/pcap/<name>.pcap
// with this package's own ReadInitialMessage and FrameReader.
func loadCapture(tb testing.TB, name string) []electionMessage {
	tb.Helper()
	file, err := os.ReadFile(filepath.Join("testdata", "pcap", name+".pcap"))
	require.NoError(tb, err)
	linkType, pkts, err := readPcap(file)
	require.NoError(tb, err)
	require.NotEmpty(tb, pkts)
	var segs []tcpSegment
	for _, p := range pkts {
		seg, ok, err := decodeTCP(linkType, p)
		require.NoError(tb, err)
		if ok {
			segs = append(segs, seg)
		}
	}
	conns, err := reassembleTCP(segs)
	require.NoError(tb, err)

	t0 := pkts[0].ts
	var msgs []electionMessage
	for _, c := range conns {
		acceptor, ok := captureElectionSID(c.acceptor.Port())
		if !ok {
			continue // not election traffic
		}
		if len(c.out.data) == 0 {
			require.Empty(tb, c.in.data, "acceptor %v talked before any header", c.acceptor)
			continue // refused or silent connection
		}
		r := bytes.NewReader(c.out.data)
		hdr, err := ReadInitialMessage(r)
		require.NoError(tb, err, "header on %v->%v", c.initiator, c.acceptor)
		hdrLen := len(c.out.data) - r.Len()
		msgs = append(msgs, electionMessage{
			at: c.out.timeAt(hdrLen-1) - t0, from: hdr.SID, to: acceptor, initial: true,
			raw: c.out.data[:hdrLen], header: hdr,
		})
		msgs = append(msgs, captureFrames(tb, c.out, hdrLen, hdr.SID, acceptor, t0)...)
		msgs = append(msgs, captureFrames(tb, c.in, 0, acceptor, hdr.SID, t0)...)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].at < msgs[j].at })
	for i := range msgs {
		msgs[i].no = i + 1
	}
	return msgs
}

// captureFrames splits s.data[from:] into frames; the stream must end on a
// frame boundary.
func captureFrames(tb testing.TB, s *tcpStream, from int, src, dst int64, t0 time.Duration) []electionMessage {
	tb.Helper()
	var msgs []electionMessage
	fr := NewFrameReader(bytes.NewReader(s.data[from:]))
	off := from
	for {
		body, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return msgs
		}
		require.NoError(tb, err, "frame at offset %d of %v->%v", off, s.src, s.dst)
		end := off + frameHeaderLen + len(body)
		msgs = append(msgs, electionMessage{
			at: s.timeAt(end-1) - t0, from: src, to: dst,
			raw: s.data[off:end], body: s.data[off+frameHeaderLen : end],
		})
		off = end
	}
}

// decodedRow is one row of the "Messages in time order" table of a
// *.decoded.md file (made by zk-pcap-decode.pl, an independent decoder).
type decodedRow struct {
	no       int
	ms       float64
	from, to int64
	message  string
	// state .. configLen are the table's cells as printed ("" for headers).
	state, leader, zxid, electionEpoch, peerEpoch, version, configLen string
}

// loadDecodedTable parses testdata/pcap/<name>.decoded.md.
func loadDecodedTable(tb testing.TB, name string) []decodedRow {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "pcap", name+".decoded.md"))
	require.NoError(tb, err)
	defer f.Close()
	var rows []decodedRow
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "### Messages in time order") {
			in = true
			continue
		}
		if !in || !strings.HasPrefix(line, "| ") {
			if in && len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		no, err := strconv.Atoi(cells[0])
		if err != nil {
			continue // the header row and the separator
		}
		require.Len(tb, cells, 12, "row %q", line)
		ms, err := strconv.ParseFloat(cells[1], 64)
		require.NoError(tb, err)
		from, err := strconv.ParseInt(cells[2], 10, 64)
		require.NoError(tb, err)
		to, err := strconv.ParseInt(cells[3], 10, 64)
		require.NoError(tb, err)
		rows = append(rows, decodedRow{
			no: no, ms: ms, from: from, to: to, message: cells[4],
			state: cells[5], leader: cells[6], zxid: cells[7], electionEpoch: cells[8],
			peerEpoch: cells[9], version: cells[10], configLen: cells[11],
		})
	}
	require.NoError(tb, sc.Err())
	require.NotEmpty(tb, rows)
	return rows
}

// stateNames are Java's ServerState names by wire code, written out here
// (not zk.ServerState.String) so the comparison with the Perl decoder
// stays independent of the code it checks.
var stateNames = map[int32]string{0: "LOOKING", 1: "FOLLOWING", 2: "LEADING", 3: "OBSERVING"}

// decodedCells prints a decoded message the way zk-pcap-decode.pl's table
// does, so the two decoders can be compared cell by cell.
func decodedCells(m electionMessage, n *Notification) []string {
	if m.initial {
		addrs := strings.Join(m.header.Addrs, "|")
		return []string{fmt.Sprintf("initial: protocol %d, sid %d, addr `%s`", m.header.Version, m.header.SID, addrs),
			"", "", "", "", "", "", ""}
	}
	return []string{
		fmt.Sprintf("notification (%d bytes)", n.Size),
		fmt.Sprintf("%d %s", int32(n.State), stateNames[int32(n.State)]),
		strconv.FormatInt(n.Leader, 10),
		fmt.Sprintf("0x%016x", n.Zxid),
		strconv.FormatInt(n.ElectionEpoch, 10),
		strconv.FormatInt(n.PeerEpoch, 10),
		strconv.FormatInt(int64(n.Version), 10),
		strconv.Itoa(len(n.Config)),
	}
}
