package actors

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zab"
	"github.com/zkfle/zkfle/zk"
)

// The session driver's one ordering rule (zab.Output): every epoch write
// is durable before any packet of the same Output leaves, because those
// packets promise what the write records (ACKEPOCH promises the accepted
// epoch, LEADERINFO announces it, NEWLEADER and its ACK the current one).
// These tests run sessionDriver.apply, the code the Leader and Follower
// actors use, with real zab sessions, an epoch store that records its
// writes and a connection that records its sends in one log, in the order
// they happen: a PID backed by a plain actor.Process receives ctx.Send
// synchronously, so a send that came before a write is logged before it.

// orderLog is the shared record of writes and sends.
type orderLog struct {
	mu     sync.Mutex
	events []string
}

func (l *orderLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf(format, args...))
}

func (l *orderLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

// recordingEpochs is an epochStore that logs every write, and fails every
// write with fail when it is set (logging the attempt).
type recordingEpochs struct {
	log               *orderLog
	fail              error
	mu                sync.Mutex
	accepted, current int64
}

func (r *recordingEpochs) Accepted() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

func (r *recordingEpochs) Current() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

func (r *recordingEpochs) Apply(w zab.EpochWrite) error {
	if r.fail != nil {
		r.log.add("write %s=%d FAILED", w.File, w.Epoch)
		return r.fail
	}
	r.mu.Lock()
	if w.File == zab.AcceptedEpochFile {
		r.accepted = w.Epoch
	} else {
		r.current = w.Epoch
	}
	r.mu.Unlock()
	r.log.add("write %s=%d", w.File, w.Epoch)
	return nil
}

func (r *recordingEpochs) Probe() error { return r.fail }

// wireProcess stands for a connection's quorum bridge: it logs each
// packet the driver sends, and the driver closing it.
type wireProcess struct{ log *orderLog }

func (w *wireProcess) SendUserMessage(_ *actor.PID, m any) {
	if s, ok := m.(*messages.SendQuorumPacket); ok {
		w.log.add("send %s", netbridge.QuorumPacketFromProto(s.GetPacket()).Type)
	}
}
func (w *wireProcess) SendSystemMessage(*actor.PID, any) {}
func (w *wireProcess) Stop(*actor.PID)                   { w.log.add("close") }

// driveStep asks the host actor to feed its session one input and carry
// out the Output.
type driveStep struct {
	input func(s zabSession) zab.Output
}

type stepDone struct{}

// orderHarness hosts a sessionDriver in an actor (under a parent that
// records the session reports) with connection 1 wired to a wireProcess.
type orderHarness struct {
	t       *testing.T
	system  *actor.ActorSystem
	host    *actor.PID
	parent  *actor.PID
	log     *orderLog
	reports *recorder
}

func newOrderHarness(t *testing.T, kind Kind, session zabSession, fail error) *orderHarness {
	t.Helper()
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreCurrent(),
			goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	})
	h := &orderHarness{t: t, log: &orderLog{}, reports: &recorder{}}
	h.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt := &runtime{cfg: DefaultConfig(), log: quiet, sup: newSupervision(),
		epochs: &recordingEpochs{log: h.log, fail: fail}}
	wire, ok := h.system.ProcessRegistry.Add(&wireProcess{log: h.log}, "wire-"+string(kind))
	require.True(t, ok)
	hostProps := actor.PropsFromFunc(func() actor.ReceiveFunc {
		d := newSessionDriver(rt, kind)
		d.session = session
		return func(ctx actor.Context) {
			switch m := ctx.Message().(type) {
			case *actor.Started:
				d.conns[1] = wire
			case *actor.Stopping:
				d.leave()
			case *driveStep:
				if !d.over {
					d.apply(ctx, m.input(d.session))
				}
				ctx.Respond(stepDone{})
			default:
				d.handle(ctx, m)
			}
		}
	}())
	hosted := make(chan *actor.PID, 1)
	parent := actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			hosted <- ctx.Spawn(hostProps)
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			h.reports.add(ctx.Message())
		}
	})
	top := h.system.Root.Spawn(parent)
	t.Cleanup(func() { require.NoError(t, h.system.Root.StopFuture(top).Wait()) })
	h.host = <-hosted
	h.parent = top
	return h
}

