package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The nemesis checker's eyes: srvr over the client port, GET
// /commands/stat on the admin endpoint, and the epoch files read straight
// from the data directory. Everything is parsed here from the text, with
// nothing from zkfle's packages (the oracles must not share code with
// what they judge).

// nemProbeTimeout bounds one probe. A paused node accepts the connection
// (the kernel does) and never answers, so every probe of it costs this.
const nemProbeTimeout = 400 * time.Millisecond

// nemDialer connects to a node's address from the checker's vantage point.
type nemDialer func(ctx context.Context, addr string) (net.Conn, error)

var (
	nemModeLine = regexp.MustCompile(`(?m)^Mode: ([a-z]+)\r?$`)
	nemZxidLine = regexp.MustCompile(`(?m)^Zxid: 0x([0-9a-fA-F]+)\r?$`)
)

// nemParseSrvr reads srvr's answer: a role is reported only with both a
// Mode and a Zxid line (whose high 32 bits are the epoch); anything else
// that arrived (ZooKeeper's "not currently serving requests" while
// LOOKING) is an answer without a role.
func nemParseSrvr(text string) (answered bool, mode string, epoch int64) {
	if text == "" {
		return false, "", 0
	}
	m, z := nemModeLine.FindStringSubmatch(text), nemZxidLine.FindStringSubmatch(text)
	if m == nil || z == nil {
		return true, "", 0
	}
	zxid, err := strconv.ParseUint(z[1], 16, 64)
	if err != nil {
		return true, "", 0
	}
	return true, m[1], int64(zxid >> 32)
}

// nemAdminStat is the part of the admin endpoint's stat answer the
// checker reads.
type nemAdminStat struct {
	ServerState string  `json:"server_state"`
	State       string  `json:"state"`
	Leader      int64   `json:"leader"`
	PeerEpoch   int64   `json:"peer_epoch"`
	Error       *string `json:"error"`
}

// nemParseAdminStat reads /commands/stat's JSON. A role is reported when
// server_state is leader, follower or observer; LOOKING reports none.
func nemParseAdminStat(body []byte) (mode string, epoch, leader int64, err error) {
	var st nemAdminStat
	if err := json.Unmarshal(body, &st); err != nil {
		return "", 0, 0, fmt.Errorf("admin stat: %w: %q", err, body)
	}
	if st.Error != nil {
		return "", 0, 0, fmt.Errorf("admin stat error: %s", *st.Error)
	}
	switch st.ServerState {
	case "leader", "follower", "observer":
		return st.ServerState, st.PeerEpoch, st.Leader, nil
	}
	return "", 0, 0, nil
}

// nemProber probes nodes through a dialer.
type nemProber struct {
	dial   nemDialer
	client *http.Client
}

func newNemProber(dial nemDialer) *nemProber {
	return &nemProber{dial: dial, client: &http.Client{
		Timeout: nemProbeTimeout,
		Transport: &http.Transport{
			DialContext:       func(ctx context.Context, _, addr string) (net.Conn, error) { return dial(ctx, addr) },
			DisableKeepAlives: true, // a paused node must not hold a pooled connection
		},
	}}
}

// srvr asks addr for srvr.
func (p *nemProber) srvr(sid int64, addr string) nemObs {
	o := nemObs{sid: sid, source: nemSrvr, sent: time.Now()}
	text := p.fourLetter(addr, "srvr")
	o.answered, o.mode, o.epoch = nemParseSrvr(text)
	o.done = time.Now()
	return o
}

func (p *nemProber) fourLetter(addr, word string) string {
	ctx, cancel := context.WithTimeout(context.Background(), nemProbeTimeout)
	defer cancel()
	conn, err := p.dial(ctx, addr)
	if err != nil {
		return ""
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(nemProbeTimeout))
	if _, err := conn.Write([]byte(word)); err != nil {
		return ""
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return "" // a half answer is no answer
	}
	return string(out)
}

// admin asks addr (host:port of the admin endpoint) for /commands/stat.
func (p *nemProber) admin(sid int64, addr string) nemObs {
	o := nemObs{sid: sid, source: nemAdmin, sent: time.Now()}
	resp, err := p.client.Get("http://" + addr + "/commands/stat")
	if err == nil {
		var body []byte
		body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			o.answered = true
			o.mode, o.epoch, o.leader, err = nemParseAdminStat(body)
			if err != nil {
				o.mode = ""
			}
		} else if err == nil {
			o.answered = true // 503 while the node stops: no role
		}
	}
	o.done = time.Now()
	return o
}

func (p *nemProber) close() {
	p.client.CloseIdleConnections()
}

// nemReadEpochFiles reads dataDir/version-2/currentEpoch, then
// acceptedEpoch, as decimal text.
func nemReadEpochFiles(sid int64, dataDir string) nemObs {
	o := nemObs{sid: sid, source: nemFiles, sent: time.Now()}
	o.current = nemReadEpochFile(filepath.Join(dataDir, "version-2", "currentEpoch"))
	o.accepted = nemReadEpochFile(filepath.Join(dataDir, "version-2", "acceptedEpoch"))
	o.done = time.Now()
	return o
}

// nemReadEpochFile is the file's number, -1 when it is missing or not a
// non-negative decimal.
func nemReadEpochFile(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v < 0 {
		return -1
	}
	return v
}
