package testcerts

import (
	"bytes"
	"testing"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"
)

// Every store type round-trips to the leaf (key stores) or the CA (trust
// stores); an unknown type is an error naming it.
func TestStoresByType(t *testing.T) {
	ca := MustCA("stores CA")
	leaf := ca.MustIssue(LeafOptions{CommonName: "s1"})
	const pw = "pw"

	pem, err := leaf.KeyStore(TypePEM, pw)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(pem, []byte("-----BEGIN PRIVATE KEY-----")), "ZooKeeper's PEM key store: key first")
	trust, err := ca.TrustStore(TypePEM, pw)
	require.NoError(t, err)
	assert.Equal(t, ca.PEM, trust)

	p12, err := leaf.KeyStore(TypePKCS12, pw)
	require.NoError(t, err)
	_, cert, _, err := pkcs12.DecodeChain(p12, pw)
	require.NoError(t, err)
	assert.Equal(t, leaf.Cert.SerialNumber, cert.SerialNumber)
	p12trust, err := ca.TrustStore(TypePKCS12, pw)
	require.NoError(t, err)
	certs, err := pkcs12.DecodeTrustStore(p12trust, pw)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, ca.Cert.SerialNumber, certs[0].SerialNumber)

	jks, err := leaf.KeyStore(TypeJKS, pw)
	require.NoError(t, err)
	ks := keystore.New()
	require.NoError(t, ks.Load(bytes.NewReader(jks), []byte(pw)))
	entry, err := ks.GetPrivateKeyEntry("server", []byte(pw))
	require.NoError(t, err)
	assert.Equal(t, leaf.Cert.Raw, entry.CertificateChain[0].Content)
	jksTrust, err := ca.TrustStore(TypeJKS, pw)
	require.NoError(t, err)
	require.NoError(t, keystore.New().Load(bytes.NewReader(jksTrust), []byte(pw)))

	_, err = leaf.KeyStore("BCFKS", pw)
	assert.ErrorContains(t, err, `"BCFKS"`)
	_, err = ca.TrustStore("pem", pw)
	assert.ErrorContains(t, err, `"pem"`)
}
