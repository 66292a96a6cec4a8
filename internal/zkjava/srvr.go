package zkjava

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SrvrInfo is what matters in a `srvr` answer.
type SrvrInfo struct {
	// Mode is leader, follower, observer or standalone.
	Mode string
	// Zxid is the server's last processed zxid.
	Zxid int64
	// Raw is the whole answer.
	Raw string
}

// notServing is ZooKeeper's answer while it elects or syncs.
const notServing = "This ZooKeeper instance is not currently serving requests"

var (
	modeRe = regexp.MustCompile(`(?m)^Mode: (\S+)\s*$`)
	zxidRe = regexp.MustCompile(`(?m)^Zxid: 0x([0-9a-fA-F]+)\s*$`)
)

// FourLetter sends word to addr (a client port) and returns the whole
// answer, read until the server closes the connection or timeout passes.
func FourLetter(addr, word string, timeout time.Duration) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", fmt.Errorf("zkjava: %s to %s: %w", word, addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", fmt.Errorf("zkjava: %s to %s: %w", word, addr, err)
	}
	if _, err := conn.Write([]byte(word)); err != nil {
		return "", fmt.Errorf("zkjava: %s to %s: %w", word, addr, err)
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return string(out), fmt.Errorf("zkjava: %s answer from %s: %w", word, addr, err)
	}
	return string(out), nil
}

// Srvr asks addr (a ZooKeeper or zkfle client port) for `srvr` and
// parses Mode and Zxid. A server that is electing answers that it is not
// serving: ErrNotServing.
func Srvr(addr string, timeout time.Duration) (SrvrInfo, error) {
	raw, err := FourLetter(addr, "srvr", timeout)
	if err != nil {
		return SrvrInfo{Raw: raw}, err
	}
	return ParseSrvr(raw)
}

// ParseSrvr parses a `srvr` answer: ErrNotServing for ZooKeeper's "not
// currently serving" text, ErrBadAnswer (quoting the answer) when Mode or
// Zxid is missing.
func ParseSrvr(raw string) (SrvrInfo, error) {
	info := SrvrInfo{Raw: raw}
	if strings.Contains(raw, notServing) {
		return info, fmt.Errorf("%w: %q", ErrNotServing, strings.TrimSpace(raw))
	}
	m := modeRe.FindStringSubmatch(raw)
	z := zxidRe.FindStringSubmatch(raw)
	if m == nil || z == nil {
		return info, fmt.Errorf("%w: srvr without Mode/Zxid: %q", ErrBadAnswer, raw)
	}
	zxid, err := strconv.ParseUint(z[1], 16, 64)
	if err != nil {
		return info, fmt.Errorf("%w: srvr Zxid 0x%s: %v", ErrBadAnswer, z[1], err)
	}
	info.Mode, info.Zxid = m[1], int64(zxid)
	return info, nil
}
