package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// demoOptions are the demo subcommand's flags.
type demoOptions struct {
	n         int
	once      bool
	failover  time.Duration
	logLevel  string
	timeout   time.Duration
	logFormat string
	traceDir  string
}

// runDemo starts a local ensemble of n nodes in this process, on free
// loopback ports, and prints every state change as the election runs.
// Once all have a role it kills the leader (after -failover), prints how
// long the survivors took to establish a new one, and restarts the old
// leader, which rejoins as a follower. It runs until Ctrl-C, or with
// -once until that story is told.
func runDemo(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	var o demoOptions
	fs := flag.NewFlagSet("node demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 3, "ensemble size (1 to 51)")
	fs.BoolVar(&o.once, "once", false, "exit once the election (and the failover, if any) is over")
	fs.DurationVar(&o.failover, "failover", 3*time.Second, "kill the leader this long after the election, then restart it (0: never)")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "with -once: give up after this long")
	fs.StringVar(&o.logLevel, "log-level", "warn", "node log level (debug, info, warn, error), to stderr")
	fs.StringVar(&o.logFormat, "log-format", "text", "node log format: text or json")
	fs.StringVar(&o.traceDir, "trace", "", "write each node's election trace to `DIR`/trace-<sid>.jsonl")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "node demo: unexpected argument %q (see node demo -h)\n", fs.Arg(0))
		return exitUsage
	}
	if o.n < 1 || o.n > 51 || o.failover < 0 {
		fmt.Fprintln(stderr, "node demo: -n must be 1..51 and -failover not negative")
		return exitUsage
	}
	if o.n < 3 {
		o.failover = 0 // no quorum survives a leader of one or two
	}
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "node demo:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "zkfle demo: %d nodes on 127.0.0.1, ZooKeeper's default timing. Ctrl-C to stop.\n", o.n)
	d, err := startDemo(o.n, log, stdout, o.traceDir)
	if err != nil {
		fmt.Fprintln(stderr, "node demo:", err)
		return exitFailed
	}
	defer d.stop()
	// The nodes' printers are already writing to stdout: through d.mu.
	d.printf("data (each node's epoch files) in %s, removed on exit\n", d.dataDir)
	var deadline <-chan time.Time
	if o.once {
		deadline = time.After(o.timeout)
	}
	return d.run(o, sigs, deadline)
}

// demo phases.
const (
	phaseElecting = iota
	phaseWaitingToKill
	phaseFailingOver
	phaseRejoining
	phaseDone
)

