package zoocfg

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/quorumtls"
)

// tlsBase turns TLS on with PEM stores.
const tlsBase = base + "sslQuorum=true\nssl.quorum.keyStore.location=/etc/zk/tls/server.pem\n" +
	"ssl.quorum.trustStore.location=/etc/zk/tls/ca.pem\n"

// Without sslQuorum there are no TLS settings; the ssl.quorum.* keys are
// listed as ignored.
func TestQuorumTLSOffByDefault(t *testing.T) {
	f := mustParse(t, base+ensemble3)
	assert.Nil(t, f.Settings().QuorumTLS)

	f = mustParse(t, base+"ssl.quorum.keyStore.location=/k.pem\nsslQuorum=false\n"+ensemble3)
	assert.Nil(t, f.Settings().QuorumTLS)
	assert.Contains(t, f.Ignored(), "ssl.quorum.keyStore.location")
	assert.Empty(t, f.Unknown())
}

// sslQuorum=true with only the stores gives ZooKeeper's defaults.
func TestQuorumTLSDefaults(t *testing.T) {
	f := mustParse(t, tlsBase+ensemble3)
	want := quorumtls.DefaultOptions()
	want.KeyStore.Location = "/etc/zk/tls/server.pem"
	want.TrustStore.Location = "/etc/zk/tls/ca.pem"
	require.NotNil(t, f.Settings().QuorumTLS)
	assert.Equal(t, want, *f.Settings().QuorumTLS)
	assert.Empty(t, f.Unknown())
	assert.Empty(t, f.Ignored())
}

