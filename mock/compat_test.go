package mock_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
)

// TestOfficialSDKs runs the official OpenAI SDKs for Python, Node and Go (mock/compat) against the mock on
// loopback. Without the tools it skips, saying what to install — unless CI=true, where it fails.
//
//	.venv/bin/pip install -r requirements.txt      # the openai package, pinned
//	(cd mock/compat && npm ci)                      # the openai npm package, pinned in package-lock.json
func TestOfficialSDKs(t *testing.T) {
	if testing.Short() {
		t.Skip("SDK checks start interpreters; skipped with -short")
	}
	python, _ := filepath.Abs(filepath.Join("..", ".venv", "bin", "python"))
	nodeModules, _ := filepath.Abs(filepath.Join("compat", "node_modules", "openai"))
	sdks := []struct {
		name, missing string
		cmd           func() (string, []string, bool)
	}{
		{"python", "the repository's .venv with the openai package (.venv/bin/pip install -r requirements.txt)", func() (string, []string, bool) {
			if _, err := os.Stat(python); err != nil {
				return "", nil, false
			}
			if exec.Command(python, "-c", "import openai").Run() != nil {
				return "", nil, false
			}
			return python, []string{"check.py"}, true
		}},
		{"node", "node and mock/compat/node_modules (cd mock/compat && npm ci)", func() (string, []string, bool) {
			node, err := exec.LookPath("node")
			if err != nil {
				return "", nil, false
			}
			if _, err := os.Stat(nodeModules); err != nil {
				return "", nil, false
			}
			return node, []string{"check.mjs"}, true
		}},
		{"go", "the go command and the modules of mock/compat/openaigo (go mod download in that folder)", func() (string, []string, bool) {
			gobin, err := exec.LookPath("go")
			if err != nil {
				return "", nil, false
			}
			dl := exec.Command(gobin, "mod", "download")
			dl.Dir = filepath.Join("compat", "openaigo")
			if dl.Run() != nil {
				return "", nil, false
			}
			return gobin, []string{"test", "-C", "openaigo", "-count=1", "-v", "./..."}, true
		}},
	}
	for _, sdk := range sdks {
		t.Run(sdk.name, func(t *testing.T) {
			bin, args, ok := sdk.cmd()
			if !ok {
				if os.Getenv("CI") == "true" {
					t.Fatalf("CI=true but %s SDK check cannot run: needs %s", sdk.name, sdk.missing)
				}
				t.Skipf("needs %s", sdk.missing)
			}
			plain := httptest.NewServer(mock.New(mock.Config{}))
			defer plain.Close()
			limited := httptest.NewServer(mock.New(mock.Config{RPM: 1}))
			defer limited.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = "compat"
			cmd.Env = append(os.Environ(),
				"OPENAI_BASE_URL="+plain.URL+"/v1", "MOCK_LIMITED_URL="+limited.URL+"/v1", "OPENAI_API_KEY=mock")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "all ok") && !strings.Contains(string(out), "\nok  ") {
				t.Fatalf("%s %v: %v\n%s", bin, args, err, out)
			}
			t.Logf("%s", out)
		})
	}
}