// run drives the demo's story, polling the nodes' published state (a CLI
// loop, not a test: the poll only paces the output).
func (d *demo) run(o demoOptions, sigs <-chan os.Signal, deadline <-chan time.Time) int {
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	phase, killAt, killed, oldEpoch := phaseElecting, time.Time{}, -1, int64(0)
	for {
		select {
		case <-sigs:
			d.say("stopping")
			return exitOK
		case <-deadline:
			d.say("the demo did not finish in time")
			return exitFailed
		case <-poll.C:
		}
		switch phase {
		case phaseElecting:
			leader, epoch, ok := d.agreed(-1)
			if !ok {
				continue
			}
			d.say("all %d nodes established in %.1f ms: leader is server %d, epoch %d",
				len(d.nodes), ms(time.Since(d.start)), leader, epoch)
			if o.failover == 0 {
				if o.once {
					return exitOK
				}
				phase = phaseDone
				continue
			}
			phase, killAt = phaseWaitingToKill, time.Now().Add(o.failover)
		case phaseWaitingToKill:
			if time.Now().Before(killAt) {
				continue
			}
			leader, epoch, ok := d.agreed(-1)
			if !ok {
				continue
			}
			killed, oldEpoch = int(leader-1), epoch
			d.say("killing the leader, server %d", leader)
			killAt = time.Now()
			d.kill(killed)
			phase = phaseFailingOver
		case phaseFailingOver:
			leader, epoch, ok := d.agreed(killed)
			if !ok || epoch <= oldEpoch {
				continue
			}
			d.say("failover: server %d leads epoch %d, established %.1f ms after server %d was killed",
				leader, epoch, ms(time.Since(killAt)), killed+1)
			d.say("restarting server %d", killed+1)
			if err := d.startNode(killed, nil); err != nil {
				d.say("cannot restart server %d: %v", killed+1, err)
				return exitFailed
			}
			phase = phaseRejoining
		case phaseRejoining:
			leader, _, ok := d.agreed(-1)
			if !ok {
				continue
			}
			d.say("server %d rejoined as a follower of server %d", killed+1, leader)
			if o.once {
				return exitOK
			}
			phase = phaseDone
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// demo is a running local ensemble.
type demo struct {
	log     *slog.Logger
	out     io.Writer
	cfgs    []actors.Config
	addrs   []string
	nodes   []*actors.Node // nil while killed
	start   time.Time
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex // serializes output
	stopped bool
	traces  []*traceFile // one per node, or none; closed by stop
	// dataDir holds each node's dataDir (its epoch files), removed by stop.
	dataDir string
}

func startDemo(n int, log *slog.Logger, out io.Writer, traceDir string) (*demo, error) {
	lns := make([]net.Listener, n)
	servers := make([]quorum.Server, n)
	d := &demo{log: log, out: out, start: time.Now(), nodes: make([]*actors.Node, n), addrs: make([]string, n)}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for i := range lns {
		// Both ports from below the kernel's ephemeral range
		// (internal/freeport): a dial's source port could otherwise take
		// a quorum port before its leader binds it, or a killed node's
		// election port before it restarts.
		ports, err := freeport.Ports(2)
		if err != nil {
			closeAll(lns)
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(ports[0]))
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("bind a loopback port: %w", err)
		}
		lns[i] = ln
		qp := ports[1]
		d.addrs[i] = ln.Addr().String()
		servers[i] = quorum.Server{ID: int64(i + 1), Addrs: []quorum.AddrPair{
			{Host: "127.0.0.1", QuorumPort: qp, ElectionPort: ln.Addr().(*net.TCPAddr).Port}}}
	}
	v, err := quorum.NewMajority(servers, 0)
	if err != nil {
		closeAll(lns)
		return nil, err
	}
	if d.dataDir, err = os.MkdirTemp("", "zkfle-demo-"); err != nil {
		closeAll(lns)
		return nil, fmt.Errorf("create the demo's data directory: %w", err)
	}
	for i := range lns {
		cfg := actors.DefaultConfig()
		cfg.ID, cfg.Verifier, cfg.Logger = int64(i+1), v, log
		// Each node's epoch files, as a real node keeps them; a restarted
		// node reads its epoch back.
		cfg.DataDir = filepath.Join(d.dataDir, fmt.Sprintf("server%d", cfg.ID))
		if cfg.Trace, err = d.openTrace(traceDir, cfg.ID); err != nil {
			closeAll(lns)
			d.stop()
			return nil, err
		}
		d.cfgs = append(d.cfgs, cfg)
	}
	for i, ln := range lns {
		if err := d.startNode(i, ln); err != nil {
			closeAll(lns[i+1:])
			d.stop()
			return nil, err
		}
	}
	return d, nil
}

// startNode starts server i on ln, or on a fresh listener on its election
// address, and prints its state changes.
func (d *demo) startNode(i int, ln net.Listener) error {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", d.addrs[i]); err != nil {
			return err
		}
	}
	node, err := actors.Start(d.cfgs[i], actors.WithListeners(ln))
	if err != nil {
		_ = ln.Close()
		return err
	}
	d.mu.Lock()
	d.nodes[i] = node
	d.mu.Unlock()
	sub := node.Subscribe()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer sub.Close()
		for {
			sc, err := sub.Next(d.ctx)
			if err != nil {
				return
			}
			d.say("server %d: %s -> %s, leader %d, round %d, epoch %d", node.ID(),
				sc.GetOldState(), sc.GetNewState(), sc.GetLeader(), sc.GetElectionEpoch(), sc.GetPeerEpoch())
		}
	}()
	return nil
}

// kill stops server i, as abruptly as an in-process node can go: every
// socket closes at once.
func (d *demo) kill(i int) {
	d.mu.Lock()
	n := d.nodes[i]
	d.nodes[i] = nil
	d.mu.Unlock()
	if n != nil {
		_ = n.Stop()
	}
}

// agreed reports the leader and epoch every running node except skip
// reports, with the leader LEADING, or false.
func (d *demo) agreed(skip int) (leader, epoch int64, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	leader = -1
	for i, n := range d.nodes {
		if i == skip || n == nil {
			continue
		}
		st := n.State()
		if st == nil || st.GetNewState() == messages.ServerState_LOOKING {
			return 0, 0, false
		}
		if leader == -1 {
			leader, epoch = st.GetLeader(), st.GetPeerEpoch()
		} else if st.GetLeader() != leader || st.GetPeerEpoch() != epoch {
			return 0, 0, false
		}
	}
	if leader < 1 || int(leader) > len(d.nodes) || d.nodes[leader-1] == nil {
		return 0, 0, false
	}
	st := d.nodes[leader-1].State()
	return leader, epoch, st != nil && st.GetNewState() == messages.ServerState_LEADING
}

// say prints one timestamped line.
func (d *demo) say(format string, args ...any) {
	d.printf("%8.1f ms  %s\n", ms(time.Since(d.start)), fmt.Sprintf(format, args...))
}

// printf writes to the demo's output, which the nodes' printer goroutines
// share (an io.Writer such as a bytes.Buffer need not be safe for
// concurrent use).
func (d *demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, format, args...)
}

// stop stops every node and waits for the printers.
func (d *demo) stop() {
	d.mu.Lock()
	nodes := append([]*actors.Node(nil), d.nodes...)
	d.mu.Unlock()
	// The printers go first: the nodes' last changes (followers losing
	// the leader that stops before them) are not part of the story.
	d.cancel()
	d.wg.Wait()
	for _, n := range nodes {
		if n != nil {
			_ = n.Stop() // best effort: the demo is ending either way
		}
	}
	for _, tf := range d.traces {
		tf.close(d.log)
	}
	if d.dataDir != "" {
		_ = os.RemoveAll(d.dataDir)
	}
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		if ln != nil {
			_ = ln.Close()
		}
	}
}
