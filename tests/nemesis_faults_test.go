package tests

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// The nemesis: seeded faults against a namespaced ensemble. A run is a
// series of cycles; each cycle applies faults for a few seconds, then
// heals everything (links, routes, paused and killed processes) and waits
// for oracle (e): a leader every node follows, within nemLivenessBound.
// The seed decides every choice (fault kind, victim, groups, dwell
// times); a victim may be "the leader", resolved to whoever srvr last
// said leads, so a replay repeats the schedule but not the interleaving.

// nemLivenessBound is oracle (e)'s bound: after a heal, every node must
// follow one established leader within it. It is the sum of the waits a
// healed node may be in: a connect begun during the fault may hang for
// cnxTimeout (5 s, ZooKeeper's default, kept) before it is retried, the
// election's notification timeout is capped at 2 s
// (nsMaxNotification), discovery must finish within initLimit × tickTime
// (2 s), and 1 s is left for a loaded 2-core machine.
const nemLivenessBound = 10 * time.Second

// nemFaultKind is one kind of fault.
type nemFaultKind int

const (
	nemCut    nemFaultKind = iota // a node's cable pulled (link down)
	nemSplit                      // a symmetric partition into two groups (blackhole routes)
	nemOneWay                     // an asymmetric partition: one node's packets out, or in, dropped
	nemKill                       // kill -9 (restarted later from the same data dir)
	nemPause                      // SIGSTOP (SIGCONT later)
	nemKinds
)

// nemTally counts what the nemesis did.
type nemTally struct {
	cycles, cuts, splits, oneWays, kills, restarts, pauses, resumes, heals int
}

func (n nemTally) partitions() int { return n.cuts + n.splits + n.oneWays }

func (n nemTally) String() string {
	return fmt.Sprintf("cycles=%d partitions=%d (cut=%d split=%d one-way=%d) kills=%d restarts=%d pauses=%d resumes=%d heals=%d",
		n.cycles, n.partitions(), n.cuts, n.splits, n.oneWays, n.kills, n.restarts, n.pauses, n.resumes, n.heals)
}

// nemesis drives the faults.
type nemesis struct {
	t     *testing.T
	c     *nsCluster
	chk   *nemChecker
	rng   *rand.Rand
	began time.Time
	tally nemTally
	// events is the run's timeline, printed on failure.
	events []string
	// recoveries are the heal-to-agreement times of oracle (e).
	recoveries []time.Duration
}

func newNemesis(t *testing.T, c *nsCluster, chk *nemChecker, seed uint64) *nemesis {
	return &nemesis{t: t, c: c, chk: chk, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), began: time.Now()}
}

func (m *nemesis) logf(format string, args ...any) {
	line := fmt.Sprintf("%7.2fs ", time.Since(m.began).Seconds()) + fmt.Sprintf(format, args...)
	m.events = append(m.events, line)
	m.t.Log(line)
}

// hold lets a fault last d. This is the fault schedule, not a wait for
// anything to happen.
func (m *nemesis) hold(d time.Duration) { time.Sleep(d) }

func (m *nemesis) dwell() time.Duration {
	return 300*time.Millisecond + time.Duration(m.rng.Int64N(int64(2200*time.Millisecond)))
}

// victim is the current leader half of the time (when srvr names one),
// else any node.
func (m *nemesis) victim() (int64, string) {
	if m.rng.IntN(2) == 0 {
		if l := m.chk.leaderNow(); l != 0 {
			return l, " (the leader)"
		}
	}
	return m.c.sids[m.rng.IntN(len(m.c.sids))], ""
}

// down counts nodes killed or paused: at most two at once, so that a
// majority of processes runs at any time and elections keep happening
// under the network faults.
func (m *nemesis) down() int {
	n := 0
	for _, sid := range m.c.sids {
		if !m.c.running(sid) || m.c.paused(sid) {
			n++
		}
	}
	return n
}

