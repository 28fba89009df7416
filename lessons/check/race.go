package check

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

var race struct {
	once      sync.Once
	ok        bool
	note      string
	goos, cgo string
}

// Race reports whether `go test -race` works here, and when it does not, a note saying why and what is lost.
// The race detector needs a supported platform (linux, darwin, windows, freebsd or netbsd on amd64; linux and
// darwin on arm64; a few more on linux) and, except on macOS, cgo, which needs a C compiler (gcc or clang) on
// the PATH. The answer is asked of `go env` once per process.
func Race(ctx context.Context) (ok bool, note string) {
	race.once.Do(func() {
		out, err := exec.CommandContext(ctx, "go", "env", "GOOS", "GOARCH", "CGO_ENABLED").Output()
		f := strings.Fields(string(out))
		if err != nil || len(f) != 3 {
			race.note = fmt.Sprintf("note: checked without the race detector: `go env` failed (%v)", err)
			return
		}
		race.ok, race.note = raceVerdict(f[0], f[1], f[2])
	})
	return race.ok, race.note
}

// raceVerdict decides from go env's GOOS, GOARCH and CGO_ENABLED.
func raceVerdict(goos, goarch, cgo string) (bool, string) {
	const lost = "so a data race (two goroutines using the same memory without a lock) may pass unnoticed or " +
		"fail only now and then"
	if !raceSupported(goos, goarch) {
		return false, fmt.Sprintf("note: checked without the race detector, which Go does not have on %s/%s, %s",
			goos, goarch, lost)
	}
	if cgo != "1" && goos != "darwin" {
		return false, "note: checked without the race detector, which needs cgo and so a C compiler (install " +
			"gcc or clang, or set CGO_ENABLED=1), " + lost
	}
	return true, ""
}

// raceSupported mirrors the go command's list of platforms with a race detector (internal/platform).
func raceSupported(goos, goarch string) bool {
	switch goos {
	case "linux":
		switch goarch {
		case "amd64", "arm64", "loong64", "ppc64le", "riscv64", "s390x":
			return true
		}
	case "darwin":
		return goarch == "amd64" || goarch == "arm64"
	case "freebsd", "netbsd", "windows":
		return goarch == "amd64"
	}
	return false
}
