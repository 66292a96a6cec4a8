package zkjava

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Default locations of Debian bookworm's packages (zookeeper 3.8.0 and its
// dependency libslf4j-java).
const (
	DefaultJar   = "/usr/share/java/zookeeper.jar"
	DefaultSLF4J = "/usr/share/java/slf4j-simple.jar"
	// MainClass is the server's entry point.
	MainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// Environment variables that override the defaults (for a ZooKeeper
// installed elsewhere).
const (
	EnvJava  = "ZKJAVA_JAVA"
	EnvJar   = "ZKJAVA_JAR"
	EnvSLF4J = "ZKJAVA_SLF4J"
)

// Installation is where java and the ZooKeeper jars are.
type Installation struct {
	// Java is the java executable.
	Java string
	// Jar is the ZooKeeper server jar; its manifest names the rest of the
	// class path.
	Jar string
	// SLF4J is an SLF4J binding jar (slf4j-simple logs to stderr).
	SLF4J string
}

// Find locates java (on PATH, or $ZKJAVA_JAVA) and the jars (Debian's
// paths, or $ZKJAVA_JAR / $ZKJAVA_SLF4J). Anything missing is
// ErrNotInstalled naming what and where.
func Find() (Installation, error) {
	inst := Installation{
		Java:  envOr(EnvJava, "java"),
		Jar:   envOr(EnvJar, DefaultJar),
		SLF4J: envOr(EnvSLF4J, DefaultSLF4J),
	}
	return inst.check()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// check resolves Java on PATH and verifies that every file exists.
func (inst Installation) check() (Installation, error) {
	java, err := exec.LookPath(inst.Java)
	if err != nil {
		return inst, fmt.Errorf("%w: java executable %q not found (apt-get install zookeeper): %v", ErrNotInstalled, inst.Java, err)
	}
	inst.Java = java
	for _, f := range []struct{ what, path string }{{"server jar", inst.Jar}, {"SLF4J binding", inst.SLF4J}} {
		if _, err := os.Stat(f.path); err != nil {
			return inst, fmt.Errorf("%w: ZooKeeper %s %q missing (apt-get install zookeeper): %v", ErrNotInstalled, f.what, f.path, err)
		}
	}
	return inst, nil
}

// RequireInstalled returns the installation, or ends the test: under CI
// (env CI non-empty) a missing ZooKeeper is a failure, because .ci/run
// installs it and the interop scenarios must not silently vanish;
// elsewhere the test is skipped with a message saying how to run it.
func RequireInstalled(t testing.TB) Installation {
	t.Helper()
	inst, err := Find()
	if err == nil {
		return inst
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and real ZooKeeper is required: %v", err)
	}
	t.Skipf("SKIPPING ZooKeeper interop test: %v. Install it (apt-get install zookeeper) "+
		"or run .ci/run; with CI set this is a failure.", err)
	return inst
}
