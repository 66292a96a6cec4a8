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
	// DefaultNettyCodec is Netty's codec jar, which the server's TLS
	// quorum sockets need and Debian's manifest Class-Path leaves out
	// (without it the TLS election listener thread dies silently).
	DefaultNettyCodec = "/usr/share/java/netty-codec.jar"
	// MainClass is the server's entry point.
	MainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// Environment variables that override the defaults (for a ZooKeeper
// installed elsewhere).
const (
	EnvJava  = "ZKJAVA_JAVA"
	EnvJar   = "ZKJAVA_JAR"
	EnvSLF4J = "ZKJAVA_SLF4J"
	// EnvNettyCodec overrides DefaultNettyCodec.
	EnvNettyCodec = "ZKJAVA_NETTY_CODEC"
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
	// NettyCodec is Netty's codec jar, appended to the class path when
	// set; Find sets it when the file exists. Only sslQuorum needs it.
	NettyCodec string
}

// classPath is the JVM's -cp: the server jar (whose manifest names the
// rest), the SLF4J binding, and Netty's codec jar when there is one.
func (inst Installation) classPath() string {
	cp := inst.Jar + ":" + inst.SLF4J
	if inst.NettyCodec != "" {
		cp += ":" + inst.NettyCodec
	}
	return cp
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
	if codec := envOr(EnvNettyCodec, DefaultNettyCodec); fileExists(codec) {
		inst.NettyCodec = codec
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

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TLSReady reports whether this installation can run sslQuorum: it needs
// Netty's codec jar (ErrNotInstalled naming DefaultNettyCodec otherwise).
func (inst Installation) TLSReady() error {
	if inst.NettyCodec == "" {
		return fmt.Errorf("%w: Netty's codec jar %q (or $%s) is missing; ZooKeeper's TLS quorum needs it (apt-get install zookeeper)",
			ErrNotInstalled, DefaultNettyCodec, EnvNettyCodec)
	}
	return nil
}

// RequireTLSInstalled is RequireInstalled for tests that run ZooKeeper
// with sslQuorum: a missing Netty codec jar fails under CI and skips
// elsewhere, like a missing ZooKeeper.
func RequireTLSInstalled(t testing.TB) Installation {
	t.Helper()
	inst := RequireInstalled(t)
	if err := inst.TLSReady(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and ZooKeeper's TLS quorum is required: %v", err)
		}
		t.Skipf("SKIPPING ZooKeeper TLS interop test: %v", err)
	}
	return inst
}