// act applies one fault of the given kind (or, when it cannot, undoes a
// process fault instead).
func (m *nemesis) act(kind nemFaultKind) error {
	lab := m.c.lab
	switch kind {
	case nemCut:
		v, why := m.victim()
		m.tally.cuts++
		m.logf("cut node %d%s", v, why)
		return lab.Cut(int(v))
	case nemSplit:
		v, why := m.victim()
		minority := []int{int(v)}
		if m.rng.IntN(2) == 0 {
			for {
				o := int(m.c.sids[m.rng.IntN(len(m.c.sids))])
				if o != int(v) {
					minority = append(minority, o)
					break
				}
			}
		}
		var majority []int
		for _, sid := range m.c.sids {
			if !nemContainsInt(minority, int(sid)) {
				majority = append(majority, int(sid))
			}
		}
		sort.Ints(minority)
		m.tally.splits++
		m.logf("partition %v | %v%s", minority, majority, why)
		return lab.Partition(minority, majority)
	case nemOneWay:
		v, why := m.victim()
		out := m.rng.IntN(2) == 0
		m.tally.oneWays++
		if out {
			m.logf("one-way: node %d%s cannot send to anyone (it still hears them)", v, why)
		} else {
			m.logf("one-way: nobody can send to node %d%s (it still reaches them)", v, why)
		}
		for _, o := range m.c.sids {
			if o == v {
				continue
			}
			from, to := int(v), int(o)
			if !out {
				from, to = to, from
			}
			if err := lab.Blackhole(from, to); err != nil {
				return err
			}
		}
		return nil
	case nemKill, nemPause:
		if m.down() >= 2 {
			return m.undoOne()
		}
		v, why := m.victim()
		if !m.c.running(v) || m.c.paused(v) {
			return m.undoOne()
		}
		if kind == nemKill {
			m.tally.kills++
			m.logf("kill -9 node %d%s", v, why)
			return m.c.kill9(v)
		}
		m.tally.pauses++
		m.logf("SIGSTOP node %d%s", v, why)
		return m.c.signal(v, true)
	}
	return fmt.Errorf("no fault kind %d", kind)
}

// undoOne restarts a killed node or resumes a paused one (the first such
// node in sid order), if any.
func (m *nemesis) undoOne() error {
	for _, sid := range m.c.sids {
		switch {
		case !m.c.running(sid):
			m.tally.restarts++
			m.logf("restart node %d", sid)
			return m.c.start(sid)
		case m.c.paused(sid):
			m.tally.resumes++
			m.logf("SIGCONT node %d", sid)
			return m.c.signal(sid, false)
		}
	}
	return nil
}

// heal removes every fault: routes, links, paused and killed processes.
func (m *nemesis) heal() error {
	m.tally.heals++
	m.logf("heal: routes %v, cut %v", m.c.lab.Blackholes(), m.c.lab.CutNodes())
	if err := m.c.lab.Heal(); err != nil {
		return err
	}
	for _, sid := range m.c.sids {
		switch {
		case !m.c.running(sid):
			m.tally.restarts++
			m.logf("restart node %d", sid)
			if err := m.c.start(sid); err != nil {
				return err
			}
		case m.c.paused(sid):
			m.tally.resumes++
			m.logf("SIGCONT node %d", sid)
			if err := m.c.signal(sid, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// cycle applies faults for about faultFor (the first one of kind first),
// then heals.
func (m *nemesis) cycle(faultFor time.Duration, first nemFaultKind) error {
	m.tally.cycles++
	end := time.Now().Add(faultFor)
	kind := first
	for {
		if err := m.act(kind); err != nil {
			return err
		}
		d := m.dwell()
		if time.Until(end) < d {
			break
		}
		m.hold(d)
		kind = nemFaultKind(m.rng.IntN(int(nemKinds)))
		// Now and then a process comes back before the heal.
		if m.rng.IntN(4) == 0 {
			if err := m.undoOne(); err != nil {
				return err
			}
		}
	}
	m.hold(time.Until(end))
	return m.heal()
}

// awaitAgreement waits for oracle (e) after a heal at healedAt: every
// node follows one established leader within bound. The wait polls the
// checker's observations; it returns what was agreed, or an error with
// the last disagreement.
func (m *nemesis) awaitAgreement(healedAt time.Time, bound time.Duration) (nemConverged, error) {
	var why string
	deadline := healedAt.Add(bound)
	for {
		got, ok, w := nemConvergedSince(m.chk.snapshot(), m.c.sids, healedAt)
		if ok && !got.at.After(deadline) {
			m.recoveries = append(m.recoveries, got.at.Sub(healedAt))
			m.logf("agreement after %v: leader %d, epoch %d", got.at.Sub(healedAt).Round(time.Millisecond), got.leader, got.epoch)
			return got, nil
		}
		why = w
		if time.Now().After(deadline.Add(nemProbeTimeout)) {
			return got, fmt.Errorf("(e) no leader that every node follows within %v of the heal at %s: %s",
				bound, healedAt.Format("15:04:05.000"), why)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// recoverySummary is min/median/max of the recoveries.
func (m *nemesis) recoverySummary() string {
	if len(m.recoveries) == 0 {
		return "none"
	}
	r := append([]time.Duration(nil), m.recoveries...)
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	parts := make([]string, 0, len(r))
	for _, d := range r {
		parts = append(parts, d.Round(10*time.Millisecond).String())
	}
	return fmt.Sprintf("n=%d min=%v median=%v max=%v (all: %s)", len(r), r[0].Round(time.Millisecond),
		r[len(r)/2].Round(time.Millisecond), r[len(r)-1].Round(time.Millisecond), strings.Join(parts, " "))
}

func nemContainsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
