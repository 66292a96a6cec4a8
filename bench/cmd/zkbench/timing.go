package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timing is the zoo.cfg timing both systems get: the same file text, so
// that failure detection (syncLimit x tickTime after a SIGSTOP) and the
// learner handshake deadline (initLimit x tickTime) are the same for both.
type timing struct {
	tick      time.Duration // tickTime
	initLimit int           // ticks
	syncLimit int           // ticks
}

// defaultTiming is zk-ensemble.sh's (ZooKeeper's sample zoo.cfg), so that
// ZooKeeper's figures here are comparable with ZooKeeper's own defaults.
var defaultTiming = timing{tick: 2000 * time.Millisecond, initLimit: 10, syncLimit: 5}

// Bounds on the timing flags: below 10 ms a tick is shorter than a srvr
// poll round on a busy machine; the limits are ZooKeeper's own sanity.
const (
	minTick  = 10 * time.Millisecond
	maxTick  = time.Minute
	maxLimit = 1000
)

// validate names the first bad timing flag.
func (t timing) validate() error {
	switch {
	case t.tick < minTick || t.tick > maxTick || t.tick%time.Millisecond != 0:
		return &FlagError{Flag: "tick-time", Value: t.tick.String(), Reason: "want whole milliseconds, 10ms..1m"}
	case t.initLimit < 1 || t.initLimit > maxLimit:
		return &FlagError{Flag: "init-limit", Value: strconv.Itoa(t.initLimit), Reason: fmt.Sprintf("want 1..%d ticks", maxLimit)}
	case t.syncLimit < 1 || t.syncLimit > maxLimit:
		return &FlagError{Flag: "sync-limit", Value: strconv.Itoa(t.syncLimit), Reason: fmt.Sprintf("want 1..%d ticks", maxLimit)}
	}
	return nil
}

// cfgLines are the zoo.cfg lines of t.
func (t timing) cfgLines() string {
	return fmt.Sprintf("tickTime=%d\ninitLimit=%d\nsyncLimit=%d\n", t.tick.Milliseconds(), t.initLimit, t.syncLimit)
}

// String is how the table's header shows t.
func (t timing) String() string {
	return fmt.Sprintf("tickTime=%d initLimit=%d syncLimit=%d (no pings for syncLimit x tickTime = %s)",
		t.tick.Milliseconds(), t.initLimit, t.syncLimit, time.Duration(t.syncLimit)*t.tick)
}

// failureKind is what failover mode does to the leader.
type failureKind string

// The failures: kill -9 closes the leader's sockets at once (the kernel
// sends FIN), SIGSTOP leaves them open and silent, so learners only notice
// after syncLimit x tickTime without a ping.
const (
	failKill  failureKind = "kill"
	failPause failureKind = "pause"
)

// parseFailures reads "-failures kill,pause" into distinct kinds, in the
// order given.
func parseFailures(s string) ([]failureKind, error) {
	var out []failureKind
	seen := map[failureKind]bool{}
	for _, f := range strings.Split(s, ",") {
		k := failureKind(strings.TrimSpace(f))
		if k != failKill && k != failPause {
			return nil, &FlagError{Flag: "failures", Value: s, Reason: fmt.Sprintf("%q is not kill or pause", string(k))}
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}
