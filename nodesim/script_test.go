package nodesim

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/scripttest"
)

var scriptDebug = flag.Bool("nodesim.debug", false, "log the simulator's low-level trace (with virtual timestamps) of every script command")

// TestScripts runs the whole-node scripts in testdata/scripts. Each command
// prints the whole-node facts it caused (elections decided, epoch writes,
// roles established and left, sessions ended, crashes, partitions), in
// order and without timestamps, so a change in election timing changes a
// golden file only where the order of those facts changes. Every script
// also passes oracles (a) and (b) over its whole history.
// Regenerate with: go test ./nodesim -run TestScripts -rewrite (and read
// the diff: a changed golden line is a changed protocol outcome).
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata/scripts", func(t *testing.T, path string) {
		e := &scriptEnv{}
		datadriven.RunTest(t, path, e.handle)
		require.NotNil(t, e.w, "script never started a world")
		h := e.w.History()
		require.Empty(t, OneLeaderPerEpoch(h), "oracle (a)")
		require.Empty(t, EpochsBackedByQuorum(h), "oracle (b)")
	})
}

// scriptEnv is one script's world and its trace.
type scriptEnv struct {
	w  *World
	tr *Trace
}

func (e *scriptEnv) handle(t *testing.T, td *datadriven.TestData) string {
	if td.Cmd != "start" && e.w == nil {
		td.Fatalf(t, "%s before start", td.Cmd)
	}
	mark := 0
	if e.tr != nil {
		mark = e.tr.Len()
		if *scriptDebug {
			// The simulator's own trace (timestamps, connections,
			// packets lost) of what this command runs.
			e.w.trace = nil
			defer func() { t.Logf("%s:\n%s", td.Pos, strings.Join(e.w.heldTrace(), "\n")) }()
		}
	}
	var extra string
	var err error
	switch td.Cmd {
	case "start":
		err = e.start(t, td)
	case "run":
		e.w.RunFor(scripttest.Duration(t, td, "for", 0))
	case "run-until":
		extra = e.runUntil(t, td)
	case "settle":
		extra = e.settle(t, td)
	case "crash":
		err = e.crash(t, td)
	case "restart":
		err = e.eachSid(t, td, e.w.Restart)
	case "partition":
		err = e.w.Partition(scripttest.Sides(t, td)...)
	case "cut":
		var from int64
		td.ScanArgs(t, "from", &from)
		var to []int64
		td.ScanArgs(t, "to", &to)
		err = e.w.Cut(from, to...)
	case "heal":
		e.w.Heal()
	case "disk":
		require.Len(t, td.CmdArgs, 2, "disk SID fail|ok")
		sid := scripttest.Sid(t, td.CmdArgs[0].Key)
		switch td.CmdArgs[1].Key {
		case "fail", "ok":
			err = e.w.FailDisk(sid, td.CmdArgs[1].Key == "fail")
		default:
			td.Fatalf(t, "disk SID fail|ok, not %q", td.CmdArgs[1].Key)
		}
	case "faults":
		var drop, dup, delay float64
		td.MaybeScanArgs(t, "drop", &drop)
		td.MaybeScanArgs(t, "dup", &dup)
		td.MaybeScanArgs(t, "delay", &delay)
		err = e.w.SetFaultRates(drop, dup, delay)
	case "config":
		return configText(e.w.History())
	case "status":
		var b strings.Builder
		for _, s := range e.w.Status() {
			b.WriteString(s.String() + "\n")
		}
		return b.String()
	case "check":
		return checkText(e.w.History())
	default:
		td.Fatalf(t, "unknown command %q", td.Cmd)
	}
	if err != nil {
		return scripttest.Result("", err)
	}
	if err := e.w.Err(); err != nil {
		// A runaway or a refused constructor is never a story to bless.
		t.Errorf("%s: %v", td.Pos, err)
		return e.tr.Since(mark) + "driver failure: " + err.Error() + "\n"
	}
	return scripttest.Result(e.tr.Since(mark)+extra, nil)
}

// start builds the world: start n=N [observers=M] [hier=true] [seed=S]:
// N voters (a plain majority, or with hier=true weighted groups drawn by
// the seed, which the config command prints) and M observers (sids N+1
// ...). Nodes boot at seeded moments in the first 50 ms; nothing runs
// until the next command.
func (e *scriptEnv) start(t *testing.T, td *datadriven.TestData) error {
	if e.w != nil {
		td.Fatalf(t, "start twice")
	}
	var n, observers int
	td.ScanArgs(t, "n", &n)
	td.MaybeScanArgs(t, "observers", &observers)
	hier := false
	td.MaybeScanArgs(t, "hier", &hier)
	seed := uint64(1)
	td.MaybeScanArgs(t, "seed", &seed)
	w, err := NewWorld(Config{N: n, Observers: observers, Hierarchical: hier, Seed: seed, EmptyDisks: true})
	if err != nil {
		return err
	}
	e.w, e.tr = w, NewTrace(w)
	return nil
}

