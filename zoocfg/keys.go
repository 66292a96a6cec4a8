package zoocfg

import "strings"

// valueKind is how ZooKeeper parses a key's value, which decides what a
// value must look like.
type valueKind int

const (
	// kindString: any text.
	kindString valueKind = iota
	// kindInt: Integer.parseInt (decimal int32, optional sign).
	kindInt
	// kindLong: Long.parseLong.
	kindLong
	// kindBool: QuorumPeerConfig.parseBoolean (true/false, any case).
	kindBool
)

// peerConfigKeys are the keys QuorumPeerConfig.parseProperties (3.8)
// handles itself, with the way it parses each. It rejects a file whose
// value does not parse, so we do too, even for keys zkfle then ignores:
// a zoo.cfg zkfle accepts is one ZooKeeper accepts. Every other key
// (bar server.*, group*, weight* and version, which the quorum verifier
// reads) it exports as the system property "zookeeper."+key.
var peerConfigKeys = map[string]valueKind{
	"dataDir":                                 kindString,
	"dataLogDir":                              kindString,
	"clientPort":                              kindInt,
	"localSessionsEnabled":                    kindBool,
	"localSessionsUpgradingEnabled":           kindBool,
	"clientPortAddress":                       kindString,
	"secureClientPort":                        kindInt,
	"secureClientPortAddress":                 kindString,
	"observerMasterPort":                      kindInt,
	"clientPortListenBacklog":                 kindInt,
	"tickTime":                                kindInt,
	"maxClientCnxns":                          kindInt,
	"minSessionTimeout":                       kindInt,
	"maxSessionTimeout":                       kindInt,
	"initLimit":                               kindInt,
	"syncLimit":                               kindInt,
	"connectToLearnerMasterLimit":             kindInt,
	"electionAlg":                             kindInt,
	"quorumListenOnAllIPs":                    kindBool,
	"peerType":                                kindString,
	"syncEnabled":                             kindBool,
	"dynamicConfigFile":                       kindString,
	"autopurge.snapRetainCount":               kindInt,
	"autopurge.purgeInterval":                 kindInt,
	"standaloneEnabled":                       kindBool,
	"reconfigEnabled":                         kindBool,
	"sslQuorum":                               kindBool,
	"portUnification":                         kindBool,
	"sslQuorumReloadCertFiles":                kindBool,
	"quorum.auth.enableSasl":                  kindBool,
	"quorum.auth.serverRequireSasl":           kindBool,
	"quorum.auth.learnerRequireSasl":          kindBool,
	"quorum.auth.learner.saslLoginContext":    kindString,
	"quorum.auth.server.saslLoginContext":     kindString,
	"quorum.auth.kerberos.servicePrincipal":   kindString,
	"quorum.cnxn.threads.size":                kindInt,
	"jvm.pause.info-threshold.ms":             kindLong,
	"jvm.pause.warn-threshold.ms":             kindLong,
	"jvm.pause.sleep.time.ms":                 kindLong,
	"jvm.pause.monitor":                       kindBool,
	"metricsProvider.className":               kindString,
	"multiAddress.enabled":                    kindBool,
	"multiAddress.reachabilityCheckTimeoutMs": kindInt,
	"multiAddress.reachabilityCheckEnabled":   kindBool,
	"oraclePath":                              kindString,
}

// isPeerConfigKey reports whether QuorumPeerConfig handles key itself
// (metricsProvider.* included).
func isPeerConfigKey(key string) bool {
	_, ok := peerConfigKeys[key]
	return ok || strings.HasPrefix(key, "metricsProvider.")
}

// kindOf is the value kind of a key QuorumPeerConfig handles.
func kindOf(key string) valueKind { return peerConfigKeys[key] }

// honouredPeerConfigKeys are the keys of peerConfigKeys zkfle acts on
// (applies, or refuses when set to what it cannot do); the others are
// type-checked, then ignored, and listed by Ignored.
var honouredPeerConfigKeys = map[string]bool{
	"dataDir": true, "clientPort": true, "clientPortAddress": true,
	"tickTime": true, "initLimit": true, "syncLimit": true,
	"electionAlg": true, "quorumListenOnAllIPs": true, "peerType": true,
	"dynamicConfigFile": true, "standaloneEnabled": true,
	"multiAddress.enabled": true, "sslQuorum": true,
	"portUnification": true, "sslQuorumReloadCertFiles": true,
	"quorum.auth.enableSasl": true, "quorum.auth.serverRequireSasl": true,
	"quorum.auth.learnerRequireSasl": true, "oraclePath": true,
}

