package quorumtls

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"strings"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// jksKeyStore reads a Java key store: its first private key entry (by
// alias, alphabetically), decrypted with the store password as
// ZooKeeper's key manager does, and that entry's chain.
func jksKeyStore(data []byte, password string) (crypto.PrivateKey, []*x509.Certificate, error) {
	ks, err := loadJKS(data, password)
	if err != nil {
		return nil, nil, err
	}
	for _, alias := range ks.Aliases() {
		if !ks.IsPrivateKeyEntry(alias) {
			continue
		}
		e, err := ks.GetPrivateKeyEntry(alias, []byte(password))
		if err != nil {
			return nil, nil, badPassword("entry %q: cannot decrypt the private key with the store password (%v)", alias, err)
		}
		key, err := x509.ParsePKCS8PrivateKey(e.PrivateKey)
		if err != nil {
			return nil, nil, badFormat("entry %q: %v", alias, err)
		}
		var chain []*x509.Certificate
		for i, c := range e.CertificateChain {
			cert, err := x509.ParseCertificate(c.Content)
			if err != nil {
				return nil, nil, badFormat("entry %q, certificate %d: %v", alias, i, err)
			}
			chain = append(chain, cert)
		}
		return key, chain, nil
	}
	return nil, nil, badFormat("no private key entry in the JKS key store")
}

// jksTrustStore reads the trusted certificate entries of a Java key store.
func jksTrustStore(data []byte, password string) ([]*x509.Certificate, error) {
	ks, err := loadJKS(data, password)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, alias := range ks.Aliases() {
		if !ks.IsTrustedCertificateEntry(alias) {
			continue
		}
		e, err := ks.GetTrustedCertificateEntry(alias)
		if err != nil {
			return nil, badFormat("entry %q: %v", alias, err)
		}
		c, err := x509.ParseCertificate(e.Certificate.Content)
		if err != nil {
			return nil, badFormat("entry %q: %v", alias, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func loadJKS(data []byte, password string) (keystore.KeyStore, error) {
	ks := keystore.New(keystore.WithOrderedAliases())
	if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
		if strings.Contains(err.Error(), "invalid digest") {
			return ks, badPassword("the password does not open the JKS store (its integrity check fails)")
		}
		return ks, badFormat("not a JKS store: %v", err)
	}
	return ks, nil
}
