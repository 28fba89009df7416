package prices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	tab := Default()
	if tab.AsOf.IsZero() || !strings.Contains(tab.Note, "check") {
		t.Errorf("Default table lacks a date or a warning: %v %q", tab.AsOf, tab.Note)
	}
	want := []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini",
		"gpt-5", "gpt-5-mini", "gpt-5-nano", "text-embedding-3-small", "text-embedding-3-large"}
	for _, m := range want {
		p, err := tab.Lookup(m)
		if err != nil {
			t.Errorf("Lookup(%q): %v", m, err)
			continue
		}
		if p.Input <= 0 || p.CachedInput > p.Input || !strings.HasPrefix(p.Source, "https://") {
			t.Errorf("%s: implausible price %+v", m, p)
		}
		if !strings.HasPrefix(m, "text-embedding") && p.Output <= p.Input {
			t.Errorf("%s: output %v not above input %v", m, p.Output, p.Input)
		}
	}
	if got := len(tab.Models()); got != len(want) {
		t.Errorf("Default has %d models, want %d", got, len(want))
	}
}

func TestLookup(t *testing.T) {
	tab := Default()
	for _, tc := range []struct {
		model, base string
	}{
		{"gpt-4o", "gpt-4o"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"},
	} {
		p, err := tab.Lookup(tc.model)
		base, _ := tab.Lookup(tc.base)
		if err != nil || p.Input != base.Input || p.Output != base.Output || p.Model != tc.model {
			t.Errorf("Lookup(%q) = %+v, %v; want the prices of %s", tc.model, p, err, tc.base)
		}
	}
	if _, err := tab.Lookup("gpt-2"); err == nil || !strings.Contains(err.Error(), `"gpt-2"`) {
		t.Errorf("Lookup(gpt-2) error = %v, want one naming the model", err)
	}
	var zero Table
	if _, err := zero.Lookup("gpt-4o"); err == nil {
		t.Error("zero Table found a price")
	}
}

func TestLoad(t *testing.T) {
	const good = `{"as_of": "2025-08-07", "currency": "USD", "unit": "per 1M tokens", "models": [
		{"model": "m", "input": "1.00", "cached_input": 0.5, "output": "4", "source": "https://example.com/m"}]}`
	entry := func(fields string) string {
		return `{"as_of": "2025-08-07", "currency": "USD", "unit": "per 1M tokens", "models": [` + fields + `]}`
	}
	for _, tc := range []struct {
		name, json string
		wantErr    []string // substrings of the error; nil means success
	}{
		{"good", good, nil},
		{"negative", entry(`{"model": "m", "input": "-1", "cached_input": "0", "output": "1", "source": "https://x"}`),
			[]string{`model "m"`, `"input" is negative`}},
		{"cached above input", entry(`{"model": "m", "input": "0.5", "cached_input": "1", "output": "1", "source": "https://x"}`),
			[]string{`model "m"`, `"cached_input" ($1.00) is above "input" ($0.50)`}},
		{"missing field", entry(`{"model": "m", "input": "1", "output": "1", "source": "https://x"}`),
			[]string{`model "m"`, `missing "cached_input"`}},
		{"unknown key", entry(`{"model": "m", "input": "1", "cached_input": "1", "output": "1", "source": "https://x", "ouptut": "2"}`),
			[]string{`model "m"`, `unknown key`, `ouptut`}},
		{"missing model", entry(`{"input": "1", "cached_input": "1", "output": "1", "source": "https://x"}`),
			[]string{`model #1`, `missing "model"`}},
		{"bad number", entry(`{"model": "m", "input": "one", "cached_input": "1", "output": "1", "source": "https://x"}`),
			[]string{`model "m"`, `"input"`}},
		{"no source", entry(`{"model": "m", "input": "1", "cached_input": "1", "output": "1"}`),
			[]string{`model "m"`, `"source"`}},
		{"duplicate", entry(`{"model": "m", "input": "1", "cached_input": "1", "output": "1", "source": "https://x"},
			{"model": "m", "input": "1", "cached_input": "1", "output": "1", "source": "https://x"}`),
			[]string{`"m" is listed twice`}},
		{"bad date", strings.Replace(good, "2025-08-07", "August", 1), []string{`"as_of"`}},
		{"unknown top key", strings.Replace(good, `"currency"`, `"colour": 1, "currency"`, 1), []string{`colour`}},
		{"wrong unit", strings.Replace(good, "per 1M tokens", "per 1K tokens", 1), []string{`"unit"`}},
		{"no models", `{"as_of": "2025-08-07", "currency": "USD", "unit": "per 1M tokens", "models": []}`, []string{`"models"`}},
		{"not json", `{`, []string{"unexpected end"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(path, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			tab, err := Load(path)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				p, err := tab.Lookup("m")
				if err != nil || p.CachedInput != Dollar/2 || p.Output != 4*Dollar {
					t.Errorf("Lookup(m) = %+v, %v", p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tc.wantErr)
			}
			for _, want := range append(tc.wantErr, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

// TestEmbeddedFileLoads checks the committed prices.json through Load, the path learners use for updates.
func TestEmbeddedFileLoads(t *testing.T) {
	tab, err := Load("prices.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(tab.Models()), len(Default().Models()); got != want {
		t.Errorf("Load(prices.json) has %d models, Default %d", got, want)
	}
}
