package actors

import (
	"crypto/tls"
	"crypto/x509"
	"time"
)

// TLSStatus describes a node's quorum TLS (for conf, mntr, the admin
// server and metrics).
type TLSStatus struct {
	// Enabled is true when both quorum ports speak TLS (Config.TLS set).
	Enabled bool
	// PortUnification is true when plaintext is accepted too.
	PortUnification bool
	// DialPlaintext is true in the first pass of a rolling upgrade: TLS
	// is accepted, our dials are plaintext (QuorumTLS.DialPlaintext).
	DialPlaintext bool
	// IdentityCheck is true when a peer's certificate must prove the sid
	// it claims (QuorumTLS.SkipIdentityCheck unset).
	IdentityCheck bool
	// Subject and NotAfter describe the certificate the node presents
	// now (a reloading configuration may change it); empty and zero when
	// it cannot be told (no TLS, or no certificate the server side
	// offers without a ClientHello).
	Subject  string
	NotAfter time.Time
	// Failures counts refused TLS connections: port (TLSPorts) -> reason
	// (TLSFailureReasons) -> count, every pair present.
	Failures map[string]map[string]uint64
}

// TLSStatus reports the node's quorum TLS. Safe to call at any time, from
// any goroutine.
func (n *Node) TLSStatus() TLSStatus { return n.rt.tlsStatus() }

// tlsStatus is Node.TLSStatus, for the node's own answers (conf, mntr).
func (rt *runtime) tlsStatus() TLSStatus {
	st := TLSStatus{Failures: rt.tlsStats().snapshot()}
	q := rt.cfg.TLS
	if q == nil {
		return st
	}
	st.Enabled, st.PortUnification, st.DialPlaintext, st.IdentityCheck = true, q.PortUnification, q.DialPlaintext, !q.SkipIdentityCheck
	if leaf := presentedCert(q.Server); leaf != nil {
		st.Subject, st.NotAfter = leaf.Subject.String(), leaf.NotAfter
	}
	return st
}

// presentedCert is the leaf certificate the server side presents now:
// asked for afresh each time, since a reloading configuration answers
// GetConfigForClient or GetCertificate with the current one.
func presentedCert(cfg *tls.Config) *x509.Certificate {
	hello := &tls.ClientHelloInfo{}
	if cfg.GetConfigForClient != nil {
		if c, err := cfg.GetConfigForClient(hello); err == nil && c != nil {
			cfg = c
		}
	}
	var cert *tls.Certificate
	switch {
	case len(cfg.Certificates) > 0:
		cert = &cfg.Certificates[0]
	case cfg.GetCertificate != nil:
		if c, err := cfg.GetCertificate(hello); err == nil {
			cert = c
		}
	}
	if cert == nil {
		return nil
	}
	if cert.Leaf != nil {
		return cert.Leaf
	}
	if len(cert.Certificate) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}
