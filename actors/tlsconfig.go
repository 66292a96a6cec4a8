package actors

import (
	"crypto/tls"
)

// QuorumTLS turns on TLS on both the election and the quorum port
// (ZooKeeper's sslQuorum): every connection either way is TLS with mutual
// authentication; the connection header and frames are unchanged inside
// the TLS stream, as in ZooKeeper. Package quorumtls builds one from
// ZooKeeper's ssl.quorum.* keys; embedders may bring their own
// certificate source (files, a secret store, SPIFFE) through the two
// *tls.Configs.
//
// Beyond ZooKeeper, a peer's certificate must prove the sid it claims
// (quorumtls.VerifyIdentity): on the election port the sid of its
// connection header, on the quorum port the sid of its FOLLOWERINFO or
// OBSERVERINFO, and, when we dial, the sid we meant to reach.
type QuorumTLS struct {
	// Server configures the accepting side of both ports: its certificate
	// (Certificates, GetCertificate or GetConfigForClient), ClientCAs and
	// ClientAuth (ZooKeeper's default, ssl.quorum.clientAuth=need, is
	// tls.RequireAndVerifyClientCert), versions and cipher suites.
	Server *tls.Config
	// Client configures the dialing side: its certificate (Certificates
	// or GetClientCertificate), RootCAs, versions and suites. zkfle clones
	// it for each dial and sets ServerName to the host of the server line
	// it dials, so Go's verification checks the peer's certificate against
	// that host (ZooKeeper's hostname verification).
	Client *tls.Config
	// ClientFor, if set, gives the dialing side's configuration for a
	// dial to host (the host of the server line dialled) instead of a
	// clone of Client: for certificate sources whose verification must
	// know the host, as quorumtls.Source.ClientConfigFor (it verifies
	// against a trust store that may be reloaded, so Go's own check,
	// bound to a fixed RootCAs, is off).
	ClientFor func(host string) *tls.Config
	// VerifyClientAddress checks an accepted peer's certificate against
	// the IP address it connects from, as ZooKeeper's trust manager does
	// with ssl.quorum.hostnameVerification=true (its default).
	VerifyClientAddress bool
	// SkipIdentityCheck turns off the check that a peer's certificate
	// proves the sid it claims (zkfle.sslQuorum.identityCheck=false), for
	// certificates that name neither the members' hosts nor their sids.
	SkipIdentityCheck bool
	// PortUnification also accepts plaintext connections on both ports
	// (portUnification=true), for a rolling upgrade from plaintext; zkfle
	// still dials with TLS. A plaintext peer proves nothing: its claim is
	// checked as without TLS (the source-address check).
	PortUnification bool
	// DialPlaintext keeps our own dials plaintext while PortUnification
	// accepts TLS too: the first pass of ZooKeeper's rolling upgrade
	// (portUnification=true without sslQuorum), so every member accepts
	// TLS before any member starts dialing with it. It requires
	// PortUnification.
	DialPlaintext bool
}

// dialsTLS reports whether our dials use TLS: q is set and not in the
// first pass of a rolling upgrade.
func (q *QuorumTLS) dialsTLS() bool { return q != nil && !q.DialPlaintext }
