package mock

import (
	"strconv"
	"strings"
	"sync"

	"github.com/llmperf/workbook/kit/tokens"
)

// Answer lengths when Config.AnswerTokens is not set: minAnswer to minAnswer+spanAnswer-1 tokens.
const (
	minAnswer  = 20
	spanAnswer = 80
)

// words is the answer vocabulary: common words of the course's domain. A vocabulary keeps only those that are
// one token in every form it uses ("word", " word", " Word"), so an answer of k pieces is exactly k tokens.
var words = strings.Fields(`
the a of to and in is that for it as with on be this by are or from at an not which but can have has was
one more all will when so your each its time than other some only also over into most many any these then
them first well way new work very long must same both such while where after before about through own
model token tokens request requests response latency cache cached prompt answer stream server client call
calls cost costs price limit limits rate retry error errors time timeout queue batch worker workers pool
memory profile benchmark test tests result results data value values number fast slow faster slower budget
output input text user system fixed small large simple clear real every often never always again first
second next last good better best just still even here there now today use used using make made build
run runs read write send sent wait waits keep kept start end order point part case set level type state
`)

// vocab is the vocabulary checked against one encoding.
type vocab struct {
	lower []string // " word"
	upper []string // " Word" (sentence start after a full stop)
	first []string // "Word" (the answer's first piece)
}

var vocabs sync.Map // encoding name -> func() *vocab

func vocabFor(enc *tokens.Encoder) *vocab {
	f, _ := vocabs.LoadOrStore(enc.Name(), sync.OnceValue(func() *vocab { return buildVocab(enc) }))
	return f.(func() *vocab)()
}

func buildVocab(enc *tokens.Encoder) *vocab {
	v := &vocab{}
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		up := strings.ToUpper(w[:1]) + w[1:]
		if enc.Count(" "+w) == 1 && enc.Count(up) == 1 && enc.Count(" "+up) == 1 && enc.Count(w) == 1 {
			v.lower = append(v.lower, " "+w)
			v.upper = append(v.upper, " "+up)
			v.first = append(v.first, up)
		}
	}
	return v
}

// answer is the generated reply of one choice: its pieces are its tokens.
type answer struct {
	pieces []string
	full   int // tokens before max_tokens cut the answer
}

func (a answer) text() string { return strings.Join(a.pieces, "") }

// generate builds the answer for hash h: full tokens of English-like filler cut to limit (if positive):
// sentences of 6 to 17 words with the occasional comma. Each word, comma and full stop is one token, and two
// punctuation pieces never touch (",." would be one token), so the answer has exactly len(pieces) tokens.
func generate(v *vocab, h uint64, full, limit int) answer {
	n := full
	if limit > 0 && limit < n {
		n = limit
	}
	a := answer{full: full, pieces: make([]string, 0, n)}
	r := rng(h)
	left := 0 // words still to come in this sentence
	for i := 0; i < n; i++ {
		prev := ""
		if i > 0 {
			prev = a.pieces[i-1]
		}
		var p string
		switch {
		case i == 0:
			p, left = v.first[r.intn(len(v.first))], 5+r.intn(12)
		case prev == ".":
			p, left = v.upper[r.intn(len(v.upper))], 5+r.intn(12)
		case prev == ",":
			p = v.lower[r.intn(len(v.lower))]
			left--
		case i == full-1 || left <= 0:
			p = "."
		case left > 1 && i < full-2 && r.intn(9) == 0:
			p = ","
		default:
			p = v.lower[r.intn(len(v.lower))]
			left--
		}
		a.pieces = append(a.pieces, p)
	}
	return a
}

// answerLength is the length in tokens of the answer with hash h.
func (s *Server) answerLength(h uint64) int {
	if s.cfg.AnswerTokens > 0 {
		return s.cfg.AnswerTokens
	}
	return minAnswer + int(mix(h^0xa5a5)%spanAnswer)
}

// requestHash hashes what decides an answer: the model, the messages and the request's seed.
func requestHash(req *chatRequest) uint64 {
	h := newHash()
	h.str(req.Model)
	for _, m := range req.Messages {
		h.str(m.Role)
		h.str(m.Name)
		h.str(m.Content.Text)
		for _, p := range m.Content.Parts {
			h.str(p)
		}
		for _, tc := range m.ToolCalls {
			h.str(tc.Function.Name)
			h.str(tc.Function.Arguments)
		}
	}
	if req.Seed != nil {
		h.u64(uint64(*req.Seed))
	}
	return h.sum()
}

// fnv is FNV-1a, 64 bits, with a separator between fields.
type fnv uint64

func newHash() fnv { return 14695981039346656037 }

func (h *fnv) str(s string) {
	x := uint64(*h)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	x ^= 0xff
	x *= 1099511628211
	*h = fnv(x)
}

func (h *fnv) u64(v uint64) {
	x := uint64(*h)
	for i := 0; i < 8; i++ {
		x ^= v & 0xff
		x *= 1099511628211
		v >>= 8
	}
	*h = fnv(x)
}

func (h fnv) sum() uint64 { return mix(uint64(h)) }

// mix is the splitmix64 finaliser: a good 64-bit hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng is a splitmix64 stream: cheap, seeded, no allocation.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	x := uint64(*r)
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func hex10(x uint64) string {
	s := strconv.FormatUint(x, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s[:10]
}

func itoa(n int) string { return strconv.Itoa(n) }

// Warm loads the tokenizers and answer vocabularies of both encodings now, rather than on the first request of
// each (about a second in all), so that first request's latency is the configured one. Safe to call often.
func Warm() error {
	for _, name := range []string{tokens.O200kBase, tokens.Cl100kBase} {
		enc, err := tokens.ForEncoding(name)
		if err != nil {
			return err
		}
		vocabFor(enc)
	}
	return nil
}
