package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/internal/nodehooks"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// maxInProcess bounds -n in in-process mode: goroutines, not processes,
// so larger ensembles fit (issue 14 reports N=51).
const maxInProcess = 101

// inprocessResult is one in-process election: N actors.Node in this
// process over loopback TCP, all started together, ZooKeeper's default
// timing (tickTime 2 s, finalizeWait 200 ms, notification interval 200 ms
// doubling to 60 s, connect timeout 5 s), as BenchmarkElectionLoopback.
type inprocessResult struct {
	N   int `json:"n"`
	Run int `json:"run"`
	// EstablishedMS: the first Start -> every node reports a role
	// (Node.State: only once its session is established) with one leader.
	EstablishedMS float64 `json:"established_ms"`
	// StartedMS: the first Start -> every Start returned (each node's
	// actors spawned; its election under way). EstablishedMS - StartedMS
	// is "last node started -> all established", reported beside the
	// honest figure, never instead of it.
	StartedMS float64 `json:"started_ms"`
	// CPUMS: CPU time (user + system) the whole process used from the
	// first Start to all established: what the election costs, whatever
	// else the machine runs. On C cores the wall time is at least CPUMS/C.
	CPUMS float64 `json:"cpu_ms"`
	// Notifications: notifications handed to peer connections, all nodes
	// (CnxStatus peers' sent).
	Notifications uint64 `json:"notifications"`
	// ActorMessages: messages all nodes' actors processed
	// (Node.MessagesProcessed), start to established.
	ActorMessages uint64 `json:"actor_messages"`
	// QueueDropped: notifications the nodes' receive queues (100, oldest
	// dropped, as ZooKeeper's) dropped; each costs a re-send on a
	// notification timeout.
	QueueDropped uint64 `json:"queue_dropped"`
	Leader       int64  `json:"leader"`
	// Paths counts the nodes' decisions by path (decisionPath).
	Paths map[string]int `json:"decision_paths"`
	Err   string         `json:"error,omitempty"`
}

// perNotification is actor messages per notification.
func (r inprocessResult) perNotification() float64 {
	if r.Notifications == 0 {
		return 0
	}
	return float64(r.ActorMessages) / float64(r.Notifications)
}

// pathRecorder is a slog.Handler that keeps the path= attribute of every
// "election decided" record and drops everything else: the in-process
// counterpart of reading cmd/node's log.
type pathRecorder struct {
	mu    *sync.Mutex
	paths map[string]int
}

func (p pathRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (p pathRecorder) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "election decided" {
		return nil
	}
	path := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "path" {
			path = a.Value.String()
			return false
		}
		return true
	})
	p.mu.Lock()
	p.paths[pathKey(path)]++
	p.mu.Unlock()
	return nil
}

func (p pathRecorder) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p pathRecorder) WithGroup(string) slog.Handler      { return p }

