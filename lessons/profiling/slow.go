package profiling

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// SlowBuildPrompt is the reference prompt builder, written the way prompt code often starts: correct, easy to
// read, and slow. Its output is the specification: a faster version must return exactly the same string.
//
// It turns a construction-site log (records separated by blank lines; a record may start with a header like
// "2026-03-04 07:12 [WARN] site=north-7 crew=crane") into an instruction line followed by one JSON object per
// record, with e-mail addresses and phone numbers redacted and whitespace collapsed. Records are added in order
// until the next one would take the sum of the record lines' token counts past budget; a last line says how
// many records and tokens made it.
//
// Every hotspot here is deliberate; profile it before you believe any of them matters.
func SlowBuildPrompt(log string, count func(string) int, budget int) string {
	blank := regexp.MustCompile(`\n\s*\n`)
	records := blank.Split(log, -1)
	total := 0
	for _, r := range records {
		if strings.TrimSpace(r) != "" {
			total++
		}
	}

	prompt := "Summarize these construction-site log records for the site manager: risks first, then delays.\n"
	prompt += "Each line is one record as JSON.\n\n"
	var kept []string
	n := 0
	for _, r := range records {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		n++
		// Compiled again for every record: the classic hidden cost.
		header := regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?) \[(\w+)\](.*)$`)
		space := regexp.MustCompile(`\s+`)
		email := regexp.MustCompile(`[\w.+-]+@[\w-]+(?:\.[\w-]+)+`)
		phone := regexp.MustCompile(`\+?\d[\d ().-]{7,}\d`)

		fields := map[string]any{"n": n}
		lines := strings.Split(r, "\n")
		if m := header.FindStringSubmatch(strings.TrimSpace(lines[0])); m != nil {
			fields["time"] = m[1]
			fields["level"] = strings.ToLower(m[2])
			tags := map[string]any{}
			for _, kv := range strings.Fields(m[3]) {
				if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
					tags[k] = v
				}
			}
			if len(tags) > 0 {
				fields["tags"] = tags
			}
			lines = lines[1:]
		}
		body := ""
		for _, l := range lines {
			body += " " + l
		}
		body = space.ReplaceAllString(strings.TrimSpace(body), " ")
		body = email.ReplaceAllString(body, "[email]")
		body = phone.ReplaceAllString(body, "[phone]")
		fields["text"] = body

		js, err := json.Marshal(fields)
		if err != nil {
			panic(err) // cannot happen: strings, ints and maps of strings always marshal
		}
		line := fmt.Sprintf("%s\n", js)

		// The tokens so far, counted again from scratch for every record.
		used := 0
		for _, k := range kept {
			used += count(k)
		}
		if used+count(line) > budget {
			break
		}
		kept = append(kept, line)
	}

	used := 0
	for _, k := range kept {
		prompt += k
		used += count(k)
	}
	prompt += fmt.Sprintf("\n(%d of %d records, %d tokens)\n", len(kept), total, used)
	return prompt
}
