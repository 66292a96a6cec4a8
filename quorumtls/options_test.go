package quorumtls_test

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

func TestDefaultOptionsAreZooKeepers(t *testing.T) {
	o := quorumtls.DefaultOptions()
	assert.True(t, o.HostnameVerification)
	assert.Equal(t, "TLSv1.2", o.Protocol)
	assert.Nil(t, o.EnabledProtocols)
	assert.Nil(t, o.CipherSuites)
	assert.Equal(t, quorumtls.ClientAuthNeed, o.ClientAuth)
	assert.False(t, o.ReloadCertFiles)
	assert.False(t, o.PortUnification)
	assert.True(t, o.IdentityCheck)
	assert.Equal(t, 5*time.Second, o.HandshakeDetectionTimeout)
}

func TestParseClientAuth(t *testing.T) {
	for in, want := range map[string]quorumtls.ClientAuth{"": "need", "NEED": "need", "Want": "want", "none": "none"} {
		got, err := quorumtls.ParseClientAuth(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := quorumtls.ParseClientAuth("required")
	var oe *quorumtls.OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, &quorumtls.OptionError{Key: "ssl.quorum.clientAuth", Value: "required", Reason: "not need, want or none"}, oe)
}

// Each bad setting is an *OptionError naming ZooKeeper's key.
func TestValidateNamesTheKey(t *testing.T) {
	base := quorumtls.DefaultOptions()
	base.KeyStore.Location, base.TrustStore.Location = "/k.pem", "/t.pem"
	require.NoError(t, base.Validate())
	cases := []struct {
		name string
		edit func(o *quorumtls.Options)
		key  string
	}{
		{"no key store", func(o *quorumtls.Options) { o.KeyStore.Location = "" }, "ssl.quorum.keyStore.location"},
		{"no trust store", func(o *quorumtls.Options) { o.TrustStore.Location = "" }, "ssl.quorum.trustStore.location"},
		{"bad type", func(o *quorumtls.Options) { o.KeyStore.Type = "PKCS11" }, "ssl.quorum.keyStore.type"},
		{"BCFKS", func(o *quorumtls.Options) { o.TrustStore.Type = "bcfks" }, "ssl.quorum.trustStore.type"},
		{"protocol", func(o *quorumtls.Options) { o.Protocol = "TLSv1.4" }, "ssl.quorum.protocol"},
		{"old protocol", func(o *quorumtls.Options) { o.Protocol = "TLSv1.1" }, "ssl.quorum.protocol"},
		{"enabled", func(o *quorumtls.Options) { o.EnabledProtocols = []string{"TLSv1.2", "TLSv1"} }, "ssl.quorum.enabledProtocols"},
		{"enabled blank", func(o *quorumtls.Options) { o.EnabledProtocols = []string{"TLSv1.2", " TLSv1.3"} }, "ssl.quorum.enabledProtocols"},
		{"enabled TLS", func(o *quorumtls.Options) { o.EnabledProtocols = []string{"TLS"} }, "ssl.quorum.enabledProtocols"},
		{"suite", func(o *quorumtls.Options) {
			o.CipherSuites = []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}
		}, "ssl.quorum.ciphersuites"},
		{"1.3 suites, 1.2 only", func(o *quorumtls.Options) { o.CipherSuites = []string{"TLS_AES_128_GCM_SHA256"} }, "ssl.quorum.ciphersuites"},
		{"client auth", func(o *quorumtls.Options) { o.ClientAuth = "maybe" }, "ssl.quorum.clientAuth"},
		{"detection timeout", func(o *quorumtls.Options) { o.HandshakeDetectionTimeout = -time.Second }, "ssl.quorum.handshakeDetectionTimeoutMillis"},
	}
	for _, c := range cases {
		o := base
		c.edit(&o)
		err := o.Validate()
		var oe *quorumtls.OptionError
		require.ErrorAs(t, err, &oe, c.name)
		assert.Equal(t, c.key, oe.Key, c.name)
		assert.Contains(t, err.Error(), c.key+"=", c.name)
	}
}

// The versions and TLS 1.2 suites the configs offer, by setting.
func TestProtocolAndSuiteMapping(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := loopbackLeaf(ca, "s", "127.0.0.1")
	cases := []struct {
		name     string
		edit     func(o *quorumtls.Options)
		min, max uint16
		suites   []uint16
	}{
		{"defaults: TLS 1.2 and ZooKeeper's suites", func(o *quorumtls.Options) {}, tls.VersionTLS12, tls.VersionTLS12, []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}},
		{"protocol TLS", func(o *quorumtls.Options) { o.Protocol = "TLS" }, tls.VersionTLS12, tls.VersionTLS13, nil},
		{"protocol TLSv1.3", func(o *quorumtls.Options) { o.Protocol = "TLSv1.3" }, tls.VersionTLS13, tls.VersionTLS13, nil},
		{"enabled both", func(o *quorumtls.Options) { o.EnabledProtocols = []string{"TLSv1.3", "TLSv1.2"} }, tls.VersionTLS12, tls.VersionTLS13, nil},
		{"explicit suites, insecure one allowed", func(o *quorumtls.Options) {
			o.CipherSuites = []string{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_AES_128_GCM_SHA256"}
		}, tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}},
		{"only TLS 1.3 suites with both versions: TLS 1.3 only", func(o *quorumtls.Options) {
			o.Protocol = "TLS"
			o.CipherSuites = []string{"TLS_AES_256_GCM_SHA384"}
		}, tls.VersionTLS13, tls.VersionTLS13, []uint16{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := pemOptions(t, leaf, ca)
			c.edit(&o)
			s := load(t, o, nil)
			for _, cfg := range []*tls.Config{s.ServerConfig(), s.ClientConfig()} {
				assert.Equal(t, c.min, cfg.MinVersion)
				assert.Equal(t, c.max, cfg.MaxVersion)
				if c.suites != nil {
					assert.ElementsMatch(t, c.suites, cfg.CipherSuites)
				}
			}
		})
	}
}
