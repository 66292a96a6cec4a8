package sim

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/internal/scripttest"
	"github.com/zkfle/zkfle/zk"
)

// TestScripts runs the interaction scripts in testdata/. Each command's
// output is the trace of what it caused (NotificationTimer armings left
// out), so a change in the election's behaviour shows up as a diff.
// Regenerate with: go test ./fle/sim -run TestScripts -rewrite
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		env := &scriptEnv{}
		datadriven.RunTest(t, path, env.handle)
	})
}

// scriptEnv is one script's cluster and its settings.
type scriptEnv struct {
	c      *Cluster
	policy *FixedPolicy
}

func (e *scriptEnv) handle(t *testing.T, td *datadriven.TestData) string {
	if td.Cmd != "add-nodes" && e.c == nil {
		td.Fatalf(t, "%s before add-nodes", td.Cmd)
	}
	var mark int
	if e.c != nil {
		mark = e.c.trace.Len()
	}
	var extra string
	var err error
	switch td.Cmd {
	case "add-nodes":
		err = e.addNodes(t, td)
		mark = 0
	case "start":
		err = scripttest.EachSid(t, td, e.c.Start)
	case "restart":
		err = scripttest.EachSid(t, td, e.c.Restart)
	case "crash":
		err = scripttest.EachSid(t, td, e.c.Crash)
	case "look":
		err = scripttest.EachSid(t, td, e.c.Look)
	case "deliver":
		from, to, count := msgFilter(t, td)
		extra = fmt.Sprintf("delivered %d\n", e.c.Deliver(from, to, count))
	case "drop":
		from, to, count := msgFilter(t, td)
		extra = fmt.Sprintf("dropped %d\n", e.c.Drop(from, to, count))
	case "tick":
		err = e.tick(t, td)
	case "stabilize":
		extra = e.stabilize(t, td)
		if td.HasArg("summary") {
			return e.c.trace.Summary(mark) + extra
		}
	case "partition":
		err = e.c.Partition(scripttest.Sides(t, td)...)
	case "heal":
		e.c.Heal()
	case "inject":
		err = e.inject(t, td)
	case "delay":
		e.delay(t, td)
	case "status":
		return e.c.StatusAll()
	case "splits":
		return formatSplits(e.c.Splits())
	default:
		td.Fatalf(t, "unknown command %q", td.Cmd)
	}
	return scripttest.Result(e.c.trace.Since(mark)+extra, err)
}

// addNodes builds the cluster:
//
//	add-nodes N [zxid=v|zxid=(v1,...)] [epoch=...] [observers=(sid,...)]
//	            [groups=(1:2:3,4:5)] [weights=(sid:w,...)]
//	            [delay=10ms] [detector=10s] [fast]
//
// Sids are 1..N. A single zxid or epoch applies to every node; a list
// gives one per node in sid order. groups makes quorums hierarchical
// (group ids 1, 2, ... in order); a sid without a weight weighs 1. fast
// turns the fast paths on (Config.FastPaths); without it the machines
// behave exactly as ZooKeeper's.
func (e *scriptEnv) addNodes(t *testing.T, td *datadriven.TestData) error {
	if e.c != nil {
		td.Fatalf(t, "add-nodes twice")
	}
	if len(td.CmdArgs) == 0 {
		td.Fatalf(t, "add-nodes needs a count")
	}
	n, err := strconv.Atoi(td.CmdArgs[0].Key)
	require.NoError(t, err, "node count")
	members := make([]Member, n)
	for i := range members {
		members[i] = Member{ID: int64(i + 1), Weight: 1}
	}
	cfg := Config{Trace: &Trace{HideNotificationArms: true}}
	e.policy = &FixedPolicy{Default: DefaultDelay, Pair: map[[2]int64]time.Duration{}}
	cfg.Policy = e.policy
	for _, arg := range td.CmdArgs[1:] {
		switch arg.Key {
		case "zxid", "epoch":
			for i := range members {
				v := arg.Vals[0]
				if len(arg.Vals) > 1 {
					require.Len(t, arg.Vals, n, "%s needs one value or %d", arg.Key, n)
					v = arg.Vals[i]
				}
				x, err := strconv.ParseInt(v, 0, 64)
				require.NoError(t, err, "%s value", arg.Key)
				if arg.Key == "zxid" {
					members[i].Zxid = zk.Zxid(x)
				} else {
					members[i].Epoch = x
				}
			}
		case "observers":
			for _, v := range arg.Vals {
				memberOf(t, td, members, v).Observer = true
			}
		case "groups":
			cfg.Hierarchical = true
			for g, v := range arg.Vals {
				for _, s := range strings.Split(v, ":") {
					memberOf(t, td, members, s).Group = int64(g + 1)
				}
			}
		case "weights":
			for _, v := range arg.Vals {
				sw := strings.SplitN(v, ":", 2)
				require.Len(t, sw, 2, "weight %q is not sid:weight", v)
				w, err := strconv.ParseInt(sw[1], 10, 64)
				require.NoError(t, err, "weight %q", v)
				memberOf(t, td, members, sw[0]).Weight = w
			}
		case "delay":
			d, err := time.ParseDuration(arg.Vals[0])
			require.NoError(t, err, "delay")
			e.policy.Default = d
		case "detector":
			d, err := time.ParseDuration(arg.Vals[0])
			require.NoError(t, err, "detector")
			cfg.DetectorTimeout = d
		case "fast":
			cfg.FastPaths = true
		default:
			td.Fatalf(t, "add-nodes: unknown argument %q", arg.Key)
		}
	}
	cfg.Members = members
	c, err := NewCluster(cfg)
	if err != nil {
		return err
	}
	e.c = c
	return nil
}

