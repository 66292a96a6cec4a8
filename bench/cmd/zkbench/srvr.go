package main

import (
	"io"
	"net"
	"regexp"
	"time"
)

// Roles as srvr reports them, plus the two states in which it reports none.
const (
	modeDown       = "down"        // nothing listens on the client port yet
	modeNotServing = "not-serving" // it answers, but is LOOKING (or not yet serving)
)

// srvrMode matches srvr's "Mode: follower" line.
var srvrMode = regexp.MustCompile(`(?m)^Mode: ([a-z]+)`)

// srvrTimeout bounds one four-letter-word exchange.
const srvrTimeout = 2 * time.Second

// querySrvr sends "srvr" to addr and returns the reported mode, the way
// zk-ensemble.sh's get_mode does: a Mode line gives the role, an answer
// without one means not serving, a refused connection means down.
func querySrvr(addr string) string {
	c, err := net.DialTimeout("tcp", addr, srvrTimeout)
	if err != nil {
		return modeDown
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(srvrTimeout))
	if _, err := c.Write([]byte("srvr")); err != nil {
		return modeDown
	}
	// The server closes the connection after its answer.
	answer, _ := io.ReadAll(io.LimitReader(c, 64*1024))
	return parseSrvrMode(answer)
}

// parseSrvrMode reads the role out of a srvr answer.
func parseSrvrMode(answer []byte) string {
	if len(answer) == 0 {
		return modeDown
	}
	if m := srvrMode.FindSubmatch(answer); m != nil {
		return string(m[1])
	}
	return modeNotServing
}

// isRole reports whether mode is a decided role.
func isRole(mode string) bool {
	switch mode {
	case "leader", "follower", "observer", "standalone":
		return true
	}
	return false
}