// System properties ZooKeeper's election code reads, which a zoo.cfg sets
// by their name without "zookeeper." (QuorumPeerConfig exports unknown
// keys with that prefix).
const (
	keyCnxTimeout        = "cnxTimeout"
	keyQuorumCnxnTimeout = "quorumCnxnTimeoutMs"
	keyBindRetry         = "electionPortBindRetry"
	keyTCPKeepAlive      = "tcpKeepAlive"
	keyMinNotification   = "fastleader.minNotificationInterval"
	keyMaxNotification   = "fastleader.maxNotificationInterval"
	keyFourLetterWords   = "4lw.commands.whitelist"
	keyMultiAddress      = "multiAddress.enabled"
	systemPropertyPrefix = "zookeeper."
	// keyPeerAddressCheck is zkfle's own: ZooKeeper has no such check (it
	// exports the key as an unused system property).
	keyPeerAddressCheck = "zkfle.peerAddressCheck"
	// keyFastPaths is zkfle's own: false makes every election wait out
	// the finalize window, as ZooKeeper's does.
	keyFastPaths = "zkfle.election.fastPaths"
)

// systemPropertyKeys are the system properties zkfle honours, by their
// zoo.cfg name. multiAddress.enabled is both a QuorumPeerConfig key and
// (as zookeeper.multiAddress.enabled) a system property.
var systemPropertyKeys = map[string]bool{
	keyCnxTimeout: true, keyQuorumCnxnTimeout: true, keyBindRetry: true,
	keyTCPKeepAlive: true, keyMinNotification: true, keyMaxNotification: true,
	keyFourLetterWords: true, keyPeerAddressCheck: true, keyFastPaths: true,
}

func init() {
	// The ssl.quorum.* keys (quorumtls.go).
	for _, k := range sslQuorumKeys {
		systemPropertyKeys[k] = true
	}
}

// isEnsembleKey reports whether the quorum verifier reads the key:
// server.<sid>, group<...>, weight<...> and version.
func isEnsembleKey(key string) bool {
	return strings.HasPrefix(key, "server.") || isHierarchyKey(key) || key == "version"
}

// isHierarchyKey reports whether a key makes the verifier hierarchical.
func isHierarchyKey(key string) bool {
	return strings.HasPrefix(key, "group") || strings.HasPrefix(key, "weight")
}

