// Package quorumtls is zkfle's quorum TLS (ZooKeeper's sslQuorum): it
// loads key and trust stores in the formats ZooKeeper reads (PEM, PKCS12,
// JKS), builds the server- and client-side *tls.Config pair the election
// and quorum ports use, reloads them when the files change
// (sslQuorumReloadCertFiles), and checks that a peer's certificate proves
// the server id it claims (VerifyIdentity), which ZooKeeper does not.
//
//	opts := quorumtls.DefaultOptions()     // ZooKeeper 3.8's defaults
//	opts.KeyStore.Location = "/etc/zookeeper/tls/server1.pem"
//	opts.TrustStore.Location = "/etc/zookeeper/tls/ca.pem"
//	src, err := quorumtls.Load(opts, logger) // *OptionError or *StoreError
//	defer src.Close()
//	server, client := src.ServerConfig(), src.ClientConfig()
//	// per dial: quorumtls.ForHost(client, serverLineHost)
//
// Both configs always use the current material: the server's through
// GetConfigForClient, the client's through GetClientCertificate and a
// VerifyConnection that checks the server's chain against the current
// trust pool (and, with ssl.quorum.hostnameVerification, the host given
// to ForHost). The defaults negotiate with a ZooKeeper 3.8 peer: TLS 1.2
// and its ECDHE suites. TLS 1.3 suites cannot be chosen in Go: naming
// them in ssl.quorum.ciphersuites is accepted and changes nothing.
//
// It does no network I/O; package actors runs the handshakes.
package quorumtls