// tick fires a timer: tick SID notification|finalize|link-down
func (e *scriptEnv) tick(t *testing.T, td *datadriven.TestData) error {
	require.Len(t, td.CmdArgs, 2, "tick SID notification|finalize|link-down")
	kind := map[string]fle.TimerKind{"notification": fle.NotificationTimer, "finalize": fle.FinalizeTimer,
		"link-down": fle.LinkDownTimer}[td.CmdArgs[1].Key]
	if kind == 0 {
		td.Fatalf(t, "unknown timer %q", td.CmdArgs[1].Key)
	}
	return e.c.FireTimer(scripttest.Sid(t, td.CmdArgs[0].Key), kind)
}

// stabilize runs simulated time until every running node has a standing
// decision and nothing is in flight, or for at most `for` (default 30s):
// stabilize [for=30s] [summary]. With summary only state changes are
// listed and messages are counted.
func (e *scriptEnv) stabilize(t *testing.T, td *datadriven.TestData) string {
	horizon := scripttest.Duration(t, td, "for", 30*time.Second)
	done := func() bool { return e.c.InFlight() == 0 && e.c.Settled() }
	why := e.c.RunUntil(done, e.c.Now()+horizon, 1_000_000)
	if why == StopDone {
		return fmt.Sprintf("settled at %s\n", e.c.Now())
	}
	return fmt.Sprintf("not settled: %s at %s\n", why, e.c.Now())
}

// inject hands a notification from a (mock) peer straight to a node:
// inject from=2 to=1 state=FOLLOWING leader=1 zxid=0 round=1 epoch=1
func (e *scriptEnv) inject(t *testing.T, td *datadriven.TestData) error {
	var from, to, leader, zxid, round, epoch int64
	var state string
	td.ScanArgs(t, "from", &from)
	td.ScanArgs(t, "to", &to)
	td.ScanArgs(t, "state", &state)
	td.ScanArgs(t, "leader", &leader)
	td.ScanArgs(t, "zxid", &zxid)
	td.ScanArgs(t, "round", &round)
	td.ScanArgs(t, "epoch", &epoch)
	st, ok := map[string]zk.ServerState{"LOOKING": zk.Looking, "FOLLOWING": zk.Following, "LEADING": zk.Leading, "OBSERVING": zk.Observing}[state]
	if !ok {
		td.Fatalf(t, "unknown state %q", state)
	}
	return e.c.Inject(to, fle.Notification{From: from, State: st, Leader: leader, Zxid: zk.Zxid(zxid), ElectionEpoch: round, PeerEpoch: epoch, Version: 2})
}

// delay sets one link direction's delay: delay from=3 to=2 d=500ms
func (e *scriptEnv) delay(t *testing.T, td *datadriven.TestData) {
	var from, to int64
	td.ScanArgs(t, "from", &from)
	td.ScanArgs(t, "to", &to)
	e.policy.Pair[[2]int64{from, to}] = scripttest.Duration(t, td, "d", 0)
}

// msgFilter reads [from=] [to=] [count=].
func msgFilter(t *testing.T, td *datadriven.TestData) (from, to int64, count int) {
	td.MaybeScanArgs(t, "from", &from)
	td.MaybeScanArgs(t, "to", &to)
	td.MaybeScanArgs(t, "count", &count)
	return from, to, count
}

// memberOf returns the member with sid s (members are 1..N).
func memberOf(t *testing.T, td *datadriven.TestData, members []Member, s string) *Member {
	sid := scripttest.Sid(t, s)
	if sid < 1 || sid > int64(len(members)) {
		td.Fatalf(t, "sid %d is not one of 1..%d", sid, len(members))
	}
	return &members[sid-1]
}

func formatSplits(ss []Split) string {
	if len(ss) == 0 {
		return "no splits\n"
	}
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "round %d: %d decided %d while %d holds %d (at %s)\n", s.Round, s.Node, s.Leader, s.Other, s.OtherLeader, s.At)
	}
	return b.String()
}
