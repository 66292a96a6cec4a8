package actors

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync/atomic"

	"github.com/zkfle/zkfle/quorumtls"
)

// The ports whose TLS handshake failures are counted (TLSStatus.Failures).
const (
	// TLSPortElection is the election port (QuorumCnxManager's).
	TLSPortElection = "election"
	// TLSPortQuorum is the quorum port (the Leader's and its learners').
	TLSPortQuorum = "quorum"
)

// TLSPorts lists the port label values, in a stable order.
var TLSPorts = []string{TLSPortElection, TLSPortQuorum}

// Reasons a TLS connection is refused, on either side. The set is closed
// (no remote can add a value), so metrics may label by it.
const (
	// TLSFailTimeout: the handshake (or the header after it) did not
	// complete within the handshake timeout.
	TLSFailTimeout = "timeout"
	// TLSFailPlaintext: a plaintext connection on a TLS port (without
	// portUnification), or a non-TLS answer to our dial.
	TLSFailPlaintext = "plaintext"
	// TLSFailBadCertificate: no certificate, or one the peer or we could
	// not use (bad signature, wrong key usage, refused by the peer).
	TLSFailBadCertificate = "bad-certificate"
	// TLSFailUnknownAuthority: a certificate from a CA we (or the peer) do
	// not trust.
	TLSFailUnknownAuthority = "unknown-authority"
	// TLSFailExpired: a certificate outside its validity period.
	TLSFailExpired = "expired"
	// TLSFailHostname: the certificate is not valid for the host we
	// dialed, or for the address an accepted peer connects from
	// (QuorumTLS.VerifyClientAddress).
	TLSFailHostname = "hostname-mismatch"
	// TLSFailIdentity: a valid certificate that does not prove the sid
	// its holder claims (quorumtls.VerifyIdentity).
	TLSFailIdentity = "identity-mismatch"
	// TLSFailProtocolVersion: no TLS version both sides accept.
	TLSFailProtocolVersion = "protocol-version"
	// TLSFailOther: anything else (cipher suites, a reset mid-handshake).
	TLSFailOther = "other"
)

// TLSFailureReasons lists every reason, in a stable order.
var TLSFailureReasons = []string{TLSFailTimeout, TLSFailPlaintext, TLSFailBadCertificate,
	TLSFailUnknownAuthority, TLSFailExpired, TLSFailHostname, TLSFailIdentity, TLSFailProtocolVersion, TLSFailOther}

// tlsCounters counts TLS handshake failures per (port, reason). Safe for
// concurrent use: handshake goroutines, dialers and actors count.
type tlsCounters struct {
	n [2][9]atomic.Uint64
}

func tlsPortIndex(port string) int {
	if port == TLSPortQuorum {
		return 1
	}
	return 0
}

func tlsReasonIndex(reason string) int {
	for i, r := range TLSFailureReasons {
		if r == reason {
			return i
		}
	}
	return len(TLSFailureReasons) - 1 // other
}

func (c *tlsCounters) add(port, reason string) {
	c.n[tlsPortIndex(port)][tlsReasonIndex(reason)].Add(1)
}

// snapshot returns every (port, reason) count, zeros included.
func (c *tlsCounters) snapshot() map[string]map[string]uint64 {
	out := map[string]map[string]uint64{}
	for _, p := range TLSPorts {
		m := map[string]uint64{}
		for _, r := range TLSFailureReasons {
			m[r] = c.n[tlsPortIndex(p)][tlsReasonIndex(r)].Load()
		}
		out[p] = m
	}
	return out
}

// tlsError is a refused TLS connection: why (one of TLSFailureReasons)
// and the underlying error.
type tlsError struct {
	reason string
	err    error
}

func (e *tlsError) Error() string { return "tls " + e.reason + ": " + e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }

// tlsReasonOf returns the reason of a refused TLS connection; errors that
// did not come from our TLS code count as other.
func tlsReasonOf(err error) string {
	var te *tlsError
	if errors.As(err, &te) {
		return te.reason
	}
	return classifyTLS(err)
}

// classifyTLS names why a handshake (or the first read after it, where
// TLS 1.3 reports a refused client certificate) failed: our own
// verification's errors, the peer's alerts, a timeout, a plaintext peer.
func classifyTLS(err error) string {
	var (
		ne    net.Error
		rhe   tls.RecordHeaderError
		uae   x509.UnknownAuthorityError
		cie   x509.CertificateInvalidError
		he    x509.HostnameError
		ide   *quorumtls.IdentityError
		opErr *net.OpError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ide):
		return TLSFailIdentity
	case errors.As(err, &rhe):
		return TLSFailPlaintext
	case errors.As(err, &uae):
		return TLSFailUnknownAuthority
	case errors.As(err, &cie):
		if cie.Reason == x509.Expired {
			return TLSFailExpired
		}
		return TLSFailBadCertificate
	case errors.As(err, &he):
		return TLSFailHostname
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		return alertReason(opErr.Err.Error())
	case errors.As(err, &ne) && ne.Timeout():
		return TLSFailTimeout
	}
	return localReason(err.Error())
}

// alertReason maps the alert a peer sent (crypto/tls keeps the type
// unexported; its text is stable) to a reason.
func alertReason(text string) string {
	switch strings.TrimPrefix(text, "tls: ") {
	case "bad certificate", "certificate required", "unsupported certificate", "certificate revoked",
		"certificate unknown", "access denied":
		return TLSFailBadCertificate
	case "unknown certificate authority":
		return TLSFailUnknownAuthority
	case "expired certificate":
		return TLSFailExpired
	case "protocol version not supported":
		return TLSFailProtocolVersion
	}
	return TLSFailOther
}

// localReason maps crypto/tls's own (untyped) errors to a reason.
func localReason(text string) string {
	switch {
	case strings.Contains(text, "didn't provide a certificate"), strings.Contains(text, "certificate required"):
		return TLSFailBadCertificate
	case strings.Contains(text, "unsupported versions"), strings.Contains(text, "unsupported protocol version"),
		strings.Contains(text, "protocol version"):
		return TLSFailProtocolVersion
	case strings.Contains(text, "first record does not look like a TLS handshake"):
		return TLSFailPlaintext
	}
	return TLSFailOther
}
