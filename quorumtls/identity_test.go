package quorumtls_test

import (
	"crypto/x509"
	"net"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

// identityCA issues the certificates of these tests: VerifyIdentity reads
// only the names of a chain the handshake already verified.
var identityCA = testcerts.MustCA("identity-test")

func leafFor(t *testing.T, o testcerts.LeafOptions) *x509.Certificate {
	t.Helper()
	return identityCA.MustIssue(o).Cert
}

// TestVerifyIdentityBindsSIDNamesExactly: a certificate with zkfle:sid
// names proves those sids and no other, whatever hosts the claimed
// server's line names. On a host shared by several members this is what
// tells them apart, so the host must not be consulted as a fallback.
func TestVerifyIdentityBindsSIDNamesExactly(t *testing.T) {
	shared := []string{"127.0.0.1"}
	leaf := leafFor(t, testcerts.LeafOptions{CommonName: "server2", IPs: []net.IP{net.ParseIP("127.0.0.1")}, SIDs: []int64{2}})
	require.NoError(t, quorumtls.VerifyIdentity(leaf, 2, shared))

	err := quorumtls.VerifyIdentity(leaf, 3, shared)
	require.ErrorIs(t, err, quorumtls.ErrIdentity, "server 2's certificate claims sid 3 on the host they share")
	var ie *quorumtls.IdentityError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, int64(3), ie.SID)
	assert.Contains(t, ie.Names, "URI:zkfle:sid:2")
	assert.Equal(t, shared, ie.Hosts)

	multi := leafFor(t, testcerts.LeafOptions{CommonName: "servers", SIDs: []int64{4, 5}})
	assert.NoError(t, quorumtls.VerifyIdentity(multi, 4, []string{"10.0.0.4"}), "a sid name proves the sid whatever its host")
	assert.NoError(t, quorumtls.VerifyIdentity(multi, 5, []string{"10.0.0.5"}))
	assert.ErrorIs(t, quorumtls.VerifyIdentity(multi, 6, []string{"10.0.0.6"}), quorumtls.ErrIdentity)
}

// TestVerifyIdentityByHost: a certificate without sid names proves the
// sids whose server line names a host it is valid for: an IP SAN for an
// IP literal, a DNS SAN for a name (brackets of an IPv6 host ignored).
func TestVerifyIdentityByHost(t *testing.T) {
	leaf := leafFor(t, testcerts.LeafOptions{CommonName: "node2", IPs: []net.IP{net.ParseIP("127.0.0.2"), net.ParseIP("::1")},
		DNSNames: []string{"node2.example"}})
	for _, hosts := range [][]string{{"127.0.0.2"}, {"node2.example"}, {"[::1]"}, {"127.0.0.9", "node2.example"}} {
		assert.NoError(t, quorumtls.VerifyIdentity(leaf, 2, hosts), "hosts %v", hosts)
	}
	for _, hosts := range [][]string{{"127.0.0.3"}, {"node3.example"}, {}, {""}} {
		assert.ErrorIs(t, quorumtls.VerifyIdentity(leaf, 3, hosts), quorumtls.ErrIdentity, "hosts %v", hosts)
	}
	assert.ErrorIs(t, quorumtls.VerifyIdentity(nil, 2, []string{"127.0.0.2"}), quorumtls.ErrIdentity, "no certificate")
}

// TestVerifyIdentityWildcardHostProvesNothing: a server line that binds
// the wildcard address names no host, so even a certificate valid for
// 0.0.0.0 or :: proves nothing by it.
func TestVerifyIdentityWildcardHostProvesNothing(t *testing.T) {
	leaf := leafFor(t, testcerts.LeafOptions{CommonName: "any", IPs: []net.IP{net.IPv4zero, net.IPv6unspecified}})
	for _, host := range []string{"0.0.0.0", "::", "[::]"} {
		assert.ErrorIs(t, quorumtls.VerifyIdentity(leaf, 1, []string{host}), quorumtls.ErrIdentity, host)
	}
}

// TestVerifyIdentityOnlyZkfleSchemeNamesSIDs: a URI SAN of another scheme
// that happens to read "sid:N" names nothing; the certificate is then
// bound by host like any other.
func TestVerifyIdentityOnlyZkfleSchemeNamesSIDs(t *testing.T) {
	other := &url.URL{Scheme: "spiffe", Opaque: "sid:3"}
	leaf := &x509.Certificate{URIs: []*url.URL{other}, IPAddresses: []net.IP{net.ParseIP("127.0.0.2")}}
	assert.Empty(t, quorumtls.CertSIDs(leaf))
	assert.ErrorIs(t, quorumtls.VerifyIdentity(leaf, 3, []string{"127.0.0.3"}), quorumtls.ErrIdentity)
	assert.NoError(t, quorumtls.VerifyIdentity(leaf, 2, []string{"127.0.0.2"}), "bound by its IP SAN instead")

	upper := &x509.Certificate{URIs: []*url.URL{{Scheme: "ZKFLE", Opaque: "sid:7"}}}
	assert.Equal(t, []int64{7}, quorumtls.CertSIDs(upper), "the scheme is case-insensitive")
}
