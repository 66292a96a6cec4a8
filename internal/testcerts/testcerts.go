// Package testcerts makes certificate authorities and certificates for
// tests, in memory, with crypto/x509: nothing that expires is checked in.
// Keys are ECDSA P-256 (quick to make; Java 17 reads them from PEM, PKCS12
// and JKS alike).
package testcerts

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/youmark/pkcs8"
	"github.com/zkfle/zkfle/quorumtls"
	"software.sslmate.com/src/go-pkcs12"
)

// CA is a certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// PEM is the CA certificate, PEM-encoded: a trust store.
	PEM []byte
}

// NewCA makes a self-signed CA named name, valid from an hour ago for a day.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"zkfle tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, PEM: pemBlock("CERTIFICATE", der)}, nil
}

// Pool is a cert pool holding the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// LeafOptions says what a leaf certificate names and when it is valid.
type LeafOptions struct {
	CommonName string
	IPs        []net.IP
	DNSNames   []string
	// SIDs become URI SANs zkfle:sid:N (quorumtls.SIDURI).
	SIDs []int64
	// NotBefore and NotAfter default to an hour ago and a day from now.
	NotBefore, NotAfter time.Time
}

// Leaf is an issued certificate and its key.
type Leaf struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	// KeyPEM is the key in PKCS#8 ("PRIVATE KEY"), as ZooKeeper's PEM
	// reader wants it.
	KeyPEM []byte
	// Chain is the leaf then its CA's certificate.
	Chain []*x509.Certificate
}

// Issue signs a leaf for both TLS server and client use (ZooKeeper's quorum
// peers are both).
func (ca *CA) Issue(o LeafOptions) (*Leaf, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: o.CommonName, Organization: []string{"zkfle tests"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  o.IPs,
		DNSNames:     o.DNSNames,
	}
	for _, sid := range o.SIDs {
		tmpl.URIs = append(tmpl.URIs, quorumtls.SIDURI(sid))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Leaf{Cert: cert, Key: key, CertPEM: pemBlock("CERTIFICATE", der),
		KeyPEM: pemBlock("PRIVATE KEY", p8), Chain: []*x509.Certificate{cert, ca.Cert}}, nil
}

// TLS is the leaf as a tls.Certificate (leaf then CA).
func (l *Leaf) TLS() tls.Certificate {
	c := tls.Certificate{PrivateKey: l.Key, Leaf: l.Cert}
	for _, x := range l.Chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// KeyStorePEM is ZooKeeper's PEM key store: the key, then the certificate
// chain, in one file.
func (l *Leaf) KeyStorePEM() []byte {
	var b bytes.Buffer
	b.Write(l.KeyPEM)
	b.Write(l.CertPEM)
	for _, x := range l.Chain[1:] {
		b.Write(pemBlock("CERTIFICATE", x.Raw))
	}
	return b.Bytes()
}

// KeyStorePEMEncrypted is KeyStorePEM with the key encrypted with
// password ("ENCRYPTED PRIVATE KEY", PKCS#8 with PBES2, as
// openssl pkcs8 -topk8 -v2 aes-256-cbc writes it).
func (l *Leaf) KeyStorePEMEncrypted(password string) ([]byte, error) {
	der, err := pkcs8.MarshalPrivateKey(l.Key, []byte(password), nil)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(pemBlock("ENCRYPTED PRIVATE KEY", der))
	for _, x := range l.Chain {
		b.Write(pemBlock("CERTIFICATE", x.Raw))
	}
	return b.Bytes(), nil
}

// KeyStorePKCS12 is the leaf, its key and chain in a PKCS#12 file
// protected by password.
func (l *Leaf) KeyStorePKCS12(password string) ([]byte, error) {
	return pkcs12.Modern.Encode(l.Key, l.Cert, l.Chain[1:], password)
}

// KeyStoreJKS is the leaf, its key and chain in a Java key store (JKS)
// protected by password.
func (l *Leaf) KeyStoreJKS(password string) ([]byte, error) {
	p8, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		return nil, err
	}
	ks := keystore.New()
	entry := keystore.PrivateKeyEntry{CreationTime: time.Now(), PrivateKey: p8}
	for _, x := range l.Chain {
		entry.CertificateChain = append(entry.CertificateChain, keystore.Certificate{Type: "X509", Content: x.Raw})
	}
	if err := ks.SetPrivateKeyEntry("server", entry, []byte(password)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := ks.Store(&b, []byte(password)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TrustStorePKCS12 is the CA certificate in a PKCS#12 trust store.
func (ca *CA) TrustStorePKCS12(password string) ([]byte, error) {
	return pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{ca.Cert}, password)
}

// TrustStoreJKS is the CA certificate in a JKS trust store.
func (ca *CA) TrustStoreJKS(password string) ([]byte, error) {
	ks := keystore.New()
	err := ks.SetTrustedCertificateEntry("ca", keystore.TrustedCertificateEntry{
		CreationTime: time.Now(), Certificate: keystore.Certificate{Type: "X509", Content: ca.Cert.Raw}})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := ks.Store(&b, []byte(password)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MustCA and MustIssue are NewCA and Issue for tests that cannot go on
// without them.
func MustCA(name string) *CA {
	ca, err := NewCA(name)
	if err != nil {
		panic(fmt.Sprintf("testcerts: %v", err))
	}
	return ca
}

// MustIssue is Issue, panicking on error.
func (ca *CA) MustIssue(o LeafOptions) *Leaf {
	l, err := ca.Issue(o)
	if err != nil {
		panic(fmt.Sprintf("testcerts: %v", err))
	}
	return l
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n
}
