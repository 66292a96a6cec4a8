package electionwire

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// The config strings in the vectors. cfgCapture is what every server of the
// captured 3.8.0 ensemble sent (138 bytes); cfgSpec is a hand-built
// example (129 bytes).
const (
	cfgCapture = "server.1=127.0.0.1:12101:12201:participant\n" +
		"server.2=127.0.0.1:12102:12202:participant\n" +
		"server.3=127.0.0.1:12103:12203:participant\n" +
		"version=0"
	cfgSpec = "server.1=10.0.0.1:2888:3888:participant\n" +
		"server.2=10.0.0.2:2888:3888:participant\n" +
		"server.3=10.0.0.3:2888:3888:participant\n" +
		"version=0"
)

// captureRef points at the message a vector was cut from: capture name and
// message number in its *.decoded.md ("" when hand-built).
type captureRef struct {
	capture string
	no      int
}

var goldenHeaders = map[string]struct {
	want InitialMessage
	ref  captureRef
}{
	"gf-initial-sid3.hex":          {InitialMessage{ProtocolV1, 3, []string{"127.0.0.1:12203"}}, captureRef{"election-3", 1}},
	"gf-initial-sid1.hex":          {InitialMessage{ProtocolV1, 1, []string{"127.0.0.1:12201"}}, captureRef{"election-3", 7}},
	"gf-initial-sid2.hex":          {InitialMessage{ProtocolV1, 2, []string{"127.0.0.1:12202"}}, captureRef{"election-3", 8}},
	"spec-1.3-initial-v1-sid2.hex": {InitialMessage{ProtocolV1, 2, []string{"10.0.0.2:3888"}}, captureRef{}},
	"spec-1.3-initial-v2-sid2.hex": {InitialMessage{ProtocolV2, 2, []string{"10.0.0.2:3888", "192.168.1.2:3888"}}, captureRef{}},
}

var goldenFrames = map[string]struct {
	want Notification
	ref  captureRef
}{
	"gf-N1-frame-looking-fresh.hex":     {Notification{zk.Looking, 3, 0, 1, 0, 2, []byte(cfgCapture), 182}, captureRef{"election-3", 2}},
	"gf-N2-frame-looking-sid1.hex":      {Notification{zk.Looking, 1, 0, 1, 0, 2, []byte(cfgCapture), 182}, captureRef{"election-3", 5}},
	"gf-N3-frame-looking-round2.hex":    {Notification{zk.Looking, 1, 0x100000002, 2, 1, 2, []byte(cfgCapture), 182}, captureRef{"session-3", 14}},
	"gf-N4-frame-stale-following.hex":   {Notification{zk.Following, 3, 0, 1, 1, 2, []byte(cfgCapture), 182}, captureRef{"session-3", 15}},
	"gf-N5-frame-looking-restarted.hex": {Notification{zk.Looking, 3, 0x100000002, 1, 1, 2, []byte(cfgCapture), 182}, captureRef{"session-3", 21}},
	"gf-N6-frame-leading.hex":           {Notification{zk.Leading, 2, 0x100000002, 2, 2, 2, []byte(cfgCapture), 182}, captureRef{"session-3", 23}},
	"gf-N7-frame-following.hex":         {Notification{zk.Following, 2, 0x100000002, 2, 2, 2, []byte(cfgCapture), 182}, captureRef{"session-3", 25}},
	"spec-3.6-frame-v2.hex":             {Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, []byte(cfgSpec), 173}, captureRef{}},
	// The 3.4.6+ body carries 0x1 at offset 36; ZooKeeper 3.8 reads it as
	// version 0 (it never looks at that slot in a 40-byte body).
	"spec-3.6-frame-legacy40.hex": {Notification{zk.Following, 3, 0x100000005, 2, 1, 0, nil, 40}, captureRef{}},
}

func TestGoldenVectorFilesAreAllChecked(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.hex"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	var listed []string
	for name := range goldenHeaders {
		listed = append(listed, name)
	}
	for name := range goldenFrames {
		listed = append(listed, name)
	}
	assert.ElementsMatch(t, listed, names, "every testdata/golden vector needs expected fields here")
}

