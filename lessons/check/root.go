package check

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Module is the module path of the course repository.
const Module = "github.com/llmperf/workbook"

// FindRoot walks up from dir to the folder whose go.mod declares Module: the repository root.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		if modulePath(filepath.Join(d, "go.mod")) == Module {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%s is not inside the course repository (no go.mod of %s above it): "+
				"cd into your clone of the workbook first", abs, Module)
		}
		d = parent
	}
}

// Root finds the repository root for code running anywhere: from this source file's own path (which is inside
// the repository when a notebook imports it through a replace directive), then from `go list -m`, then from the
// working directory.
func Root() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if root, err := FindRoot(filepath.Dir(file)); err == nil {
			return root, nil
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			if root, err := FindRoot(dir); err == nil {
				return root, nil
			}
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", errors.New("cannot find the course repository: " + err.Error())
	}
	return FindRoot(wd)
}

// modulePath returns the module path declared in a go.mod file, or "" if there is none.
func modulePath(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}
