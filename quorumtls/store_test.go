package quorumtls_test

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

func ipList(ips ...string) []net.IP {
	var out []net.IP
	for _, s := range ips {
		out = append(out, net.ParseIP(s))
	}
	return out
}

// Every key store format ZooKeeper reads gives back the leaf, its key and
// the chain.
func TestKeyStoreFormatsRoundTrip(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := loopbackLeaf(ca, "server1", "127.0.0.1")
	p12, err := leaf.KeyStorePKCS12("pw-p12")
	require.NoError(t, err)
	jks, err := leaf.KeyStoreJKS("pw-jks-123")
	require.NoError(t, err)
	encPEM, err := leaf.KeyStorePEMEncrypted("pw-pem")
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(leaf.Key.(*ecdsa.PrivateKey))
	require.NoError(t, err)
	sec1PEM := append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), leaf.CertPEM...)

	dir := t.TempDir()
	cases := []struct {
		name  string
		store quorumtls.Store
	}{
		{"PEM PKCS#8", quorumtls.Store{Location: writeFile(t, dir, "plain.pem", leaf.KeyStorePEM())}},
		{"PEM encrypted PKCS#8", quorumtls.Store{Location: writeFile(t, dir, "enc.pem", encPEM), Password: "pw-pem"}},
		{"PEM SEC1 EC key", quorumtls.Store{Location: writeFile(t, dir, "sec1.pem", sec1PEM)}},
		{"PKCS12", quorumtls.Store{Location: writeFile(t, dir, "ks.p12", p12), Password: "pw-p12"}},
		{"JKS", quorumtls.Store{Location: writeFile(t, dir, "ks.jks", jks), Password: "pw-jks-123"}},
		{"type set, any case", quorumtls.Store{Location: writeFile(t, dir, "keystore", p12), Password: "pw-p12", Type: "pkcs12"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert, err := quorumtls.LoadKeyStore(c.store)
			require.NoError(t, err)
			require.NotNil(t, cert.Leaf)
			assert.Equal(t, leaf.Cert.Raw, cert.Leaf.Raw)
			assert.Equal(t, leaf.Cert.Raw, cert.Certificate[0])
			assert.True(t, leaf.Key.(*ecdsa.PrivateKey).Equal(cert.PrivateKey), "the same private key")
		})
	}
	// The PKCS12 and JKS stores also carry the CA certificate.
	for _, s := range []quorumtls.Store{cases[3].store, cases[4].store, cases[0].store} {
		cert, err := quorumtls.LoadKeyStore(s)
		require.NoError(t, err)
		require.Len(t, cert.Certificate, 2, s.Location)
		assert.Equal(t, ca.Cert.Raw, cert.Certificate[1])
	}
}

func TestTrustStoreFormatsRoundTrip(t *testing.T) {
	ca := testcerts.MustCA("ca")
	p12, err := ca.TrustStorePKCS12("tpw")
	require.NoError(t, err)
	jks, err := ca.TrustStoreJKS("tpw-jks-1")
	require.NoError(t, err)
	other := testcerts.MustCA("other")
	dir := t.TempDir()
	for _, s := range []quorumtls.Store{
		{Location: writeFile(t, dir, "t.pem", ca.PEM), Password: "ignored for PEM"},
		{Location: writeFile(t, dir, "t.p12", p12), Password: "tpw"},
		{Location: writeFile(t, dir, "t.jks", jks), Password: "tpw-jks-1"},
	} {
		certs, err := quorumtls.LoadTrustStore(s)
		require.NoError(t, err, s.Location)
		require.Len(t, certs, 1)
		assert.Equal(t, ca.Cert.Raw, certs[0].Raw)
	}
	both := append(append([]byte{}, ca.PEM...), other.PEM...)
	certs, err := quorumtls.LoadTrustStore(quorumtls.Store{Location: writeFile(t, dir, "both.pem", both)})
	require.NoError(t, err)
	assert.Len(t, certs, 2)
}

// The type comes from the extension as ZooKeeper's KeyStoreFileType has
// it: .pem, .p12, .jks, case-sensitive; anything else needs .type.
func TestStoreTypeInference(t *testing.T) {
	ca := testcerts.MustCA("ca")
	dir := t.TempDir()
	pemFile := writeFile(t, dir, "ca.pem", ca.PEM)
	_, err := quorumtls.LoadTrustStore(quorumtls.Store{Location: pemFile})
	require.NoError(t, err)

	for _, name := range []string{"ca.PEM", "ca.pfx", "ca.crt", "ca", "dir.d/ca"} {
		o := quorumtls.DefaultOptions()
		o.KeyStore.Location = pemFile
		o.TrustStore.Location = filepath.Join(dir, name)
		err := o.Validate()
		var oe *quorumtls.OptionError
		require.ErrorAs(t, err, &oe, name)
		assert.Equal(t, "ssl.quorum.trustStore.location", oe.Key)
		assert.Contains(t, err.Error(), "set ssl.quorum.trustStore.type")
		o.TrustStore.Type = "PEM"
		assert.NoError(t, o.Validate(), name)
	}
	// A PEM file read as PKCS12 because of its name is a format error.
	_, err = quorumtls.LoadTrustStore(quorumtls.Store{Location: writeFile(t, dir, "wrong.p12", ca.PEM)})
	assert.ErrorIs(t, err, quorumtls.ErrStoreFormat)
	_, err = quorumtls.LoadTrustStore(quorumtls.Store{Location: writeFile(t, dir, "wrong.jks", ca.PEM)})
	assert.ErrorIs(t, err, quorumtls.ErrStoreFormat)
}