// runUntil runs until a trace line contains the input text, for at most
// `for` (default 30s): run-until [for=30s] with the text as input.
func (e *scriptEnv) runUntil(t *testing.T, td *datadriven.TestData) string {
	want := strings.TrimSpace(td.Input)
	if want == "" {
		td.Fatalf(t, "run-until needs the text of a trace line as input")
	}
	mark := e.tr.Len()
	seen := func() bool { return strings.Contains(e.tr.Since(mark), want) }
	if e.w.RunUntil(seen, scripttest.Duration(t, td, "for", 30*time.Second)) {
		return ""
	}
	return fmt.Sprintf("(no %q)\n", want)
}

// settle runs until the nodes (default: every node that is up) have one
// leader that all the others follow, steady for quiet (default 2s), for at
// most `for` (default 60s): settle [nodes=(1,2,3)] [quiet=2s] [for=60s]
// [within=1s]. It prints the settlement and no duration: how long an
// election took moves with every change of timing (even a different draw
// of the seeded latencies), and a golden line must change only when the
// outcome does. A script whose prose claims speed states it as within=D:
// the nodes must first stand settled within D of the command, and the line
// says "(within D)", or "not settled within D" when they took longer.
func (e *scriptEnv) settle(t *testing.T, td *datadriven.TestData) string {
	var ids []int64
	if td.HasArg("nodes") {
		td.ScanArgs(t, "nodes", &ids)
	}
	quiet := scripttest.Duration(t, td, "quiet", 2*time.Second)
	limit := scripttest.Duration(t, td, "for", 60*time.Second)
	var within time.Duration // 0: no bound stated
	if td.HasArg("within") {
		within = scripttest.Duration(t, td, "within", 0)
	}
	from := e.w.Now()
	st, ok := e.w.Settle(ids, quiet, limit)
	if !ok {
		return fmt.Sprintf("not settled within %v\n", limit)
	}
	var others []string
	if len(st.Followers) > 0 {
		others = append(others, "followed by "+sids(st.Followers))
	}
	if len(st.Observers) > 0 {
		others = append(others, "observed by "+sids(st.Observers))
	}
	if len(others) == 0 {
		others = []string{"alone"}
	}
	line := fmt.Sprintf("settled: n%d leads epoch %d, %s", st.Leader, st.Epoch, strings.Join(others, ", "))
	switch {
	case within == 0:
	case st.At-from > within:
		return fmt.Sprintf("%s, but not settled within %v\n", line, within)
	default:
		line += fmt.Sprintf(" (within %v)", within)
	}
	return line + "\n"
}

// crash crashes the listed sids, or the leader: crash 3 | crash leader.
func (e *scriptEnv) crash(t *testing.T, td *datadriven.TestData) error {
	if len(td.CmdArgs) == 1 && td.CmdArgs[0].Key == "leader" {
		l, ok := e.w.Leader()
		if !ok {
			return fmt.Errorf("%w: no leader to crash", ErrControl)
		}
		return e.w.Crash(l)
	}
	return e.eachSid(t, td, e.w.Crash)
}

// eachSid applies f to every sid listed as a bare argument, in order; a
// command here always names at least one.
func (e *scriptEnv) eachSid(t *testing.T, td *datadriven.TestData, f func(int64) error) error {
	if len(td.CmdArgs) == 0 {
		td.Fatalf(t, "%s needs sids", td.Cmd)
	}
	return scripttest.EachSid(t, td, f)
}

// checkText runs the oracles that judge a run at any moment: (a) one
// leader per epoch, (b) epochs increase and are backed by a quorum.
func checkText(h History) string {
	vs := append(OneLeaderPerEpoch(h), EpochsBackedByQuorum(h)...)
	if len(vs) == 0 {
		return "oracles (a) and (b): ok\n"
	}
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.String() + "\n")
	}
	return b.String()
}

// configText describes the ensemble a script runs, from the History the
// oracles count with: the voters and what makes a quorum of them (a plain
// majority, or for weighted groups each group's members and weights and
// how many groups a quorum needs), and the observers, which never count.
func configText(h History) string {
	var b strings.Builder
	if h.Weights == nil {
		fmt.Fprintf(&b, "voters %s: a quorum is %d of %d\n", sids(h.Voters), len(h.Voters)/2+1, len(h.Voters))
	} else {
		members := map[int64][]int64{}
		for _, v := range h.Voters {
			members[h.Groups[v]] = append(members[h.Groups[v]], v)
		}
		gids := make([]int64, 0, len(members))
		for g := range members {
			gids = append(gids, g)
		}
		sort.Slice(gids, func(i, j int) bool { return gids[i] < gids[j] })
		weighty := 0
		for _, g := range gids {
			var parts []string
			total := int64(0)
			for _, v := range members[g] {
				parts = append(parts, fmt.Sprintf("n%d weight %d", v, h.Weights[v]))
				total += h.Weights[v]
			}
			if total > 0 {
				weighty++
			}
			fmt.Fprintf(&b, "group %d: %s (total %d)\n", g, strings.Join(parts, ", "), total)
		}
		fmt.Fprintf(&b, "voters %s: a quorum holds more than half the weight of at least %d of the %d groups of nonzero weight\n",
			sids(h.Voters), weighty/2+1, weighty)
	}
	if len(h.Observers) > 0 {
		fmt.Fprintf(&b, "observers %s: never counted in a quorum\n", sids(h.Observers))
	}
	return b.String()
}
