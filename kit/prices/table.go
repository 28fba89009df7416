package prices

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Table is a dated price list. Load one from a file to use newer prices than the embedded Default.
type Table struct {
	AsOf   time.Time // the day the prices were read from their sources
	Note   string
	prices map[string]Price
}

//go:embed prices.json
var defaultJSON []byte

var defaultTable = sync.OnceValue(func() Table {
	t, err := parse("prices.json (embedded)", defaultJSON)
	if err != nil {
		panic(err) // the embedded file is checked by TestDefault
	}
	return t
})

// Default is the price table embedded in this package (see prices.json for its date and sources). List prices
// change: check them against the sources before quoting a cost.
func Default() Table { return defaultTable() }

// Load reads a price table in the format of prices.json. Every entry needs a model, a source and the three
// prices; unknown keys, negative or malformed prices, a cached-input price above the input price and duplicate
// models are errors naming the file and model.
func Load(path string) (Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Table{}, fmt.Errorf("prices: %w", err)
	}
	return parse(path, b)
}

// Lookup finds a model's price. A dated snapshot name such as "gpt-4o-2024-08-06" falls back to its base
// model, "gpt-4o".
func (t Table) Lookup(model string) (Price, error) {
	if p, ok := t.prices[model]; ok {
		return p, nil
	}
	if base := snapshotSuffix.ReplaceAllString(model, ""); base != model {
		if p, ok := t.prices[base]; ok {
			p.Model = model
			return p, nil
		}
	}
	return Price{}, fmt.Errorf("prices: no price for model %q (known: %s)", model, strings.Join(t.Models(), ", "))
}

// Models lists the table's models in sorted order.
func (t Table) Models() []string {
	ms := make([]string, 0, len(t.prices))
	for m := range t.prices {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	return ms
}

var snapshotSuffix = regexp.MustCompile(`-\d{4}-\d{2}-\d{2}$`)

var (
	fileKeys  = []string{"as_of", "currency", "unit", "note", "models"}
	modelKeys = []string{"model", "input", "cached_input", "output", "source"}
)

func parse(name string, b []byte) (Table, error) {
	fail := func(format string, args ...any) (Table, error) {
		return Table{}, fmt.Errorf("prices: %s: "+format, append([]any{name}, args...)...)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return fail("%v", err)
	}
	if err := checkKeys(top, fileKeys); err != nil {
		return fail("%v", err)
	}
	var head struct{ AsOf, Currency, Unit, Note string }
	for _, f := range []struct {
		key string
		dst *string
	}{{"as_of", &head.AsOf}, {"currency", &head.Currency}, {"unit", &head.Unit}, {"note", &head.Note}} {
		if raw, ok := top[f.key]; ok {
			if err := json.Unmarshal(raw, f.dst); err != nil {
				return fail("%q must be a string", f.key)
			}
		}
	}
	asOf, err := time.Parse(time.DateOnly, head.AsOf)
	if err != nil {
		return fail(`"as_of" must be a date like "2025-08-07", got %q`, head.AsOf)
	}
	if head.Currency != "USD" {
		return fail(`"currency" must be "USD", got %q`, head.Currency)
	}
	if head.Unit != "per 1M tokens" {
		return fail(`"unit" must be "per 1M tokens", got %q`, head.Unit)
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(top["models"], &entries); err != nil || len(entries) == 0 {
		return fail(`"models" must be a non-empty list of objects`)
	}
	t := Table{AsOf: asOf, Note: head.Note, prices: make(map[string]Price, len(entries))}
	for i, e := range entries {
		p, err := parseEntry(e)
		if err != nil {
			if p.Model == "" {
				return fail("model #%d: %v", i+1, err)
			}
			return fail("model %q: %v", p.Model, err)
		}
		if _, dup := t.prices[p.Model]; dup {
			return fail("model %q is listed twice", p.Model)
		}
		t.prices[p.Model] = p
	}
	return t, nil
}

func parseEntry(e map[string]json.RawMessage) (Price, error) {
	var p Price
	if raw, ok := e["model"]; ok {
		if err := json.Unmarshal(raw, &p.Model); err != nil {
			return p, fmt.Errorf(`"model" must be a string`)
		}
	}
	if p.Model == "" {
		return p, fmt.Errorf(`missing "model"`)
	}
	if err := checkKeys(e, modelKeys); err != nil {
		return p, err
	}
	if err := json.Unmarshal(e["source"], &p.Source); err != nil || !strings.HasPrefix(p.Source, "https://") {
		return p, fmt.Errorf(`"source" must be an https URL`)
	}
	for _, f := range []struct {
		key string
		dst *Money
	}{{"input", &p.Input}, {"cached_input", &p.CachedInput}, {"output", &p.Output}} {
		key, dst := f.key, f.dst
		raw, ok := e[key]
		if !ok {
			return p, fmt.Errorf("missing %q", key)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			// Plain JSON numbers are accepted too, read as decimal text so nothing passes through float64.
			s = string(bytes.TrimSpace(raw))
		}
		m, err := ParseDollars(s)
		if err != nil {
			return p, fmt.Errorf("%q: %v", key, err)
		}
		if m < 0 {
			return p, fmt.Errorf("%q is negative (%v)", key, m)
		}
		*dst = m
	}
	if p.CachedInput > p.Input {
		// Cached input is a discount on input; more than input is a swapped or mistyped column.
		return p, fmt.Errorf(`"cached_input" (%v) is above "input" (%v)`, p.CachedInput, p.Input)
	}
	return p, nil
}

func checkKeys(m map[string]json.RawMessage, allowed []string) error {
	var unknown []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key(s) %q (allowed: %s)", unknown, strings.Join(allowed, ", "))
	}
	return nil
}
