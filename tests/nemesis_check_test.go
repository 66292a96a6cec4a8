package tests

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// The nemesis test's oracles. They judge what an outside observer saw
// (srvr text, the admin endpoint's JSON, the epoch files on disk) and
// share no code with zkfle: no zab, fle, actors or fourletter import; the
// parsing is in nemesis_probe_test.go and the rules are written out here
// from ZooKeeper's guarantees.
//
// Observations of one node are ordered only when they do not overlap: an
// answer reflects the node at some moment between the probe's sent and
// done, so X happened before Y only if X.done < Y.sent. Every
// "never decreases" rule compares only such pairs; that handles sampling
// lag exactly, with no tolerance window, and cannot go vacuous: any two
// probes 100 ms apart are ordered.

// nemSource says where an observation came from.
type nemSource string

const (
	nemSrvr  nemSource = "srvr"  // the srvr four-letter word
	nemAdmin nemSource = "admin" // GET /commands/stat
	nemFiles nemSource = "files" // dataDir/version-2/{currentEpoch,acceptedEpoch}
)

// nemObs is one observation of one node.
type nemObs struct {
	sid        int64
	source     nemSource
	sent, done time.Time
	// answered: the node answered at all (srvr/admin). A LOOKING node
	// answers without a role; a killed, paused or cut one does not.
	answered bool
	// mode is "leader", "follower" or "observer" for an established
	// role, "" otherwise.
	mode string
	// epoch is the established epoch the role was reported with (srvr:
	// Zxid >> 32; admin: peer_epoch).
	epoch int64
	// leader is the leader's sid as the node reports it (admin only; 0
	// when unknown).
	leader int64
	// current and accepted are the epoch files' values, -1 when absent
	// or unreadable (files only). current is read first.
	current, accepted int64
}

// established reports whether o reports a leader or follower role.
func (o nemObs) established() bool {
	return (o.source == nemSrvr || o.source == nemAdmin) && (o.mode == "leader" || o.mode == "follower")
}

func (o nemObs) String() string {
	at := o.sent.Format("15:04:05.000")
	switch {
	case o.source == nemFiles:
		return fmt.Sprintf("%s sid %d files current=%d accepted=%d", at, o.sid, o.current, o.accepted)
	case o.established() && o.source == nemAdmin:
		return fmt.Sprintf("%s sid %d admin %s epoch %d leader %d", at, o.sid, o.mode, o.epoch, o.leader)
	case o.established():
		return fmt.Sprintf("%s sid %d srvr %s epoch %d", at, o.sid, o.mode, o.epoch)
	case o.answered:
		return fmt.Sprintf("%s sid %d %s no role", at, o.sid, o.source)
	default:
		return fmt.Sprintf("%s sid %d %s no answer", at, o.sid, o.source)
	}
}

// nemChecker collects observations and judges them.
type nemChecker struct {
	voters []int64

	mu     sync.Mutex
	obs    []nemObs
	latest map[int64]nemObs // each node's latest srvr observation, by done
	// internal are the checker's own failures (a prober that panicked):
	// they fail the run like a violation.
	internal []string
}

func newNemChecker(voters []int64) *nemChecker {
	return &nemChecker{voters: append([]int64(nil), voters...), latest: map[int64]nemObs{}}
}

// failInternal records a failure of the checking machinery itself.
func (c *nemChecker) failInternal(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.internal = append(c.internal, msg)
}

// leaderNow is the node whose latest srvr answer says leader (the most
// recent such answer if several do), or 0.
func (c *nemChecker) leaderNow() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best nemObs
	for _, o := range c.latest {
		if o.mode == "leader" && o.done.After(best.done) {
			best = o
		}
	}
	return best.sid
}

// majority is a plain majority of the configured voters.
func (c *nemChecker) majority() int { return len(c.voters)/2 + 1 }

func (c *nemChecker) add(o nemObs) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.obs = append(c.obs, o)
	if o.source == nemSrvr && o.done.After(c.latest[o.sid].done) {
		c.latest[o.sid] = o
	}
}

// snapshot returns a copy of the observations so far.
func (c *nemChecker) snapshot() []nemObs {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]nemObs(nil), c.obs...)
}

// nemCounts are the checked observations by source.
type nemCounts struct {
	srvr, admin, files, established int
}