func TestWrongPasswordNamesFileAndKey(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := loopbackLeaf(ca, "s", "127.0.0.1")
	p12, _ := leaf.KeyStorePKCS12("right")
	jks, _ := leaf.KeyStoreJKS("right-one")
	enc, _ := leaf.KeyStorePEMEncrypted("right")
	tp12, _ := ca.TrustStorePKCS12("right")
	tjks, _ := ca.TrustStoreJKS("right-one")
	dir := t.TempDir()
	for _, c := range []struct {
		file string
		data []byte
		pw   string
		key  bool
	}{
		{"ks.p12", p12, "wrong", true}, {"ks.jks", jks, "wrong", true}, {"enc.pem", enc, "wrong", true},
		{"enc2.pem", enc, "", true}, {"ts.p12", tp12, "wrong", false}, {"ts.jks", tjks, "wrong", false},
	} {
		path := writeFile(t, dir, c.file, c.data)
		var err error
		wantKey := "ssl.quorum.trustStore.location"
		if c.key {
			_, err = quorumtls.LoadKeyStore(quorumtls.Store{Location: path, Password: c.pw})
			wantKey = "ssl.quorum.keyStore.location"
		} else {
			_, err = quorumtls.LoadTrustStore(quorumtls.Store{Location: path, Password: c.pw})
		}
		require.ErrorIs(t, err, quorumtls.ErrStorePassword, c.file)
		var se *quorumtls.StoreError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, wantKey, se.Key)
		assert.Equal(t, path, se.File)
		assert.Contains(t, err.Error(), path)
	}
}

func TestMissingFilesNameFileAndKey(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.pem")
	_, err := quorumtls.LoadKeyStore(quorumtls.Store{Location: missing})
	require.ErrorIs(t, err, quorumtls.ErrStoreRead)
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "ssl.quorum.keyStore.location="+missing+": cannot read the key store: no such file or directory", err.Error())

	ca := testcerts.MustCA("ca")
	p12, _ := ca.TrustStorePKCS12("pw")
	_, err = quorumtls.LoadTrustStore(quorumtls.Store{Location: writeFile(t, dir, "t.p12", p12), PasswordPath: filepath.Join(dir, "pwfile")})
	require.ErrorIs(t, err, quorumtls.ErrStoreRead)
	var se *quorumtls.StoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "ssl.quorum.trustStore.passwordPath", se.Key)
	assert.Equal(t, filepath.Join(dir, "pwfile"), se.File)

	// A directory is unreadable as a store.
	_, err = quorumtls.LoadTrustStore(quorumtls.Store{Location: dir, Type: "PEM"})
	require.ErrorIs(t, err, quorumtls.ErrStoreRead)
}

// passwordPath wins over password; one trailing newline is dropped,
// nothing else (SecretUtils.readSecret).
func TestPasswordPath(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := loopbackLeaf(ca, "s", "127.0.0.1")
	p12, _ := leaf.KeyStorePKCS12("sec ret")
	dir := t.TempDir()
	ks := writeFile(t, dir, "ks.p12", p12)

	_, err := quorumtls.LoadKeyStore(quorumtls.Store{Location: ks, Password: "wrong",
		PasswordPath: writeFile(t, dir, "pw1", []byte("sec ret\n"))})
	require.NoError(t, err)
	_, err = quorumtls.LoadKeyStore(quorumtls.Store{Location: ks,
		PasswordPath: writeFile(t, dir, "pw2", []byte("sec ret\n\n"))})
	require.ErrorIs(t, err, quorumtls.ErrStorePassword, "only one newline is dropped")
	_, err = quorumtls.LoadKeyStore(quorumtls.Store{Location: ks,
		PasswordPath: writeFile(t, dir, "pw3", []byte(" sec ret"))})
	require.ErrorIs(t, err, quorumtls.ErrStorePassword, "no trimming")
}

func TestMismatchedKeyRefused(t *testing.T) {
	ca := testcerts.MustCA("ca")
	a := loopbackLeaf(ca, "a", "127.0.0.1")
	b := loopbackLeaf(ca, "b", "127.0.0.1")
	mixed := append(append([]byte{}, a.KeyPEM...), b.CertPEM...)
	path := writeFile(t, t.TempDir(), "mixed.pem", mixed)
	_, err := quorumtls.LoadKeyStore(quorumtls.Store{Location: path})
	require.ErrorIs(t, err, quorumtls.ErrKeyMismatch)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "CN=b")
}

func TestBadPEMKeyStores(t *testing.T) {
	ca := testcerts.MustCA("ca")
	a := loopbackLeaf(ca, "a", "127.0.0.1")
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"certonly.pem": a.CertPEM,
		"keyonly.pem":  a.KeyPEM,
		"empty.pem":    nil,
		"garbage.pem":  []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	} {
		_, err := quorumtls.LoadKeyStore(quorumtls.Store{Location: writeFile(t, dir, name, data)})
		require.ErrorIs(t, err, quorumtls.ErrStoreFormat, name)
		assert.Contains(t, err.Error(), name)
	}
}
