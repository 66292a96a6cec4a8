// Package testlog is a slog.Handler for tests: it keeps every record, with
// its level, message and attributes (those added with Logger.With too), so
// a test can assert what a component logged and with which stable keys.
// It replaces the recorders the actors and clientport tests each wrote.
package testlog

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// Record is one logged record, attributes flattened by key (a later
// attribute with the same key wins; groups are ignored).
type Record struct {
	Level   slog.Level
	Message string
	Attrs   map[string]slog.Value
}

// Recorder is a slog.Handler that records at every level. Handlers derived
// with WithAttrs record into the Recorder they came from. The zero value
// is ready to use; a Recorder is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	records []Record
	attrs   []slog.Attr
	parent  *Recorder
}

// Logger returns a logger that writes to r.
func (r *Recorder) Logger() *slog.Logger { return slog.New(r) }

func (r *Recorder) root() *Recorder {
	if r.parent != nil {
		return r.parent
	}
	return r
}

// Enabled is true at every level: a test sees DEBUG records too.
func (r *Recorder) Enabled(context.Context, slog.Level) bool { return true }

// Handle records rec with the handler's attributes and its own.
func (r *Recorder) Handle(_ context.Context, rec slog.Record) error {
	out := Record{Level: rec.Level, Message: rec.Message, Attrs: map[string]slog.Value{}}
	for _, a := range r.attrs {
		out.Attrs[a.Key] = a.Value
	}
	rec.Attrs(func(a slog.Attr) bool {
		out.Attrs[a.Key] = a.Value
		return true
	})
	root := r.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	root.records = append(root.records, out)
	return nil
}

// WithAttrs returns a handler that adds as to every record it keeps in r.
func (r *Recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &Recorder{attrs: append(slices.Clone(r.attrs), as...), parent: r.root()}
}

// WithGroup returns r: records keep their attribute keys unqualified.
func (r *Recorder) WithGroup(string) slog.Handler { return r }

// Records returns every record so far, in order.
func (r *Recorder) Records() []Record {
	root := r.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	return slices.Clone(root.records)
}

// Find returns the records with message msg, in order.
func (r *Recorder) Find(msg string) []Record {
	var out []Record
	for _, rec := range r.Records() {
		if rec.Message == msg {
			out = append(out, rec)
		}
	}
	return out
}

// Count returns how many records have message msg.
func (r *Recorder) Count(msg string) int { return len(r.Find(msg)) }

// Has reports whether a record has message msg.
func (r *Recorder) Has(msg string) bool { return r.Count(msg) > 0 }

// AtLeast lists the messages of the records at level or above, in order:
// what an operator's log at that level gets.
func (r *Recorder) AtLeast(level slog.Level) []string {
	var out []string
	for _, rec := range r.Records() {
		if rec.Level >= level {
			out = append(out, rec.Message)
		}
	}
	return out
}
