package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zkfle/zkfle/internal/testcerts"
)

// transport is how the servers of an ensemble talk on their quorum and
// election ports: plaintext, or TLS (zoo.cfg sslQuorum=true). The client
// port, where srvr is asked, stays plaintext in both.
type transport string

// The transports of -tls.
const (
	transportPlain transport = "plain"
	transportTLS   transport = "tls"
)

// parseTransports reads "-tls plain,tls" into distinct transports, in the
// order given.
func parseTransports(s string) ([]transport, error) {
	var out []transport
	seen := map[transport]bool{}
	for _, f := range strings.Split(s, ",") {
		t := transport(strings.TrimSpace(f))
		if t != transportPlain && t != transportTLS {
			return nil, &FlagError{Flag: "tls", Value: s, Reason: fmt.Sprintf("%q is not plain or tls", string(t))}
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// isTLS is true for the TLS transport. The zero transport (a system made
// by hand in a test) is plaintext.
func (t transport) isTLS() bool { return t == transportTLS }

// String is how progress lines and JSON name t; the zero value is plain.
func (t transport) String() string {
	if t == "" {
		return string(transportPlain)
	}
	return string(t)
}

// certValidity is how long the benchmark's certificates are valid: long
// enough that no "certificate expires soon" warning adds a line to a log
// the harness reads, short enough not to matter if a kept dir leaks.
const certValidity = 90 * 24 * time.Hour

// quorumCerts are the files of one ensemble's TLS set-up.
type quorumCerts struct {
	trustStore string         // the CA certificate, PEM
	keyStores  map[int]string // sid -> PEM key store (key, then leaf and CA certificates)
}

// writeQuorumCerts makes a fresh CA in dir/tls and, for each of servers
// 1..n, a leaf valid for 127.0.0.1 (what ZooKeeper's hostname
// verification checks) and naming its sid as the URI SAN zkfle:sid:N (what
// zkfle's identity binding checks), both for server and client use.
func writeQuorumCerts(dir string, n int) (*quorumCerts, error) {
	tdir := filepath.Join(dir, "tls")
	if err := os.MkdirAll(tdir, 0o700); err != nil {
		return nil, err
	}
	ca, err := testcerts.NewCA("zkbench CA")
	if err != nil {
		return nil, fmt.Errorf("CA: %w", err)
	}
	qc := &quorumCerts{trustStore: filepath.Join(tdir, "ca.pem"), keyStores: map[int]string{}}
	if err := os.WriteFile(qc.trustStore, ca.PEM, 0o644); err != nil {
		return nil, err
	}
	now := time.Now()
	for sid := 1; sid <= n; sid++ {
		leaf, err := ca.Issue(testcerts.LeafOptions{
			CommonName: fmt.Sprintf("zkbench server %d", sid),
			IPs:        []net.IP{net.ParseIP(loopback)},
			SIDs:       []int64{int64(sid)},
			NotBefore:  now.Add(-time.Hour),
			NotAfter:   now.Add(certValidity),
		})
		if err != nil {
			return nil, fmt.Errorf("server %d certificate: %w", sid, err)
		}
		path := filepath.Join(tdir, fmt.Sprintf("s%d.pem", sid))
		if err := os.WriteFile(path, leaf.KeyStorePEM(), 0o600); err != nil {
			return nil, err
		}
		qc.keyStores[sid] = path
	}
	return qc, nil
}

// cfgLines are the zoo.cfg lines that turn on TLS for server sid, with
// ZooKeeper's own keys, so that both systems read the same file text.
func (qc *quorumCerts) cfgLines(sid int) string {
	if qc == nil {
		return ""
	}
	return fmt.Sprintf("sslQuorum=true\n"+
		"ssl.quorum.keyStore.location=%s\nssl.quorum.keyStore.type=PEM\n"+
		"ssl.quorum.trustStore.location=%s\nssl.quorum.trustStore.type=PEM\n",
		qc.keyStores[sid], qc.trustStore)
}

// title is how a column header names t.
func (t transport) title() string {
	if t.isTLS() {
		return "TLS"
	}
	return "plain"
}

// hasTLS is true when ts measures TLS.
func hasTLS(ts []transport) bool {
	for _, t := range ts {
		if t.isTLS() {
			return true
		}
	}
	return false
}

// tlsNote is the table's line on how TLS was set up.
const tlsNote = "TLS: sslQuorum=true on the quorum and election ports, PEM key and trust stores (one fresh CA per ensemble, " +
	"ECDSA P-256 leaf per server with SANs IP:127.0.0.1 and zkfle:sid:N); ZooKeeper's class path + netty-codec.jar; srvr on the client port stays plaintext"

// systemTag names a result's column in the "failed:" lines: the system,
// and transport=tls for a TLS column (plaintext lines read as before).
func systemTag(system, tr string) string {
	if transport(tr).isTLS() {
		return system + " transport=tls"
	}
	return system
}
