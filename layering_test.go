package zkfle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// module is the module path; packages are named relative to it below
// ("zkfle" is the root package itself).
const module = "github.com/zkfle/zkfle"

// Pseudo-packages for the two external libraries whose reach the layering
// limits: protoactor-go (actors, PIDs) and the protobuf runtime.
const (
	protoactor = "protoactor"
	protobuf   = "protobuf"
)

// imports is every project package and the project packages (plus
// protoactor and protobuf) it imports directly, test files excluded. It
// must equal what `go list` reports and the `imports` block of
// docs/ARCHITECTURE.md: adding an import means adding it here and there,
// and deciding that it belongs.
var imports = map[string][]string{
	"zkfle":                  {"actors", "messages", "quorum", "zk"},
	"actors":                 {"cnx", "fle", "internal/acceptloop", "internal/nodehooks", "internal/ratelog", "messages", "netbridge", "netbridge/electionwire", "netbridge/quorumwire", protoactor, "quorum", "quorumpeer", "quorumtls", "trace", "zab", "zab/epochfile", "zk"},
	"actors/actorstest":      {"actors", "internal/nodehooks", protoactor},
	"admin":                  {"actors", "history", "internal/nodehooks", "internal/version", "messages", "quorum", "zk"},
	"bench/cmd/zkbench":      {"actors", "fle", "history", "internal/freeport", "internal/nodehooks", "internal/testcerts", "messages", "quorum"},
	"clientport":             {"actors", "fourletter", "fourletter/hostinfo", "internal/acceptloop", "internal/ratelog", "messages", "quorum"},
	"cmd/mutate":             {"internal/mutate"},
	"cmd/node":               {"actors", "admin", "clientport", "history", "internal/freeport", "internal/version", "messages", "metrics", "probe", "quorum", "quorumtls", "trace", "zk", "zoocfg"},
	"cnx":                    {"quorum"},
	"examples/embed":         {"zkfle"},
	"fle":                    {"quorum", "zk"},
	"fle/sim":                {"cnx", "fle", "quorum", "zk"},
	"fourletter":             {"internal/version", "messages"},
	"fourletter/hostinfo":    {"fourletter"},
	"history":                {"actors", "messages"},
	"history/testensemble":   {"actors", "internal/freeport", "messages", "quorum"},
	"internal/mutate":        nil,
	"internal/netns":         nil,
	"internal/oraclecheck":   nil,
	"internal/pcaptest":      nil,
	"internal/nodehooks":     {protoactor},
	"internal/ratelog":       nil,
	"internal/testcerts":     {"quorumtls"},
	"internal/testlog":       nil,
	"internal/scripttest":    nil,
	"internal/acceptloop":    nil,
	"internal/freeport":      nil,
	"internal/version":       nil,
	"internal/zkjava":        nil,
	"messages":               {protobuf, "zk"},
	"metrics":                {"actors", "history", "internal/nodehooks", "messages"},
	"netbridge":              {"messages", "netbridge/electionwire", "netbridge/quorumwire", protoactor},
	"netbridge/electionwire": {"zk"},
	"netbridge/quorumwire":   {"zk"},
	"nodesim":                {"cnx", "fle", "netbridge/quorumwire", "quorum", "quorumpeer", "zab", "zk"},
	"probe":                  {"netbridge/electionwire", "quorum", "quorumtls", "zk"},
	"quorum":                 nil,
	"quorumpeer":             {"fle", "zk"},
	"quorumtls":              nil,
	"tests":                  nil,
	"trace":                  {"zk"},
	"zab":                    {"netbridge/quorumwire", "quorum", "zk"},
	"zab/epochfile":          {"zab"},
	"zk":                     nil,
	"zoocfg":                 {"fle", "quorum", "quorumtls"},
}

// forbidden are the layering rules, checked on every dependency, direct
// or not: the pure cores stay pure and the config parser pulls in no
// actor runtime.
var forbidden = map[string][]string{
	"quorum":     {"*"}, // nothing of the project (but zk)
	"zk":         {"*"}, // the shared vocabulary is a leaf itself
	"fle":        {"actors", "netbridge", protoactor},
	"cnx":        {"actors", "netbridge", protoactor},
	"zab":        {"actors", "netbridge", protoactor},
	"quorumpeer": {"actors", "netbridge", protoactor},
	"zoocfg":     {"actors", protoactor},
	// The bridges move bytes; the Zab sessions are pure machines the
	// actors drive, so netbridge never reaches into them.
	"netbridge": {"actors", "zab", "zab/epochfile"},
	// The wire codecs are leaves: bytes in, values out, and nothing of the
	// layers above them.
	"netbridge/electionwire": {"*"},
	"netbridge/quorumwire":   {"*"},
	"fourletter":             {"actors", protoactor},
}

