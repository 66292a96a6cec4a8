package quorumtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
)

// base is the part of both configs the settings fix: versions and suites.
func (s *Source) base() *tls.Config {
	return &tls.Config{
		MinVersion:   s.params.minVersion,
		MaxVersion:   s.params.maxVersion,
		CipherSuites: append([]uint16(nil), s.params.suites...),
	}
}

// tlsClientAuth maps ssl.quorum.clientAuth to Go's.
func (s *Source) tlsClientAuth() tls.ClientAuthType {
	switch s.opts.ClientAuth {
	case ClientAuthWant:
		return tls.VerifyClientCertIfGiven
	case ClientAuthNone:
		return tls.NoClientCert
	}
	return tls.RequireAndVerifyClientCert
}

// ServerConfig is the accepting side's config. Each handshake gets the
// current certificate and trust pool (GetConfigForClient); client
// certificates are verified against that pool as ssl.quorum.clientAuth
// says. Session tickets are off, so every connection is verified against
// the current pool. GetCertificate is set too, for callers that want the
// current certificate. Checking the peer's address
// (ssl.quorum.hostnameVerification) and the sid it claims is package
// actors' part (QuorumTLS.VerifyClientAddress, VerifyIdentity).
func (s *Source) ServerConfig() *tls.Config {
	auth := s.tlsClientAuth()
	getCert := func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.Certificate(), nil }
	c := s.base()
	c.ClientAuth = auth
	c.SessionTicketsDisabled = true
	c.GetCertificate = getCert
	c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		m := s.cur.Load()
		h := s.base()
		h.ClientAuth = auth
		h.SessionTicketsDisabled = true
		h.ClientCAs = m.roots
		h.Certificates = []tls.Certificate{m.cert}
		return h, nil
	}
	return c
}

// ClientConfig is the dialling side's config: it presents the current
// certificate and verifies the server's chain against the current trust
// pool (Go's own verification is off, since its RootCAs cannot change:
// VerifyConnection does it). With ssl.quorum.hostnameVerification the
// server's certificate must also be valid for the host dialled: give the
// config to ForHost with the server line's host for each dial. Without
// ForHost the host is the SNI name (ServerName), which Go leaves empty
// for an IP address: the handshake then fails rather than skip the check.
func (s *Source) ClientConfig() *tls.Config {
	c := s.base()
	c.InsecureSkipVerify = true // VerifyConnection verifies, against the current pool
	c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return s.Certificate(), nil }
	c.VerifyConnection = s.verifyServer("")
	register(c, s)
	return c
}

// ErrNoServerName: hostname verification is on, but the config does not
// know which host was dialled (an IP-address ServerName is not sent as
// SNI, so a clone of ClientConfig cannot see it: use ForHost).
var ErrNoServerName = errors.New("quorumtls: hostname verification needs the dialled host (dial with quorumtls.ForHost)")

// verifyServer verifies the server's chain against the current pool and,
// with hostname verification, against host (or the SNI name if host is
// ""). Failures are *tls.CertificateVerificationError wrapping x509's
// error, as Go's own verification returns them.
func (s *Source) verifyServer(host string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("quorumtls: the server sent no certificate")
		}
		opts := x509.VerifyOptions{
			Roots:         s.cur.Load().roots,
			Intermediates: x509.NewCertPool(),
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		if s.opts.HostnameVerification {
			opts.DNSName = host
			if opts.DNSName == "" {
				opts.DNSName = cs.ServerName
			}
			if opts.DNSName == "" {
				return ErrNoServerName
			}
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}

// ForHost returns a copy of client for dialling host (the host of the
// server line, an IP address or a DNS name, brackets allowed): ServerName
// is host, and when client came from a Source's ClientConfig, its
// hostname verification is bound to host. Any other config is cloned
// with ServerName set, so Go's own verification checks host.
func ForHost(client *tls.Config, host string) *tls.Config {
	c := client.Clone()
	c.ServerName = host
	if s := registered(client); s != nil {
		c.VerifyConnection = s.verifyServer(host)
	}
	return c
}

// The ClientConfigs made by open Sources, for ForHost.
var (
	registryMu sync.Mutex
	registry   = map[*tls.Config]*Source{}
)

func register(c *tls.Config, s *Source) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[c] = s
}

func registered(c *tls.Config) *Source {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[c]
}

// unregister forgets s's configs at Close. ForHost then only clones
// them, and their hostname check falls back to the SNI name.
func unregister(s *Source) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for c, owner := range registry {
		if owner == s {
			delete(registry, c)
		}
	}
}

// String describes the config pair's settings, for logs.
func (s *Source) String() string {
	return fmt.Sprintf("TLS %s..%s, %d TLS 1.2 suites, clientAuth=%s, hostnameVerification=%t",
		tls.VersionName(s.params.minVersion), tls.VersionName(s.params.maxVersion), len(s.params.suites),
		s.opts.ClientAuth, s.opts.HostnameVerification)
}
