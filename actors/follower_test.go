package actors

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// dialTimes records when the Follower logged each refused dial.
type dialTimes struct {
	mu    sync.Mutex
	times []time.Time
}

func (d *dialTimes) Enabled(context.Context, slog.Level) bool { return true }
func (d *dialTimes) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "cannot connect to the leader" {
		d.mu.Lock()
		d.times = append(d.times, time.Now())
		d.mu.Unlock()
	}
	return nil
}
func (d *dialTimes) WithAttrs([]slog.Attr) slog.Handler { return d }
func (d *dialTimes) WithGroup(string) slog.Handler      { return d }

func (d *dialTimes) snapshot() []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.times...)
}

// A Follower whose leader has not bound its quorum port yet redials after
// a few milliseconds, not ZooKeeper's 100 ms (issue 14: no dead time after
// the decision), and registers as soon as the port listens.
func TestFollowerRedialsSoonAfterRefusal(t *testing.T) {
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreCurrent(),
			goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	})
	cfg := testConfig(2, aliasedEnsemble(t))
	dials := &dialTimes{}
	cfg.Logger = slog.New(dials)
	require.NoError(t, cfg.Validate())
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	rt := &runtime{cfg: cfg, log: cfg.Logger.With("sid", cfg.ID), sup: newSupervision(), epochs: memEpochs(t, 0)}
	reports := &recorder{}
	parent := actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Spawn(newFollowerProps(rt, 1, false))
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			reports.add(ctx.Message())
		}
	})
	leader, _ := cfg.Verifier.Server(1)
	addr := net.JoinHostPort(leader.Addrs[0].Host, strconv.Itoa(leader.Addrs[0].QuorumPort))

	pid := system.Root.Spawn(parent)
	t.Cleanup(func() { require.NoError(t, system.Root.StopFuture(pid).Wait()) })

	// Nothing listens yet: the dials are refused. ZooKeeper's pace puts
	// 300 ms between the first and the fourth refusal; the back-off
	// (5, 10, 20 ms) about 35.
	require.Eventually(t, func() bool { return len(dials.snapshot()) >= 4 }, waitFor, poll)
	times := dials.snapshot()
	assert.Less(t, times[3].Sub(times[0]), 200*time.Millisecond, "four refused dials within %v", times[3].Sub(times[0]))
	assert.Empty(t, recorded[*messages.SessionEnded](reports), "the follower has not given up")

	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	c, err := ln.Accept()
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	_ = c.SetReadDeadline(time.Now().Add(waitFor))
	p, err := quorumwire.NewPacketReader(c).Next()
	require.NoError(t, err)
	assert.Equal(t, quorumwire.FollowerInfo, p.Type, "the follower registers once the port listens")
}