func (c *nemChecker) counts() nemCounts {
	var n nemCounts
	for _, o := range c.snapshot() {
		switch o.source {
		case nemSrvr:
			n.srvr++
		case nemAdmin:
			n.admin++
		case nemFiles:
			n.files++
		}
		if o.established() {
			n.established++
		}
	}
	return n
}

// nemVerdict is the oracles' judgement of a whole run.
type nemVerdict struct {
	violations []string
	// epochs is every epoch some node reported a role in.
	epochs []int64
	// leaders maps each epoch to its leader.
	leaders map[int64]int64
	// byReports, byFiles and byLaterFiles count how each epoch's quorum
	// was shown (see checkQuorums).
	byReports, byFiles, byLaterFiles int
}

// verdict runs oracles (a) and (b) over everything observed.
func (c *nemChecker) verdict() nemVerdict {
	obs := c.snapshot()
	v := nemVerdict{leaders: map[int64]int64{}}
	c.mu.Lock()
	v.violations = append(v.violations, c.internal...)
	c.mu.Unlock()
	v.checkOneLeaderPerEpoch(obs)
	for _, sid := range c.voters {
		v.checkMonotonic(sid, obs)
	}
	v.checkQuorums(obs, c.voters, c.majority())
	return v
}

// checkOneLeaderPerEpoch is oracle (a): over the whole run, at most one
// node is the established leader of an epoch. A node reporting leader in
// epoch e claims e for itself; a follower whose admin answer names its
// leader claims e for that leader. Two different sids claimed for one
// epoch is a violation.
func (v *nemVerdict) checkOneLeaderPerEpoch(obs []nemObs) {
	claims := map[int64]map[int64][]nemObs{} // epoch -> leader sid -> evidence
	claim := func(epoch, leader int64, o nemObs) {
		if claims[epoch] == nil {
			claims[epoch] = map[int64][]nemObs{}
		}
		claims[epoch][leader] = append(claims[epoch][leader], o)
	}
	for _, o := range obs {
		switch {
		case !o.established():
		case o.mode == "leader":
			claim(o.epoch, o.sid, o)
		case o.source == nemAdmin && o.leader > 0:
			claim(o.epoch, o.leader, o)
		}
	}
	epochs := make([]int64, 0, len(claims))
	for e := range claims {
		epochs = append(epochs, e)
	}
	sort.Slice(epochs, func(i, j int) bool { return epochs[i] < epochs[j] })
	for _, e := range epochs {
		if len(claims[e]) == 1 {
			for sid := range claims[e] {
				v.leaders[e] = sid
			}
			continue
		}
		var parts []string
		for _, sid := range nemSortedKeys(claims[e]) {
			parts = append(parts, fmt.Sprintf("leader %d (first seen: %s)", sid, claims[e][sid][0]))
		}
		v.violations = append(v.violations, fmt.Sprintf("(a) epoch %d had %d leaders: %s", e, len(claims[e]), strings.Join(parts, "; ")))
	}
}

// nemValue is one epoch value a node showed, for checkMonotonic.
type nemValue struct {
	o     nemObs
	value int64
	what  string
}

// checkMonotonic is oracle (b), first half, for one node: the epochs it
// shows never go down, in happens-before order (X before Y iff X.done <
// Y.sent). Two series are checked:
//   - established: the epoch of every role it reports (srvr and admin)
//     and its currentEpoch file. Mixing them also checks that a reported
//     epoch is on disk (a file read after a report of e shows >= e: the
//     epoch is persisted before it is acted on, and kill -9 loses none
//     of it), and that no role is reported below the file.
//   - accepted: its acceptedEpoch file, which must also never be below a
//     currentEpoch read just before it in the same probe.
func (v *nemVerdict) checkMonotonic(sid int64, obs []nemObs) {
	var est, acc []nemValue
	for _, o := range obs {
		if o.sid != sid {
			continue
		}
		switch {
		case o.established():
			est = append(est, nemValue{o, o.epoch, fmt.Sprintf("reported %s epoch", o.mode)})
		case o.source == nemFiles:
			if o.current >= 0 {
				est = append(est, nemValue{o, o.current, "currentEpoch file"})
			}
			if o.accepted >= 0 {
				acc = append(acc, nemValue{o, o.accepted, "acceptedEpoch file"})
			}
			if o.current >= 0 && o.accepted >= 0 && o.accepted < o.current {
				v.violations = append(v.violations, fmt.Sprintf("(b) sid %d: acceptedEpoch %d read after currentEpoch %d (%s)",
					sid, o.accepted, o.current, o))
			}
		}
	}
	v.violations = append(v.violations, nemNeverDecreases(sid, "established epoch", est)...)
	v.violations = append(v.violations, nemNeverDecreases(sid, "accepted epoch", acc)...)
}

