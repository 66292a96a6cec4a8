package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/zkfle/zkfle/probe"
	"github.com/zkfle/zkfle/zk"
)

// probeUsage heads `node probe -h`.
const probeUsage = `Usage: node probe [--json] [--sid N] [--timeout D] [TLS flags] HOST:ELECTIONPORT...

Reads each server's election state (state, leader, round, peer epoch, zxid,
config) through its election port, as a non-voting sid that sends one
LOOKING notification. Works against ZooKeeper 3.8 and zkfle; never joins or
disturbs the election. Exit code 0 when every server answered, 1 otherwise.

Servers with sslQuorum=true need TLS: --tls-config zoo.cfg takes a server's
own stores (its certificate then identifies the probe), or give
--tls-ca with --tls-keystore (or --tls-cert and --tls-key). The probe
presents that certificate and verifies the servers' against each address's
host (or --tls-server-name).

Flags:
`

// runProbe is the probe subcommand; it returns the exit code.
func runProbe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("node probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), probeUsage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	sid := fs.Int64("sid", probe.DefaultSID,
		"the probe's server `id`; must be larger than every member's, or servers close the connection")
	timeout := fs.Duration("timeout", probe.DefaultTimeout, "per-server bound on connecting and answering")
	var tlsFlags probeTLSFlags
	addProbeTLSFlags(fs, &tlsFlags)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "node probe: give at least one HOST:ELECTIONPORT (see node probe -h)")
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "node probe: --timeout=%v must be positive\n", *timeout)
		return exitUsage
	}
	tlsCfg, tlsFor, done, err := tlsFlags.tlsConfig(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "node probe:", err)
		return exitUsage
	}
	defer done()
	results, err := probe.Probe(context.Background(), fs.Args(),
		probe.Options{SID: *sid, Timeout: *timeout, TLS: tlsCfg, TLSFor: tlsFor, TLSServerName: tlsFlags.serverName})
	if err != nil {
		fmt.Fprintln(stderr, "node probe:", err)
		return exitUsage
	}
	if *asJSON {
		err = writeProbeJSON(stdout, *sid, results)
	} else {
		err = writeProbeTable(stdout, results)
	}
	if err != nil {
		fmt.Fprintln(stderr, "node probe:", err)
		return exitFailed
	}
	for _, r := range results {
		if r.Err != nil {
			return exitFailed
		}
	}
	return exitOK
}

// probeJSON is the --json document.
type probeJSON struct {
	ProbeSID int64             `json:"probe_sid"`
	Servers  []probeServerJSON `json:"servers"`
}

// probeServerJSON is one address's answer, or its error.
type probeServerJSON struct {
	Addr          string          `json:"addr"`
	ServerID      int64           `json:"server_id,omitempty"`
	State         string          `json:"state,omitempty"`
	StateCode     *zk.ServerState `json:"state_code,omitempty"`
	Leader        *int64          `json:"leader,omitempty"`
	ElectionEpoch *int64          `json:"election_epoch,omitempty"`
	PeerEpoch     *int64          `json:"peer_epoch,omitempty"`
	Zxid          *int64          `json:"zxid,omitempty"`
	ZxidHex       string          `json:"zxid_hex,omitempty"`
	Version       *int32          `json:"version,omitempty"`
	Config        string          `json:"config,omitempty"`
	ConfigVersion *int64          `json:"config_version,omitempty"`
	Frames        int             `json:"frames,omitempty"`
	Error         string          `json:"error,omitempty"`
	ErrorKind     string          `json:"error_kind,omitempty"`
}

func writeProbeJSON(w io.Writer, sid int64, results []probe.Result) error {
	doc := probeJSON{ProbeSID: sid, Servers: make([]probeServerJSON, 0, len(results))}
	for _, res := range results {
		s := probeServerJSON{Addr: res.Addr}
		if res.Err != nil {
			s.Error, s.ErrorKind = res.Err.Error(), errorKind(res.Err)
		} else {
			r := res.Reply
			s.ServerID, s.State, s.StateCode = r.ServerID, r.State.String(), &r.State
			s.Leader, s.ElectionEpoch, s.PeerEpoch, s.Zxid = &r.Leader, &r.ElectionEpoch, &r.PeerEpoch, &r.Zxid
			s.ZxidHex, s.Version, s.Config = zk.Zxid(r.Zxid).String(), &r.Version, r.Config
			s.ConfigVersion, s.Frames = &r.ConfigVersion, r.Frames
		}
		doc.Servers = append(doc.Servers, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// errorKind is a stable short name for a probe error, for scripts.
func errorKind(err error) string {
	kinds := []struct {
		err  error
		name string
	}{
		{probe.ErrBadAddress, "bad-address"}, {probe.ErrDial, "dial"}, {probe.ErrSend, "send"},
		{probe.ErrClosed, "closed"}, {probe.ErrNoReply, "no-reply"}, {probe.ErrMalformed, "malformed"},
		{probe.ErrTLS, "tls"},
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

// writeProbeTable prints one row per address, then each distinct config
// once with the addresses that reported it (in the order given).
func writeProbeTable(w io.Writer, results []probe.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tSERVER\tSTATE\tLEADER\tROUND\tPEER-EPOCH\tZXID\tCONFIG")
	configs := map[string][]string{}
	var order []string
	for _, res := range results {
		if res.Err != nil {
			fmt.Fprintf(tw, "%s\t-\tERROR\t%s\n", res.Addr, res.Err)
			continue
		}
		r := res.Reply
		server := "?"
		if r.ServerID != 0 {
			server = fmt.Sprint(r.ServerID)
		}
		cfg := "none"
		if r.ConfigVersion >= 0 {
			cfg = fmt.Sprintf("version %x", r.ConfigVersion)
		} else if r.Config != "" {
			cfg = "unparsable"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.Addr, server, r.State.String(),
			r.Leader, r.ElectionEpoch, r.PeerEpoch, zk.Zxid(r.Zxid).String(), cfg)
		if r.Config != "" {
			if _, seen := configs[r.Config]; !seen {
				order = append(order, r.Config)
			}
			configs[r.Config] = append(configs[r.Config], r.Addr)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, cfg := range order {
		fmt.Fprintf(w, "\nconfig reported by %s:\n  %s\n", strings.Join(configs[cfg], ", "),
			strings.ReplaceAll(cfg, "\n", "\n  "))
	}
	return nil
}
