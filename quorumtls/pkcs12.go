package quorumtls

import (
	"crypto"
	"crypto/x509"
	"errors"

	"software.sslmate.com/src/go-pkcs12"
)

// pkcs12KeyStore reads a PKCS#12 key store: one key, its certificate and
// the rest of the chain, all under the store password (ZooKeeper uses it
// for the key entry too).
func pkcs12KeyStore(data []byte, password string) (crypto.PrivateKey, []*x509.Certificate, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, nil, pkcs12Err(err)
	}
	return key, append([]*x509.Certificate{leaf}, cas...), nil
}

// pkcs12TrustStore reads a PKCS#12 trust store: the certificates Java
// marks as trusted (keytool -importcert; openssl pkcs12 -export -jdktrust).
func pkcs12TrustStore(data []byte, password string) ([]*x509.Certificate, error) {
	certs, err := pkcs12.DecodeTrustStore(data, password)
	if err != nil {
		return nil, pkcs12Err(err)
	}
	return certs, nil
}

func pkcs12Err(err error) error {
	if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
		return badPassword("the password does not open the PKCS12 store")
	}
	return badFormat("not a usable PKCS12 store: %v", err)
}
