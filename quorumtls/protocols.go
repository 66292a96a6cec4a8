package quorumtls

import (
	"crypto/tls"
	"slices"
	"strings"
)

// DefaultProtocol is ZooKeeper 3.8's ssl.quorum.protocol default
// (X509Util.DEFAULT_PROTOCOL); with enabledProtocols unset it is also the
// only version enabled.
const DefaultProtocol = "TLSv1.2"

// DefaultCipherSuites is ZooKeeper 3.8's default ssl.quorum.ciphersuites
// on Java 9 and later (X509Util.getDefaultCipherSuites): all ECDHE, GCM
// first. zkfle offers the ones Go implements and counts as secure (the
// four CBC_SHA256/SHA384 suites are not), which a Java peer with the
// defaults always shares (the GCM ones).
var DefaultCipherSuites = []string{
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
}

// tlsParams are the versions and TLS 1.2 suites a config offers.
type tlsParams struct {
	minVersion, maxVersion uint16
	// suites are the TLS 1.2 suites (Go's TLS 1.3 suites are fixed).
	suites []uint16
}

// tlsParams maps the protocol and cipher-suite settings to Go's.
func (o Options) tlsParams() (tlsParams, error) {
	var p tlsParams
	versions, err := o.versions()
	if err != nil {
		return p, err
	}
	p.minVersion, p.maxVersion = slices.Min(versions), slices.Max(versions)
	names, key := o.CipherSuites, KeyCipherSuites
	if names == nil {
		names = DefaultCipherSuites
	}
	for _, name := range names {
		id, tls13, err := cipherSuiteID(name)
		if err != nil {
			return p, &OptionError{Key: key, Value: strings.Join(names, ","), Reason: err.Error()}
		}
		if !tls13 && !slices.Contains(p.suites, id) {
			p.suites = append(p.suites, id)
		}
	}
	if len(p.suites) == 0 && p.minVersion < tls.VersionTLS13 {
		if p.maxVersion < tls.VersionTLS13 {
			return p, &OptionError{Key: key, Value: strings.Join(names, ","),
				Reason: "only TLS 1.3 suites, but TLS 1.3 is not enabled (" + KeyEnabledProtocols + ")"}
		}
		// Only TLS 1.3 suites named: TLS 1.2 could not negotiate anyway.
		p.minVersion = tls.VersionTLS13
	}
	return p, nil
}

// versions lists the enabled TLS versions: enabledProtocols, or the
// protocol alone (ZooKeeper's default).
func (o Options) versions() ([]uint16, error) {
	if o.EnabledProtocols == nil {
		proto := o.Protocol
		if proto == "" {
			proto = DefaultProtocol
		}
		v, err := protocolVersions(proto)
		if err != nil {
			return nil, &OptionError{Key: KeyProtocol, Value: proto, Reason: err.Error()}
		}
		return v, nil
	}
	if o.Protocol != "" {
		// ZooKeeper still creates its SSLContext with it: a bad name fails there.
		if _, err := protocolVersions(o.Protocol); err != nil {
			return nil, &OptionError{Key: KeyProtocol, Value: o.Protocol, Reason: err.Error()}
		}
	}
	var out []uint16
	for _, name := range o.EnabledProtocols {
		v, err := protocolVersions(name)
		if err == nil && len(v) > 1 {
			err = errString(`"TLS" names no single version; list TLSv1.2 and/or TLSv1.3`)
		}
		if err != nil {
			return nil, &OptionError{Key: KeyEnabledProtocols, Value: strings.Join(o.EnabledProtocols, ","), Reason: err.Error()}
		}
		out = append(out, v...)
	}
	if len(out) == 0 {
		return nil, &OptionError{Key: KeyEnabledProtocols, Reason: "no protocol listed"}
	}
	return out, nil
}

// protocolVersions maps a Java protocol name to Go versions. Java's TLS
// context name "TLS" means every version it supports, here 1.2 and 1.3.
func protocolVersions(name string) ([]uint16, error) {
	switch {
	case name == "TLSv1.2":
		return []uint16{tls.VersionTLS12}, nil
	case name == "TLSv1.3":
		return []uint16{tls.VersionTLS13}, nil
	case name == "TLS":
		return []uint16{tls.VersionTLS12, tls.VersionTLS13}, nil
	case name != strings.TrimSpace(name):
		return nil, errString("item " + quote(name) + " has blanks around it, which Java does not trim")
	case name == "TLSv1" || name == "TLSv1.1" || name == "SSLv3" || name == "SSL" || name == "SSLv2Hello":
		return nil, errString(quote(name) + " is not offered: zkfle speaks TLS 1.2 and 1.3 only")
	}
	return nil, errString(quote(name) + " is not a protocol name (TLSv1.2, TLSv1.3 or TLS)")
}

// cipherSuiteID finds an IANA (and Java) suite name among Go's suites.
// tls13 is true for a TLS 1.3 suite, which Go does not let be chosen.
func cipherSuiteID(name string) (id uint16, tls13 bool, err error) {
	if name != strings.TrimSpace(name) {
		return 0, false, errString("item " + quote(name) + " has blanks around it, which Java does not trim")
	}
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			if s.Name == name {
				return s.ID, !slices.Contains(s.SupportedVersions, tls.VersionTLS12), nil
			}
		}
	}
	return 0, false, errString(quote(name) + " is not a cipher suite Go's crypto/tls implements")
}

type errString string

func (e errString) Error() string { return string(e) }

func quote(s string) string { return `"` + s + `"` }
