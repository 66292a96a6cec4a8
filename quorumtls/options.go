package quorumtls

import (
	"fmt"
	"strings"
	"time"
)

// ZooKeeper's names for the settings, as written in zoo.cfg (ZooKeeper
// exports them as the system properties "zookeeper."+key). Errors name the
// setting by these.
const (
	KeySSLQuorum                 = "sslQuorum"
	KeyReloadCertFiles           = "sslQuorumReloadCertFiles"
	KeyPortUnification           = "portUnification"
	KeyProtocol                  = "ssl.quorum.protocol"
	KeyEnabledProtocols          = "ssl.quorum.enabledProtocols"
	KeyCipherSuites              = "ssl.quorum.ciphersuites"
	KeyClientAuth                = "ssl.quorum.clientAuth"
	KeyHostnameVerification      = "ssl.quorum.hostnameVerification"
	KeyHandshakeDetectionTimeout = "ssl.quorum.handshakeDetectionTimeoutMillis"
	// KeyIdentityCheck is zkfle's own (ZooKeeper binds no sid to a
	// certificate): see Options.IdentityCheck.
	KeyIdentityCheck = "zkfle.sslQuorum.identityCheck"

	keyStorePrefix   = "ssl.quorum.keyStore"
	trustStorePrefix = "ssl.quorum.trustStore"
)

// Store is one key or trust store: ZooKeeper's ssl.quorum.keyStore.* or
// ssl.quorum.trustStore.* keys.
type Store struct {
	// Location is the file (.location). Relative paths are taken from the
	// working directory, as Java does.
	Location string
	// Password is .password; PasswordPath (.passwordPath) names a file
	// holding it instead, and wins when both are set (ZooKeeper reads the
	// file as UTF-8 and drops one trailing newline, nothing else).
	Password, PasswordPath string
	// Type is .type: PEM, PKCS12 or JKS (any case). Empty means inferred
	// from Location's extension as ZooKeeper does: .pem, .p12, .jks, case
	// sensitive (.pfx, .crt and .key are not recognised there either).
	Type string
}

// ClientAuth is ssl.quorum.clientAuth: whether the accepting side asks
// for, and requires, the dialling peer's certificate.
type ClientAuth string

// The values of ssl.quorum.clientAuth (case does not matter in zoo.cfg).
const (
	// ClientAuthNeed requires a certificate the trust store verifies
	// (ZooKeeper's default).
	ClientAuthNeed ClientAuth = "need"
	// ClientAuthWant verifies a certificate if the peer sends one.
	ClientAuthWant ClientAuth = "want"
	// ClientAuthNone asks for none.
	ClientAuthNone ClientAuth = "none"
)

// ParseClientAuth reads ssl.quorum.clientAuth as ZooKeeper does: empty is
// need, otherwise need, want or none in any case.
func ParseClientAuth(v string) (ClientAuth, error) {
	switch c := ClientAuth(strings.ToLower(v)); c {
	case "":
		return ClientAuthNeed, nil
	case ClientAuthNeed, ClientAuthWant, ClientAuthNone:
		return c, nil
	}
	return "", &OptionError{Key: KeyClientAuth, Value: v, Reason: "not need, want or none"}
}

