// Package redact keeps secrets out of what a program shows: it removes registered secrets (an API key) wherever
// they appear, and credentials in any URL (user info, and query parameters such as api-key, key, token).
//
// The idea: one redaction path for everything a user can see. The code that reads a secret registers it (Add,
// AddURL); the code that shows text — errors, logs, progress lines, reports, notebook outputs — passes it
// through String, Error, a Writer or a Reader, whatever secrets exist. Text is replaced by Mask.
//
// What it guarantees: a registered secret of at least MinSecretLen bytes never passes String, Error or Writer,
// nor its URL-escaped, HTML-escaped or JSON-escaped forms, also when a Writer gets it in pieces across Write
// calls; user info and credential-like query parameters are masked in every URL found in the text (within one
// Write for a Writer). Shorter secrets are not registered: masking every "x" or "mock" would garble the
// output and protect nothing a real provider issues.
package redact

import (
	"cmp"
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask replaces what is removed.
const Mask = "[REDACTED]"

// MinSecretLen is the shortest secret Add registers.
const MinSecretLen = 8

// maxSecretLen bounds a registered secret, and so the bytes a Writer or Reader holds back.
const maxSecretLen = 4096

// registry holds the process's secrets. It grows only with distinct secrets, which come from configuration.
var registry struct {
	mu       sync.RWMutex
	secrets  []string // longest first
	replacer *strings.Replacer
}

// Add registers secrets: from now on String and the others remove each, and its escaped forms, from any text.
// Empty strings, strings shorter than MinSecretLen and strings longer than 4,096 bytes are ignored.
func Add(secrets ...string) {
	var forms []string
	for _, s := range secrets {
		if len(s) < MinSecretLen || len(s) > maxSecretLen {
			continue
		}
		j, _ := json.Marshal(s)
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s),
			strings.Trim(string(j), `"`))
	}
	if len(forms) == 0 {
		return
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	added := false
	for _, f := range forms {
		if !slices.Contains(registry.secrets, f) {
			registry.secrets = append(registry.secrets, f)
			added = true
		}
	}
	if !added {
		return
	}
	// Longest first, so a secret that contains another is removed whole.
	slices.SortStableFunc(registry.secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(registry.secrets))
	for _, s := range registry.secrets {
		pairs = append(pairs, s, Mask)
	}
	registry.replacer = strings.NewReplacer(pairs...)
}

// AddURL registers the credentials a URL carries: the password of its user info (or the user name, when there
// is no password: "https://sk-…@host" carries a key), and the values of its credential-like query parameters.
// A URL that does not parse registers nothing; String still masks what its patterns find.
func AddURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			Add(p)
		} else {
			Add(u.User.Username())
		}
	}
	for name, values := range u.Query() {
		if credentialName(name) {
			Add(values...)
		}
	}
}

// credentialParam is a query parameter whose name says it carries a credential; credentialName matches the
// same names.
var (
	credentialWords = `(?:key|token|secret|password|passwd|pwd|sig|signature|auth|credential|code)`
	credentialParam = regexp.MustCompile(`(?i)((?:[?&;]|\\u0026)[a-z0-9_.\-]*` + credentialWords + `[a-z0-9_.\-]*=)[^&#\s"'<>\\]+`)
	credentialName  = regexp.MustCompile(`(?i)^[a-z0-9_.\-]*` + credentialWords + `[a-z0-9_.\-]*$`).MatchString
	userInfo        = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s@"'<>]+@`)
)

// String returns s with every registered secret, and the credentials of every URL in it, replaced by Mask.
func String(s string) string {
	registry.mu.RLock()
	r := registry.replacer
	registry.mu.RUnlock()
	if r != nil {
		s = r.Replace(s)
	}
	if strings.Contains(s, "@") {
		s = userInfo.ReplaceAllString(s, "${1}"+Mask+"@")
	}
	if strings.Contains(s, "=") {
		s = credentialParam.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// Error returns err with its text passed through String when printed; errors.Is and errors.As still see the
// cause. Print the result, not the cause. Error(nil) is nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	var done *redacted
	if errors.As(err, &done) && done == err {
		return err
	}
	return &redacted{err}
}

type redacted struct{ err error }

func (e *redacted) Error() string { return String(e.err.Error()) }
func (e *redacted) Unwrap() error { return e.err }

// URL is raw for display: without user info, query and fragment, the parts of a URL that may carry secrets.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}

// heldBack is how much of the end of text must wait for more: the longest suffix that begins a registered
// secret, which the next piece of text may complete.
func heldBack(text []byte) int {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	longest := 0
	for _, s := range registry.secrets {
		for k := min(len(s)-1, len(text)); k > longest; k-- {
			if strings.HasPrefix(s, string(text[len(text)-k:])) {
				longest = k
				break
			}
		}
	}
	return longest
}
