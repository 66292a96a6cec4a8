package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// In-process mode keeps only the decision paths of the nodes' logs. To
// read a run's per-node timeline (why a run re-elected, say), set
// ZKBENCH_INPROCESS_LOG to a file: every node's records go there as
// slog text lines with node=SID, at Info (ZKBENCH_INPROCESS_LOG_LEVEL=debug
// for Debug). The file is shared by every run of the invocation.
const (
	inprocessLogEnv      = "ZKBENCH_INPROCESS_LOG"
	inprocessLogLevelEnv = "ZKBENCH_INPROCESS_LOG_LEVEL"
)

var (
	inprocessLogOnce sync.Once
	inprocessLogH    slog.Handler // nil: no file asked for
)

// inprocessLogger is node sid's logger: the path recorder, and the
// ZKBENCH_INPROCESS_LOG file when asked for.
func inprocessLogger(rec slog.Handler, sid int64) *slog.Logger {
	inprocessLogOnce.Do(func() {
		path := os.Getenv(inprocessLogEnv)
		if path == "" {
			return
		}
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "zkbench: %s: %v (no log file)\n", inprocessLogEnv, err)
			return
		}
		level := slog.LevelInfo
		if os.Getenv(inprocessLogLevelEnv) == "debug" {
			level = slog.LevelDebug
		}
		inprocessLogH = slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})
	})
	if inprocessLogH == nil {
		return slog.New(rec)
	}
	return slog.New(teeHandler{rec, inprocessLogH.WithAttrs([]slog.Attr{slog.Int64("node", sid)})})
}

// teeHandler hands every record to both handlers.
type teeHandler struct{ a, b slog.Handler }

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if t.a.Enabled(ctx, r.Level) {
		_ = t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		return t.b.Handle(ctx, r)
	}
	return nil
}

func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(as), t.b.WithAttrs(as)}
}

func (t teeHandler) WithGroup(g string) slog.Handler {
	return teeHandler{t.a.WithGroup(g), t.b.WithGroup(g)}
}