// noIO are the standard packages through which code reaches the file
// system, the network or the process.
var noIO = []string{"io/fs", "io/ioutil", "net", "os", "os/exec", "os/signal", "path", "path/filepath", "syscall"}

// stdForbidden are the standard packages a pure core must not import
// directly (fmt reaches os underneath, only to print): its driver does the
// I/O. zab also holds no mutex: its session machines take epochs as
// values and hand writes back as outputs, and the epoch files (with the
// file store's mutex) are package zab/epochfile's.
var stdForbidden = map[string][]string{
	"fle":        noIO,
	"cnx":        noIO,
	"quorumpeer": noIO,
	"zab":        append(slices.Clone(noIO), "sync", "sync/atomic"),
	// The wire codecs read and write io.Reader/io.Writer and byte
	// slices; the bridges own the sockets.
	"netbridge/electionwire": noIO,
	"netbridge/quorumwire":   noIO,
	"zk":                     noIO,
}

// stdExempt names the one file of a package that may import a forbidden
// standard package, and why.
var stdExempt = map[string]map[string]string{
	// MemoryEpochs, the in-memory EpochStorage beside the interface (etcd
	// raft's MemoryStorage has its mutex too): a node's driver writes
	// through it while a probe and status readers run on other goroutines.
	"zab": {"sync": "epochstorage.go"},
}

// listedPackage is the part of `go list -json` this test reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// shortName names a package or external import as the tables do, "" for
// the ones the layering ignores (the standard library, other modules).
func shortName(path string) string {
	switch {
	case path == module:
		return "zkfle"
	case strings.HasPrefix(path, module+"/"):
		return strings.TrimPrefix(path, module+"/")
	case strings.HasPrefix(path, "github.com/asynkron/protoactor-go"):
		return protoactor
	case strings.HasPrefix(path, "google.golang.org/protobuf"):
		return protobuf
	}
	return ""
}

// shortNames maps and deduplicates paths, sorted.
func shortNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		if n := shortName(p); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// listPackages runs `go list -json ./...`.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		require.NoError(t, dec.Decode(&p))
		pkgs = append(pkgs, p)
	}
	require.NotEmpty(t, pkgs)
	return pkgs
}

// sorted returns a sorted copy of every table entry (nil as empty).
func sorted(m map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		v = slices.Clone(v)
		slices.Sort(v)
		if v == nil {
			v = []string{}
		}
		out[k] = v
	}
	return out
}

func TestImportsMatchTheLayeringTable(t *testing.T) {
	actual := map[string][]string{}
	for _, p := range listPackages(t) {
		actual[shortName(p.ImportPath)] = shortNames(p.Imports)
	}
	want := sorted(imports)
	got := sorted(actual)
	for pkg, deps := range got {
		allowed, ok := want[pkg]
		if !assert.True(t, ok, "package %s is not in the layering table (layering_test.go and docs/ARCHITECTURE.md): decide what it may import", pkg) {
			continue
		}
		for _, d := range deps {
			assert.Contains(t, allowed, d, "%s imports %s, which the layering table does not allow", pkg, d)
		}
		for _, d := range allowed {
			assert.Contains(t, deps, d, "the layering table lets %s import %s, which it no longer does: remove the edge", pkg, d)
		}
	}
	for pkg := range want {
		_, ok := got[pkg]
		assert.True(t, ok, "the layering table lists %s, which no longer exists", pkg)
	}
}

func TestLayeringRules(t *testing.T) {
	for _, p := range listDeps(t) {
		name := shortName(p.ImportPath)
		rules, ok := forbidden[name]
		if !ok {
			continue
		}
		for _, d := range shortNames(p.Deps) {
			if slices.Contains(rules, "*") {
				if d == "zk" {
					continue // the vocabulary every layer shares, itself a leaf
				}
				assert.Fail(t, "layering", "%s must import nothing of the project but zk, yet depends on %s", name, d)
				continue
			}
			assert.NotContains(t, rules, d, "%s must not depend on %s, even indirectly", name, d)
		}
	}
}

// The pure cores import no file, network or process package of the
// standard library (and zab no sync, but for MemoryEpochs), file by file.
func TestPureCoresDoNoIO(t *testing.T) {
	var args []string
	for pkg := range stdForbidden {
		args = append(args, "./"+pkg)
	}
	slices.Sort(args)
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	dec := json.NewDecoder(bytes.NewReader(out))
	checked := 0
	for dec.More() {
		var p listedPackage
		require.NoError(t, dec.Decode(&p))
		name := shortName(p.ImportPath)
		rules := stdForbidden[name]
		require.NotEmpty(t, rules, name)
		fset := token.NewFileSet()
		for _, file := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, file), nil, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				checked++
				if !slices.Contains(rules, path) || stdExempt[name][path] == file {
					continue
				}
				assert.Fail(t, "layering", "%s/%s imports %s: the pure core %s does no I/O and holds no lock (its driver does)", name, file, path, name)
			}
		}
	}
	require.Greater(t, checked, 20, "the walk read the imports")
}

