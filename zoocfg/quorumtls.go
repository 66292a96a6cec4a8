package zoocfg

import (
	"errors"
	"strings"
	"time"

	"github.com/zkfle/zkfle/quorumtls"
)

// Quorum TLS: sslQuorum, portUnification and sslQuorumReloadCertFiles
// are QuorumPeerConfig keys (zoo.cfg only); the ssl.quorum.* keys are
// system properties (ZooKeeper exports them as zookeeper.ssl.quorum.*,
// which its X509Util reads), so zkfle takes them by both names, like the
// other system properties.

const sslQuorumPrefix = "ssl.quorum."

// sslQuorumKeys are the ssl.quorum.* keys ZooKeeper 3.8 reads, and
// zkfle's identity-check key.
var sslQuorumKeys = func() []string {
	keys := []string{
		quorumtls.KeyProtocol, quorumtls.KeyEnabledProtocols, quorumtls.KeyCipherSuites,
		quorumtls.KeyClientAuth, quorumtls.KeyHostnameVerification, quorumtls.KeyHandshakeDetectionTimeout,
		sslQuorumPrefix + "crl", sslQuorumPrefix + "ocsp", sslQuorumPrefix + "context.supplier.class",
		quorumtls.KeyIdentityCheck,
	}
	for _, store := range []string{"keyStore.", "trustStore."} {
		for _, k := range []string{"location", "password", "passwordPath", "type"} {
			keys = append(keys, sslQuorumPrefix+store+k)
		}
	}
	return keys
}()

// tlsProp is one TLS key's value and the name it was written under.
type tlsProp struct {
	key, value string
	set        bool
}

// tlsParser reads the TLS keys once each (systemProperty warns about
// prefixed names).
type tlsParser struct {
	p     *parser
	props map[string]tlsProp
}

func (t *tlsParser) get(name string) tlsProp { return t.props[name] }

// quorumTLS sets Settings.QuorumTLS when sslQuorum=true, from the
// ssl.quorum.* keys; every bad value is an *Error naming the key.
func (p *parser) quorumTLS() error {
	t := &tlsParser{p: p, props: map[string]tlsProp{}}
	for _, name := range sslQuorumKeys {
		if key, v, ok := p.systemProperty(name); ok {
			t.props[name] = tlsProp{key: key, value: v, set: true}
		}
	}
	if !p.bools["sslQuorum"] {
		if p.bools["portUnification"] {
			return p.errorf(ErrUnsupported, "portUnification", p.strs["portUnification"],
				"needs sslQuorum=true in zkfle: it accepts TLS and plaintext and dials with TLS "+
					"(ZooKeeper's first upgrade step, accept TLS but dial plaintext, is not offered)")
		}
		for _, name := range sslQuorumKeys {
			if pr := t.get(name); pr.set {
				p.f.ignored = append(p.f.ignored, pr.key)
			}
		}
		return nil
	}
	o, err := t.options()
	if err != nil {
		return err
	}
	p.s.QuorumTLS = &o
	return nil
}