// Every key, by its zoo.cfg name and by the system-property name.
func TestQuorumTLSAllKeys(t *testing.T) {
	keys := map[string]string{
		"ssl.quorum.keyStore.location":               "tls/server.p12",
		"ssl.quorum.keyStore.password":               "kpw",
		"ssl.quorum.keyStore.passwordPath":           "tls/kpw.txt",
		"ssl.quorum.keyStore.type":                   "pkcs12",
		"ssl.quorum.trustStore.location":             "/tls/trust.jks",
		"ssl.quorum.trustStore.password":             "tpw",
		"ssl.quorum.trustStore.passwordPath":         "/tls/tpw.txt",
		"ssl.quorum.trustStore.type":                 "JKS",
		"ssl.quorum.hostnameVerification":            "false",
		"ssl.quorum.protocol":                        "TLS",
		"ssl.quorum.enabledProtocols":                "TLSv1.3,TLSv1.2",
		"ssl.quorum.ciphersuites":                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256",
		"ssl.quorum.clientAuth":                      "WANT",
		"ssl.quorum.handshakeDetectionTimeoutMillis": "1000",
		"ssl.quorum.crl":                             "false",
		"ssl.quorum.ocsp":                            "false",
		"zkfle.sslQuorum.identityCheck":              "false",
	}
	want := quorumtls.Options{
		KeyStore:                  quorumtls.Store{Location: "/srv/zk/tls/server.p12", Password: "kpw", PasswordPath: "/srv/zk/tls/kpw.txt", Type: "pkcs12"},
		TrustStore:                quorumtls.Store{Location: "/tls/trust.jks", Password: "tpw", PasswordPath: "/tls/tpw.txt", Type: "JKS"},
		HostnameVerification:      false,
		Protocol:                  "TLS",
		EnabledProtocols:          []string{"TLSv1.3", "TLSv1.2"},
		CipherSuites:              []string{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"},
		ClientAuth:                quorumtls.ClientAuthWant,
		ReloadCertFiles:           true,
		PortUnification:           true,
		HandshakeDetectionTimeout: time.Second,
		IdentityCheck:             false,
	}
	for _, prefix := range []string{"", "zookeeper."} {
		var b strings.Builder
		b.WriteString(base + "sslQuorum=true\nsslQuorumReloadCertFiles=true\nportUnification=true\n")
		for k, v := range keys {
			b.WriteString(prefix + k + "=" + v + "\n")
		}
		f, err := Parse(strings.NewReader(b.String()+ensemble3), "/srv/zk")
		require.NoError(t, err, prefix)
		require.NotNil(t, f.Settings().QuorumTLS)
		assert.Equal(t, want, *f.Settings().QuorumTLS, prefix)
		assert.Empty(t, f.Unknown())
		warnings := strings.Join(f.Warnings(), "\n")
		if prefix == "" {
			assert.NotContains(t, warnings, "ssl.quorum")
		} else {
			assert.Contains(t, warnings, "zookeeper.ssl.quorum.clientAuth: ZooKeeper ignores it in zoo.cfg")
			assert.NotContains(t, warnings, "zookeeper.zkfle.sslQuorum.identityCheck", "zkfle's own key: no warning")
		}
	}
	// The zoo.cfg name wins over the prefixed one, as in ZooKeeper.
	f := mustParse(t, tlsBase+"ssl.quorum.clientAuth=none\nzookeeper.ssl.quorum.clientAuth=want\n"+ensemble3)
	assert.Equal(t, quorumtls.ClientAuthNone, f.Settings().QuorumTLS.ClientAuth)
	assert.Contains(t, strings.Join(f.Warnings(), "\n"), "zookeeper.ssl.quorum.clientAuth is overridden by ssl.quorum.clientAuth")
}

// Every bad TLS value is an *Error naming the key as written, with its
// value.
func TestQuorumTLSErrors(t *testing.T) {
	tests := []struct {
		name, zooCfg, key, value string
		sentinel                 error
		message                  string
	}{
		{"no trust store", base + "sslQuorum=true\nssl.quorum.keyStore.location=/k.pem\n", "ssl.quorum.trustStore.location", "", ErrMissing, "needs a trust store"},
		{"sslQuorum not boolean", base + "sslQuorum=yes\n", "sslQuorum", "yes", ErrBadValue, "not true or false"},
		{"reload not boolean", tlsBase + "sslQuorumReloadCertFiles=1\n", "sslQuorumReloadCertFiles", "1", ErrBadValue, "not true or false"},
		{"portUnification without sslQuorum", base + "portUnification=true\n", "portUnification", "true", ErrUnsupported, "needs sslQuorum=true"},
		{"store type", tlsBase + "ssl.quorum.trustStore.type=DER\n", "ssl.quorum.trustStore.type", "DER", ErrBadValue, "not PEM, PKCS12 or JKS"},
		{"BCFKS", tlsBase + "ssl.quorum.keyStore.type=BCFKS\n", "ssl.quorum.keyStore.type", "BCFKS", ErrUnsupported, "not supported"},
		{"extension", base + "sslQuorum=true\nssl.quorum.keyStore.location=/k.pfx\nssl.quorum.trustStore.location=/t.pem\n", "ssl.quorum.keyStore.location", "/k.pfx", ErrBadValue, "set ssl.quorum.keyStore.type"},
		{"hostname verification", tlsBase + "ssl.quorum.hostnameVerification=no\n", "ssl.quorum.hostnameVerification", "no", ErrBadValue, "not true or false"},
		{"identity check", tlsBase + "zkfle.sslQuorum.identityCheck=off\n", "zkfle.sslQuorum.identityCheck", "off", ErrBadValue, "not true or false"},
		{"prefixed identity check", tlsBase + "zookeeper.zkfle.sslQuorum.identityCheck=0\n", "zookeeper.zkfle.sslQuorum.identityCheck", "0", ErrBadValue, "not true or false"},
		{"client auth", tlsBase + "ssl.quorum.clientAuth=required\n", "ssl.quorum.clientAuth", "required", ErrBadValue, "not need, want or none"},
		{"prefixed client auth", tlsBase + "zookeeper.ssl.quorum.clientAuth=maybe\n", "zookeeper.ssl.quorum.clientAuth", "maybe", ErrBadValue, "not need, want or none"},
		{"protocol", tlsBase + "ssl.quorum.protocol=TLSv1.4\n", "ssl.quorum.protocol", "TLSv1.4", ErrBadValue, "not a protocol name"},
		{"old protocol", tlsBase + "ssl.quorum.protocol=TLSv1.1\n", "ssl.quorum.protocol", "TLSv1.1", ErrUnsupported, "TLS 1.2 and 1.3 only"},
		{"enabled protocols blank", tlsBase + "ssl.quorum.enabledProtocols=TLSv1.2, TLSv1.3\n", "ssl.quorum.enabledProtocols", "TLSv1.2, TLSv1.3", ErrBadValue, "Java does not trim"},
		{"cipher suite", tlsBase + "ssl.quorum.ciphersuites=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\n", "ssl.quorum.ciphersuites", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", ErrBadValue, "not a cipher suite Go's crypto/tls implements"},
		{"detection timeout", tlsBase + "ssl.quorum.handshakeDetectionTimeoutMillis=5s\n", "ssl.quorum.handshakeDetectionTimeoutMillis", "5s", ErrBadValue, "not an integer"},
		{"crl", tlsBase + "ssl.quorum.crl=true\n", "ssl.quorum.crl", "true", ErrUnsupported, "revocation"},
		{"ocsp typo", tlsBase + "ssl.quorum.ocsp=ja\n", "ssl.quorum.ocsp", "ja", ErrBadValue, "not true or false"},
		{"context supplier", tlsBase + "ssl.quorum.context.supplier.class=com.example.Ctx\n", "ssl.quorum.context.supplier.class", "com.example.Ctx", ErrUnsupported, "Java SSLContext supplier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.zooCfg+ensemble3)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%T: %v", err, err)
			assert.Equal(t, tt.key, e.Key)
			assert.Equal(t, tt.value, e.Value)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Contains(t, err.Error(), tt.message)
			assert.Contains(t, err.Error(), tt.key+"="+strconv.Quote(tt.value)+": ")
		})
	}
}

// A handshake detection timeout below 1 ms is ZooKeeper's warning and
// default; SASL is still refused.
func TestQuorumTLSWarningsAndSASL(t *testing.T) {
	f := mustParse(t, tlsBase+"ssl.quorum.handshakeDetectionTimeoutMillis=0\n"+ensemble3)
	assert.Equal(t, quorumtls.DefaultHandshakeDetectionTimeout, f.Settings().QuorumTLS.HandshakeDetectionTimeout)
	assert.Contains(t, strings.Join(f.Warnings(), "\n"), "Invalid value for ssl.quorum.handshakeDetectionTimeoutMillis: 0")

	_, err := parse(t, tlsBase+"quorum.auth.enableSasl=true\n"+ensemble3)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "quorum.auth.enableSasl")
}

// Relative store paths stay relative to the working directory under Load,
// as in Java (and as dataDir).
func TestQuorumTLSRelativePaths(t *testing.T) {
	dir := writeFiles(t, map[string]string{"conf/zoo.cfg": base + "sslQuorum=true\nssl.quorum.keyStore.location=tls/k.pem\n" +
		"ssl.quorum.trustStore.location=/abs/t.pem\n" + ensemble3})
	f, err := Load(filepath.Join(dir, "conf/zoo.cfg"))
	require.NoError(t, err)
	o := f.Settings().QuorumTLS
	require.NotNil(t, o)
	assert.Equal(t, "/abs/t.pem", o.TrustStore.Location)
	assert.Equal(t, "tls/k.pem", o.KeyStore.Location)
}
