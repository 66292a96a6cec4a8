package main

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
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
	LoadStart string `json:"loadavg_start"` // /proc/loadavg before the first run
	LoadEnd   string `json:"loadavg_end"`   // and after the last: other jobs on a shared machine show here
	GoVersion string `json:"go_version"`    // the toolchain that built cmd/node
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
		MemTotal:  memTotal(),
		LoadStart: loadAvg(),
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

// loadAvg is the 1, 5 and 15 minute load average.
func loadAvg() string {
	f := strings.Fields(firstLine(os.ReadFile("/proc/loadavg")))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// loadAvg1 is the 1 minute load average.
func loadAvg1() string {
	f := strings.Fields(loadAvg())
	if len(f) == 0 {
		return "n/a"
	}
	return f[0]
}

// memTotal is MemTotal in GiB.
func memTotal() string {
	f := strings.Fields(procField("/proc/meminfo", "MemTotal")) // "24683620 kB"
	if len(f) != 2 || f[1] != "kB" {
		return "n/a"
	}
	kib, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f GiB", kib/(1<<20))
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
