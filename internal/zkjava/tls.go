package zkjava

import (
	"fmt"
	"strings"
)

// QuorumTLS turns on ZooKeeper's sslQuorum for one Java member: both its
// quorum and election ports speak TLS, with the key store and trust store
// named here (ZooKeeper's own ssl.quorum.* zoo.cfg keys).
type QuorumTLS struct {
	// KeyStore is the key store file; KeyStoreType is PEM, PKCS12 or JKS
	// ("" lets ZooKeeper guess from the file name's extension).
	KeyStore, KeyStoreType string
	// KeyStorePassword is ssl.quorum.keyStore.password ("" writes none:
	// an unencrypted PEM key store needs none).
	KeyStorePassword string
	// TrustStore, TrustStoreType and TrustStorePassword are the same for
	// the trust store.
	TrustStore, TrustStoreType, TrustStorePassword string
	// PortUnification accepts plaintext and TLS on both ports (ZooKeeper
	// still connects with TLS).
	PortUnification bool
	// NoHostnameVerification writes ssl.quorum.hostnameVerification=false
	// (ZooKeeper's default is true: a peer's certificate must name the
	// address it is reached at or connects from).
	NoHostnameVerification bool
	// ReloadCertFiles writes sslQuorumReloadCertFiles=true.
	ReloadCertFiles bool
}

// lines are the zoo.cfg lines for t.
func (t QuorumTLS) lines() []string {
	out := []string{"sslQuorum=true"}
	add := func(key, value string) {
		if value != "" {
			out = append(out, key+"="+value)
		}
	}
	add("ssl.quorum.keyStore.location", t.KeyStore)
	add("ssl.quorum.keyStore.type", t.KeyStoreType)
	add("ssl.quorum.keyStore.password", t.KeyStorePassword)
	add("ssl.quorum.trustStore.location", t.TrustStore)
	add("ssl.quorum.trustStore.type", t.TrustStoreType)
	add("ssl.quorum.trustStore.password", t.TrustStorePassword)
	if t.PortUnification {
		out = append(out, "portUnification=true")
	}
	if t.NoHostnameVerification {
		out = append(out, "ssl.quorum.hostnameVerification=false")
	}
	if t.ReloadCertFiles {
		out = append(out, "sslQuorumReloadCertFiles=true")
	}
	return out
}

// validate rejects values that would not be one zoo.cfg line each.
func (t QuorumTLS) validate(sid int64) error {
	if t.KeyStore == "" || t.TrustStore == "" {
		return fmt.Errorf("%w: server.%d TLS needs a key store and a trust store", ErrBadSpec, sid)
	}
	for _, line := range t.lines() {
		if strings.Contains(line, "\n") {
			return fmt.Errorf("%w: server.%d TLS line %q spans lines", ErrBadSpec, sid, line)
		}
	}
	return nil
}
