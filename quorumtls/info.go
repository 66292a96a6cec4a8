package quorumtls

import (
	"crypto/x509"
	"log/slog"
	"strings"
	"time"
)

// ExpiryWarning is how close to its expiry the certificate gets a WARN
// at Load and at each reload.
const ExpiryWarning = 30 * 24 * time.Hour

// CertInfo describes the current certificate, for conf, mntr, admin and
// metrics.
type CertInfo struct {
	// Subject and Issuer are the distinguished names, RFC 2253 style.
	Subject, Issuer string
	// SANs are the subject alternative names (DNS:, IP:, URI:).
	SANs []string
	// NotBefore and NotAfter bound its validity.
	NotBefore, NotAfter time.Time
	// Serial is the serial number, in hex.
	Serial string
	// Loaded is when the material was (re)loaded.
	Loaded time.Time
}

// Info describes the current certificate.
func (s *Source) Info() CertInfo { return s.cur.Load().info() }

func (m *material) info() CertInfo {
	leaf := m.cert.Leaf
	var sans []string
	for _, n := range CertNames(leaf) {
		if !strings.HasPrefix(n, "CN=") {
			sans = append(sans, n)
		}
	}
	return CertInfo{Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(), SANs: sans,
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, Serial: leaf.SerialNumber.Text(16), Loaded: m.loaded}
}

// warnValidity logs a WARN for a certificate not valid yet or expiring
// within ExpiryWarning (an expired one is refused by loadMaterial).
func (s *Source) warnValidity(m *material) {
	leaf, now := m.cert.Leaf, m.loaded
	file := s.opts.KeyStore.Location
	switch {
	case now.Before(leaf.NotBefore):
		s.log.Warn("quorum TLS certificate is not valid yet: peers will refuse it until then (clock skew?)",
			"source", file, "subject", subjectOf(leaf), "not_before", leaf.NotBefore.UTC().Format(time.RFC3339))
	case leaf.NotAfter.Sub(now) < ExpiryWarning:
		s.log.Warn("quorum TLS certificate expires soon: renew it",
			"source", file, "subject", subjectOf(leaf), "not_after", leaf.NotAfter.UTC().Format(time.RFC3339),
			"days_left", int(leaf.NotAfter.Sub(now).Hours()/24))
	}
}

// LogValue lets a CertInfo be logged as a group.
func (c CertInfo) LogValue() slog.Value {
	return slog.GroupValue(slog.String("subject", c.Subject), slog.String("issuer", c.Issuer),
		slog.String("sans", strings.Join(c.SANs, ",")), slog.String("not_after", c.NotAfter.UTC().Format(time.RFC3339)))
}

func subjectOf(c *x509.Certificate) string {
	if s := c.Subject.String(); s != "" {
		return s
	}
	return strings.Join(CertNames(c), ",")
}
