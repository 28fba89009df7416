package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sentinel is an API key that must never be shown.
const sentinel = "sk-sentinel-MUST-NOT-APPEAR-0123456789"

// TestSentinelKeyNowhere sets a sentinel key and runs the capstone against upstreams that fail in the ways that
// used to show it — one that quotes the key (and the URL it was called at) back in a 401, unreachable URLs with
// the key inside them — with the text, HTML and JSON reports and the progress bar on, in this process and in
// child processes. The sentinel appears in no output and no report.
func TestSentinelKeyNowhere(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "invalid_request_error",
			"code": "invalid_api_key", "message": "Incorrect API key provided: " +
				strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + " at " + r.URL.String()}})
	}))
	defer echo.Close()
	old := pulseChild
	defer func() { pulseChild = old }()
	pulseChild = func(ctx context.Context, args []string) (*exec.Cmd, error) {
		list, _ := json.Marshal(args)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPulseChildProcess$")
		cmd.Env = append(os.Environ(), "PULSE_CHILD_ARGS="+string(list))
		return cmd, nil
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "site.log")
	if code := run(context.Background(), []string{"pulse", "-generate", "4KiB", "-in", log, "-mode", "none"},
		&bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatal("could not generate the log")
	}
	host := strings.TrimPrefix(echo.URL, "http://")
	for _, tc := range []struct{ name, base string }{
		{"401 quoting the key", echo.URL + "/v1"},
		{"401, key as query parameter", echo.URL + "/v1?api-key=" + sentinel},
		{"401, key as user info", "http://" + sentinel + "@" + host + "/v1"},
		{"unreachable, key as user info", "http://proxy:" + sentinel + "@127.0.0.1:1/v1"},
		{"unreachable, key as query parameter", "http://127.0.0.1:1/v1?token=" + sentinel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OPENAI_API_KEY", sentinel)
			t.Setenv("OPENAI_BASE_URL", tc.base)
			txt, html := filepath.Join(dir, "r.txt"), filepath.Join(dir, "r.html")
			os.Remove(txt)
			os.Remove(html)
			shown := map[string]string{}
			for _, args := range [][]string{
				{"-mode", "both", "-attempts", "2", "-report", txt, "-html", html}, // child processes, reports on
				{"-mode", "naive", "-isolate=false", "-json"},                      // JSON in this process
				{"-mode", "optimized", "-isolate=false", "-attempts", "2"},         // text report on stdout, retries
			} {
				var out, errOut bytes.Buffer
				code := run(context.Background(), append([]string{"pulse", "-in", log}, args...), &out, &errOut)
				if code != 1 {
					t.Errorf("%v: exit %d, want 1 (every call fails); stderr %s", args, code, errOut.String())
				}
				shown[strings.Join(args, " ")+": stdout"] = out.String()
				shown[strings.Join(args, " ")+": stderr"] = errOut.String()
			}
			for _, f := range []string{txt, html} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatalf("no report: %v", err)
				}
				shown[filepath.Base(f)] = string(b)
			}
			failed := false
			for where, text := range shown {
				if strings.Contains(text, sentinel) || strings.Contains(text, sentinel[12:]) {
					t.Errorf("%s shows the key:\n%s", where, text)
					failed = true
				}
			}
			if !failed {
				t.Logf("e.g. %s", strings.TrimSpace(shown["-mode naive -isolate=false -json: stderr"]))
			}
		})
	}
}
