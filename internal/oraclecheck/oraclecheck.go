// Package oraclecheck reads a simulator's source to show that its judges
// stay apart from what they judge: which packages the judge's files import,
// and which of the package's own functions, types, methods, variables and
// fields they use that other files declare. A simulator lives in one
// package with its oracles, so a package-level import check cannot tell the
// two apart; this type-checks the package and looks at the files.
package oraclecheck

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	pathpkg "path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Report is what the judge's files reach outside themselves.
type Report struct {
	// Imports are the import paths of the judge's files, sorted.
	Imports []string
	// Foreign maps each object of the package (function, type, method,
	// variable, constant or field) that the judge's files use but another
	// non-test file declares to that file's base name. A method is keyed
	// "Type.Name", a field "field Name".
	Foreign map[string]string
}

// Read type-checks the non-test Go files in dir and reports what the
// files named in judge (base names) import and use from the rest of the
// package.
func Read(dir string, judge ...string) (Report, error) {
	isJudge, missing := map[string]bool{}, map[string]bool{}
	for _, j := range judge {
		isJudge[j], missing[j] = true, true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Report{}, err
	}
	fset := token.NewFileSet()
	var files, judged []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		// Build constraints and _GOOS/_GOARCH names as go build sees
		// them on this machine.
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			return Report{}, err
		}
		files = append(files, f)
		if isJudge[name] {
			judged = append(judged, f)
			delete(missing, name)
		}
	}
	if len(missing) > 0 {
		return Report{}, fmt.Errorf("oraclecheck: judge files not found in %s: %v", dir, sortedKeys(missing))
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	// Only this package's objects matter, so every import is an empty
	// stand-in and the errors that follow from it (a use of fle.X, say)
	// are ignored: the check needs neither GOROOT nor built dependencies
	// (under -trimpath a test binary has no GOROOT to read sources from).
	conf := types.Config{Importer: emptyImporter{}, Error: func(error) {}}
	pkg, _ := conf.Check(files[0].Name.Name, fset, files, info)

	rep := Report{Foreign: map[string]string{}}
	seen := map[string]bool{}
	for _, f := range judged {
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !seen[p] {
				seen[p] = true
				rep.Imports = append(rep.Imports, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := info.Uses[id]
			if obj == nil || obj.Pkg() != pkg || !obj.Pos().IsValid() {
				return true
			}
			file := filepath.Base(fset.Position(obj.Pos()).Filename)
			if isJudge[file] {
				return true
			}
			if obj.Parent() != pkg.Scope() && !isMember(obj) {
				return true // a local of a non-judge function cannot be reached from here
			}
			rep.Foreign[qualified(obj)] = file
			return true
		})
	}
	sort.Strings(rep.Imports)
	return rep, nil
}

// isMember reports whether obj is a method or a struct field.
func isMember(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		return o.Type().(*types.Signature).Recv() != nil
	case *types.Var:
		return o.IsField()
	}
	return false
}

// qualified names obj as the report keys it: Type.Name for a method,
// "field Name" for a field, else its name.
func qualified(obj types.Object) string {
	if f, ok := obj.(*types.Func); ok {
		if recv := f.Type().(*types.Signature).Recv(); recv != nil {
			return typeName(recv.Type()) + "." + f.Name()
		}
	}
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return "field " + v.Name()
	}
	return obj.Name()
}

func typeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}

// emptyImporter gives every import path an empty, complete package.
type emptyImporter struct{}

func (emptyImporter) Import(path string) (*types.Package, error) {
	p := types.NewPackage(path, pathpkg.Base(path))
	p.MarkComplete()
	return p, nil
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