// nemNeverDecreases reports each value lower than one that happened before
// it. Values are visited by sent; the ones that finished before the
// current one started feed a running maximum.
func nemNeverDecreases(sid int64, series string, vals []nemValue) []string {
	bySent := append([]nemValue(nil), vals...)
	sort.SliceStable(bySent, func(i, j int) bool { return bySent[i].o.sent.Before(bySent[j].o.sent) })
	byDone := append([]nemValue(nil), vals...)
	sort.SliceStable(byDone, func(i, j int) bool { return byDone[i].o.done.Before(byDone[j].o.done) })
	var out []string
	var best *nemValue
	next := 0
	for _, x := range bySent {
		for next < len(byDone) && byDone[next].o.done.Before(x.o.sent) {
			if best == nil || byDone[next].value > best.value {
				b := byDone[next]
				best = &b
			}
			next++
		}
		if best != nil && x.value < best.value {
			out = append(out, fmt.Sprintf("(b) sid %d: %s went down: %s %d (%s) after %s %d (%s)",
				sid, series, x.what, x.value, x.o, best.what, best.value, best.o))
		}
	}
	return out
}

// checkQuorums is oracle (b), second half: every epoch a node reported a
// role in was acknowledged by a quorum, counted here as a plain majority
// of the configured voters. A learner writes currentEpoch = e before it
// acknowledges NEWLEADER, the leader establishes only on a quorum of
// those acknowledgements, and a learner reports its role only after
// that, so the moment anyone reports a role in e, a majority already has
// currentEpoch >= e on disk, for good. The evidence, strongest first:
//
//  1. reports: the sids seen reporting a role in e (the leader and the
//     followers the sampler caught) form a majority;
//  2. files: those sids plus the sids whose currentEpoch file was read
//     as exactly e form a majority (a follower that left e between two
//     srvr samples still left e in its file);
//  3. later files: for a majority of voters, the first currentEpoch read
//     that started after the first report of e ended shows >= e. This is
//     what sampling lag cannot hide (files are read whether the node is
//     up, paused or dead, and only grow), and it is still not vacuous:
//     a leader that established without a quorum is caught unless a
//     quorum moved to a later epoch within the ~100 ms before that read.
//
// None of the three is a violation. How many epochs each one settled is
// reported, so a run where only (3) ever holds is visible.
func (v *nemVerdict) checkQuorums(obs []nemObs, voters []int64, majority int) {
	reporters := map[int64]map[int64]bool{} // epoch -> sids
	firstDone := map[int64]time.Time{}
	exact := map[int64]map[int64]bool{} // epoch -> sids whose file showed it
	files := map[int64][]nemObs{}       // sid -> file reads
	for _, o := range obs {
		switch {
		case o.established():
			if reporters[o.epoch] == nil {
				reporters[o.epoch] = map[int64]bool{}
			}
			reporters[o.epoch][o.sid] = true
			if t, ok := firstDone[o.epoch]; !ok || o.done.Before(t) {
				firstDone[o.epoch] = o.done
			}
		case o.source == nemFiles:
			files[o.sid] = append(files[o.sid], o)
			if o.current >= 0 {
				if exact[o.current] == nil {
					exact[o.current] = map[int64]bool{}
				}
				exact[o.current][o.sid] = true
			}
		}
	}
	for sid := range files {
		f := files[sid]
		sort.SliceStable(f, func(i, j int) bool { return f[i].sent.Before(f[j].sent) })
	}
	voter := map[int64]bool{}
	for _, sid := range voters {
		voter[sid] = true
	}
	for _, e := range nemSortedKeys(reporters) {
		v.epochs = append(v.epochs, e)
		seen := map[int64]bool{}
		for sid := range reporters[e] {
			if voter[sid] {
				seen[sid] = true
			}
		}
		if len(seen) >= majority {
			v.byReports++
			continue
		}
		for sid := range exact[e] {
			if voter[sid] {
				seen[sid] = true
			}
		}
		if len(seen) >= majority {
			v.byFiles++
			continue
		}
		var later []int64
		for _, sid := range voters {
			for _, f := range files[sid] {
				if f.sent.After(firstDone[e]) {
					if f.current >= e {
						later = append(later, sid)
					}
					break
				}
			}
		}
		if len(later) >= majority {
			v.byLaterFiles++
			continue
		}
		v.violations = append(v.violations, fmt.Sprintf(
			"(b) epoch %d was reported established (first at %s by %v) without a quorum: reports and exact files show %v, "+
				"the first later file reads show >= %d only at %v; a majority is %d of %v",
			e, firstDone[e].Format("15:04:05.000"), nemSortedKeys(reporters[e]), nemSortedKeys(seen), e, later, majority, voters))
	}
}

