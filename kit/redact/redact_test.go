package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/llmperf/workbook/kit/redact"
)

const key = "sk-test-0123456789abcdefSENTINEL"

func init() { redact.Add(key) }

func TestString(t *testing.T) {
	redact.AddURL("https://gw-user:gw-password-1234@gateway.example/v1?api-version=2024-06-01&api-key=qk-query-secret-987")
	for _, tc := range []struct{ name, in, mustNot string }{
		{"key", "401: Incorrect API key provided: " + key + ".", key},
		{"key in JSON", `{"error":{"message":"bad key ` + key + `"}}`, key},
		{"key query-escaped", "?k=" + url.QueryEscape(key+"/+"), key},
		{"password from AddURL", "dial gw-password-1234 failed", "gw-password-1234"},
		{"query value from AddURL", "the gateway said qk-query-secret-987", "qk-query-secret-987"},
		{"user info in any URL", `Post "https://someone:hunter2@host.example/v1/chat": EOF`, "hunter2"},
		{"key as user name", `Get "http://sk-other-key-abc@host/v1/models": refused`, "sk-other-key-abc"},
		{"api-key parameter", `Post "http://host/v1?api-key=unregistered-1&x=1": EOF`, "unregistered-1"},
		{"key parameter, JSON-escaped &", `{"err":"http://host/v1?a=1\u0026key=unregistered-2"}`, "unregistered-2"},
		{"token parameter, HTML-escaped &", `<td>http://host/v1?a=1&amp;access_token=unregistered-3</td>`, "unregistered-3"},
		{"sig parameter", "https://acct.blob.example/c?sv=2022&sig=unregistered%2B4", "unregistered%2B4"},
	} {
		got := redact.String(tc.in)
		if strings.Contains(got, tc.mustNot) || !strings.Contains(got, redact.Mask) {
			t.Errorf("%s: String(%q) = %q", tc.name, tc.in, got)
		}
	}
	for _, keep := range []string{
		"plain text stays as it is",
		"https://api.openai.com/v1/chat/completions?stream=true&n=2",
		"user@example.com wrote x=1 & y=2",
	} {
		if got := redact.String(keep); got != keep {
			t.Errorf("String(%q) = %q, want it unchanged", keep, got)
		}
	}
}

func TestShortSecretsAreNotRegistered(t *testing.T) {
	redact.Add("", "x", "mock", "ollama1") // shorter than MinSecretLen
	if got := redact.String("mock x ollama1"); got != "mock x ollama1" {
		t.Errorf("short secrets masked: %q", got)
	}
}

func TestError(t *testing.T) {
	if redact.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
	cause := fmt.Errorf("upstream said %s: %w", key, fs.ErrPermission)
	err := redact.Error(cause)
	if strings.Contains(err.Error(), key) || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Error: %q, Is(ErrPermission) %v", err, errors.Is(err, fs.ErrPermission))
	}
	if redact.Error(err) != err {
		t.Error("Error wraps twice")
	}
	if got := fmt.Sprintf("%v", fmt.Errorf("call: %w", err)); strings.Contains(got, key) {
		t.Errorf("wrapped again: %q", got)
	}
}

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@host/v1?api-key=s#frag": "https://host/v1",
		"http://localhost:11434/v1":          "http://localhost:11434/v1",
		"%zz":                                "(unparsable URL)",
	} {
		if got := redact.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A key written or read in two pieces, cut anywhere, never comes out whole; everything else comes out as it
// went in.
func TestStreamsAcrossPieces(t *testing.T) {
	text := "before " + key + " after; and the end starts like the key: " + key[:5]
	want := strings.ReplaceAll(text, key, redact.Mask)
	for cut := range len(text) {
		var out bytes.Buffer
		w := redact.NewWriter(&out)
		io.WriteString(w, text[:cut])
		io.WriteString(w, text[cut:])
		w.Flush()
		if out.String() != want {
			t.Fatalf("Writer, cut at %d: %q", cut, out.String())
		}
	}
	got, err := io.ReadAll(redact.NewReader(iotest.OneByteReader(strings.NewReader(text))))
	if err != nil || string(got) != want {
		t.Fatalf("Reader one byte at a time: %q, %v", got, err)
	}
	got, err = io.ReadAll(redact.NewReader(iotest.DataErrReader(strings.NewReader(text))))
	if err != nil || string(got) != want {
		t.Fatalf("Reader with data and EOF together: %q, %v", got, err)
	}
	if err := iotest.TestReader(redact.NewReader(strings.NewReader("no secret here, long enough")), []byte("no secret here, long enough")); err != nil {
		t.Error(err)
	}
}

// Text that cannot begin a secret is not held back: a progress line appears when it is written.
func TestWriterHoldsBackOnlyPossibleSecrets(t *testing.T) {
	var out bytes.Buffer
	w := redact.NewWriter(&out)
	io.WriteString(w, "\rcalls [####......]  4/10\x1b[K")
	if !strings.HasSuffix(out.String(), "4/10\x1b[K") {
		t.Errorf("held back: %q", out.String())
	}
	if u, ok := any(w).(interface{ Unwrap() io.Writer }); !ok || u.Unwrap() != &out {
		t.Error("Unwrap does not give the underlying writer")
	}
}

func BenchmarkString(b *testing.B) {
	line := strings.Repeat("calls [####......]  4/10  1.2s  ~2.1s left ", 4)
	b.ReportAllocs()
	for b.Loop() {
		redact.String(line)
	}
}
