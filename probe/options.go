package probe

import (
	"crypto/tls"
	"fmt"
	"math"
	"time"

	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// DefaultSID is the probe's sid unless told otherwise: larger than any
// real member's (see the package comment for why it must be), and not
// ZooKeeper's OBSERVER_ID (math.MaxInt64).
const DefaultSID int64 = math.MaxInt64 - 1

// Defaults for Options.
const (
	// DefaultTimeout bounds connecting and waiting for the first answer.
	DefaultTimeout = 3 * time.Second
	// DefaultSettle is how long the probe keeps listening after the first
	// answer, for the fresh answer that follows a re-sent stale one.
	DefaultSettle = 150 * time.Millisecond
)

// Options tune a probe. The zero value means the defaults.
type Options struct {
	// SID is the probe's server id; 0 means DefaultSID. It must be larger
	// than every member's sid, or servers will not answer.
	SID int64
	// Timeout bounds the connect plus the wait for the first answer, per
	// address; 0 means DefaultTimeout.
	Timeout time.Duration
	// Settle is how long to keep reading after the first answer; 0 means
	// DefaultSettle, negative means not at all.
	Settle time.Duration
	// TLS, if set, makes the probe a TLS client, for servers with
	// sslQuorum=true: it should carry a client certificate the servers'
	// trust store accepts (ssl.quorum.clientAuth=need is ZooKeeper's
	// default) and the roots that verify theirs. Each dial uses
	// quorumtls.ForHost(TLS, host), host being TLSServerName or the
	// address's host, so the server's certificate is checked against it.
	TLS *tls.Config
	// TLSFor, if set, gives the config for a dial to host instead of
	// TLS: quorumtls.Source.ClientConfigFor, whose verification is bound
	// to host itself.
	TLSFor func(host string) *tls.Config
	// TLSServerName, if set, is the host the servers' certificates are
	// checked against instead of each address's host.
	TLSServerName string
}

// withDefaults fills in zero fields and checks the sid.
func (o Options) withDefaults() (Options, error) {
	if o.SID == 0 {
		o.SID = DefaultSID
	}
	if o.SID < 0 || o.SID == electionwire.ObserverID {
		return o, fmt.Errorf("%w: %d (want 1..%d)", ErrBadSID, o.SID, electionwire.ObserverID-1)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Settle == 0 {
		o.Settle = DefaultSettle
	}
	return o, nil
}
