// Package quorumtls is zkfle's quorum TLS (ZooKeeper's sslQuorum): it
// loads key and trust stores in the formats ZooKeeper reads (PEM, PKCS12,
// JKS), builds the server- and client-side *tls.Config pair the election
// and quorum ports use, reloads them when the files change
// (sslQuorumReloadCertFiles), and checks that a peer's certificate proves
// the server id it claims (VerifyIdentity), which ZooKeeper does not.
//
// It does no network I/O; package actors runs the handshakes.
package quorumtls
