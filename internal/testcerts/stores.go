package testcerts

import "fmt"

// Store types, as ZooKeeper's ssl.quorum.keyStore.type names them.
const (
	TypePEM    = "PEM"
	TypePKCS12 = "PKCS12"
	TypeJKS    = "JKS"
)

// KeyStore is the leaf's key store in format typ (TypePEM, TypePKCS12 or
// TypeJKS). A PEM key store is not encrypted and ignores password.
func (l *Leaf) KeyStore(typ, password string) ([]byte, error) {
	switch typ {
	case TypePEM:
		return l.KeyStorePEM(), nil
	case TypePKCS12:
		return l.KeyStorePKCS12(password)
	case TypeJKS:
		return l.KeyStoreJKS(password)
	}
	return nil, fmt.Errorf("testcerts: unknown key store type %q (want PEM, PKCS12 or JKS)", typ)
}

// TrustStore is the CA's trust store in format typ (TypePEM, TypePKCS12
// or TypeJKS). A PEM trust store ignores password.
func (ca *CA) TrustStore(typ, password string) ([]byte, error) {
	switch typ {
	case TypePEM:
		return append([]byte(nil), ca.PEM...), nil
	case TypePKCS12:
		return ca.TrustStorePKCS12(password)
	case TypeJKS:
		return ca.TrustStoreJKS(password)
	}
	return nil, fmt.Errorf("testcerts: unknown trust store type %q (want PEM, PKCS12 or JKS)", typ)
}