// reportsSettled is a marker sent to the recording parent after a step.
type reportsSettled struct{}

// settle waits until every report of the steps so far is recorded: the
// host sent them before it answered the step, so a marker sent after the
// answer is queued behind them in the parent's mailbox.
func (h *orderHarness) settle() {
	h.t.Helper()
	h.system.Root.Send(h.parent, &reportsSettled{})
	eventually(h.t, h.reports, "the marker", func(*reportsSettled) bool { return true })
}

// step feeds one input and waits until its Output is carried out.
func (h *orderHarness) step(input func(s zabSession) zab.Output) {
	h.t.Helper()
	_, err := h.system.Root.RequestFuture(h.host, &driveStep{input: input}, waitFor).Result()
	require.NoError(h.t, err)
}

func (h *orderHarness) receive(p quorumwire.Packet) {
	h.step(func(s zabSession) zab.Output { return s.Received(1, p) })
}

func threeVoters(t *testing.T) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	for sid := int64(1); sid <= 3; sid++ {
		servers = append(servers, quorum.Server{ID: sid, Type: quorum.Participant,
			Addrs: []quorum.AddrPair{{Host: "127.0.0.1", QuorumPort: 30000 + int(sid), ElectionPort: 31000 + int(sid)}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

func newOrderLearner(t *testing.T) zabSession {
	t.Helper()
	s, err := zab.NewLearnerSession(zab.LearnerConfig{ID: 2, LeaderID: 1, AcceptedEpoch: 4, CurrentEpoch: 4})
	require.NoError(t, err)
	return s
}

func newOrderLeader(t *testing.T) zabSession {
	t.Helper()
	l, err := zab.NewLeaderSession(zab.LeaderConfig{ID: 1, Verifier: threeVoters(t), AcceptedEpoch: 4, CurrentEpoch: 4})
	require.NoError(t, err)
	return l
}

// learnerUpTo drives a learner session through discovery and sync with
// the leader's packets, as far as the session lets it.
func (h *orderHarness) learnerUpTo() {
	h.step(func(s zabSession) zab.Output { return s.Start() })
	h.step(func(s zabSession) zab.Output { return s.Connected(1) })
	h.receive(quorumwire.NewZkfleLeaderInfoPacket(5))
	h.receive(quorumwire.NewDiffPacket(0))
	h.receive(quorumwire.NewNewLeaderPacket(5, nil))
	h.receive(quorumwire.NewUpToDatePacket())
}

// leaderUpTo drives a leader session through discovery and sync with one
// follower (server 2; with the leader a quorum of three).
func (h *orderHarness) leaderUpTo() {
	h.step(func(s zabSession) zab.Output { return s.Start() })
	h.step(func(s zabSession) zab.Output { return s.Connected(1) })
	h.receive(quorumwire.NewZkfleLearnerInfoPacket(false, 2, 4, 0))
	h.receive(quorumwire.NewAckEpochPacket(4, 0))
	h.receive(quorumwire.NewAckPacket(int64(zk.MakeZxid(5, 0))))
}

func TestSessionDriverPersistsBeforeSending(t *testing.T) {
	t.Run("learner", func(t *testing.T) {
		h := newOrderHarness(t, KindFollower, newOrderLearner(t), nil)
		h.learnerUpTo()
		assert.Equal(t, []string{
			"send FOLLOWERINFO",
			"write acceptedEpoch=5", "send ACKEPOCH", // the promise is on disk before it leaves
			"write currentEpoch=5", "send ACK", // NEWLEADER's ACK
			"send ACK", // UPTODATE's
		}, h.log.all())
		eventually(t, h.reports, "established", func(*messages.SessionEstablished) bool { return true })
	})
	t.Run("leader", func(t *testing.T) {
		h := newOrderHarness(t, KindLeader, newOrderLeader(t), nil)
		h.leaderUpTo()
		assert.Equal(t, []string{
			"write acceptedEpoch=5", "send LEADERINFO",
			"write currentEpoch=5", "send DIFF", "send NEWLEADER",
			"send UPTODATE",
		}, h.log.all())
		eventually(t, h.reports, "established", func(*messages.SessionEstablished) bool { return true })
	})
}

// TestSessionDriverSendsNothingAfterAFailedWrite: when the store refuses
// the write, nothing of that Output leaves; the session ends (persist
// failed) and closes the connection.
func TestSessionDriverSendsNothingAfterAFailedWrite(t *testing.T) {
	diskFull := errors.New("no space left on device")
	ended := func(e *messages.SessionEnded) bool { return e.GetReason() == zab.ReasonPersistFailed.String() }
	t.Run("learner", func(t *testing.T) {
		h := newOrderHarness(t, KindFollower, newOrderLearner(t), diskFull)
		h.learnerUpTo()
		assert.Equal(t, []string{"send FOLLOWERINFO", "write acceptedEpoch=5 FAILED", "close"}, h.log.all(),
			"no ACKEPOCH for an epoch that is not on disk")
		eventually(t, h.reports, "persist failed", ended)
	})
	t.Run("leader", func(t *testing.T) {
		h := newOrderHarness(t, KindLeader, newOrderLeader(t), diskFull)
		h.leaderUpTo()
		assert.Equal(t, []string{"write acceptedEpoch=5 FAILED", "close"}, h.log.all(),
			"no LEADERINFO for an epoch that is not on disk")
		eventually(t, h.reports, "persist failed", ended)
	})
}

// A lone voter's Start persists both epochs and establishes at once: when
// the first write fails, nothing after it in that Output happens, the
// session is not reported established for an epoch that is not on disk.
func TestSessionDriverReportsNothingAfterAFailedWrite(t *testing.T) {
	servers := []quorum.Server{{ID: 1, Type: quorum.Participant,
		Addrs: []quorum.AddrPair{{Host: "127.0.0.1", QuorumPort: 30001, ElectionPort: 31001}}}}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	l, err := zab.NewLeaderSession(zab.LeaderConfig{ID: 1, Verifier: v, AcceptedEpoch: 4, CurrentEpoch: 4})
	require.NoError(t, err)
	out := l.Start()
	require.NotEmpty(t, out.Persist, "the premise: a lone voter persists in Start")

	l, err = zab.NewLeaderSession(zab.LeaderConfig{ID: 1, Verifier: v, AcceptedEpoch: 4, CurrentEpoch: 4})
	require.NoError(t, err)
	h := newOrderHarness(t, KindLeader, l, errors.New("no space left on device"))
	h.step(func(s zabSession) zab.Output { return s.Start() })
	h.settle()
	assert.Equal(t, []string{"write acceptedEpoch=5 FAILED"}, h.log.all(), "no second write")
	assert.Empty(t, recorded[*messages.SessionEstablished](h.reports), "established with no epoch on disk")
	assert.NotEmpty(t, recorded[*messages.SessionEnded](h.reports))
}

// The driver tells its parent (the QuorumPeer, which owns the disk-fault
// rule) the result of every epoch write; a failure arrives before the
// session's end, so the round that follows already does not stand.
func TestSessionDriverReportsEpochWritesToItsParent(t *testing.T) {
	t.Run("written", func(t *testing.T) {
		h := newOrderHarness(t, KindFollower, newOrderLearner(t), nil)
		h.learnerUpTo()
		h.settle()
		writes := recorded[*epochWritten](h.reports)
		require.Len(t, writes, 2, "acceptedEpoch and currentEpoch")
		for _, w := range writes {
			assert.NoError(t, w.err)
		}
	})
	t.Run("failed", func(t *testing.T) {
		diskFull := errors.New("no space left on device")
		h := newOrderHarness(t, KindLeader, newOrderLeader(t), diskFull)
		h.leaderUpTo()
		h.settle()
		var order []string
		for _, m := range h.reports.all() {
			switch m := m.(type) {
			case *epochWritten:
				assert.ErrorIs(t, m.err, diskFull)
				order = append(order, "write failed")
			case *messages.SessionEnded:
				order = append(order, "ended")
			}
		}
		assert.Equal(t, []string{"write failed", "ended"}, order)
	})
}