// inprocessOnce runs one in-process election of n nodes.
func inprocessOnce(ctx context.Context, n, run int, timeout time.Duration) (res inprocessResult) {
	res = inprocessResult{N: n, Run: run, Paths: map[string]int{}}
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close() // those not handed to a node
		}
	}()
	servers := make([]quorum.Server, 0, n)
	for sid := 1; sid <= n; sid++ {
		host := nodeHost(sid)
		eln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			res.Err = err.Error()
			return res
		}
		lns = append(lns, eln)
		qport, err := freeLoopbackPort()
		if err != nil {
			res.Err = err.Error()
			return res
		}
		servers = append(servers, quorum.Server{ID: int64(sid), Type: quorum.Participant, Addrs: []quorum.AddrPair{{
			Host: host, QuorumPort: qport, ElectionPort: eln.Addr().(*net.TCPAddr).Port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	rec := pathRecorder{mu: &sync.Mutex{}, paths: res.Paths}
	nodes := make([]*actors.Node, n)
	defer func() {
		var wg sync.WaitGroup
		for _, node := range nodes {
			if node != nil {
				wg.Add(1)
				go func() { defer wg.Done(); _ = node.Stop() }()
			}
		}
		wg.Wait()
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	for i := range n {
		cfg := actors.DefaultConfig()
		cfg.ID = int64(i + 1)
		cfg.Verifier = v
		cfg.TickTime = 2 * time.Second
		cfg.Election = fle.DefaultTiming()
		cfg.ConnectTimeout = 5 * time.Second
		cfg.Logger = inprocessLogger(rec, cfg.ID)
		ln := lns[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = actors.Start(cfg, actors.WithListeners(ln))
		}()
	}
	wg.Wait()
	res.StartedMS = ms(time.Since(start))
	lns = nil // the nodes own them now (a node that failed to start closed its own)
	if err := errors.Join(errs...); err != nil {
		res.Err = err.Error()
		return res
	}
	deadline := start.Add(timeout)
	for {
		if leader, ok := allEstablished(nodes); ok {
			res.EstablishedMS = ms(time.Since(start))
			res.CPUMS = ms(processCPU() - cpu0)
			res.Leader = leader
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			res.Err = fmt.Sprintf("not all established after %v", time.Since(start).Round(time.Millisecond))
			return res
		}
		time.Sleep(time.Millisecond) // polling interval, as srvr's in the other modes
	}
	for _, node := range nodes {
		res.ActorMessages += nodehooks.Of(node).MessagesProcessed()
		st, err := node.CnxStatus(5 * time.Second)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		for _, p := range st.GetPeers() {
			res.Notifications += p.GetSent()
		}
		rs, err := history.ReceiverStatus(node, 5*time.Second)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		res.QueueDropped += rs.GetQueueDropped()
	}
	return res
}

// allEstablished reports whether every node reports a role for one
// leader, which itself reports LEADING.
func allEstablished(nodes []*actors.Node) (int64, bool) {
	leader := int64(-1)
	for _, node := range nodes {
		st := node.State()
		if st == nil || st.GetNewState() == messages.ServerState_LOOKING {
			return 0, false
		}
		if leader == -1 {
			leader = st.GetLeader()
		} else if leader != st.GetLeader() {
			return 0, false
		}
	}
	if leader < 1 || int(leader) > len(nodes) {
		return 0, false
	}
	st := nodes[leader-1].State()
	return leader, st != nil && st.GetNewState() == messages.ServerState_LEADING
}

// freeLoopbackPort is a free loopback port for a quorum port, which only
// the elected leader binds, from below the ephemeral range
// (internal/freeport): at N=51 the nodes' 2,550 election dials take
// ephemeral source ports, and one that took a quorum port chosen from
// that range kept its leader from binding it (re-elections for as long as
// the connection lived: about one N=51 run in three was not established
// within 60 s).
func freeLoopbackPort() (int, error) { return freeport.Port() }

// inprocessGroup summarises the runs of one size.
type inprocessGroup struct {
	N             int            `json:"n"`
	Runs          int            `json:"runs"`
	Failed        int            `json:"failed"`
	Established   summary        `json:"established_ms"`
	Started       summary        `json:"started_ms"`
	AfterStarted  summary        `json:"started_to_established_ms"`
	CPU           summary        `json:"cpu_ms"`
	Notifications summary        `json:"notifications"`
	ActorMessages summary        `json:"actor_messages"`
	PerNote       summary        `json:"actor_messages_per_notification"`
	QueueDropped  summary        `json:"queue_dropped"`
	Paths         map[string]int `json:"decision_paths"`
}

func summarizeInProcess(n int, rs []inprocessResult) inprocessGroup {
	g := inprocessGroup{N: n, Paths: map[string]int{}}
	var est, started, after, cpu, notes, msgs, per, dropped []float64
	for _, r := range rs {
		if r.N != n {
			continue
		}
		g.Runs++
		if r.Err != "" {
			g.Failed++
			continue
		}
		est = append(est, r.EstablishedMS)
		started = append(started, r.StartedMS)
		after = append(after, r.EstablishedMS-r.StartedMS)
		cpu = append(cpu, r.CPUMS)
		notes = append(notes, float64(r.Notifications))
		msgs = append(msgs, float64(r.ActorMessages))
		per = append(per, r.perNotification())
		dropped = append(dropped, float64(r.QueueDropped))
		for p, k := range r.Paths {
			g.Paths[p] += k
		}
	}
	g.Established, g.Notifications, g.ActorMessages, g.PerNote = summarize(est), summarize(notes), summarize(msgs), summarize(per)
	g.QueueDropped = summarize(dropped)
	g.Started, g.AfterStarted, g.CPU = summarize(started), summarize(after), summarize(cpu)
	return g
}

// inprocessReport is what -mode inprocess prints.
type inprocessReport struct {
	Machine machineInfo       `json:"machine"`
	Groups  []inprocessGroup  `json:"summary"`
	Runs    []inprocessResult `json:"runs"`
}

func (rep inprocessReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints issue 14's in-process table: one line per N, medians
// (min-max for the time).
func (rep inprocessReport) writeTable(w io.Writer) error {
	writeHeader(w, rep.Machine, []string{"in-process: N actors.Node in one process over loopback TCP, ZooKeeper's default timing, all started together; no ZooKeeper column"})
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "N\tstart -> all established (min / median / max)\tnotifications / election\tactor messages / election\tmessages / notification\treceive-queue drops\tdecision path (nodes)\tstart -> every Start returned (ms)\tthen -> all established (ms)\tprocess CPU, start -> all established (ms)\tfailed\t")
	for _, g := range rep.Groups {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d of %d\t\n", g.N, g.Established.format("ms"),
			medianOnly(g.Notifications), medianOnly(g.ActorMessages), medianOnly(g.PerNote), medianOnly(g.QueueDropped),
			pathsText(g.Paths), medianOnly(g.Started), medianOnly(g.AfterStarted), medianOnly(g.CPU), g.Failed, g.Runs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rep.Runs {
		if r.Err != "" {
			fmt.Fprintf(w, "failed: n=%d run=%d: %s\n", r.N, r.Run, r.Err)
		}
	}
	return nil
}

func medianOnly(s summary) string {
	if s.Count == 0 {
		return "n/a"
	}
	return num(s.Median)
}

// runInProcessMode measures in-process elections for every size and prints
// their table.
func runInProcessMode(ctx context.Context, o options, stdout, stderr io.Writer) int {
	machine := describeMachine("", nil)
	var results []inprocessResult
	for _, n := range o.sizes {
		for run := 1; run <= o.runs && ctx.Err() == nil; run++ {
			r := inprocessOnce(ctx, n, run, o.timeout)
			fmt.Fprintf(stderr, "mode=inprocess n=%d run=%d established_ms=%.0f started_ms=%.0f cpu_ms=%.0f notifications=%d actor_messages=%d per_notification=%.1f queue_dropped=%d decisions=%d load=%s err=%q\n",
				n, run, r.EstablishedMS, r.StartedMS, r.CPUMS, r.Notifications, r.ActorMessages, r.perNotification(), r.QueueDropped, pathTotal(r.Paths), loadAvg1(), r.Err)
			results = append(results, r)
		}
	}
	machine.LoadEnd = loadAvg()
	rep := inprocessReport{Machine: machine, Runs: results}
	failed := 0
	for _, n := range o.sizes {
		g := summarizeInProcess(n, results)
		failed += g.Failed
		rep.Groups = append(rep.Groups, g)
	}
	var err error
	if o.jsonOut {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeTable(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitRunFailed
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed > 0:
		return exitRunFailed
	}
	return exitOK
}

// pathTotal is the number of decisions a path histogram counts.
func pathTotal(paths map[string]int) int {
	total := 0
	for _, k := range paths {
		total += k
	}
	return total
}

// nodeHost is in-process node sid's address: its own loopback address,
// 127.0.0.(sid+1) (all of 127.0.0.0/8 is loopback on Linux), as N
// machines would have. On one address, the 50 peers' dials of an N=51
// ensemble all came from 127.0.0.1 and met the Listener's cap of 32
// pending handshakes per source address (cnx.HandshakeLimits, a defence
// that stays as it is): 28 inbound connections were refused per run and
// had to be made again. Nodes dial from their own address (dialFrom), so
// each peer is its own source.
func nodeHost(sid int) string { return fmt.Sprintf("127.0.0.%d", sid+1) }

// processCPU is the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