// options builds and validates the options.
func (t *tlsParser) options() (quorumtls.Options, error) {
	p := t.p
	o := quorumtls.DefaultOptions()
	o.ReloadCertFiles = p.bools["sslQuorumReloadCertFiles"]
	o.PortUnification = p.bools["portUnification"]
	var err error
	if o.KeyStore, err = t.store("keyStore"); err != nil {
		return o, err
	}
	if o.TrustStore, err = t.store("trustStore"); err != nil {
		return o, err
	}
	if pr := t.get(quorumtls.KeyProtocol); pr.value != "" {
		o.Protocol = pr.value
	}
	// Java splits these lists on "," and does not trim the items.
	if pr := t.get(quorumtls.KeyEnabledProtocols); pr.value != "" {
		o.EnabledProtocols = strings.Split(pr.value, ",")
	}
	if pr := t.get(quorumtls.KeyCipherSuites); pr.value != "" {
		o.CipherSuites = strings.Split(pr.value, ",")
	}
	if pr := t.get(quorumtls.KeyClientAuth); pr.set {
		if o.ClientAuth, err = quorumtls.ParseClientAuth(pr.value); err != nil {
			return o, p.errorf(ErrBadValue, pr.key, pr.value, "not need, want or none")
		}
	}
	if o.HostnameVerification, err = t.boolean(quorumtls.KeyHostnameVerification, true); err != nil {
		return o, err
	}
	if o.IdentityCheck, err = t.boolean(quorumtls.KeyIdentityCheck, true); err != nil {
		return o, err
	}
	if pr := t.get(quorumtls.KeyHandshakeDetectionTimeout); pr.set {
		ms, good := parseJavaInt(pr.value)
		switch {
		case !good:
			return o, p.errorf(ErrBadValue, pr.key, pr.value, "not an integer")
		case ms < 1:
			// X509Util's reading of it.
			p.warnf("Invalid value for %s: %d, using the default value of %d", pr.key, ms,
				quorumtls.DefaultHandshakeDetectionTimeout.Milliseconds())
		default:
			o.HandshakeDetectionTimeout = time.Duration(ms) * time.Millisecond
		}
	}
	for _, name := range []string{sslQuorumPrefix + "crl", sslQuorumPrefix + "ocsp"} {
		on, err := t.boolean(name, false)
		if err != nil {
			return o, err
		}
		if on {
			pr := t.get(name)
			return o, p.errorf(ErrUnsupported, pr.key, pr.value, "zkfle does not check certificate revocation (CRL, OCSP), and must not pretend to")
		}
	}
	if pr := t.get(sslQuorumPrefix + "context.supplier.class"); pr.value != "" {
		return o, p.errorf(ErrUnsupported, pr.key, pr.value,
			"a Java SSLContext supplier is not usable by zkfle: give key and trust stores (or embed zkfle with your own *tls.Config)")
	}
	if err := o.Validate(); err != nil {
		return o, t.optionError(err)
	}
	return o, nil
}

// store reads ssl.quorum.<store>.*; its location is required. Relative
// paths are joined to Parse's baseDir when it has one.
func (t *tlsParser) store(store string) (quorumtls.Store, error) {
	prefix := sslQuorumPrefix + store + "."
	var s quorumtls.Store
	loc := t.get(prefix + "location")
	if loc.value == "" {
		return s, t.p.errorf(ErrMissing, prefix+"location", loc.value, "sslQuorum=true needs a %s", map[string]string{
			"keyStore": "key store (this server's key and certificate)", "trustStore": "trust store (the CA certificates peers chain to)"}[store])
	}
	s.Location = t.p.resolve(loc.value)
	s.Password = t.get(prefix + "password").value
	if v := t.get(prefix + "passwordPath").value; v != "" {
		s.PasswordPath = t.p.resolve(v)
	}
	s.Type = t.get(prefix + "type").value
	return s, nil
}

// boolean reads a boolean TLS key. ZooKeeper's Boolean.parseBoolean takes
// anything but "true" as false; a typo must not turn a check off, so
// zkfle refuses it.
func (t *tlsParser) boolean(name string, def bool) (bool, error) {
	pr := t.get(name)
	if !pr.set {
		return def, nil
	}
	b, good := parseJavaBoolean(pr.value)
	if !good {
		return false, t.p.errorf(ErrBadValue, pr.key, pr.value, "not true or false")
	}
	return b, nil
}

// optionError turns quorumtls's *OptionError into an *Error naming the
// key as written in the file, with its value.
func (t *tlsParser) optionError(err error) error {
	var oe *quorumtls.OptionError
	if !errors.As(err, &oe) {
		return t.p.errorf(ErrBadValue, "", "", "%v", err)
	}
	key, value := oe.Key, oe.Value
	if pr := t.get(oe.Key); pr.set {
		key, value = pr.key, pr.value
	}
	sentinel := ErrBadValue
	if strings.Contains(oe.Reason, "not supported") || strings.Contains(oe.Reason, "not offered") {
		sentinel = ErrUnsupported
	}
	return t.p.errorf(sentinel, key, value, "%s", oe.Reason)
}
