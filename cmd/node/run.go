package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/quorumtls"
	"github.com/zkfle/zkfle/zoocfg"
)

// runOptions are the run subcommand's flags: what zoo.cfg does not say.
type runOptions struct {
	config    string
	myid      int64
	logLevel  string
	logFormat string
	traceFile string
	observe   observeOptions
}

func newRunFlags(o *runOptions, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.config, "config", "", "path of the ZooKeeper `zoo.cfg` to run (required)")
	fs.Int64Var(&o.myid, "myid", 0, "server id, when dataDir has no myid file (the file wins if both disagree: error)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json (log/slog, to stderr)")
	fs.StringVar(&o.traceFile, "trace", "", "write a JSON-lines election trace to `FILE` (see node trace render)")
	addObserveFlags(fs, &o.observe)
	return fs
}

// runNode runs one node until a signal arrives, and returns the exit code.
func runNode(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	var o runOptions
	fs := newRunFlags(&o, stderr)
	fs.Usage = func() { printUsage(fs.Output()) }
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "node: unexpected argument %q: flags only after the command, zoo.cfg goes in --config (see node help)\n", fs.Arg(0))
		return exitUsage
	}
	if o.config == "" {
		fmt.Fprintln(stderr, "node: --config zoo.cfg is required (see node help)")
		return exitUsage
	}
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitUsage
	}
	// Configuration errors are said once, in a plain line: the logger
	// writes to the same stderr.
	cfg, clientCfg, tlsOpts, err := loadConfig(o, log)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitConfig
	}
	tlsSource, tlsCfg, err := loadQuorumTLS(tlsOpts, log)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitConfig
	}
	if tlsSource != nil {
		defer tlsSource.Close() // after the node has stopped (deferred below)
	}
	cfg.TLS = tlsCfg
	obsCfg, err := loadObserveConfig(o.config, o.observe)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitConfig
	}
	cfg.Logger = log
	tf, err := openTrace(o.traceFile)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitFailed
	}
	defer tf.close(log) // after the node has stopped: every event is in
	cfg.Trace = tf.writer()
	clientLn, err := bindClientPort(clientCfg)
	if err != nil {
		fmt.Fprintln(stderr, "node:", err)
		return exitFailed // as the admin and metrics ports
	}
	started := time.Now()
	node, err := actors.Start(cfg)
	if err != nil {
		if clientLn != nil {
			_ = clientLn.Close()
		}
		fmt.Fprintln(stderr, "node:", err)
		return exitConfig
	}
	client, err := serveClientPort(clientLn, node, cfg, clientCfg, log)
	if err != nil {
		_ = node.Stop()
		fmt.Fprintln(stderr, "node:", err)
		return exitFailed
	}
	defer client.close() // after the node has stopped (deferred below)
	log.Info("node started", "config", o.config, "election_addr", electionAddr(cfg), "client_addr", clientCfg.addr)
	obs, err := startObserve(node, cfg, obsCfg, log, started)
	if err != nil {
		_ = node.Stop() // first: its logger shares stderr with this message
		fmt.Fprintln(stderr, "node:", err)
		return exitFailed
	}
	defer obs.stop() // after the node has stopped
	return waitForEnd(node, client, log, sigs)
}

// waitForEnd waits for a signal (clean stop), a fatal node error, or the
// client port's server dying (the node then stops: it does not run
// without its client port, as ZooKeeper does not).
func waitForEnd(node *actors.Node, client clientPortServer, log *slog.Logger, sigs <-chan os.Signal) int {
	select {
	case s := <-sigs:
		log.Info("stopping", "signal", s.String())
		if err := node.Stop(); err != nil {
			log.Error("stop failed", "reason", err.Error())
			return exitFailed
		}
		log.Info("stopped")
		return exitOK
	case <-client.done():
		log.Error("node cannot continue", "reason", client.err().Error())
		_ = node.Stop()
		return exitFailed
	case <-node.Failed():
		err := node.Fatal()
		_ = node.Stop()
		if errors.Is(err, actors.ErrBindFailed) {
			return exitBind
		}
		return exitFailed
	}
}

// loadConfig reads zoo.cfg and myid into a node configuration, logging
// ZooKeeper's own warnings and every key zkfle does not use. It also
// returns the client port's settings and the quorum TLS settings (nil
// unless sslQuorum=true), whose files it does not read.
func loadConfig(o runOptions, log *slog.Logger) (actors.Config, clientPortConfig, *quorumtls.Options, error) {
	nc, err := loadNodeConfig(o, log)
	if err != nil {
		return actors.Config{}, clientPortConfig{}, nil, err
	}
	cfg := actorsConfig(nc)
	return cfg, clientPortSettings(nc), nc.QuorumTLS, cfg.Validate()
}

// loadNodeConfig is loadConfig's zoo.cfg and myid part.
func loadNodeConfig(o runOptions, log *slog.Logger) (zoocfg.NodeConfig, error) {
	f, err := zoocfg.Load(o.config)
	if err != nil {
		return zoocfg.NodeConfig{}, err
	}
	myid := o.myid
	if dataDir := f.Settings().DataDir; dataDir != "" {
		id, err := zoocfg.ReadMyID(dataDir)
		switch {
		case err == nil && myid != 0 && id != myid:
			return zoocfg.NodeConfig{}, fmt.Errorf("--myid=%d disagrees with %s/myid (%d)", myid, dataDir, id)
		case err == nil:
			myid = id
		case myid == 0:
			return zoocfg.NodeConfig{}, err
		}
	}
	if myid == 0 {
		return zoocfg.NodeConfig{}, errors.New("no server id: dataDir has no myid file and --myid is not set")
	}
	for _, w := range f.WarningsFor(myid) {
		log.Warn("configuration", "warning", w)
	}
	warnUnknownKeys(f, log)
	return f.NodeConfig(myid)
}

// warnUnknownKeys logs each key neither ZooKeeper nor zkfle knows, with
// the known key it most likely misspells: ZooKeeper takes it as a system
// property and runs with the default, which is rarely what was meant.
func warnUnknownKeys(f *zoocfg.File, log *slog.Logger) {
	for _, key := range f.Unknown() {
		if s := zoocfg.Suggest(key); s != "" {
			value, _ := f.Get(key)
			log.Warn(fmt.Sprintf("unknown zoo.cfg key %s (did you mean %s?)", key, s),
				"key", key, "value", value, "suggestion", s)
			continue
		}
		log.Warn("zoo.cfg key zkfle does not use", "key", key)
	}
}

// adoptLogger receives every logger newLogger makes; main sets it to
// slog.SetDefault.
var adoptLogger = func(*slog.Logger) {}

// newLogger makes the node's logger from the --log-level and --log-format
// flags (and hands it to adoptLogger).
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level=%q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	var log *slog.Logger
	switch format {
	case "text":
		log = slog.New(slog.NewTextHandler(w, opts))
	case "json":
		log = slog.New(slog.NewJSONHandler(w, opts))
	default:
		return nil, fmt.Errorf("--log-format=%q: want text or json", format)
	}
	adoptLogger(log)
	return log, nil
}

func electionAddr(cfg actors.Config) string {
	s, ok := cfg.Verifier.Server(cfg.ID)
	if !ok || len(s.Addrs) == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d", s.Addrs[0].Host, s.Addrs[0].ElectionPort)
}