// documentedKeys are the other zoo.cfg keys ZooKeeper 3.8's
// Administrator's Guide documents (zookeeperAdmin.md, "Configuration
// Parameters"): ZooKeeper reads them as system properties, zkfle has no
// use for them. A key in neither this list nor the tables above is
// reported by Unknown.
var documentedKeys = map[string]bool{
	"globalOutstandingLimit": true, "preAllocSize": true, "snapCount": true,
	"commitLogCount": true, "snapSizeLimitInKb": true, "txnLogSizeLimitInKb": true,
	"maxCnxns": true, "fsync.warningthresholdms": true, "maxResponseCacheSize": true,
	"maxGetChildrenResponseCacheSize": true, "extendedTypesEnabled": true,
	"emulate353TTLNodes": true, "watchManagerName": true, "watcherCleanThreadsNum": true,
	"watcherCleanThreshold": true, "watcherCleanIntervalInSeconds": true,
	"maxInProcessingDeadWatchers": true, "bitHashCacheSize": true,
	"connectionMaxTokens": true, "connectionTokenFillTime": true,
	"connectionTokenFillCount": true, "connectionFreezeTime": true,
	"connectionDropIncrease": true, "connectionDropDecrease": true,
	"connectionDecreaseRatio": true, "zookeeper.connection_throttle_weight_enabled": true,
	"zookeeper.connection_throttle_global_session_weight": true,
	"zookeeper.connection_throttle_local_session_weight":  true,
	"zookeeper.connection_throttle_renew_session_weight":  true,
	"serverCnxnFactory": true, "flushDelay": true, "maxWriteQueuePollTime": true,
	"maxBatchSize": true, "enforceQuota": true, "requestThrottleLimit": true,
	"requestThrottleStallTime": true, "requestThrottleDropStale": true,
	"requestStaleLatencyCheck": true, "requestStaleConnectionCheck": true,
	"zookeeper.request_throttler.shutdownTimeout": true,
	"advancedFlowControlEnabled":                  true, "enableEagerACLCheck": true,
	"maxConcurrentSnapSyncs": true, "maxConcurrentDiffSyncs": true,
	"digest.enabled": true, "snapshot.compression.method": true,
	"snapshot.trust.empty": true, "audit.enable": true, "audit.impl.class": true,
	"largeRequestMaxBytes": true, "largeRequestThreshold": true,
	"outstandingHandshake.limit":                       true,
	"netty.server.earlyDropSecureConnectionHandshakes": true,
	"throttledOpWaitTime":                              true, "learner.closeSocketAsync": true,
	"leader.closeSocketAsync": true, "learner.asyncSending": true,
	"forward_learner_requests_to_commit_processor_disabled": true,
	"maxTimeToWaitForEpoch":                                 true, "leaderServes": true, "clientTcpKeepAlive": true,
	"observer.reconnectDelayMs": true, "observer.election.DelayMs": true,
	"DigestAuthenticationProvider.enabled":     true,
	"DigestAuthenticationProvider.superDigest": true,
	"DigestAuthenticationProvider.digestAlg":   true,
	"X509AuthenticationProvider.superUser":     true, "zookeeper.superUser": true,
	"ssl.authProvider": true, "zookeeper.ensembleAuthName": true,
	"sessionRequireClientSASLAuth": true, "enforce.auth.enabled": true,
	"enforce.auth.schemes": true, "ssl.keyStore.location": true,
	"ssl.keyStore.password": true, "ssl.keyStore.passwordPath": true,
	"ssl.keyStore.type": true, "ssl.trustStore.location": true,
	"ssl.trustStore.password": true, "ssl.trustStore.passwordPath": true,
	"ssl.trustStore.type": true, "ssl.protocol": true, "ssl.enabledProtocols": true,
	"ssl.ciphersuites": true, "ssl.context.supplier.class": true,
	"ssl.hostnameVerification": true, "ssl.allowReverseDnsLookup": true,
	"ssl.crl": true, "ssl.ocsp": true, "ssl.clientAuth": true,
	"ssl.handshakeDetectionTimeoutMillis": true, "client.certReload": true,
	"client.portUnification": true, "authProvider": true,
	"kerberos.removeHostFromPrincipal": true, "kerberos.removeRealmFromPrincipal": true,
	"kerberos.canonicalizeHostNames": true, "fips-mode": true,
	"zookeeper.follower.skipLearnerRequestToNextProcessor": true,
	"forceSync": true, "jute.maxbuffer": true, "jute.maxbuffer.extrasize": true,
	"skipACL": true, "zookeeper.nio.numSelectorThreads": true,
	"zookeeper.nio.numWorkerThreads":               true,
	"zookeeper.commitProcessor.numWorkerThreads":   true,
	"zookeeper.commitProcessor.maxReadBatchSize":   true,
	"zookeeper.commitProcessor.maxCommitBatchSize": true,
	"znode.container.checkIntervalMs":              true, "znode.container.maxPerMinute": true,
	"znode.container.maxNeverUsedIntervalMs": true,
	"zookeeper.messageTracker.BufferSize":    true,
	"zookeeper.messageTracker.Enabled":       true, "admin.forceHttps": true,
	"admin.portUnification": true, "admin.enableServer": true,
	"admin.serverAddress": true, "admin.serverPort": true, "admin.idleTimeout": true,
	"admin.commandURL": true,
}

// knownFourLetterWords are the commands ZooKeeper 3.8's
// FourLetterCommands knows; "*" in the whitelist stands for all of them.
var knownFourLetterWords = []string{
	"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
	"mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs",
}