// Options are ZooKeeper 3.8's ssl.quorum.* settings (and zkfle's
// identity check), typed. DefaultOptions gives ZooKeeper's defaults; a
// zero Options is not valid (it has no stores).
type Options struct {
	// KeyStore holds this server's private key and certificate chain.
	KeyStore Store
	// TrustStore holds the certificate authorities peers' certificates
	// must chain to.
	TrustStore Store
	// HostnameVerification is ssl.quorum.hostnameVerification (default
	// true): the certificate of a server we dial must be valid for the
	// host of its server line, and, on the accepting side, a peer's
	// certificate for the address it connects from (package actors does
	// that check: QuorumTLS.VerifyClientAddress).
	HostnameVerification bool
	// Protocol is ssl.quorum.protocol (default TLSv1.2): TLSv1.2, TLSv1.3,
	// or TLS meaning both.
	Protocol string
	// EnabledProtocols is ssl.quorum.enabledProtocols; nil means
	// [Protocol], as in ZooKeeper.
	EnabledProtocols []string
	// CipherSuites is ssl.quorum.ciphersuites, IANA names as Java writes
	// them; nil means ZooKeeper 3.8's defaults (see DefaultCipherSuites).
	// TLS 1.3 suites (TLS_AES_*, TLS_CHACHA20_*) are accepted, but Go does
	// not let them be chosen: TLS 1.3 always offers all three.
	CipherSuites []string
	// ClientAuth is ssl.quorum.clientAuth (default need).
	ClientAuth ClientAuth
	// ReloadCertFiles is sslQuorumReloadCertFiles (default false): pick
	// up changed key and trust store files without a restart.
	ReloadCertFiles bool
	// PortUnification is portUnification (default false): also accept
	// plaintext peers, for a rolling upgrade.
	PortUnification bool
	// HandshakeDetectionTimeout is
	// ssl.quorum.handshakeDetectionTimeoutMillis (default 5 s): with
	// PortUnification, how long to wait for a connection's first bytes
	// before taking it for plaintext.
	HandshakeDetectionTimeout time.Duration
	// IdentityCheck is zkfle.sslQuorum.identityCheck (default true): a
	// peer's certificate must prove the sid it claims (VerifyIdentity).
	IdentityCheck bool
}

// DefaultOptions are ZooKeeper 3.8's defaults, plus zkfle's identity
// check; the stores are left to fill in.
func DefaultOptions() Options {
	return Options{
		HostnameVerification:      true,
		Protocol:                  DefaultProtocol,
		ClientAuth:                ClientAuthNeed,
		HandshakeDetectionTimeout: DefaultHandshakeDetectionTimeout,
		IdentityCheck:             true,
	}
}

// DefaultHandshakeDetectionTimeout is ZooKeeper's
// DEFAULT_HANDSHAKE_DETECTION_TIMEOUT_MILLIS.
const DefaultHandshakeDetectionTimeout = 5 * time.Second

// OptionError is a bad setting: the ZooKeeper key, its value, and why.
type OptionError struct {
	// Key is ZooKeeper's name for the setting (one of the Key* constants,
	// or ssl.quorum.keyStore.* / ssl.quorum.trustStore.*).
	Key string
	// Value is the value as given.
	Value string
	// Reason says what is wrong.
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.Key, e.Value, e.Reason)
}

// Validate checks every setting and returns the first bad one as an
// *OptionError. The files are not read (Load does that).
func (o Options) Validate() error {
	if _, err := o.KeyStore.resolvedType(keyStorePrefix); err != nil {
		return err
	}
	if _, err := o.TrustStore.resolvedType(trustStorePrefix); err != nil {
		return err
	}
	if _, err := ParseClientAuth(string(o.ClientAuth)); err != nil {
		return err
	}
	if o.HandshakeDetectionTimeout < 0 {
		return &OptionError{Key: KeyHandshakeDetectionTimeout, Value: o.HandshakeDetectionTimeout.String(), Reason: "must not be negative"}
	}
	_, err := o.tlsParams()
	return err
}

// resolvedType is the store's type: as set, or from the file name.
func (s Store) resolvedType(prefix string) (storeType, error) {
	if s.Location == "" {
		return "", &OptionError{Key: prefix + ".location", Reason: "not set: sslQuorum needs a key store and a trust store"}
	}
	if s.Type != "" {
		t := storeType(strings.ToUpper(s.Type))
		switch t {
		case typePEM, typePKCS12, typeJKS:
			return t, nil
		case "BCFKS":
			return "", &OptionError{Key: prefix + ".type", Value: s.Type, Reason: "BCFKS (Bouncy Castle) stores are not supported: use PEM, PKCS12 or JKS"}
		}
		return "", &OptionError{Key: prefix + ".type", Value: s.Type, Reason: "not PEM, PKCS12 or JKS"}
	}
	// KeyStoreFileType.fromFileName: the text after the last '.',
	// compared case-sensitively.
	i := strings.LastIndexByte(s.Location, '.')
	switch ext := s.Location[i+1:]; {
	case i < 0:
	case ext == "pem":
		return typePEM, nil
	case ext == "p12":
		return typePKCS12, nil
	case ext == "jks":
		return typeJKS, nil
	}
	return "", &OptionError{Key: prefix + ".location", Value: s.Location,
		Reason: "cannot tell the store type from the file name (.pem, .p12 or .jks): set " + prefix + ".type"}
}
