// Package trace records what one node's election did, as JSON lines: every
// notification sent and received, every timer armed and fired, every new
// round and every decision, each with a wall-clock and a monotonic
// timestamp. Traces of several nodes merge on wall time (one machine, or
// clocks in sync) into one sequence diagram (Render), which shows why an
// election took as long as it did.
package trace

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/zkfle/zkfle/zk"
)

// Kinds of events.
const (
	// KindSend: a notification handed to the connection manager for Peer.
	KindSend = "send"
	// KindRecv: a notification from Peer handed to the election.
	KindRecv = "recv"
	// KindDrop: a notification from Peer the election discarded (Detail).
	KindDrop = "drop"
	// KindTimer: a timer armed (Timer, AfterMS).
	KindTimer = "timer"
	// KindFire: a timer fired (Timer).
	KindFire = "fire"
	// KindRound: the node entered a new round with a new proposal.
	KindRound = "round"
	// KindDecide: the election decided (State, Leader, ...).
	KindDecide = "decide"
	// KindRole: the reported role changed (session established or over).
	KindRole = "role"
)

// Event is one line of a trace.
type Event struct {
	// Time is the wall-clock time of the event.
	Time time.Time `json:"time"`
	// MonoNS is nanoseconds since the Writer was created, from the
	// monotonic clock: exact within one trace.
	MonoNS int64 `json:"mono_ns"`
	// Sid is the node that recorded the event.
	Sid int64 `json:"sid"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Peer is the other side of a send, recv or drop.
	Peer int64 `json:"peer,omitempty"`
	// State is the sender's state (send, recv), or the decided/reported
	// state (decide, role).
	State string `json:"state,omitempty"`
	// Leader, Zxid, Round and Epoch are the vote carried or decided.
	Leader int64   `json:"leader"`
	Zxid   zk.Zxid `json:"zxid"`
	Round  int64   `json:"round"`
	Epoch  int64   `json:"epoch"`
	// Timer names the timer (timer, fire).
	Timer string `json:"timer,omitempty"`
	// AfterMS is a timer's delay in milliseconds.
	AfterMS float64 `json:"after_ms,omitempty"`
	// Detail says more (a drop's reason, a role change's cause).
	Detail string `json:"detail,omitempty"`
}

// Writer writes events as JSON lines. It is safe for concurrent use; a
// nil *Writer records nothing, so callers need no checks.
type Writer struct {
	mu    sync.Mutex
	w     *bufio.Writer
	enc   *json.Encoder
	start time.Time
	err   error
}

// NewWriter returns a Writer on w. Call Flush (or Close on a file you own)
// to be sure every event reached w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	return &Writer{w: bw, enc: json.NewEncoder(bw), start: time.Now()}
}

// Record stamps ev with the current time and writes it. The first write
// error is kept (Err) and later events are dropped.
func (t *Writer) Record(ev Event) {
	if t == nil {
		return
	}
	now := time.Now()
	ev.Time = now
	ev.MonoNS = int64(now.Sub(t.start))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	t.err = t.enc.Encode(ev)
}

// Flush writes buffered events out.
func (t *Writer) Flush() error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return t.err
	}
	t.err = t.w.Flush()
	return t.err
}

// Err returns the first write error, if any.
func (t *Writer) Err() error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// ErrBadTrace is wrapped by Read's errors; they name the line.
var ErrBadTrace = errors.New("bad trace")

// Read parses a JSON-lines trace.
func Read(r io.Reader) ([]Event, error) {
	return read(r, func(ev Event) string {
		if ev.Kind == "" {
			return "no kind"
		}
		return ""
	})
}

// read parses a JSON-lines trace; problem says what is wrong with an
// event ("" if nothing), and the first problem is an error naming its line.
func read(r io.Reader, problem func(Event) string) ([]Event, error) {
	var out []Event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrBadTrace, line, err)
		}
		if p := problem(ev); p != "" {
			return nil, fmt.Errorf("%w: line %d: %s", ErrBadTrace, line, p)
		}
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: line %d: %v", ErrBadTrace, line+1, err)
	}
	return out, nil
}