func TestGoldenHeaders(t *testing.T) {
	for name, tc := range goldenHeaders {
		t.Run(name, func(t *testing.T) {
			raw := readHexVector(t, filepath.Join("testdata", "golden", name))
			r := bytes.NewReader(raw)
			got, err := ReadInitialMessage(r)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Zero(t, r.Len(), "header must be consumed exactly")

			enc, err := got.Encode()
			require.NoError(t, err)
			assert.Equal(t, raw, enc, "re-encoding must give the same bytes")

			if tc.ref.capture != "" {
				m := captureMessage(t, tc.ref)
				assert.True(t, m.initial)
				assert.Equal(t, raw, m.raw, "vector differs from %s #%d", tc.ref.capture, tc.ref.no)
			}
		})
	}
}

func TestGoldenFrames(t *testing.T) {
	for name, tc := range goldenFrames {
		t.Run(name, func(t *testing.T) {
			raw := readHexVector(t, filepath.Join("testdata", "golden", name))
			fr := NewFrameReader(bytes.NewReader(raw))
			body, err := fr.Next()
			require.NoError(t, err)
			_, err = fr.Next()
			assert.Equal(t, io.EOF, err, "a vector is exactly one frame")

			var got Notification
			require.NoError(t, DecodeNotification(body, &got))
			assert.Equal(t, tc.want, got)
			assert.True(t, got.State.Valid())

			// Re-encode as the sender did. For the 40-byte body that means
			// version 1 (what a 3.4.6+ sender writes), not the 0 it reads as.
			resend := got
			if got.Size == notificationLen40 {
				resend.Version = NotificationVersion1
			}
			enc, err := AppendNotificationFrame(nil, &resend)
			require.NoError(t, err)
			assert.Equal(t, raw, enc, "re-encoding must give the same bytes")

			if tc.ref.capture != "" {
				m := captureMessage(t, tc.ref)
				assert.False(t, m.initial)
				assert.Equal(t, raw, m.raw, "vector differs from %s #%d", tc.ref.capture, tc.ref.no)
			}
		})
	}
}

// captureMessage returns message ref.no of a capture.
func captureMessage(t *testing.T, ref captureRef) electionMessage {
	t.Helper()
	msgs := loadCapture(t, ref.capture)
	require.GreaterOrEqual(t, len(msgs), ref.no)
	m := msgs[ref.no-1]
	require.Equal(t, ref.no, m.no)
	return m
}

// TestCapturesMatchReferenceDecoder extracts every message of both captures
// with this package and compares each with the table that the independent
// Perl decoder (zk-pcap-decode.pl) wrote for the same capture.
func TestCapturesMatchReferenceDecoder(t *testing.T) {
	for _, name := range []string{"election-3", "session-3"} {
		t.Run(name, func(t *testing.T) {
			msgs := loadCapture(t, name)
			rows := loadDecodedTable(t, name)
			require.Len(t, msgs, len(rows))
			for i, row := range rows {
				m := msgs[i]
				require.Equal(t, row.no, m.no)
				assert.Equal(t, row.from, m.from, "#%d from", row.no)
				assert.Equal(t, row.to, m.to, "#%d to", row.no)
				assert.InDelta(t, row.ms, float64(m.at.Microseconds())/1000, 0.051, "#%d time", row.no)
				var n Notification
				if !m.initial {
					require.NoError(t, DecodeNotification(m.body, &n), "#%d", row.no)
				}
				want := []string{row.message, row.state, row.leader, row.zxid, row.electionEpoch,
					row.peerEpoch, row.version, row.configLen}
				assert.Equal(t, want, decodedCells(m, &n), "#%d", row.no)
			}
		})
	}
}

// TestCaptureMessagesReencode: every header and every frame ZooKeeper sent
// comes back byte for byte from decode + encode.
func TestCaptureMessagesReencode(t *testing.T) {
	for _, name := range []string{"election-3", "session-3"} {
		msgs := loadCapture(t, name)
		require.NotEmpty(t, msgs)
		for _, m := range msgs {
			var enc []byte
			var err error
			if m.initial {
				enc, err = m.header.Encode()
			} else {
				var n Notification
				require.NoError(t, DecodeNotification(m.body, &n))
				enc, err = AppendNotificationFrame(nil, &n)
			}
			require.NoError(t, err, "%s #%d", name, m.no)
			assert.Equal(t, m.raw, enc, "%s #%d", name, m.no)
		}
	}
}

