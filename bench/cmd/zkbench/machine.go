package main

import (
	"bufio"
	"debug/buildinfo"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// machineInfo says where and with what the figures were made.
type machineInfo struct {
	Date      string `json:"date"`
	NProc     int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	MemTotal  string `json:"mem_total"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"` // the toolchain that built cmd/node
	Java      string `json:"java"`
	ZooKeeper string `json:"zookeeper"`
	Command   string `json:"command"`
}

// describeMachine collects machineInfo; what cannot be read says "n/a".
func describeMachine(nodeBin string, zk *system) machineInfo {
	m := machineInfo{
		Date:      time.Now().Format("2006-01-02 15:04 MST"),
		NProc:     runtime.NumCPU(),
		CPUModel:  procField("/proc/cpuinfo", "model name"),
		MemTotal:  procField("/proc/meminfo", "MemTotal"),
		Kernel:    firstLine(os.ReadFile("/proc/sys/kernel/osrelease")),
		GoVersion: runtime.Version(),
		Java:      "n/a (ZooKeeper not measured)",
		ZooKeeper: "n/a",
		Command:   commandLine(),
	}
	if bi, err := buildinfo.ReadFile(nodeBin); err == nil {
		m.GoVersion = bi.GoVersion
	}
	if zk != nil {
		// java -version prints on stderr.
		m.Java = firstLine(exec.Command(zk.binary, "-version").CombinedOutput())
		m.ZooKeeper = firstLine(exec.Command("dpkg-query", "-W", "-f", "zookeeper ${Version}", "zookeeper").Output())
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "n/a"
}

func firstLine(b []byte, err error) string {
	if err != nil && len(b) == 0 {
		return "n/a"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if line == "" {
		return "n/a"
	}
	return line
}

// commandLine is the invocation as typed: `go run` builds into a
// go-build temp dir, which says nothing to a reader, so it is shown as
// the go run command it came from.
func commandLine() string {
	prog := os.Args[0]
	if strings.Contains(prog, "go-build") {
		prog = "go run ./bench/cmd/zkbench"
	}
	parts := []string{prog}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
