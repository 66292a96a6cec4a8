// Package zkjava starts real Apache ZooKeeper 3.8 servers (Debian's
// `zookeeper` package) on loopback for interop tests: each server gets its
// own directory, dataDir, myid and ports, a zoo.cfg whose server list may
// also name non-Java (zkfle) members, and a log file that tests dump on
// failure.
//
// Only processes this package started are ever signalled, through the
// os.Process it holds (never a kill by name). On Linux every server also
// dies with the test process (PR_SET_PDEATHSIG), so a test binary killed
// by its timeout leaves no JVM behind.
//
// The launch mirrors ../shared/zk-reference/zk-ensemble.sh: the server jar
// (whose manifest Class-Path names its dependencies) plus an SLF4J binding
// on the class path, because Debian's jar names none and ZooKeeper then
// logs nothing at all.
//
// A missing installation is ErrNotInstalled; RequireInstalled turns it
// into a test failure under CI (env CI non-empty) and a loud skip
// elsewhere.
package zkjava