// listDeps lists the packages that have layering rules with every
// dependency, direct or not.
func listDeps(t *testing.T) []listedPackage {
	t.Helper()
	var args []string
	for pkg := range forbidden {
		args = append(args, "./"+pkg)
	}
	slices.Sort(args)
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		require.NoError(t, dec.Decode(&p))
		pkgs = append(pkgs, p)
	}
	require.Len(t, pkgs, len(forbidden))
	return pkgs
}

// docImports parses the fenced ```imports block of docs/ARCHITECTURE.md:
// one "package: import import ..." line per package.
func docImports(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("docs", "ARCHITECTURE.md"))
	require.NoError(t, err)
	out := map[string][]string{}
	in, found := false, false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && line == "```imports":
			in, found = true, true
		case in && line == "```":
			in = false
		case in && strings.TrimSpace(line) != "":
			pkg, deps, ok := strings.Cut(line, ":")
			require.True(t, ok, "docs/ARCHITECTURE.md imports block: %q is not \"package: imports\"", line)
			pkg = strings.TrimSpace(pkg)
			_, dup := out[pkg]
			require.False(t, dup, "docs/ARCHITECTURE.md lists %s twice", pkg)
			out[pkg] = strings.Fields(deps)
		}
	}
	require.True(t, found, "docs/ARCHITECTURE.md has no ```imports block")
	require.False(t, in, "docs/ARCHITECTURE.md's imports block is not closed")
	return out
}

func TestArchitectureDocStatesTheLayeringTable(t *testing.T) {
	assert.Equal(t, sorted(imports), sorted(docImports(t)),
		"docs/ARCHITECTURE.md's imports block and layering_test.go's table differ")
}

// The root package's exported API speaks plain Go: no protobuf message,
// no protoactor type, and of actors only QuorumTLS (plain *tls.Config
// values and flags) and the sentinel errors' values.
func TestRootAPIShowsNoProtobufOrActorTypes(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	allowedActors := []string{"QuorumTLS"}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		pkgOf := map[string]string{} // local name -> short name
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			local := filepath.Base(path)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			pkgOf[local] = shortName(path)
		}
		for _, expr := range exportedTypeExprs(f) {
			checked++
			ast.Inspect(expr, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				at := fset.Position(sel.Pos())
				switch pkgOf[id.Name] {
				case "messages", protoactor, protobuf:
					assert.Fail(t, "root API", "%s: %s.%s in the exported API", at, id.Name, sel.Sel.Name)
				case "actors":
					assert.Contains(t, allowedActors, sel.Sel.Name, "%s: actors.%s in the exported API", at, sel.Sel.Name)
				}
				return true
			})
		}
	}
	require.Greater(t, checked, 10, "the walk found the exported API")
}

// exportedTypeExprs returns the type expressions of f's exported API:
// exported functions' and methods' signatures (methods of exported
// types), exported types (their exported fields and methods), and the
// declared types of exported variables and constants.
func exportedTypeExprs(f *ast.File) []ast.Expr {
	var out []ast.Expr
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
				continue
			}
			out = append(out, d.Type)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						out = append(out, exportedPart(s.Type))
					}
				case *ast.ValueSpec:
					if s.Type != nil && slices.ContainsFunc(s.Names, func(n *ast.Ident) bool { return n.IsExported() }) {
						out = append(out, s.Type)
					}
				}
			}
		}
	}
	return out
}

// exportedRecv reports whether a method's receiver type is exported.
func exportedRecv(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if idx, ok := t.(*ast.IndexExpr); ok {
		t = idx.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// exportedPart drops a struct's unexported fields (and an interface's
// unexported methods): they are not API.
func exportedPart(t ast.Expr) ast.Expr {
	var fields *ast.FieldList
	switch x := t.(type) {
	case *ast.StructType:
		fields = x.Fields
	case *ast.InterfaceType:
		fields = x.Methods
	default:
		return t
	}
	kept := &ast.FieldList{}
	for _, f := range fields.List {
		if len(f.Names) == 0 || slices.ContainsFunc(f.Names, func(n *ast.Ident) bool { return n.IsExported() }) {
			kept.List = append(kept.List, f)
		}
	}
	if _, ok := t.(*ast.StructType); ok {
		return &ast.StructType{Fields: kept}
	}
	return &ast.InterfaceType{Methods: kept}
}