// logNotification is the regexp for the servers' INFO "Notification:" line,
// their own decode of every frame they received (prefixed by the log file
// name in testdata/pcap/capture-notifications.log).
var logNotification = regexp.MustCompile(`^s(\d+)\.log: .* Notification: my state:\w+; n\.sid:(-?\d+), ` +
	`n\.state:(\w+), n\.leader:(-?\d+), n\.round:0x([0-9a-f]+), n\.peerEpoch:0x([0-9a-f]+), n\.zxid:0x([0-9a-f]+), ` +
	`message format version:0x([0-9a-f]+), n\.config version:0x([0-9a-f]+)$`)

// TestCaptureMatchesServerLogs cross-checks the decoder against Java's: each
// Notification line a server logged for a frame from another server must be
// one of the frames that server sent it, in the same order.
func TestCaptureMatchesServerLogs(t *testing.T) {
	msgs := loadCapture(t, "session-3")
	type pair struct{ from, to int64 }
	sent := map[pair][]Notification{}
	for _, m := range msgs {
		if m.initial {
			continue
		}
		var n Notification
		require.NoError(t, DecodeNotification(m.body, &n))
		k := pair{m.from, m.to}
		sent[k] = append(sent[k], n)
	}
	next := map[pair]int{} // first frame of each pair not yet matched

	f, err := os.Open(filepath.Join("testdata", "pcap", "capture-notifications.log"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines, remote := 0, 0
	for sc.Scan() {
		lines++
		g := logNotification.FindStringSubmatch(sc.Text())
		require.NotNil(t, g, "unparsed log line %q", sc.Text())
		receiver, sender := mustInt(t, g[1], 10), mustInt(t, g[2], 10)
		if receiver == sender {
			continue // a server's vote to itself never touches the wire
		}
		remote++
		k := pair{sender, receiver}
		matched := false
		for i := next[k]; i < len(sent[k]); i++ {
			n := sent[k][i]
			cfgVersion, ok := configVersion(n.Config)
			require.True(t, ok, "config without version= line")
			if stateNames[int32(n.State)] == g[3] && n.Leader == mustInt(t, g[4], 10) &&
				n.ElectionEpoch == mustInt(t, g[5], 16) && n.PeerEpoch == mustInt(t, g[6], 16) &&
				n.Zxid == mustInt(t, g[7], 16) && int64(n.Version) == mustInt(t, g[8], 16) &&
				cfgVersion == mustInt(t, g[9], 16) {
				next[k], matched = i+1, true
				break
			}
		}
		assert.True(t, matched, "no frame %d->%d on the wire matches log line %q", sender, receiver, sc.Text())
	}
	require.NoError(t, sc.Err())
	require.Positive(t, lines)
	require.Positive(t, remote)
}

func mustInt(t *testing.T, s string, base int) int64 {
	t.Helper()
	v, err := strconv.ParseInt(s, base, 64)
	require.NoError(t, err)
	return v
}

// configVersion reads the hex "version=" line of a config string.
func configVersion(cfg []byte) (int64, bool) {
	for _, line := range strings.Split(string(cfg), "\n") {
		if v, ok := strings.CutPrefix(line, "version="); ok {
			n, err := strconv.ParseInt(v, 16, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// goldenSeeds returns the golden vectors and every captured message for
// fuzz seeds: headers (with the stream after them cut off), frame streams,
// and notification bodies.
func goldenSeeds(tb testing.TB) (headers, streams, bodies [][]byte) {
	tb.Helper()
	for name := range goldenHeaders {
		headers = append(headers, readHexVector(tb, filepath.Join("testdata", "golden", name)))
	}
	var all []byte
	for name := range goldenFrames {
		raw := readHexVector(tb, filepath.Join("testdata", "golden", name))
		streams = append(streams, raw)
		bodies = append(bodies, raw[frameHeaderLen:])
		all = append(all, raw...)
	}
	streams = append(streams, all)
	for _, name := range []string{"election-3", "session-3"} {
		for _, m := range loadCapture(tb, name) {
			if m.initial {
				headers = append(headers, m.raw)
			} else if !slices.ContainsFunc(bodies, func(b []byte) bool { return bytes.Equal(b, m.body) }) {
				bodies = append(bodies, m.body)
			}
		}
	}
	return headers, streams, bodies
}
