// Package ratelog rate-limits repeated warnings: one line per (source,
// reason) per interval, the next line carrying how many were suppressed
// in between. Anyone can reach a node's ports, so a log line per bad
// packet would let one attacker fill the disk; this keeps the first line
// of each kind (the one an operator needs) and a count of the rest.
//
// The table of keys is bounded: when it is full, the oldest entries are
// pruned, so a spray of distinct sources costs a fixed amount of memory.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultInterval is how often one (source, reason) pair may log.
const DefaultInterval = 10 * time.Second

// DefaultMaxKeys bounds the number of (source, reason) pairs remembered.
const DefaultMaxKeys = 1024

// DefaultBudget is how many lines one Limiter writes per interval across
// all keys: a spray of distinct sources (or sids) cannot buy a line each.
const DefaultBudget = 50

// Limiter logs at most one line per key per Interval. It is safe for
// concurrent use. The zero value is not usable; build one with New.
type Limiter struct {
	log      *slog.Logger
	interval time.Duration
	maxKeys  int
	budget   int
	now      func() time.Time

	mu   sync.Mutex
	keys map[key]*entry
	// window, spent and overBudget enforce the budget: lines written in the
	// current interval, and lines held back because it was spent.
	window     time.Time
	spent      int
	overBudget uint64
}

type key struct{ source, reason string }

type entry struct {
	last       time.Time
	suppressed uint64
}

// New returns a Limiter writing to log, one line per (source, reason) per
// interval (DefaultInterval if interval <= 0).
func New(log *slog.Logger, interval time.Duration) *Limiter {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Limiter{log: log, interval: interval, maxKeys: DefaultMaxKeys, budget: DefaultBudget, now: time.Now, keys: map[key]*entry{}}
}

// WithClock replaces the clock (tests).
func (l *Limiter) WithClock(now func() time.Time) *Limiter {
	l.now = now
	return l
}

// Warn logs msg at WARN for (source, reason) unless that pair logged less
// than the interval ago, or the Limiter already wrote its budget of lines
// in this interval; then it only counts. The line carries "source",
// "reason", the given attributes and, when lines of this pair were held
// back since its last one, "suppressed" (and "suppressed_other" for lines
// of other pairs held back by the budget). It reports whether a line was
// written.
func (l *Limiter) Warn(msg, source, reason string, args ...any) bool {
	return l.Log(slog.LevelWarn, msg, source, reason, args...)
}

// Log is Warn at another level.
func (l *Limiter) Log(level slog.Level, msg, source, reason string, args ...any) bool {
	now := l.now()
	k := key{source, reason}
	l.mu.Lock()
	e, ok := l.keys[k]
	if ok && now.Sub(e.last) < l.interval {
		e.suppressed++
		l.mu.Unlock()
		return false
	}
	if now.Sub(l.window) >= l.interval {
		l.window, l.spent = now, 0
	}
	if l.spent >= l.budget {
		l.overBudget++
		if ok {
			e.suppressed++
		}
		l.mu.Unlock()
		return false
	}
	l.spent++
	var suppressed uint64
	if ok {
		suppressed = e.suppressed
		e.last, e.suppressed = now, 0
	} else {
		if len(l.keys) >= l.maxKeys {
			l.prune(now)
		}
		l.keys[k] = &entry{last: now}
	}
	other := l.overBudget
	l.overBudget = 0
	l.mu.Unlock()
	attrs := make([]any, 0, len(args)+8)
	attrs = append(attrs, "source", source, "reason", reason)
	attrs = append(attrs, args...)
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	if other > 0 {
		attrs = append(attrs, "suppressed_other", other)
	}
	l.log.Log(context.Background(), level, msg, attrs...)
	return true
}

// prune drops entries whose interval has passed (their suppressed counts
// are lost: they were below one line's worth of news), and if the table
// is still full, every entry: a spray of distinct sources then logs one
// line per source per interval at worst, never unbounded memory.
func (l *Limiter) prune(now time.Time) {
	for k, e := range l.keys {
		if now.Sub(e.last) >= l.interval {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= l.maxKeys {
		clear(l.keys)
	}
}

// Len is the number of (source, reason) pairs remembered (tests, metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
