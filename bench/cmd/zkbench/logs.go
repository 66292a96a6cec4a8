package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// event is what one log line says, as a bit set. Both systems log the
// decision and the "elected" mark on separate lines: ZooKeeper's "Peer
// state changed" when lookForLeader decides and "LEADER ELECTION TOOK"
// once its Leader/Follower exists; zkfle's "election decided" when the
// election decides and "state changed" once the session is established
// (the epoch agreed with a quorum, which ZooKeeper does after its line).
type event uint8

const (
	evLooking event = 1 << iota // the server entered LOOKING
	evElected                   // zk-ensemble.sh timeline's "elected" line
	evDecided                   // the state change to LEADING/FOLLOWING/OBSERVING itself
)

// serverLog holds the first time of each event in one server's log; a
// zero time means the event was not logged.
type serverLog struct {
	looking, elected, decided time.Time
	// path is the decision line's path= value (decisionPath): which rule
	// decided, for zkfle; "" when the line has none (ZooKeeper).
	path string
}

// lineClassifier tells what a log line means and when it was written.
type lineClassifier func(line string) (time.Time, event, bool)

// ErrLogIncomplete is returned when a log lacks the LOOKING or the
// decision line, so the run's election cannot be timed from the logs.
var ErrLogIncomplete = errors.New("log lacks the LOOKING or decision line")

// readServerLog scans the log at path with classify and keeps the first
// occurrence of each event (a cold start elects once).
func readServerLog(path string, classify lineClassifier) (serverLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return serverLog{}, err
	}
	defer f.Close()
	sl, err := scanLog(f, classify)
	if err != nil {
		return sl, fmt.Errorf("%s: %w", path, err)
	}
	return sl, nil
}

func scanLog(r io.Reader, classify lineClassifier) (serverLog, error) {
	sl, err := scanEvents(r, classify)
	if err != nil {
		return sl, err
	}
	if sl.looking.IsZero() || sl.elected.IsZero() || sl.decided.IsZero() {
		return sl, ErrLogIncomplete
	}
	return sl, nil
}

// scanEvents keeps the first occurrence of each event in r; events never
// logged stay zero.
func scanEvents(r io.Reader, classify lineClassifier) (serverLog, error) {
	var sl serverLog
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		t, ev, ok := classify(sc.Text())
		if !ok {
			continue
		}
		if ev&evLooking != 0 && sl.looking.IsZero() {
			sl.looking = t
		}
		if ev&evElected != 0 && sl.elected.IsZero() {
			sl.elected = t
		}
		if ev&evDecided != 0 && sl.decided.IsZero() {
			sl.decided = t
			sl.path = decisionPath(sc.Text())
		}
	}
	return sl, sc.Err()
}

// logSize is the current length of the log at path: failover mode reads
// only what a server logged after the failure.
func logSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// readLogFrom returns the first time of each event logged at or after
// byte offset of the log at path.
func readLogFrom(path string, offset int64, classify lineClassifier) (serverLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return serverLog{}, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return serverLog{}, fmt.Errorf("%s: %w", path, err)
	}
	return scanEvents(f, classify)
}

// zkfleDecided matches the state= attribute of a decision.
var zkfleDecided = regexp.MustCompile(`\bstate=(LEADING|FOLLOWING|OBSERVING)\b`)

// classifyZkfle reads cmd/node's log/slog text lines:
//
//	time=2026-11-25T20:31:00.123Z level=INFO msg="start looking" reason=...
//	time=2026-11-25T20:31:00.320Z level=INFO msg="election decided" leader=3 ... state=LEADING
//	time=2026-11-25T20:31:00.331Z level=INFO msg="state changed" state=LEADING leader=3 ...
func classifyZkfle(line string) (time.Time, event, bool) {
	var ev event
	switch {
	case strings.Contains(line, `msg="start looking"`):
		ev = evLooking
	case strings.Contains(line, `msg="election decided"`) && zkfleDecided.MatchString(line):
		ev = evDecided
	case strings.Contains(line, `msg="state changed"`) && zkfleDecided.MatchString(line):
		ev = evElected
	default:
		return time.Time{}, 0, false
	}
	stamp, ok := strings.CutPrefix(line, "time=")
	if !ok {
		return time.Time{}, 0, false
	}
	stamp, _, _ = strings.Cut(stamp, " ")
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, 0, false
	}
	return t, ev, true
}

// zkDecided matches QuorumPeer.setPeerState's line at the moment
// lookForLeader decides ("Peer state changed: following"), not the later
// "following - discovery" style sub-state lines.
var zkDecided = regexp.MustCompile(`Peer state changed: (leading|following|observing)\s*$`)

// zkStampLayout is the slf4j-simple date format zk-ensemble.sh passes to
// the JVM; the JVM writes it in the system time zone, as Go's time.Local.
const zkStampLayout = "2006-01-02 15:04:05.000"

// classifyZookeeper reads ZooKeeper 3.8's slf4j-simple lines with the
// same markers as zk-ensemble.sh timeline:
//
//	2026-11-25 18:52:18.271 [QuorumPeer...] INFO ...QuorumPeer - LOOKING
//	2026-11-25 18:52:18.546 [QuorumPeer...] INFO ...QuorumPeer - Peer state changed: following
//	2026-11-25 18:52:18.573 [QuorumPeer...] INFO ...Learner - FOLLOWING - LEADER ELECTION TOOK - 302 MS
func classifyZookeeper(line string) (time.Time, event, bool) {
	var ev event
	switch {
	case strings.Contains(line, "QuorumPeer - LOOKING"):
		ev = evLooking
	case strings.Contains(line, "LEADER ELECTION TOOK"):
		ev = evElected
	case zkDecided.MatchString(line):
		ev = evDecided
	default:
		return time.Time{}, 0, false
	}
	if len(line) < len(zkStampLayout) {
		return time.Time{}, 0, false
	}
	t, err := time.ParseInLocation(zkStampLayout, line[:len(zkStampLayout)], time.Local)
	if err != nil {
		return time.Time{}, 0, false
	}
	return t, ev, true
}
