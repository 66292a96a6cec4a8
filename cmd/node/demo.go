package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// demoOptions are the demo subcommand's flags.
type demoOptions struct {
	n         int
	once      bool
	logLevel  string
	timeout   time.Duration
	finalize  time.Duration
	logFormat string
}

// runDemo starts a local ensemble of n nodes in this process, on free
// loopback ports, and prints every state change as the election runs,
// until Ctrl-C (or, with -once, until all have decided).
func runDemo(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	var o demoOptions
	fs := flag.NewFlagSet("node demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 3, "ensemble size (1 to 51)")
	fs.BoolVar(&o.once, "once", false, "exit as soon as every node has decided")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "with -once: give up after this long")
	fs.StringVar(&o.logLevel, "log-level", "warn", "node log level (debug, info, warn, error), to stderr")
	fs.StringVar(&o.logFormat, "log-format", "text", "node log format: text or json")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if o.n < 1 || o.n > 51 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "node demo: -n must be 1..51")
		return exitUsage
	}
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "node demo:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "zkfle demo: %d nodes on 127.0.0.1, ZooKeeper's default election timing. Ctrl-C to stop.\n", o.n)
	d, err := startDemo(o.n, log, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "node demo:", err)
		return exitFailed
	}
	defer d.stop()
	var deadline <-chan time.Time
	if o.once {
		deadline = time.After(o.timeout)
	}
	for {
		select {
		case <-sigs:
			d.mu.Lock()
			fmt.Fprintln(stdout, "stopping")
			d.mu.Unlock()
			return exitOK
		case <-d.allDecided:
			d.printSummary(stdout)
			if o.once {
				return exitOK
			}
			d.allDecided = nil
		case <-deadline:
			fmt.Fprintln(stdout, "not every node decided in time")
			return exitFailed
		}
	}
}

// demo is a running local ensemble.
type demo struct {
	nodes      []*actors.Node
	start      time.Time
	allDecided chan struct{}
	wg         sync.WaitGroup
	cancel     context.CancelFunc
	mu         sync.Mutex // serializes output
}

func startDemo(n int, log *slog.Logger, out io.Writer) (*demo, error) {
	lns := make([]net.Listener, n)
	servers := make([]quorum.Server, n)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("bind a loopback port: %w", err)
		}
		lns[i] = ln
		port := ln.Addr().(*net.TCPAddr).Port
		servers[i] = quorum.Server{ID: int64(i + 1), Addrs: []quorum.AddrPair{
			{Host: "127.0.0.1", QuorumPort: port + 1000, ElectionPort: port}}}
	}
	v, err := quorum.NewMajority(servers, 0)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &demo{start: time.Now(), allDecided: make(chan struct{}), cancel: cancel}
	mu := &d.mu
	decided := map[int64]bool{}
	for i := range lns {
		cfg := actors.DefaultConfig()
		cfg.ID, cfg.Verifier, cfg.Logger = int64(i+1), v, log
		node, err := actors.Start(cfg, actors.WithListeners(lns[i]))
		if err != nil {
			d.stop()
			return nil, err
		}
		d.nodes = append(d.nodes, node)
		sub := node.Subscribe()
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer sub.Close()
			for {
				sc, err := sub.Next(ctx)
				if err != nil {
					return
				}
				mu.Lock() // one writer at a time, and the decided set
				fmt.Fprintf(out, "%7.1f ms  server %d: %s -> %s, leader %d, round %d, epoch %d\n",
					float64(time.Since(d.start).Microseconds())/1000, node.ID(),
					sc.GetOldState(), sc.GetNewState(), sc.GetLeader(), sc.GetElectionEpoch(), sc.GetPeerEpoch())
				decided[node.ID()] = sc.GetNewState() != messages.ServerState_LOOKING
				all := len(decided) == n
				for _, ok := range decided {
					all = all && ok
				}
				if all {
					select {
					case <-d.allDecided:
					default:
						close(d.allDecided)
					}
				}
				mu.Unlock()
			}
		}()
	}
	return d, nil
}

func (d *demo) printSummary(out io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	leaders := map[int64]int{}
	for _, n := range d.nodes {
		leaders[n.Status().Leader]++
	}
	ids := make([]int64, 0, len(leaders))
	for id := range leaders {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		fmt.Fprintf(out, "all %d nodes decided in %.1f ms: leader is server %d (%d of %d agree)\n",
			len(d.nodes), float64(time.Since(d.start).Microseconds())/1000, id, leaders[id], len(d.nodes))
	}
}

// stop stops every node and waits for the printers.
func (d *demo) stop() {
	for _, n := range d.nodes {
		_ = n.Stop() // best effort: the demo is ending either way
	}
	d.cancel()
	d.wg.Wait()
}
