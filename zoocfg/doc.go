// Package zoocfg reads the zoo.cfg files (and myid files) ZooKeeper 3.8
// operators already have, and turns them into a NodeConfig, the way
// ZooKeeper's QuorumPeerConfig turns them into a QuorumPeer:
//
//	f, err := zoocfg.Load("/etc/zookeeper/conf/zoo.cfg")
//	id, err := zoocfg.ReadMyID(f.Settings().DataDir)
//	cfg, err := f.NodeConfig(id)
//	for _, w := range f.WarningsFor(id) { log.Warn(w) }
//	for _, k := range f.Unknown() { log.Warn("unknown zoo.cfg key", "key", k) }
//
// # Syntax
//
// A zoo.cfg is a java.util.Properties file read with
// Properties.load(InputStream): ISO 8859-1 bytes (a UTF-8 "é" is two
// characters, as in Java), # and ! comments only at the start of a line
// (so "tickTime=2000 # ms" is the value "2000 # ms", an error), backslash
// continuations and escapes, '=', ':' or blanks between key and value, the
// last of a repeated key wins. ZooKeeper trims keys and values, except
// the values of server, group and weight lines: "server.1=h:2888:3888 "
// is an error in ZooKeeper, and here.
//
// # Keys
//
// Defaults are ZooKeeper 3.8's, read from its source and checked against
// the real QuorumPeerConfig (testdata/javagen). "Honoured" means the value
// ends up in the actors.Config field named below, which cmd/node fills
// from NodeConfig (zoocfg itself depends on no part of the node); a value
// ZooKeeper would refuse is an *Error naming the key and the value.
//
//	zoo.cfg key                        Config field                      ZooKeeper default        zkfle
//	---------------------------------  --------------------------------  -----------------------  ----------------------------------------------
//	server.<sid>                       Verifier                          none                     honoured: quorum.ParseServerLine's syntax, incl.
//	                                                                                              [v6] hosts, :observer, ;[host:]port client part
//	group.<gid>, weight.<sid>          Verifier (*quorum.Hierarchical)   weight 1                 honoured; weight 0 = never leader, zero-weight
//	                                                                                              groups do not count
//	version                            Verifier.Version()                0                        honoured (hex)
//	dynamicConfigFile                  Verifier, LastSeen                unset                    honoured: server/group/weight lines read from
//	                                                                                              it, version = hex suffix of its name; Load also
//	                                                                                              reads <zoo.cfg>.dynamic.next into LastSeen
//	<dataDir>/myid (ReadMyID)          ID                                required in an ensemble  honoured: first line, Long.parseLong, untrimmed
//	tickTime                           TickTime                          3000 ms                  honoured; 0 is "not set", an error
//	initLimit                          InitLimit                         required in an ensemble  honoured (must be > 0)
//	syncLimit                          SyncLimit                         required in an ensemble  honoured (must be > 0); with tickTime, the
//	                                                                                              default handshake timeout
//	cnxTimeout                         ConnectTimeout                    5000 ms                  honoured (must be > 0: Java's 0 = no timeout)
//	quorumCnxnTimeoutMs                HandshakeTimeout                  tickTime × syncLimit     honoured; <= 0 means tickTime × syncLimit
//	electionPortBindRetry              ElectionPortBindRetry             3 (0 = forever)          honoured; negative: 3 and a warning, as Java
//	tcpKeepAlive                       TCPKeepAlive                      false                    honoured
//	quorumListenOnAllIPs               ListenOnAllIPs                    false                    honoured
//	multiAddress.enabled               MultiAddress                      false                    honoured: the version-2 connection header, and
//	                                                                                              several addresses per server line only with it
//	fastleader.minNotificationInterval Election.MinNotificationInterval  200 ms                   honoured (must be > 0)
//	fastleader.maxNotificationInterval Election.MaxNotificationInterval  60000 ms                 honoured (must be >= the minimum)
//	clientPort, clientPortAddress      ClientAddr                        none (0.0.0.0 if only    honoured (the four-letter-word port); this
//	                                                                     the port is set)         server's ;client part wins and must agree
//	4lw.commands.whitelist             FourLetterWords                   srvr                     honoured: comma-separated, "*" = all, srvr
//	                                                                                              always allowed
//	zkfle.peerAddressCheck             SkipPeerAddressCheck (negated)    true (zkfle's own key)   honoured: a connection claiming server S (either
//	                                                                                              port) only from an address S's line names or
//	                                                                                              resolves to; false for NAT gives that up (WARN)
//	zkfle.election.fastPaths           DisableElectionFastPaths          true (zkfle's own key)   honoured: decide without the finalize window on a
//	                                   (negated)                                                  unanimous vote or when every missing voter is
//	                                                                                              unreachable; false: ZooKeeper's exact timing
//	dataDir                            DataDir                           required                 honoured; relative to the working directory
//	peerType                           -                                 participant              checked; the server list wins (WarningsFor)
//	electionAlg                        -                                 3                        anything but 3 is an error, as in ZooKeeper
//	standaloneEnabled                  -                                 true                     honoured: one participant (or none) with true
//	                                                                                              runs standalone, and NodeConfig refuses it
//	reconfigEnabled                    -                                 false                    accepted, ignored with a warning: zkfle never
//	                                                                                              applies a reconfiguration
//	sslQuorum                          TLS (via Settings.QuorumTLS)      false                    honoured: TLS with mutual authentication on the
//	                                                                                              election and quorum ports; needs the two stores
//	ssl.quorum.keyStore.location,      TLS.Server, TLS.Client            required with sslQuorum  honoured: PEM (key, then chain), PKCS12, JKS;
//	                                                                                              relative paths as dataDir; type from .pem/.p12/.jks
//	ssl.quorum.keyStore.password,                                        none                     honoured; passwordPath wins (file, one trailing
//	ssl.quorum.keyStore.passwordPath,                                                             newline dropped, as ZooKeeper)
//	ssl.quorum.keyStore.type                                             from the file name       PEM, PKCS12 or JKS (BCFKS refused)
//	ssl.quorum.trustStore.location,    TLS.Server, TLS.Client            required with sslQuorum  honoured: the CAs peers must chain to (PEM: every
//	ssl.quorum.trustStore.password,                                                               certificate in the file; PKCS12/JKS: the trusted
//	ssl.quorum.trustStore.passwordPath,                                                           entries)
//	ssl.quorum.trustStore.type                                           from the file name       as keyStore.type
//	ssl.quorum.hostnameVerification    TLS.VerifyClientAddress           true                     honoured: a server's certificate must match its
//	                                                                                              server line's host, a client's its address
//	ssl.quorum.protocol,               TLS (versions)                    TLSv1.2                  honoured: TLSv1.2, TLSv1.3, TLS (= both); TLSv1,
//	ssl.quorum.enabledProtocols                                          [protocol]               TLSv1.1 refused
//	ssl.quorum.ciphersuites            TLS (suites)                      ZooKeeper's ECDHE list   honoured for TLS 1.2 (IANA names); TLS 1.3 suite
//	                                                                                              names accepted (Go's TLS 1.3 suites are fixed)
//	ssl.quorum.clientAuth              TLS.Server.ClientAuth             need                     honoured: need, want, none
//	ssl.quorum.handshakeDetection...   QuorumTLS.HandshakeDetection...   5000 ms                  with portUnification: wait for a first byte
//	ssl.quorum.crl, ssl.quorum.ocsp    -                                 false                    refused when true (ErrUnsupported): no revocation
//	ssl.quorum.context.supplier.class  -                                 unset                    refused (ErrUnsupported): a Java class
//	sslQuorumReloadCertFiles           QuorumTLS.ReloadCertFiles         false                    honoured: changed store files are polled every
//	                                                                                              second and used by the next handshake
//	portUnification                    TLS.PortUnification               false                    honoured with sslQuorum=true (accept TLS and
//	                                                                                              plaintext, dial TLS); refused without it
//	zkfle.sslQuorum.identityCheck      TLS.SkipIdentityCheck (negated)   true (zkfle's own key)   honoured: a peer's certificate must prove the sid
//	                                                                                              it claims (its server line's host, or a URI SAN
//	                                                                                              zkfle:sid:N)
//	quorum.auth.enableSasl             -                                 false                    refused when true (ErrUnsupported): no SASL
//	quorum.auth.*RequireSasl           -                                 false                    true without enableSasl is ZooKeeper's error
//	oraclePath                         -                                 unset                    refused (ErrUnsupported): no QuorumOracleMaj
//	minSessionTimeout,                 -                                 2 and 20 ticks           checked as ZooKeeper does (min <= max), ignored
//	maxSessionTimeout
//	dataLogDir, secureClientPort,      -                                 (ZooKeeper's)            type-checked as ZooKeeper does, ignored:
//	maxClientCnxns, autopurge.*,                                                                  data tree, clients and JVM, which zkfle has not
//	syncEnabled, jvm.pause.*, the                                                                 (listed by Ignored)
//	other QuorumPeerConfig keys
//	documented system-property keys    -                                 (ZooKeeper's)            ignored (listed by Ignored)
//	(admin.*, jute.maxbuffer, ...)
//	anything else                      -                                 -                        not an error: listed by Unknown (ZooKeeper
//	                                                                                              sets it as system property zookeeper.<key>)
//
// # System-property keys
//
// cnxTimeout, quorumCnxnTimeoutMs, electionPortBindRetry, tcpKeepAlive,
// fastleader.*NotificationInterval and 4lw.commands.whitelist are not
// QuorumPeerConfig keys: ZooKeeper exports every key it does not know as
// the system property "zookeeper."+key, and the election code reads those.
// zkfle reads them by the same names. It also takes them written with the
// prefix (zookeeper.cnxTimeout=...), which ZooKeeper ignores in a zoo.cfg
// (it would set zookeeper.zookeeper.cnxTimeout); that gets a warning, and
// the unprefixed key wins when both are given. ZooKeeper parses most of
// them with Integer.getInteger (so 0x10, #10 and 010, which is 8, are
// numbers) and Boolean.getBoolean, which silently fall back to the
// default on a value they cannot parse; zkfle refuses such values.
//
// The ssl.quorum.* keys are read the same way (ZooKeeper's X509Util reads
// the system properties zookeeper.ssl.quorum.*): ssl.quorum.clientAuth or
// zookeeper.ssl.quorum.clientAuth, the unprefixed one winning.
//
// zkfle.peerAddressCheck is zkfle's own key, read the same way (also as
// zookeeper.zkfle.peerAddressCheck, without a warning: ZooKeeper reads
// neither). Its value must be true or false: a typo never turns the
// check off. zkfle.election.fastPaths is read the same way.
//
// # Differences from ZooKeeper, on purpose
//
//   - multiAddress.enabled=true in zoo.cfg is enough for server lines with
//     several addresses. ZooKeeper 3.8 parses server lines with the JVM's
//     -Dzookeeper.multiAddress.enabled only, so there the key alone is
//     not (zkfle warns).
//   - Values ZooKeeper silently replaces by a default (see above), a
//     negative tickTime, initLimit or syncLimit, min/max notification
//     intervals that would make the back-off meaningless, and settings
//     zkfle cannot honour (SASL, certificate revocation, the oracle) are
//     errors. So are sslQuorum=true without a key or trust store (ZooKeeper
//     starts, and fails every TLS connection), TLS booleans other than
//     true/false, and portUnification without sslQuorum.
//   - Server lines that give one socket address (host and port) to two
//     listeners (the same quorum or election address twice, one server's
//     quorum port as another's election port on the same host) are refused
//     by NodeConfig (ErrConflict, naming both lines); ZooKeeper starts and
//     warns forever. Hosts are compared as written, without DNS.
//   - A key that is neither ZooKeeper's nor zkfle's is listed by Unknown
//     with the known key it most likely misspells (Suggest).
//   - A one-character relative dataDir, on which ZooKeeper 3.8 throws
//     StringIndexOutOfBoundsException, is accepted.
//   - Without DNS, client addresses given as host names are not compared
//     with the server line's: only IP literals and ports are.
//   - quorum.ParseConfig walks only the ensemble keys in Java's Properties
//     order, while Java walks the whole zoo.cfg; for sids that share a
//     Java HashMap bucket (1 and 17, say) the verifier may print their
//     lines in another order than ZooKeeper (the set of lines is the
//     same). A dynamic config file has no such difference.
//
// Errors are *Error values (errors.As) wrapping one of the Err* sentinels
// (errors.Is); ensemble errors also wrap the quorum package's error.
package zoocfg
