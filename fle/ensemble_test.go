package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// ensemble is a minimal deterministic driver for a few machines: FIFO
// delivery with no loss, and when nothing is in flight, pending finalize
// windows close before notification timeouts fire. It exists to check the
// driver contract end to end (loopback, timers, decisions); the real
// simulator with faults lives in fle/sim.
type ensemble struct {
	t        testing.TB
	machines map[int64]*Machine
	order    []int64
	alive    map[int64]bool
	queue    []envelope
	timers   map[int64]map[TimerKind]Timer
}

type envelope struct {
	to int64
	n  Notification
}

func newEnsemble(t testing.TB, v quorum.Verifier, ids ...int64) *ensemble {
	e := &ensemble{t: t, machines: map[int64]*Machine{}, alive: map[int64]bool{}, timers: map[int64]map[TimerKind]Timer{}}
	for _, id := range ids {
		e.machines[id] = newMachine(t, id, v)
		e.order = append(e.order, id)
		e.alive[id] = true
		e.timers[id] = map[TimerKind]Timer{}
	}
	return e
}

func (e *ensemble) apply(id int64, out Output) {
	for _, msg := range out.Messages {
		e.queue = append(e.queue, envelope{to: msg.To, n: Notification{
			From: id, State: msg.State, Leader: msg.Leader, Zxid: msg.Zxid,
			ElectionEpoch: msg.ElectionEpoch, PeerEpoch: msg.PeerEpoch, Version: 2,
		}})
	}
	for _, tm := range out.Timers {
		if tm.Cancel {
			delete(e.timers[id], tm.Kind)
			continue
		}
		e.timers[id][tm.Kind] = tm
	}
}

func (e *ensemble) start(id int64, zxid zk.Zxid, epoch int64) {
	e.apply(id, e.machines[id].Start(zxid, epoch))
}

// run delivers and fires until every live machine has decided.
func (e *ensemble) run() {
	for range 10000 {
		if e.allDecided() {
			return
		}
		if len(e.queue) > 0 {
			env := e.queue[0]
			e.queue = e.queue[1:]
			if e.alive[env.to] {
				e.apply(env.to, e.machines[env.to].Step(env.n))
			}
			continue
		}
		e.fireOne()
	}
	require.FailNow(e.t, "the ensemble did not decide")
}

func (e *ensemble) fireOne() {
	for _, kind := range []TimerKind{FinalizeTimer, NotificationTimer} {
		for _, id := range e.order {
			if tm, ok := e.timers[id][kind]; ok && e.alive[id] {
				delete(e.timers[id], kind)
				e.apply(id, e.machines[id].Tick(kind, tm.Seq, true))
				return
			}
		}
	}
	require.FailNow(e.t, "nothing in flight and no timer pending")
}

func (e *ensemble) allDecided() bool {
	for _, id := range e.order {
		if e.alive[id] && e.machines[id].State() == zk.Looking {
			return false
		}
	}
	return true
}

func TestEnsembleElectsBestAndReelects(t *testing.T) {
	e := newEnsemble(t, majority(t, []int64{1, 2, 3, 4, 5}), 1, 2, 3, 4, 5)
	data := map[int64]zk.Zxid{1: zk.MakeZxid(1, 9), 2: zk.MakeZxid(1, 9), 3: zk.MakeZxid(1, 4), 4: zk.MakeZxid(1, 2), 5: zk.MakeZxid(1, 4)}
	for _, id := range e.order {
		e.start(id, data[id], 1)
	}
	e.run()
	for _, id := range e.order {
		m := e.machines[id]
		assert.Equal(t, int64(2), m.CurrentVote().Leader, "sid %d", id)
		want := zk.Following
		if id == 2 {
			want = zk.Leading
		}
		assert.Equal(t, want, m.State(), "sid %d", id)
	}

	// The leader dies; the others go back to LOOKING and elect 1, the
	// next best, in a later round.
	e.alive[2] = false
	for _, id := range []int64{1, 3, 4, 5} {
		e.start(id, data[id], 1)
	}
	e.run()
	for _, id := range []int64{1, 3, 4, 5} {
		assert.Equal(t, int64(1), e.machines[id].CurrentVote().Leader, "sid %d", id)
		assert.Greater(t, e.machines[id].LogicalClock(), int64(1))
	}
	assert.Equal(t, zk.Leading, e.machines[1].State())

	// A restarted server (fresh clock) joins through FOLLOWING/LEADING
	// replies without a new election.
	e.machines[2] = newMachine(t, 2, majority(t, []int64{1, 2, 3, 4, 5}))
	e.alive[2] = true
	e.timers[2] = map[TimerKind]Timer{}
	e.start(2, data[2], 1)
	e.run()
	assert.Equal(t, zk.Following, e.machines[2].State())
	assert.Equal(t, int64(1), e.machines[2].CurrentVote().Leader)
	assert.Equal(t, e.machines[1].LogicalClock(), e.machines[2].LogicalClock())
	assert.Equal(t, zk.Leading, e.machines[1].State(), "the leader was not disturbed")
}
