// Package fourletter answers ZooKeeper's four-letter words ("srvr", "stat",
// "ruok", "conf", "mntr", ...) exactly as ZooKeeper 3.8 does on its client
// port, byte for byte, so that operators' scripts and monitors that run
// `echo srvr | nc host 2181` and parse the answer work unchanged against a
// zkfle node.
//
// The package is pure formatting: Answer turns a word, a Snapshot of the
// node and the configured whitelist into the bytes ZooKeeper would write
// before closing the connection. Gathering the snapshot (sockets, clocks,
// file-descriptor counts) is package clientport's job; package
// hostinfo reads the machine and process facts a JVM would supply.
//
// The reference answers, captured from a real ZooKeeper 3.8.0 ensemble, are
// in testdata/zk38 with a README that says how they were made and which of
// their fields vary from run to run.
package fourletter
