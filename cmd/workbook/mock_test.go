package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMockHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"mock", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-addr", "-ttft", "-inter-token", "-jitter", "-rpm", "-tpm", "-fault-rate", "-faults", "-seed", "-slow-first-byte", "-tail-rate", "-max-concurrent", "-token-cache", "-read-timeout", "-idle-timeout"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("help lacks %s:\n%s", f, stderr.String())
		}
	}
	for _, args := range [][]string{{"mock", "-rpm", "x"}, {"mock", "extra"}, {"mock", "-faults", "boom", "-addr", "127.0.0.1:0"},
		{"mock", "-max-concurrent", "-1", "-addr", "127.0.0.1:0"}, {"mock", "-read-timeout", "-1s", "-addr", "127.0.0.1:0"}} {
		if code := run(context.Background(), args, io.Discard, io.Discard); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}

// The standalone server prints its URL, serves an OpenAI request with the configured limits, and stops when
// its context ends.
func TestMockServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"mock", "-addr", "127.0.0.1:0", "-rpm", "1", "-answer-tokens", "4"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	var out strings.Builder
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if u, ok := strings.CutPrefix(strings.TrimSpace(lines.Text()), "export OPENAI_BASE_URL="); ok {
			base = u
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1") {
		t.Fatalf("no base URL in output:\n%s", out.String())
	}
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	for i, want := range []int{200, 429} {
		resp, err := http.Post(base+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Usage struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode != want || (want == 200 && r.Usage.CompletionTokens != 4) {
			t.Errorf("request %d: status %d, usage %+v", i, resp.StatusCode, r.Usage)
		}
		if resp.Header.Get("x-ratelimit-limit-requests") != "1" {
			t.Errorf("request %d: no rate-limit headers", i)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop after its context ended")
	}
}
