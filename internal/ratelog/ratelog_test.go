package ratelog

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTest(interval time.Duration) (*Limiter, *bytes.Buffer, *clock) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(1000, 0)}
	l := New(slog.New(slog.NewTextHandler(&buf, nil)), interval).WithClock(c.now)
	return l, &buf, c
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestOneLinePerKeyPerInterval(t *testing.T) {
	l, buf, c := newTest(time.Second)
	require.True(t, l.Warn("bad frame", "127.0.0.9", "truncated", "peer", 3))
	for i := 0; i < 20000; i++ {
		require.False(t, l.Warn("bad frame", "127.0.0.9", "truncated", "peer", 3))
	}
	require.Len(t, lines(buf), 1)
	c.t = c.t.Add(time.Second)
	require.True(t, l.Warn("bad frame", "127.0.0.9", "truncated", "peer", 3))
	got := lines(buf)
	require.Len(t, got, 2)
	require.Contains(t, got[1], "suppressed=20000")
	require.Contains(t, got[1], "source=127.0.0.9")
	require.Contains(t, got[1], "reason=truncated")
	require.Contains(t, got[1], "peer=3")
}

func TestDistinctKeysLogSeparately(t *testing.T) {
	l, buf, _ := newTest(time.Second)
	require.True(t, l.Warn("m", "a", "r1"))
	require.True(t, l.Warn("m", "a", "r2"))
	require.True(t, l.Warn("m", "b", "r1"))
	require.False(t, l.Warn("m", "b", "r1"))
	require.Len(t, lines(buf), 3)
}

func TestBudgetBoundsASprayOfKeys(t *testing.T) {
	l, buf, c := newTest(time.Second)
	for i := 0; i < 70000; i++ {
		l.Warn("unknown sid", "127.0.0.9", fmt.Sprintf("sid-%d", i))
	}
	require.Len(t, lines(buf), DefaultBudget)
	require.LessOrEqual(t, l.Len(), DefaultMaxKeys)
	c.t = c.t.Add(time.Second)
	require.True(t, l.Warn("unknown sid", "127.0.0.9", "later"))
	last := lines(buf)[DefaultBudget]
	require.Contains(t, last, fmt.Sprintf("suppressed_other=%d", 70000-DefaultBudget))
}

func TestTableStaysBounded(t *testing.T) {
	l, _, c := newTest(time.Second)
	for i := 0; i < 10*DefaultMaxKeys; i++ {
		c.t = c.t.Add(time.Millisecond) // keep within budget windows
		if i%DefaultBudget == 0 {
			c.t = c.t.Add(time.Second)
		}
		l.Warn("m", fmt.Sprintf("src-%d", i), "r")
	}
	require.LessOrEqual(t, l.Len(), DefaultMaxKeys)
}