// nemConverged is oracle (e)'s state: an established leader that every
// voter follows.
type nemConverged struct {
	at     time.Time
	leader int64
	epoch  int64
}

// nemConvergedSince is oracle (e): the first moment, judged only on
// observations that started at or after since, when every voter's latest
// srvr answer shows one established role in one epoch, exactly one of
// them leader, and every voter's latest admin answer agrees (same role,
// same epoch, and the followers name that leader). ok is false if that
// never happened; why then says what the last state was.
func nemConvergedSince(obs []nemObs, voters []int64, since time.Time) (got nemConverged, ok bool, why string) {
	var recent []nemObs
	for _, o := range obs {
		if (o.source == nemSrvr || o.source == nemAdmin) && !o.sent.Before(since) {
			recent = append(recent, o)
		}
	}
	sort.SliceStable(recent, func(i, j int) bool { return recent[i].done.Before(recent[j].done) })
	srvr, admin := map[int64]nemObs{}, map[int64]nemObs{}
	why = "nothing observed since " + since.Format("15:04:05.000")
	for _, o := range recent {
		if o.source == nemSrvr {
			srvr[o.sid] = o
		} else {
			admin[o.sid] = o
		}
		got, why = nemAgreement(voters, srvr, admin)
		if why == "" {
			got.at = o.done
			return got, true, ""
		}
	}
	return nemConverged{}, false, why
}

// nemAgreement checks one moment's latest answers; why is "" when every
// voter follows one leader in one epoch.
func nemAgreement(voters []int64, srvr, admin map[int64]nemObs) (nemConverged, string) {
	var got nemConverged
	leaders := 0
	for _, sid := range voters {
		o, ok := srvr[sid]
		if !ok {
			return got, fmt.Sprintf("sid %d: no srvr answer yet", sid)
		}
		if !o.established() {
			return got, fmt.Sprintf("sid %d srvr: %v", sid, o)
		}
		if srvr[sid].mode == "leader" {
			leaders++
			got.leader, got.epoch = sid, srvr[sid].epoch
		}
	}
	if leaders != 1 {
		return got, fmt.Sprintf("%d leaders by srvr", leaders)
	}
	for _, sid := range voters {
		s, a := srvr[sid], admin[sid]
		switch {
		case s.epoch != got.epoch:
			return got, fmt.Sprintf("sid %d srvr epoch %d, leader %d's is %d", sid, s.epoch, got.leader, got.epoch)
		case a.sid == 0:
			return got, fmt.Sprintf("sid %d: no admin answer yet", sid)
		case !a.established():
			return got, fmt.Sprintf("sid %d admin: %v", sid, a)
		case a.mode != s.mode || a.epoch != got.epoch:
			return got, fmt.Sprintf("sid %d admin %s epoch %d, srvr %s epoch %d", sid, a.mode, a.epoch, s.mode, s.epoch)
		case a.mode == "follower" && a.leader != got.leader:
			return got, fmt.Sprintf("sid %d follows %d, not %d", sid, a.leader, got.leader)
		}
	}
	return got, ""
}

// nemSortedKeys returns a map's int64 keys in order.
func nemSortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
