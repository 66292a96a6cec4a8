package quorumtls

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// SIDScheme is the URI scheme of the subject alternative name that binds a
// certificate to server ids: a URI SAN "zkfle:sid:3" says the holder is
// server 3 (openssl: subjectAltName=IP:10.0.0.3,URI:zkfle:sid:3). A
// certificate may name several sids; most name none and are bound by host.
const SIDScheme = "zkfle"

// SIDURI is the URI SAN naming server id sid.
func SIDURI(sid int64) *url.URL {
	return &url.URL{Scheme: SIDScheme, Opaque: "sid:" + strconv.FormatInt(sid, 10)}
}

// CertSIDs lists the server ids leaf's URI SANs name.
func CertSIDs(leaf *x509.Certificate) []int64 {
	var out []int64
	for _, u := range leaf.URIs {
		if u == nil || !strings.EqualFold(u.Scheme, SIDScheme) {
			continue
		}
		rest, ok := strings.CutPrefix(u.Opaque, "sid:")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// ErrIdentity is wrapped by every refusal of a certificate that does not
// prove the sid its holder claims.
var ErrIdentity = errors.New("certificate does not prove the claimed server id")

// IdentityError says which sid was claimed, what the certificate names and
// which hosts the claimed sid's server line names.
type IdentityError struct {
	// SID is the claimed server id.
	SID int64
	// Names are the certificate's subject CN and subject alternative names.
	Names []string
	// Hosts are the hosts of server.SID's line.
	Hosts []string
	// Reason says why, in a few words.
	Reason string
}

func (e *IdentityError) Error() string {
	return fmt.Sprintf("sid %d claimed with a certificate for [%s]: %s (server.%d names %s)",
		e.SID, strings.Join(e.Names, ","), e.Reason, e.SID, strings.Join(e.Hosts, ","))
}

func (e *IdentityError) Unwrap() error { return ErrIdentity }

// VerifyIdentity checks that leaf, a peer certificate whose chain the TLS
// handshake has already verified, proves server id sid, whose server line
// names hosts (IP literals or DNS names, as written in zoo.cfg):
//
//   - a certificate that names sids (URI SANs zkfle:sid:N) proves exactly
//     those: sid must be among them, whatever its hosts;
//   - any other certificate proves the sids whose server line names a host
//     it is valid for (an IP SAN for an IP literal, a DNS SAN for a name,
//     as hostname verification matches them).
//
// So a member holding a valid certificate for server 2's host cannot claim
// sid 3 unless server 3 shares that host; on a shared host, sid SANs tell
// the members apart. A wildcard host (0.0.0.0, ::) proves nothing.
func VerifyIdentity(leaf *x509.Certificate, sid int64, hosts []string) error {
	if leaf == nil {
		return &IdentityError{SID: sid, Hosts: hosts, Reason: "no certificate presented"}
	}
	if sids := CertSIDs(leaf); len(sids) > 0 {
		if slices.Contains(sids, sid) {
			return nil
		}
		return &IdentityError{SID: sid, Names: CertNames(leaf), Hosts: hosts, Reason: "its sid names do not include the claimed sid"}
	}
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
			continue
		}
		if h != "" && leaf.VerifyHostname(h) == nil {
			return nil
		}
	}
	return &IdentityError{SID: sid, Names: CertNames(leaf), Hosts: hosts, Reason: "it is valid for none of the claimed server's hosts"}
}

// CertNames lists a certificate's subject common name and subject
// alternative names, for logs and errors.
func CertNames(leaf *x509.Certificate) []string {
	var out []string
	if cn := leaf.Subject.CommonName; cn != "" {
		out = append(out, "CN="+cn)
	}
	for _, d := range leaf.DNSNames {
		out = append(out, "DNS:"+d)
	}
	for _, ip := range leaf.IPAddresses {
		out = append(out, "IP:"+ip.String())
	}
	for _, u := range leaf.URIs {
		out = append(out, "URI:"+u.String())
	}
	return out
}
