package quorumtls

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"

	"github.com/youmark/pkcs8"
)

// pemKeyStore reads ZooKeeper's PEM key store: one file with the private
// key (PKCS#8, encrypted with the store password when one is set) and the
// certificate chain, leaf first. PKCS#1 ("RSA PRIVATE KEY") and SEC 1
// ("EC PRIVATE KEY") keys are read too, which ZooKeeper's reader refuses;
// a key left unencrypted despite a password is accepted.
func pemKeyStore(data []byte, password string) (crypto.PrivateKey, []*x509.Certificate, error) {
	certs, keyBlock, err := pemBlocks(data)
	if err != nil {
		return nil, nil, err
	}
	if keyBlock == nil {
		return nil, certs, badFormat("no PRIVATE KEY block in the PEM key store")
	}
	key, err := pemKey(keyBlock, password)
	return key, certs, err
}

// pemTrustStore reads a PEM trust store: every certificate in the file.
// The trust store password is not used, as in ZooKeeper.
func pemTrustStore(data []byte) ([]*x509.Certificate, error) {
	certs, _, err := pemBlocks(data)
	return certs, err
}

// pemBlocks parses the certificates of a PEM file (blocks whose type
// ends in CERTIFICATE, as ZooKeeper's PemReader matches them) and finds
// its first private key block.
func pemBlocks(data []byte) ([]*x509.Certificate, *pem.Block, error) {
	var (
		certs []*x509.Certificate
		key   *pem.Block
		n     int
	)
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		n++
		typ := strings.ToUpper(b.Type)
		switch {
		case strings.HasSuffix(typ, "CERTIFICATE"):
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, badFormat("PEM block %d (%s): %v", n, b.Type, err)
			}
			certs = append(certs, c)
		case strings.Contains(typ, "PRIVATE KEY") && key == nil:
			key = b
		}
	}
	if n == 0 {
		return nil, nil, badFormat("no PEM block in the file (is it DER, or another store type?)")
	}
	return certs, key, nil
}

// pemKey decodes the private key block.
func pemKey(b *pem.Block, password string) (crypto.PrivateKey, error) {
	if _, legacy := b.Headers["DEK-Info"]; legacy {
		return nil, badFormat("the %s uses OpenSSL's legacy PEM encryption: convert it with openssl pkcs8 -topk8", b.Type)
	}
	var (
		key any
		err error
	)
	switch strings.ToUpper(b.Type) {
	case "ENCRYPTED PRIVATE KEY":
		if password == "" {
			return nil, badPassword("the private key is encrypted and no password is set")
		}
		key, err = pkcs8.ParsePKCS8PrivateKey(b.Bytes, []byte(password))
		if err != nil {
			if strings.Contains(err.Error(), "unsupported") {
				return nil, badFormat("encrypted private key: %v", err)
			}
			return nil, badPassword("cannot decrypt the private key with the password (%v)", err)
		}
		return key, nil
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		// ZooKeeper ignores the block's label and reads PKCS#8.
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		return nil, badFormat("%s: %v", b.Type, err)
	}
	return key, nil
}
